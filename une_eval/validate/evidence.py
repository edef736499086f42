"""Evidence recomputation: load a submission's raw traces and recompute every run's energy from them.

This is the only part of validation that reads files besides the submission. It runs before the rules
and hands them an :class:`Evidence` value; the rules in :mod:`une_eval.validate.rules.traces` compare
it with the declared figures, so rules stay free of I/O.

Trace paths are hostile: each is resolved (symlinks followed) and refused when it leaves the
submission's folder, is not a regular file or is too large. A trace is read once into memory, hashed
and parsed from the same bytes. Energy of a run window comes from the cumulative energy counter where
the trace has one, otherwise from integrating *instant* power (labelled); NVML's 1-second averaged power
is never used, because it lags the load by about a second (+33% across a load-to-idle edge on an H200).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from une_eval.energy import counter_series_delta, integrate_power_j
from une_eval.model import Run, Submission, Trace

if TYPE_CHECKING:  # numpy loads only when a trace is read (see parse_trace and recompute_window)
    import numpy as np
    import numpy.typing as npt

MAX_TRACE_BYTES = 512 * 1024 * 1024
TIME_COLUMN = "time_unix_ns"
KNOWN_COLUMNS = (TIME_COLUMN, "energy_mj", "energy_uj", "power_instant_mw", "power_average_mw")
# Counter columns and the factor that turns their unit into joules, in order of preference.
COUNTERS = (("energy_mj", 1e-3), ("energy_uj", 1e-6))
METHOD_COUNTER = "energy-counter"
METHOD_INSTANT = "instant-power-integration"


class TraceUnusable(Exception):
    """A trace file that cannot be used as evidence; the message is one sentence for a finding.

    ``kind`` says why in one word, for callers that word it themselves (the certificate):
    ``outside`` (the path leaves the submission's folder), ``missing`` or ``unusable``.
    """

    def __init__(self, message: str, kind: str = "unusable") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class TraceIssue:
    """A problem with one trace file as a whole: ``kind`` is ``file`` or ``hash``."""

    trace_index: int
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class WindowEvidence:
    """One device's energy in one run, declared and recomputed from its trace."""

    run_index: int
    device_index: int
    device_id: str
    trace_index: int
    declared_j: float
    recomputed_j: float | None
    method: str | None
    start_uncovered_s: float
    end_uncovered_s: float
    max_gap_s: float
    counter_decreases: int

    @property
    def covered(self) -> bool:
        """Whether the trace has samples at or before the run's start and at or after its end."""
        return self.start_uncovered_s <= 0 and self.end_uncovered_s <= 0


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything recomputed from a submission's traces."""

    issues: tuple[TraceIssue, ...]
    windows: tuple[WindowEvidence, ...]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (goes into the verdict's output)."""
        # JSON has no Infinity (a window with no sample inside has an infinite largest gap): null instead.
        windows = [
            {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(w).items()}
            for w in self.windows
        ]
        return {"traces_with_issues": len({i.trace_index for i in self.issues}), "windows": windows}


def resolve_trace_path(base_dir: Path, relative: str) -> Path:
    """Return the trace's real path, refused when it leaves ``base_dir`` (symlinks included)."""
    if os.path.isabs(relative) or "\x00" in relative:
        raise TraceUnusable(f"trace path {relative!r} is not a relative path", "outside")
    root = base_dir.resolve()
    try:
        real = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        raise TraceUnusable(f"trace file {relative!r} does not exist beside the submission", "missing") from None
    if not real.is_relative_to(root):
        raise TraceUnusable(f"trace path {relative!r} leads outside the submission's folder; refused", "outside")
    if not real.is_file():
        raise TraceUnusable(f"trace path {relative!r} is not a regular file", "missing")
    return real


def read_trace_bytes(path: Path, relative: str) -> bytes:
    """Read the file's bytes, refusing files over :data:`MAX_TRACE_BYTES`."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_TRACE_BYTES + 1)
    except OSError as exc:
        raise TraceUnusable(f"trace file {relative!r} cannot be read: {exc.strerror}") from None
    if len(data) > MAX_TRACE_BYTES:
        raise TraceUnusable(f"trace file {relative!r} is larger than {MAX_TRACE_BYTES // 2**20} MiB; refused")
    return data


def sample_times(columns: dict[str, npt.NDArray[Any]], name: str) -> npt.NDArray[np.int64]:
    """The sample times of one value column (a sparse column carries its own, see :func:`parse_trace`)."""
    times: npt.NDArray[np.int64] = columns.get(f"{TIME_COLUMN}:{name}", columns[TIME_COLUMN])
    return times


def parse_trace(data: bytes, fmt: str) -> dict[str, npt.NDArray[Any]]:
    """Parse the known columns of a trace as numpy arrays; time never decreasing, values finite.

    Two rows may share a timestamp: the runner writes the last row of one phase and the first of the
    next at the same instant.

    Empty cells are allowed: ``une-eval measure`` fills the energy counter only where it read it (window
    edges and every 0.5 s), not on every 10 Hz power row. A column with empty cells is stored compacted,
    with its own sample times under ``"time_unix_ns:<column>"``. A cell that is present but not a finite
    number makes the trace unusable.
    """
    import numpy as np  # numpy, pandas and pyarrow load when a trace is read, not for a file without traces
    import pandas as pd

    try:
        if fmt == "csv":
            frame = pd.read_csv(io.BytesIO(data), usecols=lambda c: c in KNOWN_COLUMNS, engine="c")
        else:
            frame = pd.read_parquet(io.BytesIO(data))
            frame = frame[[c for c in frame.columns if c in KNOWN_COLUMNS]]
    except Exception as exc:  # pandas and pyarrow raise many types on malformed input
        raise TraceUnusable(f"not a readable {fmt} trace ({type(exc).__name__})") from None
    if TIME_COLUMN not in frame.columns:
        raise TraceUnusable(f"the trace has no {TIME_COLUMN} column")
    if len(frame) < 2:
        raise TraceUnusable("the trace has fewer than 2 samples")
    numeric = {name: pd.to_numeric(frame[name], errors="coerce") for name in frame.columns}
    time_values = numeric[TIME_COLUMN].to_numpy(dtype=np.float64)
    if not np.isfinite(time_values).all():
        raise TraceUnusable(f"column {TIME_COLUMN} holds values that are not finite numbers")
    try:
        time_ns = frame[TIME_COLUMN].to_numpy(dtype=np.int64)
    except (OverflowError, ValueError, TypeError):
        raise TraceUnusable(f"{TIME_COLUMN} holds values that are not whole nanoseconds within int64") from None
    if np.any(np.diff(time_ns) < 0):
        raise TraceUnusable(f"{TIME_COLUMN} goes backwards")
    columns: dict[str, npt.NDArray[Any]] = {TIME_COLUMN: time_ns}
    for name, series in numeric.items():
        if name == TIME_COLUMN:
            continue
        values = series.to_numpy(dtype=np.float64)
        empty = frame[name].isna().to_numpy()
        if np.isinf(values).any() or (np.isnan(values) & ~empty).any():
            raise TraceUnusable(f"column {name} holds values that are not finite numbers")
        if empty.any():
            keep = ~empty
            if np.count_nonzero(keep) < 2:
                continue  # fewer than two readings: the column cannot bound any window
            columns[f"{TIME_COLUMN}:{name}"] = time_ns[keep]
            values = values[keep]
        columns[name] = values
    if not any(c in columns for c, _ in COUNTERS) and "power_instant_mw" not in columns:
        raise TraceUnusable(
            "the trace has neither an energy counter nor instant power; averaged power lags the "
            "load by about a second and is not accepted as evidence"
        )
    return columns


def _utc_ns(stamp: Any) -> int:
    return int(stamp.timestamp()) * 1_000_000_000 + int(stamp.microsecond) * 1000


def _edge_value(time_ns: npt.NDArray[np.int64], values: npt.NDArray[np.float64], at_ns: int, i: int) -> float:
    """Interpolate ``values`` linearly at ``at_ns`` between samples ``i - 1`` and ``i`` (clamped)."""
    if i <= 0:
        return float(values[0])
    if i >= time_ns.size:
        return float(values[-1])
    t0, t1 = int(time_ns[i - 1]), int(time_ns[i])
    frac = (at_ns - t0) / (t1 - t0)
    return float(values[i - 1] + (values[i] - values[i - 1]) * frac)


def recompute_window(columns: dict[str, npt.NDArray[Any]], start_ns: int, end_ns: int) -> dict[str, Any]:
    """Energy in [start_ns, end_ns] from one device's trace, with coverage, largest gap and counter resets.

    The counter (or instant power) is interpolated linearly at the window's edges between the samples
    that bracket them, so the window is neither widened nor narrowed to the nearest sample. Interior
    samples are used as they are: one pass over the window per quantity, no per-sample interpolation.
    """
    import numpy as np

    time_ns = columns[TIME_COLUMN]
    lo = int(np.searchsorted(time_ns, start_ns, "right"))  # first sample strictly after the start
    hi = int(np.searchsorted(time_ns, end_ns, "left"))  # first sample at or after the end
    a, b = max(lo - 1, 0), min(hi + 1, time_ns.size)
    gaps_ns = np.diff(time_ns[a:b])
    out: dict[str, Any] = {
        "start_uncovered_s": max((int(time_ns[0]) - start_ns) * 1e-9, 0.0),
        "end_uncovered_s": max((end_ns - int(time_ns[-1])) * 1e-9, 0.0),
        "max_gap_s": int(gaps_ns.max()) * 1e-9 if gaps_ns.size else float("inf"),
        "counter_decreases": 0,
        "energy_j": None,
        "method": None,
    }
    for name, to_j in COUNTERS:
        if name in columns:
            values = columns[name]
            t_ns = sample_times(columns, name)
            lo = int(np.searchsorted(t_ns, start_ns, "right"))
            hi = int(np.searchsorted(t_ns, end_ns, "left"))
            series = np.concatenate(
                (
                    [_edge_value(t_ns, values, start_ns, lo)],
                    values[lo:hi],
                    [_edge_value(t_ns, values, end_ns, hi)],
                )
            )
            delta, decreases = counter_series_delta(series)
            out.update(energy_j=delta * to_j, method=METHOD_COUNTER, counter_decreases=decreases)
            return out
    power = columns["power_instant_mw"]
    time_ns = sample_times(columns, "power_instant_mw")
    lo = int(np.searchsorted(time_ns, start_ns, "right"))
    hi = int(np.searchsorted(time_ns, end_ns, "left"))
    # Seconds from the window's start keep float64 precise (absolute ns since 1970 would lose ~256 ns).
    grid_s = np.concatenate(([0.0], (time_ns[lo:hi] - start_ns) * 1e-9, [(end_ns - start_ns) * 1e-9]))
    power_w = (
        np.concatenate(
            (
                [_edge_value(time_ns, power, start_ns, lo)],
                power[lo:hi],
                [_edge_value(time_ns, power, end_ns, hi)],
            )
        )
        * 1e-3
    )
    out.update(energy_j=integrate_power_j(grid_s, power_w), method=METHOD_INSTANT)
    return out


def _windows_for_trace(
    sub: Submission, trace_index: int, device_id: str, columns: dict[str, npt.NDArray[Any]]
) -> list[WindowEvidence]:
    out: list[WindowEvidence] = []
    for i, run in enumerate(sub.measurement.runs):
        for j, dev in enumerate(run.devices):
            if dev.device_id != device_id:
                continue
            got = recompute_window(columns, *run_window_ns(run))
            out.append(
                WindowEvidence(
                    run_index=i,
                    device_index=j,
                    device_id=device_id,
                    trace_index=trace_index,
                    declared_j=dev.energy_j,
                    recomputed_j=got["energy_j"],
                    method=got["method"],
                    start_uncovered_s=got["start_uncovered_s"],
                    end_uncovered_s=got["end_uncovered_s"],
                    max_gap_s=got["max_gap_s"],
                    counter_decreases=got["counter_decreases"],
                )
            )
    return out


def _load_one(base_dir: Path, trace: Trace) -> dict[str, npt.NDArray[Any]] | TraceIssue:
    """Load one trace: its parsed columns, or the issue that makes it unusable (index set by the caller)."""
    try:
        path = resolve_trace_path(base_dir, trace.path)
        data = read_trace_bytes(path, trace.path)
    except TraceUnusable as exc:
        return TraceIssue(-1, "file", str(exc))
    digest = hashlib.sha256(data).hexdigest()
    if digest != trace.sha256:
        return TraceIssue(
            -1,
            "hash",
            f"trace {trace.path!r} has SHA-256 {digest[:16]}..., the submission "
            f"declares {trace.sha256[:16]}...; the file is not the one declared",
        )
    if trace.device_id is None:
        return TraceIssue(
            -1,
            "file",
            f"trace {trace.path!r} names no device_id, so its energy cannot be attributed to a device",
        )
    try:
        return parse_trace(data, trace.format)
    except TraceUnusable as exc:
        return TraceIssue(-1, "file", f"trace {trace.path!r}: {exc}")


def load_evidence(sub: Submission, base_dir: Path) -> Evidence:
    """Load every trace the submission lists and recompute each run window of its device."""
    issues: list[TraceIssue] = []
    windows: list[WindowEvidence] = []
    seen: set[tuple[str, str | None]] = set()
    for k, trace in enumerate(sub.measurement.traces):
        if (trace.path, trace.device_id) in seen:  # listed twice: read once, and say so
            issues.append(
                TraceIssue(
                    k,
                    "file",
                    f"trace {trace.path!r} is listed more than once for the same device; only its first entry is used",
                )
            )
            continue
        seen.add((trace.path, trace.device_id))
        loaded = _load_one(base_dir, trace)
        if isinstance(loaded, TraceIssue):
            issues.append(TraceIssue(k, loaded.kind, loaded.message))
            continue
        assert trace.device_id is not None  # checked in _load_one
        windows += _windows_for_trace(sub, k, trace.device_id, loaded)
    return Evidence(tuple(issues), tuple(windows))


def run_window_ns(run: Run) -> tuple[int, int]:
    """Return a run's window as integer ns since the Unix epoch (UTC)."""
    return _utc_ns(run.start_time), _utc_ns(run.end_time)
