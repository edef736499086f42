"""Batch summaries written as the audits arrive, so that a batch of any size runs in bounded memory.

Each :class:`SummarySink` takes one verdict (an audit's JSON) at a time. The CSV, Parquet and JSON
summaries go straight to a temporary file beside their target (rows in batches for Parquet) and are
renamed into place when the batch ends, so none is ever seen half-written and an interrupted batch
leaves no summary. The HTML dashboard draws charts over the whole batch and is one page, so it keeps
each file's JSON text until the end: its memory grows with the batch (use CSV, Parquet or JSON for very large
ones).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from une_eval import __version__
from une_eval.errors import InputError
from une_eval.output import open_atomic
from une_eval.text import JsonArrayWriter, json_item_text, json_text, printable_tree, utf8_safe
from une_eval.validation.summary import (
    COLUMNS,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    format_for,
    neutralise_cell,
    parquet_schema,
    render_html,
    row_for,
)

PARQUET_BATCH_ROWS = 4096


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """What the summaries need of one file: its verdict, its audit's JSON text and its summary row.

    Made where the file was checked (a worker process), so the parent only writes.
    """

    verdict: str
    json: str  # json_text of the audit's JSON, at the top level's indentation
    row: dict[str, Any]

    @classmethod
    def of(cls, verdict: dict[str, Any], json: str | None = None) -> SummaryItem:
        """The item of an audit's JSON (``json``: its :func:`json_text`, when already made)."""
        return cls(verdict["verdict"], json_text(verdict) if json is None else json, row_for(verdict))


class SummarySink(Protocol):
    """Where the files of a batch go, one at a time, then ``close`` once all have been given."""

    def add(self, item: SummaryItem) -> None:
        """Take one file."""

    def close(self) -> None:
        """Finish the output (all verdicts given)."""


class CsvSink:
    """The CSV summary: a header row, then one row per file (formula-looking cells neutralised)."""

    def __init__(self, out: BinaryIO) -> None:
        import csv
        import io

        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        self._writer = csv.DictWriter(self._text, fieldnames=COLUMNS, lineterminator="\n")
        self._writer.writeheader()

    def add(self, item: SummaryItem) -> None:
        """Take one file."""
        row = item.row
        self._writer.writerow({k: neutralise_cell("" if row[k] is None else printable_tree(row[k])) for k in COLUMNS})

    def close(self) -> None:
        """Finish the output (all verdicts given)."""
        self._text.flush()
        self._text.detach()  # the atomic file closes itself


class ParquetSink:
    """The Parquet summary with typed columns, written a row group of :data:`PARQUET_BATCH_ROWS` at a time."""

    def __init__(self, out: BinaryIO) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self._schema = parquet_schema()
        self._writer = pq.ParquetWriter(out, self._schema)
        self._rows: list[dict[str, Any]] = []

    def add(self, item: SummaryItem) -> None:
        """Take one file."""
        self._rows.append(item.row)
        if len(self._rows) >= PARQUET_BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        columns = {name: [_cell(name, row[name]) for row in self._rows] for name in COLUMNS}
        self._writer.write_table(self._pa.table(columns, schema=self._schema))
        self._rows = []

    def close(self) -> None:
        """Finish the output (all verdicts given)."""
        if self._rows:
            self._flush()
        self._writer.close()


def _cell(name: str, value: Any) -> Any:
    if value is None or (value == "" and name in FLOAT_COLUMNS):
        return None
    if name in INT_COLUMNS:
        return int(value)
    if name in FLOAT_COLUMNS:
        try:
            return float(value)
        except (TypeError, ValueError):
            return None  # as pandas.to_numeric(errors="coerce") did
    return utf8_safe(str(value))  # a file name that is not UTF-8 cannot go into Parquet as it is


class JsonSink:
    """The JSON summary: every verdict in full, then the counts by outcome."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._counts: Counter[str] = Counter()
        self._write(f'{{\n  "generated_by": {json_text(f"une-eval {__version__}")},\n  "files": ')
        self._files = JsonArrayWriter(self._write)

    def _write(self, text: str) -> None:
        self._out.write(text.encode("utf-8"))

    def add(self, item: SummaryItem) -> None:
        """Take one file."""
        self._counts[item.verdict] += 1
        self._files.add_text(item.json)

    def close(self) -> None:
        """Finish the output (all verdicts given)."""
        self._files.close()
        self._write(f',\n  "counts": {json_item_text(dict(self._counts), 1)}\n}}\n')


class HtmlSink:
    """The HTML dashboard: kept until the end, then rendered as one page in ``lang``."""

    def __init__(self, out: BinaryIO, lang: str) -> None:
        self._out, self._lang = out, lang
        self._texts: list[str] = []

    def add(self, item: SummaryItem) -> None:
        """Take one file."""
        self._texts.append(item.json)

    def close(self) -> None:
        """Finish the output (all verdicts given)."""
        self._out.write(render_html([json.loads(t) for t in self._texts], lang=self._lang))


@contextmanager
def summary_sinks(paths: Sequence[Path], *, lang: str = "en", replace: bool = True) -> Iterator[list[SummarySink]]:
    """One sink per summary file, by extension; each file is put into place when the block ends cleanly.

    ``replace=False``: a file that exists by then (another process's, say) is left alone and the summary
    is refused with a clear message.
    """
    with ExitStack() as stack:
        sinks: list[SummarySink] = []
        for path in paths:
            fmt = format_for(path)
            out = stack.enter_context(_atomic(path, replace))
            sinks.append(_sink(fmt, out, lang))
        yield sinks
        for sink in sinks:
            sink.close()


def _sink(fmt: str, out: BinaryIO, lang: str) -> SummarySink:
    if fmt == "csv":
        return CsvSink(out)
    if fmt == "parquet":
        return ParquetSink(out)
    if fmt == "json":
        return JsonSink(out)
    return HtmlSink(out, lang)


@contextmanager
def _atomic(path: Path, replace: bool) -> Iterator[BinaryIO]:
    """:func:`open_atomic`, its own failures (cannot create, fsync or rename) worded as one line."""
    opened = open_atomic(path, replace=replace)
    try:
        out = opened.__enter__()
    except OSError as exc:
        raise InputError(f"cannot write the summary {path}: {exc.strerror or exc}") from None
    try:
        yield out
    except BaseException as exc:
        opened.__exit__(type(exc), exc, exc.__traceback__)  # removes the temporary file
        raise
    try:
        opened.__exit__(None, None, None)
    except FileExistsError:
        raise InputError(f"{path} appeared while the files were checked; not replaced (pass --force)") from None
    except OSError as exc:
        raise InputError(f"cannot write the summary {path}: {exc.strerror or exc}") from None
