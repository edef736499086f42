"""The recorded-H200 dialect: an input adapter from the bundled NVML recording to the trace format.

The recording (``fixtures/traces/h200-trace.csv``) was taken by a standalone sampler before the format
existed. Its columns map onto the format's as :data:`RECORDING_COLUMNS` says; its times are the host's
monotonic clock (not Unix time) and its ``phase`` names segments of the recording (``idle``, ``load``,
``cool``), not protocol phases. Older recordings name the averaged power ``power_mW``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

from une_eval.traces.files import open_local
from une_eval.traces.format import INSTANT_POWER, TIME_COLUMN, TraceUnusable

RECORDING_COLUMNS = {
    "t_ns": TIME_COLUMN,
    "phase": "phase",
    "energy_mJ": "energy_mj",
    "power_instant_mW": INSTANT_POWER,
    "power_average_mW": "power_average_mw",
}
MAX_RECORDING_ROWS = 5_000_000


class RecordedSample(NamedTuple):
    """One row of a recording, in the format's columns (time on the recording host's monotonic clock)."""

    time_ns: int
    energy_mj: int
    power_instant_mw: int
    power_average_mw: int


def read_recording(path: Path) -> dict[str, list[RecordedSample]]:
    """Read a recording's rows grouped by segment, in order; :class:`TraceUnusable` when malformed."""
    segments: dict[str, list[RecordedSample]] = {}
    n = 0
    with open_local(path) as trace, io.TextIOWrapper(trace.binary(), encoding="utf-8", newline="") as text:
        reader = csv.DictReader(text)
        required = [c for c in RECORDING_COLUMNS if c != "power_average_mW"]
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise TraceUnusable(f"{path}: recording lacks columns {', '.join(missing)}")
        try:
            for n, row in enumerate(reader):
                if n >= MAX_RECORDING_ROWS:
                    raise TraceUnusable(f"{path}: recording has more than {MAX_RECORDING_ROWS:,} rows")
                average = row.get("power_average_mW") or row["power_mW"]
                segments.setdefault(row["phase"], []).append(
                    RecordedSample(int(row["t_ns"]), int(row["energy_mJ"]), int(row["power_instant_mW"]), int(average))
                )
        except (UnicodeDecodeError, csv.Error, OSError) as exc:
            raise TraceUnusable(f"cannot read the recording {path}: {exc}") from None
        except (ValueError, TypeError, KeyError):
            raise TraceUnusable(f"{path}: recording row {n + 2} has a value that is not an integer") from None
    return segments
