"""The draft an importer builds: the submission document, each value's origin, findings, notes, traces.

An importer never writes a value without saying where it came from: :meth:`Draft.put` takes the JSON
Pointer of the value in the submission and its :class:`Origin` (file, field or line, the value as the
source wrote it, its unit, and whether the source measured, estimated, sourced or declared it). What
the source does not give is left out, so the schema lists it as missing. Suspicious source content is
recorded with :meth:`Draft.finding` under an ``import.*`` rule; samples become trace rows with
:meth:`Draft.trace`. :meth:`Draft.document` assembles the submission with its provenance block.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from une_eval import __version__
from une_eval.findings import Message, escape_pointer_token
from une_eval.import_wording import PREFIX, inner
from une_eval.importers.source import Source, SourceFile
from une_eval.traces import TraceColumn

MAX_WRITTEN_CHARS = 500


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value came from: file, location, the value as written, its unit, and its basis."""

    file: SourceFile
    location: str
    written: str
    unit: str | None = None
    basis: str = "measured"
    note: str | None = None
    scale: float | None = None

    def entry(self, pointer: str) -> dict[str, Any]:
        """The ``provenance.values`` item for the value at ``pointer``."""
        written = self.written if len(self.written) <= MAX_WRITTEN_CHARS else self.written[:497] + "..."
        out: dict[str, Any] = {
            "pointer": pointer,
            "file": self.file.index,
            "location": self.location[:500],
            "value": written,
            "basis": self.basis,
        }
        if self.unit is not None:
            out["unit"] = self.unit[:32]
        if self.scale is not None:
            out["scale"] = self.scale
        if self.note is not None:
            out["note"] = self.note[:500]
        return out


@dataclass(slots=True)
class PendingTrace:
    """Samples to write as one device's trace (``traces/<device_id>.csv``)."""

    device_id: str
    columns: list[TraceColumn]
    rows: Iterable[dict[str, Any]]  # read once, when the trace is written (a generator keeps memory flat)

    @property
    def path(self) -> str:
        """The trace's path relative to the draft's folder."""
        return f"traces/{self.device_id}.csv"


@dataclass(slots=True)
class Draft:
    """A submission being built from one source."""

    source: Source
    source_format: str
    imported_at: dt.datetime
    doc: dict[str, Any] = field(default_factory=lambda: {"schema_version": "1.0"})
    values: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    traces: list[PendingTrace] = field(default_factory=list)
    tool: dict[str, str] | None = None

    def put(self, pointer: str, value: Any, origin: Origin | None = None) -> None:
        """Set the value at ``pointer`` (creating objects on the way), recording its origin."""
        tokens = pointer.split("/")[1:]
        node: Any = self.doc
        for token, following in itertools.pairwise(tokens):
            node = _child(node, token, [] if following.isdigit() else {})
        last = tokens[-1]
        if isinstance(node, list):
            index = int(last)
            if index == len(node):
                node.append(value)
            else:
                node[index] = value
        else:
            node[last] = value
        if origin is not None:
            self.values.append(origin.entry(pointer))

    def has(self, pointer: str) -> bool:
        """Whether the draft already holds a value at ``pointer``."""
        node: Any = self.doc
        for token in pointer.split("/")[1:]:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return False
        return True

    def finding(
        self, rule_id: str, file: SourceFile, location: str, message: str | Message, pointer: str | None = None
    ) -> None:
        """Record something suspicious in the source under an ``import.*`` rule.

        A :class:`Message` whose template starts with ``{file}, {location}: `` is stored with its template
        and parameters, so that documents can word it in their language (:mod:`une_eval.import_wording`).
        """
        text = inner(message) if isinstance(message, Message) else message
        entry: dict[str, Any] = {"rule_id": rule_id, "file": file.index, "location": location[:500], "message": text}
        if isinstance(message, Message) and message.template.startswith(PREFIX):
            entry["template"] = message.template
            entry["params"] = message.params_json()
        if pointer is not None:
            entry["pointer"] = pointer
        self.findings.append(entry)

    def note(self, text: str) -> None:
        """Say what the source cannot give, or how it was read (once)."""
        if text not in self.notes:
            self.notes.append(text)

    def trace(self, device_id: str, columns: list[TraceColumn], rows: Iterable[dict[str, Any]]) -> PendingTrace:
        """Queue one device's samples as a trace file."""
        pending = PendingTrace(device_id, columns, rows)
        self.traces.append(pending)
        return pending

    def document(self) -> dict[str, Any]:
        """The submission with its provenance block (trace entries are added when the traces are written)."""
        provenance: dict[str, Any] = {
            "source_format": self.source_format,
            "importer": {"name": "une-eval", "version": __version__},
            "imported_at": self.imported_at.isoformat().replace("+00:00", "Z"),
            "files": [f.entry() for f in self.source.files()],
            "values": self.values,
        }
        if self.tool:
            provenance["source_tool"] = self.tool
        if self.findings:
            provenance["findings"] = self.findings
        if self.notes:
            provenance["notes"] = self.notes
        return {**self.doc, "provenance": provenance}


def _child(node: Any, token: str, empty: Any) -> Any:
    if isinstance(node, list):
        index = int(token)
        if index == len(node):
            node.append(empty)
        return node[index]
    return node.setdefault(token, empty)


def pointer_of(*tokens: str | int) -> str:
    """An RFC 6901 pointer from tokens (escaped)."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)
