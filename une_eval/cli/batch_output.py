"""What each file of a ``validate`` batch becomes in its outputs, made in the worker that checked it.

The worker turns the file's audit into the text the parent will print (``--format text`` through a
rich console set up exactly like the parent's, or ``--format lines``), its JSON text (``--format
json``, JSON and HTML summaries) and its summary row, so the parent process only writes them in
order: it never becomes the bottleneck of a parallel batch, and holds nothing per file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from une_eval.audit import Audit
from une_eval.findings import Outcome
from une_eval.text import json_text

if TYPE_CHECKING:
    from rich.console import Console

    from une_eval.validation.summary_stream import SummaryItem


@dataclass(frozen=True, slots=True)
class TextStyle:
    """The settings of the console that prints ``--format text``, to render the same text elsewhere."""

    width: int
    color_system: str | None
    force_terminal: bool

    @classmethod
    def of(cls, console: Console) -> TextStyle:
        """The style of ``console``."""
        return cls(console.width, console.color_system, console.is_terminal)

    def console(self, file: io.StringIO) -> Console:
        """A console writing to ``file`` exactly as the styled console would write to its own."""
        from rich.console import Console  # rich loads only for --format text

        return Console(
            file=file,
            width=self.width,
            color_system=self.color_system,  # type: ignore[arg-type]  # one of rich's names, or None
            force_terminal=self.force_terminal,
            highlight=False,
            soft_wrap=False,
            legacy_windows=False,
        )


@dataclass(frozen=True, slots=True)
class Rendering:
    """What the parent writes of each file: its ``--format`` and whether summaries are asked for."""

    fmt: str  # text, lines or json
    summaries: bool
    style: TextStyle | None = None  # for text


@dataclass(frozen=True, slots=True)
class Rendered:
    """One file, ready to write: its verdict, printed text, JSON text and summary item (as asked for)."""

    outcome: Outcome
    printed: str = ""
    json: str | None = None
    item: SummaryItem | None = None


def render_file(audit: Audit, how: Rendering) -> Rendered:
    """The outputs of one checked file (a picklable worker function with ``functools.partial``)."""
    verdict = audit.to_json() if how.fmt == "json" or how.summaries else None
    text = json_text(verdict) if verdict is not None else None
    item = None
    if how.summaries and verdict is not None:
        from une_eval.validation.summary_stream import SummaryItem

        item = SummaryItem.of(verdict, text)
    return Rendered(audit.verdict, printed_text(audit, how), text, item)


def printed_text(audit: Audit, how: Rendering) -> str:
    """The ``text`` or ``lines`` output of one file ("" for json)."""
    from une_eval.cli.validate import print_audit, print_lines  # the printers live with the command

    buf = io.StringIO()
    if how.fmt == "text" and how.style is not None:
        print_audit(audit, how.style.console(buf))
    elif how.fmt == "lines":
        print_lines([audit], buf.write)
    return buf.getvalue()
