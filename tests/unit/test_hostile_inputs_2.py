"""Hostile Parquet traces: a page header that lies about its decompressed size (a decompression bomb).

The footer of such a file is honest (20,000 rows, 160 KB a column), so the metadata checks pass it; only
the page header claims 50 MB, over a zstd stream that does decompress to 50 MB (the values, then zeros).
Arrow allocates and fills what the header claims before it decodes a value.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from une_eval.traces import TraceContent, TraceUnusable, open_trace
from une_eval.traces.parquet_pages import BYTES_PER_VALUE, PAGE_OVERHEAD_BYTES, check_pages

ROWS = 20_000  # one page a column: Arrow starts a new page every 20,000 rows


def _varint(value: int) -> bytes:
    """A Thrift compact i32: zigzag, then 7 bits a byte."""
    value = (value << 1) ^ (value >> 63)
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varint(data: bytes | bytearray, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value, shift, at = value | (byte & 0x7F) << shift, shift + 7, at + 1
        if not byte & 0x80:
            return (value >> 1) ^ -(value & 1), at


def _parquet(claimed_bytes: int | None) -> bytes:
    """Two uncompressed int64 columns; with ``claimed_bytes``, the counter's page becomes a zstd bomb.

    The bomb keeps every byte offset of the file: the header grows by the varint's length, the zstd frame
    (the page's values, then zeros up to the claimed size) is shorter than the values it replaces, and a
    zstd skippable frame fills the rest. The footer's codec byte for the column turns from none to zstd.
    """
    rng = np.random.default_rng(0)
    times = np.arange(ROWS, dtype=np.int64) * 100_000_000 + 1_795_683_600_000_000_000
    counter = np.cumsum(rng.integers(0, 100_000, ROWS)).astype(np.int64)
    table = pa.table({"time_unix_ns": times, "energy_mj": counter})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="NONE", use_dictionary=False, write_statistics=False)
    data = bytearray(sink.getvalue().to_pybytes())
    if claimed_bytes is None:
        return bytes(data)
    chunk = pq.ParquetFile(pa.BufferReader(bytes(data))).metadata.row_group(0).column(1)
    start = chunk.data_page_offset
    assert data[start] == 0x15  # field 1: the page type
    assert data[start + 2] == 0x15  # field 2: the uncompressed size
    _, size_end = _read_varint(data, start + 3)
    assert data[size_end] == 0x15  # field 3: the compressed size
    compressed, rest = _read_varint(data, size_end + 1)
    header_end = start + chunk.total_compressed_size - compressed
    values = bytes(data[header_end : header_end + compressed])
    new_size = _varint(claimed_bytes)
    growth = len(new_size) - (size_end - start - 3)
    frame = pa.Codec("zstd").compress(values + bytes(claimed_bytes - len(values)), asbytes=True)
    pad = compressed - growth - len(frame)
    assert pad >= 8
    skippable = struct.pack("<II", 0x184D2A50, pad - 8) + bytes(pad - 8)
    header = bytes(data[start : start + 3]) + new_size + b"\x15" + _varint(compressed - growth)
    header += bytes(data[rest:header_end])
    data[start : header_end + compressed] = header + frame + skippable
    footer_at = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    codec = data.index(b"energy_mj\x15\x00", footer_at) + len(b"energy_mj") + 1
    data[codec] = 0x0C  # ZSTD, zigzag-encoded
    return bytes(data)


def _rows(folder: Path, data: bytes) -> int:
    (folder / "t.parquet").write_bytes(data)
    with open_trace(folder, "t.parquet") as trace:
        return sum(batch.time_ns.size for batch in TraceContent(trace, "parquet").batches(["energy_mj"]))


def test_the_bomb_is_a_well_formed_file_that_arrow_reads_whole() -> None:
    """The attack is real: Arrow reads all 20,000 rows of it, through a 50 MB page."""
    data = _parquet(50_000_000)
    assert len(data) < 400_000
    read = pq.read_table(pa.BufferReader(data))
    assert read.num_rows == ROWS
    assert read.column("energy_mj").equals(pq.read_table(pa.BufferReader(_parquet(None))).column("energy_mj"))


def test_a_page_header_that_claims_more_than_its_values_need_is_refused(tmp_path: Path) -> None:
    assert _rows(tmp_path, _parquet(None)) == ROWS
    with pytest.raises(TraceUnusable, match=r"a page of column energy_mj claims to decompress to 50,000,000 bytes"):
        _rows(tmp_path, _parquet(50_000_000))


def test_a_page_within_its_values_bound_is_read(tmp_path: Path) -> None:
    """The bound is per value: a page may claim up to 16 bytes a value and the overhead, not one more."""
    bound = PAGE_OVERHEAD_BYTES + BYTES_PER_VALUE * ROWS
    assert _rows(tmp_path, _parquet(bound)) == ROWS
    with pytest.raises(TraceUnusable, match="decompression bomb"):
        _rows(tmp_path, _parquet(bound + 1))


@pytest.mark.parametrize("cut", [1, 5, 9])
def test_a_damaged_page_header_is_refused_not_read_past(cut: int) -> None:
    """Bytes 0xff from ``cut`` into the counter's 25-byte page header on: a varint that never ends."""
    data = _parquet(None)
    chunk = pq.ParquetFile(pa.BufferReader(data)).metadata
    start = chunk.row_group(0).column(1).data_page_offset
    damaged = data[: start + cut] + b"\xff" * 64 + data[start + cut + 64 :]

    def pread(size: int, offset: int) -> bytes:
        return damaged[offset : offset + size]

    with pytest.raises(TraceUnusable):
        check_pages(pread, chunk, ["time_unix_ns", "energy_mj"])
