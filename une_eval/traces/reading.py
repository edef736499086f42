"""Reading trace content in bounded batches of the needed columns, CSV or Parquet.

Nothing is read before it is bounded. A CSV's header line is at most :data:`MAX_HEADER_BYTES` and
:data:`MAX_COLUMNS` names before the parser sees the file, and the parser works in blocks of
:data:`CSV_BLOCK_BYTES`, so a row too long for a block is refused instead of buffered. A Parquet file's
footer is at most :data:`MAX_FOOTER_BYTES`; its rows, row groups, columns and the decoded size of the
needed columns (rows x 8 bytes, whatever the encoding) are checked against the limits before a data
page is read, and a file that would expand more than :data:`MAX_EXPANSION` times is refused as a
decompression bomb; so is a page whose header claims more than its values need
(:mod:`une_eval.traces.parquet_pages`). Only the columns asked for are converted: averaged power is never read for
evidence. Times must be whole nanoseconds within int64 and never decrease; a present value must be a
finite number; an empty cell is NaN.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from une_eval.traces.files import OpenedTrace
from une_eval.traces.format import (
    BATCH_ROWS,
    CSV_BLOCK_BYTES,
    MAX_COLUMNS,
    MAX_DECODED_BYTES,
    MAX_EXPANSION,
    MAX_FOOTER_BYTES,
    MAX_HEADER_BYTES,
    MAX_ROW_GROUPS,
    MAX_TRACE_ROWS,
    TIME_COLUMN,
    TraceUnusable,
)
from une_eval.traces.parquet_pages import check_pages


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive rows of a trace: times, and each requested value column (NaN where a cell is empty)."""

    time_ns: npt.NDArray[np.int64]
    values: dict[str, npt.NDArray[np.float64]]


class TraceContent:
    """The content of one opened trace: its column names (bounded), then batches of chosen columns."""

    def __init__(self, trace: OpenedTrace, fmt: str) -> None:
        self._trace = trace
        self._parquet_file = _parquet(trace) if fmt == "parquet" else None
        names = _csv_header(trace) if self._parquet_file is None else list(self._parquet_file.schema_arrow.names)
        if len(names) > MAX_COLUMNS:
            raise TraceUnusable(f"the trace has {len(names)} columns, more than the {MAX_COLUMNS} allowed")
        self.names = names

    def batches(self, names: Sequence[str]) -> Iterator[Batch]:
        """Stream :data:`TIME_COLUMN` and the value columns ``names`` (those present) in checked batches."""
        wanted = [TIME_COLUMN, *(n for n in names if n in self.names)]
        dupes = sorted({n for n in wanted if self.names.count(n) > 1})
        if dupes:
            raise TraceUnusable(f"the trace has more than one column named {dupes[0]}")
        if TIME_COLUMN not in self.names:
            raise TraceUnusable(f"the trace has no {TIME_COLUMN} column")
        if self._parquet_file is None:
            raw = _csv_batches(self._trace, self.names, wanted)
        else:
            raw = _parquet_batches(self._parquet_file, self._trace, wanted)
        rows = 0
        last_ns: int | None = None
        for record in raw:
            batch = _converted(record, wanted, last_ns)
            rows += batch.time_ns.size
            if rows > MAX_TRACE_ROWS:
                raise TraceUnusable(f"the trace has more than {MAX_TRACE_ROWS:,} rows")
            if batch.time_ns.size:
                last_ns = int(batch.time_ns[-1])
                yield batch
        if rows < 2:
            raise TraceUnusable("the trace has fewer than 2 samples")
        self._trace.check_unchanged()


def _converted(record: Any, wanted: Sequence[str], last_ns: int | None) -> Batch:
    """Convert one Arrow record batch to numpy, checking times and values."""
    import pyarrow as pa

    try:
        return _checked(record, wanted, last_ns)
    except pa.ArrowException as exc:
        raise TraceUnusable(f"a column cannot be converted to numbers ({type(exc).__name__})") from None


def _checked(record: Any, wanted: Sequence[str], last_ns: int | None) -> Batch:
    import pyarrow as pa

    times = record.column(TIME_COLUMN)
    if times.null_count:
        raise TraceUnusable(f"{TIME_COLUMN} has empty cells")
    try:
        time_ns = _numbers(_as_type(times, pa.int64()), np.int64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise TraceUnusable(f"{TIME_COLUMN} holds values that are not whole nanoseconds within int64") from None
    if (time_ns.size and last_ns is not None and time_ns[0] < last_ns) or bool(np.any(np.diff(time_ns) < 0)):
        raise TraceUnusable(f"{TIME_COLUMN} goes backwards")
    values: dict[str, npt.NDArray[np.float64]] = {}
    for name in wanted[1:]:
        col = record.column(name)
        data = _numbers(_as_type(col, pa.float64(), safe=False), np.float64)  # counts beyond 2^53 round
        empty = _nulls(col)
        data[empty] = np.nan
        if not np.isfinite(data[~empty]).all():
            raise TraceUnusable(f"column {name} holds values that are not finite numbers")
        values[name] = data
    return Batch(time_ns, values)


def _as_type(array: Any, arrow_type: Any, *, safe: bool = True) -> Any:
    """``array`` cast to ``arrow_type``; as it is when it has that type already (a CSV column read as typed).

    A cast, even to the array's own type, loads ``pyarrow.compute`` (some 0.03 s of a command's start).
    """
    return array if array.type == arrow_type else array.cast(arrow_type, safe=safe)


def _numbers(array: Any, dtype: type[np.generic]) -> Any:
    """A primitive Arrow array's values as a writable numpy array (what null slots hold is unspecified).

    Read from the array's data buffer: pyarrow's own conversion imports pandas first (half a second of
    a command's start) even when it copies nothing.
    """
    if len(array) == 0:
        return np.empty(0, dtype=dtype)
    raw = np.frombuffer(array.buffers()[1], dtype=dtype, count=array.offset + len(array))
    return raw[array.offset :].copy()


def _nulls(array: Any) -> npt.NDArray[np.bool_]:
    """Where an Arrow array has no value (from its validity bitmap)."""
    if array.null_count == 0:
        return np.zeros(len(array), dtype=np.bool_)
    bits = np.frombuffer(array.buffers()[0], dtype=np.uint8)
    valid = np.unpackbits(bits, bitorder="little", count=array.offset + len(array))[array.offset :]
    return np.asarray(valid == 0)


# ---- CSV --------------------------------------------------------------------------------------------


def _csv_header(trace: OpenedTrace) -> list[str]:
    head = trace.pread(MAX_HEADER_BYTES + 1, 0)
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]  # LF, CRLF or CR alone, as the parser reads
    end = min(ends) if ends else -1
    if end < 0 and len(head) > MAX_HEADER_BYTES:
        raise TraceUnusable(f"the CSV header line is longer than {MAX_HEADER_BYTES // 1024} KiB")
    line = head[: end if end >= 0 else len(head)].removesuffix(b"\r").removeprefix(b"\xef\xbb\xbf")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise TraceUnusable("the CSV header is not UTF-8 text") from None
    names = next(csv.reader([text]), [])
    return names


def _csv_batches(trace: OpenedTrace, names: list[str], wanted: list[str]) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types = {n: (pa.int64() if n == TIME_COLUMN else pa.float64()) for n in wanted}
    try:
        reader = pacsv.open_csv(
            _native_stream(trace),
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=CSV_BLOCK_BYTES, use_threads=False
            ),
            convert_options=pacsv.ConvertOptions(include_columns=wanted, column_types=types, null_values=[""]),
        )
        yield from reader
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise TraceUnusable(f"not a readable csv trace: {_csv_reason(exc, names)}") from None


def _native_stream(trace: OpenedTrace) -> Any:
    """The trace as an Arrow-native file, so that Arrow's I/O threads never call back into Python.

    Over a Python file object, Arrow's reader may drop its last reference on one of its own threads after
    the interpreter began to exit; that thread then needs the GIL, and the process aborts ("terminate called
    without an active exception", exit code 134) after it has done its work. ``/proc/self/fd/N`` opens the
    very file already opened (a new descriptor, no path looked up again); without ``/proc``, the Python one.
    """
    import pyarrow as pa

    try:
        return pa.OSFile(f"/proc/self/fd/{trace.fd}")
    except (OSError, pa.ArrowException):
        return trace.binary()


def _csv_reason(exc: Exception, names: list[str]) -> str:
    """Say what the CSV parser refused without echoing the file's content."""
    text = str(exc)
    row = re.search(r"Row #(\d+)", text)
    where = f"line {row.group(1)}" if row else "a line"
    conversion = re.search(r"column #(\d+).*conversion error to (\w+)", text)
    if conversion:
        index, target = int(conversion.group(1)), conversion.group(2)
        name = names[index] if index < len(names) else "?"
        if name == TIME_COLUMN:
            return f"{where}: {TIME_COLUMN} holds a value that is not whole nanoseconds within int64"
        return f"{where}: column {name} holds a value that is not a number ({target})"
    cells = re.search(r"Expected (\d+) columns, got (\d+)", text)
    if cells:
        return f"{where} has {cells.group(2)} cells, the header {cells.group(1)}"
    if "straddling" in text or "block size" in text:
        return f"a row is longer than {CSV_BLOCK_BYTES // 2**20} MiB"
    return type(exc).__name__


# ---- Parquet ----------------------------------------------------------------------------------------


def _parquet(trace: OpenedTrace) -> Any:
    """Open the Parquet file after bounding its footer; its metadata is checked by the caller."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tail = trace.pread(8, trace.size - 8) if trace.size >= 12 else b""
    if len(tail) != 8 or tail[4:] != b"PAR1":
        raise TraceUnusable("not a Parquet file (no PAR1 footer)")
    footer = int.from_bytes(tail[:4], "little")
    if footer > MAX_FOOTER_BYTES or footer + 12 > trace.size:
        raise TraceUnusable(f"the Parquet footer is {footer:,} bytes, beyond the file or the limit")
    try:
        return pq.ParquetFile(
            trace.binary(), thrift_string_size_limit=MAX_FOOTER_BYTES, thrift_container_size_limit=MAX_FOOTER_BYTES
        )
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise TraceUnusable(f"not a readable parquet trace ({type(exc).__name__})") from None


def _parquet_bounds(pf: Any, size: int, wanted: list[str]) -> None:
    """Refuse, from the metadata alone, a file whose needed columns would decode beyond the limits."""
    import pyarrow as pa

    meta = pf.metadata
    if meta.num_columns > MAX_COLUMNS or meta.num_row_groups > MAX_ROW_GROUPS:
        raise TraceUnusable(f"the Parquet file has {meta.num_columns} columns in {meta.num_row_groups} row groups")
    schema = pf.schema_arrow
    for name in wanted:
        kind = schema.field(name).type
        numeric = (
            pa.types.is_integer(kind)
            if name == TIME_COLUMN
            else pa.types.is_integer(kind) or pa.types.is_floating(kind)
        )
        if not numeric:
            raise TraceUnusable(f"column {name} is of Parquet type {kind}, not a number")
    rows = meta.num_rows
    decoded = rows * 9 * len(wanted)  # 8 bytes a value, 1 for validity
    if rows > MAX_TRACE_ROWS:
        raise TraceUnusable(f"the Parquet file declares {rows:,} rows, more than {MAX_TRACE_ROWS:,}")
    if decoded > MAX_DECODED_BYTES:
        raise TraceUnusable(f"the needed columns would decode to {decoded / 2**30:.1f} GiB; refused")
    if decoded > 64 * 2**20 and decoded > MAX_EXPANSION * size:
        raise TraceUnusable(
            f"the needed columns would decode to {decoded // size:,} times the file's size "
            "(a decompression bomb); refused"
        )


def _parquet_batches(pf: Any, trace: OpenedTrace, wanted: list[str]) -> Iterator[Any]:
    import pyarrow as pa

    _parquet_bounds(pf, trace.size, wanted)
    try:
        check_pages(trace.pread, pf.metadata, wanted)
        # One reader per row group: a reader over the whole file buffers far more than one batch.
        for group in range(pf.metadata.num_row_groups):
            yield from pf.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], columns=wanted, use_threads=False)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise TraceUnusable(f"not a readable parquet trace ({type(exc).__name__})") from None
