"""Reading the CSV tables of sample sources, bounded: header, rows with their line numbers, readings."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

from une_eval.errors import InputError
from une_eval.importers.source import SourceFile

MAX_ROWS = 2_000_000


Rows = Iterator[tuple[int, list[str]]]


def iter_table(file: SourceFile) -> tuple[list[str], Rows]:
    """A CSV's header (cells stripped) and its non-empty rows with their line numbers, read as they are used.

    The rows are checked as they come (at most :data:`MAX_ROWS`, as many cells as the header, at least one);
    a problem is an :class:`InputError` raised by the iteration.
    """
    reader = csv.reader(io.StringIO(file.text(), newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise InputError(f"{file.path}: not a readable CSV ({exc})") from None

    def rows() -> Rows:
        count = 0
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                count += 1
                if count > MAX_ROWS:
                    raise InputError(f"{file.path}: more than {MAX_ROWS:,} rows")
                if len(cells) != len(header):
                    raise InputError(
                        f"{file.path}: line {reader.line_num} has {len(cells)} cells for {len(header)} columns"
                    )
                yield reader.line_num, [c.strip() for c in cells]
        except csv.Error as exc:
            raise InputError(f"{file.path}: not a readable CSV ({exc})") from None
        if not count:
            raise InputError(f"{file.path}: no data row")

    return header, rows()


def read_table(file: SourceFile) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A CSV's header (cells stripped) and all its non-empty rows with their line numbers; bounded."""
    header, rows = iter_table(file)
    return header, list(rows)


def header_of(head: bytes) -> list[str]:
    """The first line of a file's first bytes as CSV header cells (for recognising a format)."""
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    try:
        return [h.strip() for h in next(csv.reader([first]), [])]
    except csv.Error:
        return []


def number(text: str, where: str) -> float | None:
    """A reading: None when empty or N/A, else a finite number (an error otherwise)."""
    if text.strip().strip("[]").upper() in ("", "N/A", "NA", "NAN", "NONE", "NULL"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: {text[:40]!r} is not a finite number")
    return value


def gpu_index(text: str, where: str) -> int | None:
    """A GPU index (a small non-negative integer), None when empty."""
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise InputError(f"{where}: {text[:40]!r} is not a GPU index")
    return int(text)
