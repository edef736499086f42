"""The trace format as data: columns with their types, units and meanings, and the reader's limits.

``docs/traces.md`` documents the same table for users; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of the format: its name (unit in it), value type, unit and meaning."""

    name: str
    dtype: str
    unit: str
    description: str


FORMAT: tuple[ColumnSpec, ...] = (
    ColumnSpec("time_unix_ns", "int64", "ns", "host wall clock when the sample was read, ns since 1970 UTC"),
    ColumnSpec("phase", "string", "", "protocol phase: idle, warmup, run-<k>, pause, cooldown"),
    ColumnSpec("energy_mj", "int64", "mJ", "cumulative NVML energy counter (nvmlDeviceGetTotalEnergyConsumption)"),
    ColumnSpec("energy_uj", "int64", "uJ", "cumulative RAPL energy counter (energy_uj), wraps at max_energy_range_uj"),
    ColumnSpec("power_instant_mw", "int64", "mW", "instantaneous power (NVML_FI_DEV_POWER_INSTANT)"),
    ColumnSpec("power_average_mw", "int64", "mW", "1-second averaged power (nvmlDeviceGetPowerUsage on Hopper)"),
)
COLUMNS = {c.name: c for c in FORMAT}
TIME_COLUMN = "time_unix_ns"
INSTANT_POWER = "power_instant_mw"


@dataclass(frozen=True, slots=True)
class CounterSpec:
    """A cumulative energy counter column: joules per count, and whether the hardware wraps it."""

    name: str
    joules_per_count: float
    wraps: bool


# In order of preference when a trace has more than one.
COUNTERS = (CounterSpec("energy_mj", 1e-3, wraps=False), CounterSpec("energy_uj", 1e-6, wraps=True))

MAX_TRACE_BYTES = 4 * 2**30
MAX_TRACE_ROWS = 100_000_000  # a 30-day run sampled at 10 Hz is 26 M rows
MAX_COLUMNS = 256
MAX_HEADER_BYTES = 64 * 1024
MAX_FOOTER_BYTES = 8 * 2**20
MAX_ROW_GROUPS = 100_000
MAX_DECODED_BYTES = 4 * 2**30
# Decoded bytes of the needed columns per byte of Parquet file (checked above 64 MiB decoded): the H200
# recording written as Parquet (pandas defaults) expands 1.4-1.8x; the bombs tried expand 1000x or more.
MAX_EXPANSION = 64
BATCH_ROWS = 1 << 18
CSV_BLOCK_BYTES = 4 * 2**20


class TraceUnusable(Exception):
    """A trace file that cannot be used as evidence; the message is one sentence for a finding.

    ``kind`` says why in one word, for callers that word it themselves (the certificate):
    ``outside`` (the path leaves the submission's folder or is a symbolic link), ``missing`` or ``unusable``.
    """

    def __init__(self, message: str, kind: str = "unusable") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class TraceColumn:
    """A column as a submission's trace entry describes it; ``wrap_range`` is in the column's unit."""

    name: str
    unit: str
    description: str
    wrap_range: int | None = None

    def entry(self) -> dict[str, Any]:
        """The ``measurement.traces[].columns`` item."""
        out: dict[str, Any] = {"name": self.name, "unit": self.unit, "description": self.description}
        if self.wrap_range is not None:
            out["wrap_range"] = self.wrap_range
        return out


def column(name: str, *, wrap_range: int | None = None) -> TraceColumn:
    """Describe a column of the format (unit and meaning from :data:`FORMAT`)."""
    spec = COLUMNS[name]
    return TraceColumn(spec.name, spec.unit, spec.description, wrap_range)
