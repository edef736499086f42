"""Writing raw traces as they are sampled: one CSV per device, flushed every few seconds.

A row carries the counter only when the counter was read at that tick (window boundaries and the
low-rate reads); other cells stay empty. The trace entry a writer describes carries each column's unit
and, for a counter that wraps (RAPL), the counter's range, so a validator can unwrap it.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from une_eval.traces.format import INSTANT_POWER, TIME_COLUMN, TraceColumn, column

if TYPE_CHECKING:
    from une_eval.measure.sensors import DeviceInfo


def columns_for(device: DeviceInfo) -> list[TraceColumn]:
    """The trace columns a device's sensor fills; a wrapping counter carries its range."""
    cols = [column(TIME_COLUMN), column("phase")]
    if device.counter_column:
        cols.append(column(device.counter_column, wrap_range=device.wrap_at))
    if device.component == "gpu":
        cols += (
            [column(INSTANT_POWER), column("power_average_mw")]
            if device.has_instant_power
            else [column("power_average_mw")]
        )
    return cols


def sha256_file(path: Path) -> str:
    """Lower-case hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Hashed:
    """A text file that also feeds what is written to it, UTF-8 encoded, to a digest."""

    def __init__(self, fh: IO[str], digest: Any) -> None:
        self._fh, self._digest = fh, digest

    def write(self, text: str) -> int:
        self._digest.update(text.encode("utf-8"))
        return self._fh.write(text)


class TraceWriter:
    """Appends rows to one device's CSV and flushes them to disk at least every ``flush_s`` seconds."""

    def __init__(self, path: Path, columns: Sequence[TraceColumn], *, flush_s: float = 2.0) -> None:
        self.path = path
        self.columns = list(columns)
        self._names = [c.name for c in self.columns]
        self._flush_s = flush_s
        self._last_flush_s: float | None = None
        self._fh: IO[str] = path.open("w", newline="", encoding="utf-8")
        self._written = hashlib.sha256()
        self._csv = csv.writer(_Hashed(self._fh, self._written), lineterminator="\n")
        self._csv.writerow(self._names)

    def write(self, row: dict[str, Any], now_s: float) -> None:
        """Append one row (missing columns stay empty); flush when ``flush_s`` has passed."""
        self._csv.writerow(["" if row.get(c) is None else row[c] for c in self._names])
        if self._last_flush_s is None:
            self._last_flush_s = now_s
        elif now_s - self._last_flush_s >= self._flush_s:
            self.flush()
            self._last_flush_s = now_s

    def flush(self) -> None:
        """Push buffered rows to the disk (fsync), so a crash loses at most ``flush_s`` of samples."""
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Flush and close; the file is closed even when the flush fails (a full disk), and the error raised."""
        if not self._fh.closed:
            try:
                self.flush()
            finally:
                with contextlib.suppress(OSError):
                    self._fh.close()  # what could not be written is dropped, never written later

    @property
    def written_sha256(self) -> str:
        """SHA-256 of every byte this writer wrote: a file whose digest differs was changed by someone else."""
        return self._written.hexdigest()

    def reference(self, base_dir: Path, device_id: str) -> dict[str, Any]:
        """Describe the file as a ``measurement.traces`` entry (path, SHA-256, columns, device)."""
        self.flush()
        return {
            "path": self.path.relative_to(base_dir).as_posix(),
            "sha256": sha256_file(self.path),
            "format": "csv",
            "columns": [c.entry() for c in self.columns],
            "device_id": device_id,
        }
