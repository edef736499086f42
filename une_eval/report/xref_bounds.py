"""How many objects a PDF's cross-reference sections declare, counted before any parser builds them.

A cross-reference stream declares its entries in /Index (or /Size) and their byte widths in /W. With
widths of zero, each entry takes no bytes at all, so a file of a few kilobytes can declare a thousand
million entries, and a reader that builds one record per entry (pyHanko does) runs for minutes and
fills memory. :func:`xref_entries_problem` follows the file's chain of cross-reference sections from
its last ``startxref`` (through /Prev and /XRefStm, at most :data:`MAX_XREF_SECTIONS` of them), reads
only each stream's dictionary, and refuses more than :data:`MAX_XREF_ENTRIES` declared entries in all.
A classic table costs a row of about twenty bytes per entry, and is counted by its length. What this
walk cannot read it leaves to the PDF reader, which refuses it in its own words.
"""

from __future__ import annotations

import io
import re
from typing import Any

from pyhanko.pdf_utils import generic

MAX_XREF_ENTRIES = 100_000  # a certificate lists a few hundred objects, and each renewal about ten more
_MIN_ROW_BYTES = 19
MAX_XREF_SECTIONS = 64  # verify reads the signed revisions and at most 16 more
_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF")
_BLANK = re.compile(rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]*)*")
_STREAM_HEADER = re.compile(rb"\s*\d{1,10}\s+\d{1,5}\s+obj")


def _last_startxref(data: bytes) -> int | None:
    found = _STARTXREF.findall(data[-1024:])
    return int(found[-1]) if found else None


def _read_dictionary(data: bytes, at: int) -> generic.DictionaryObject | None:
    """The dictionary written at byte ``at``, or None (left to the PDF reader, which says why)."""
    stream = io.BytesIO(data)
    stream.seek(_BLANK.match(data, at).end())  # type: ignore[union-attr]  # (it matches the empty string)
    try:
        value = generic.read_object(stream, generic.TrailerReference(None))  # type: ignore[no-untyped-call]
    except Exception:  # anything a hostile dictionary makes the object parser raise
        return None
    return value if isinstance(value, generic.DictionaryObject) else None


def _xref_dictionary(data: bytes, at: int) -> generic.DictionaryObject | None:
    """The dictionary of the cross-reference stream at byte ``at``, or None (not one, or unreadable)."""
    header = _STREAM_HEADER.match(data, at)
    return None if header is None else _read_dictionary(data, header.end())


def _declared(entries: Any) -> int | None:
    """The number of entries an /Index array declares, or None when it is not pairs of direct counts."""
    if not isinstance(entries, generic.ArrayObject) or len(entries) % 2:
        return None
    counts = list(entries)[1::2]
    if not all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
        return None
    return sum(max(int(c), 0) for c in counts)


def _next_sections(trailer: generic.DictionaryObject) -> list[int]:
    keys = ("/Prev", "/XRefStm")
    return [int(v) for k in keys if isinstance(v := trailer.raw_get(k) if k in trailer else None, int)]


def _section(data: bytes, at: int) -> tuple[int, list[int]]:
    """The entries the section at ``at`` declares and where the sections it names are."""
    if data.startswith(b"xref", at):
        end = data.find(b"trailer", at)
        trailer = _read_dictionary(data, end + len(b"trailer")) if end >= 0 else None
        rows = (end - at) // _MIN_ROW_BYTES if end >= 0 else 0  # at most: a reader takes 19 or 20 bytes a row
        return rows, _next_sections(trailer) if trailer is not None else []
    stream_dict = _xref_dictionary(data, at)
    if stream_dict is None:
        return 0, []
    index = stream_dict.raw_get("/Index") if "/Index" in stream_dict else None
    size = stream_dict.raw_get("/Size") if "/Size" in stream_dict else None
    declared = _declared(index if index is not None else generic.ArrayObject([0, size]))
    return (MAX_XREF_ENTRIES + 1 if declared is None else declared), _next_sections(stream_dict)


def xref_entries_problem(data: bytes) -> str | None:
    """Why the file's cross-reference sections declare more entries than une-eval reads, or None."""
    start = _last_startxref(data)
    pending, seen, total = ([start] if start is not None else []), set(), 0
    while pending:
        at = pending.pop()
        if at in seen or not 0 <= at < len(data):
            continue
        seen.add(at)
        if len(seen) > MAX_XREF_SECTIONS:
            return f"more than {MAX_XREF_SECTIONS} cross-reference sections"
        while at < len(data) and data[at : at + 1] in b" \t\r\n\f\x00":
            at += 1
        declared, following = _section(data, at)
        total += declared
        if total > MAX_XREF_ENTRIES:
            return f"its cross-reference sections declare more than {MAX_XREF_ENTRIES} objects (or cannot say how many)"
        pending += following
    return None


__all__ = ["MAX_XREF_ENTRIES", "MAX_XREF_SECTIONS", "xref_entries_problem"]
