"""Bounding a Parquet file's pages before Arrow decompresses them: the page headers, read and checked.

The footer says how many rows a column chunk holds, but each page's header says how large the page
decompresses to, and Arrow allocates and fills that much before it decodes the page's values. A header
that claims 2 GB for a page of a thousand values, over a compressed stream of zeros, makes a 300 KB file
cost gigabytes of memory and seconds of work for each such page. So the pages of the needed columns are
walked first, header by header (Thrift compact protocol), and each must decompress to no more than
:data:`BYTES_PER_VALUE` per value it holds, plus :data:`PAGE_OVERHEAD_BYTES`; a file with more than
:data:`MAX_PAGES` such pages, or a header that cannot be read, is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from une_eval.traces.format import TraceUnusable

MAX_PAGES = 400_000  # a 100-million-row trace, written by Arrow (20,000 rows a page), has 5,000 a column
BYTES_PER_VALUE = 16  # a 64-bit value, with its definition level and encoding's overhead to spare
PAGE_OVERHEAD_BYTES = 4096
MAX_PAGE_HEADER_BYTES = 64 * 1024  # a numeric column's header, statistics included, is under 100 bytes
MAX_HEADERS_BYTES = 16 * 2**20  # all the headers walked: they are parsed in Python, a byte at a time

# Thrift compact protocol types.
_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)
# PageHeader fields: sizes, and the structs that say how many values the page holds.
_UNCOMPRESSED, _COMPRESSED = 2, 3
_COUNTED = {5, 7, 8}  # data page, dictionary page, data page v2: each starts with num_values (field 1)


class _Truncated(Exception):
    """The header runs past the bytes read so far."""


class _Reader:
    """A cursor over bytes in the Thrift compact protocol: just what skipping and reading integers needs."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise _Truncated
        self.pos += 1
        return self.data[self.pos - 1]

    def varint(self) -> int:
        value = shift = 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise TraceUnusable("a Parquet page header holds a malformed integer")

    def integer(self) -> int:
        raw = self.varint()
        return (raw >> 1) ^ -(raw & 1)

    def field(self, last: int) -> tuple[int, int]:
        """The next field's (id, type); type 0 is the end of the struct."""
        head = self.byte()
        kind, delta = head & 0x0F, head >> 4
        if kind == 0:
            return 0, 0
        return (last + delta if delta else self.integer()), kind

    def skip(self, kind: int, depth: int = 0) -> None:
        if depth > 16:
            raise TraceUnusable("a Parquet page header nests too deep")
        if kind in (_TRUE, _FALSE):
            return
        if kind == _BYTE:
            self.byte()
        elif kind in (_I16, _I32, _I64):
            self.varint()
        elif kind == _DOUBLE:
            self.take(8)
        elif kind == _BINARY:
            self.take(self.varint())
        elif kind in (_LIST, _SET):
            head = self.byte()
            size, element = (head >> 4 if head >> 4 != 15 else self.varint()), head & 0x0F
            for _ in range(size):
                if element in (_TRUE, _FALSE):  # a list's booleans take a byte each
                    self.byte()
                else:
                    self.skip(element, depth + 1)
        elif kind == _MAP:
            size = self.varint()
            types = self.byte() if size else 0
            for _ in range(size):
                self.skip(types >> 4, depth + 1)
                self.skip(types & 0x0F, depth + 1)
        elif kind == _STRUCT:
            self.struct(lambda _id, kind: self.skip(kind, depth + 1))
        else:
            raise TraceUnusable("a Parquet page header holds an unknown Thrift type")

    def take(self, size: int) -> None:
        if size < 0 or self.pos + size > len(self.data):
            raise _Truncated
        self.pos += size

    def struct(self, on_field: Callable[[int, int], None]) -> None:
        last = 0
        while True:
            last, kind = self.field(last)
            if kind == 0:
                return
            on_field(last, kind)


@dataclass
class _PageHeader:
    """What a page's header says of its size: decompressed, compressed, and the values it holds (if it says)."""

    uncompressed: int | None = None
    compressed: int | None = None
    values: int | None = None


def _page_header(reader: _Reader) -> _PageHeader:
    """Read one PageHeader, skipping every field but the sizes and the number of values."""
    header = _PageHeader()

    def counted(field: int, kind: int) -> None:
        if field == 1 and kind == _I32 and header.values is None:
            header.values = reader.integer()
        else:
            reader.skip(kind)

    def top(field: int, kind: int) -> None:
        if field == _UNCOMPRESSED and kind == _I32:
            header.uncompressed = reader.integer()
        elif field == _COMPRESSED and kind == _I32:
            header.compressed = reader.integer()
        elif field in _COUNTED and kind == _STRUCT:
            reader.struct(counted)
        else:
            reader.skip(kind)

    reader.struct(top)
    return header


def _read_header(pread: Callable[[int, int], bytes], pos: int, end: int) -> tuple[int, _PageHeader]:
    """The header at ``pos``, and its length in bytes."""
    want = min(256, end - pos)
    while True:
        reader = _Reader(pread(want, pos))
        try:
            header = _page_header(reader)
            return reader.pos, header
        except _Truncated:
            if want >= min(MAX_PAGE_HEADER_BYTES, end - pos):
                raise TraceUnusable("a Parquet page header runs past its column chunk or 64 KiB") from None
            want = min(want * 16, MAX_PAGE_HEADER_BYTES, end - pos)


def _check_page(page: _PageHeader, column: str) -> None:
    """Refuse a page whose header lacks its sizes, or that would decompress beyond the values it holds."""
    unc, comp, values = page.uncompressed, page.compressed, page.values or 0
    if unc is None or comp is None or unc < 0 or comp < 0 or values < 0:
        raise TraceUnusable(f"a page header of column {column} gives no page size, or a negative one")
    if unc > max(PAGE_OVERHEAD_BYTES + BYTES_PER_VALUE * values, comp):
        raise TraceUnusable(
            f"a page of column {column} claims to decompress to {unc:,} bytes for {values:,} values "
            "(a decompression bomb); refused"
        )


def check_pages(pread: Callable[[int, int], bytes], metadata: Any, columns: list[str]) -> None:
    """Walk the pages of ``columns`` in every row group; refuse a page that would decompress beyond its values."""
    pages = header_bytes = 0
    try:
        needed = [(i, path) for i in range(metadata.num_columns) if (path := metadata.schema.column(i).path) in columns]
    except (UnicodeDecodeError, ValueError):  # a damaged footer's column name
        raise TraceUnusable("the Parquet footer names a column in bytes that are not UTF-8") from None
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index, name in needed:
            chunk = row_group.column(index)
            start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
            pos, end = start, start + chunk.total_compressed_size
            while pos < end:
                pages += 1
                if pages > MAX_PAGES:
                    raise TraceUnusable(f"the needed columns have more than {MAX_PAGES:,} Parquet pages")
                length, page = _read_header(pread, pos, end)
                header_bytes += length
                if header_bytes > MAX_HEADERS_BYTES:
                    raise TraceUnusable(f"the Parquet page headers take more than {MAX_HEADERS_BYTES // 2**20} MiB")
                _check_page(page, name)
                pos += length + (page.compressed or 0)
