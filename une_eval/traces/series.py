"""A trace's instant power as a short series for the certificate's chart, read in one streaming pass.

Consecutive samples are merged by taking the maximum power (so short peaks stay visible) whenever the
kept series grows past a few times the points wanted: memory stays bounded whatever the trace's length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from une_eval.traces.files import open_trace
from une_eval.traces.format import INSTANT_POWER, TraceUnusable
from une_eval.traces.reading import TraceContent

MAX_POINTS = 400


@dataclass(frozen=True, slots=True)
class PowerSeries:
    """Power samples of one device: seconds since its first sample and watts (and that sample's Unix time)."""

    time_s: tuple[float, ...]
    power_w: tuple[float, ...]
    start_unix_ns: int = 0


@dataclass(frozen=True, slots=True)
class TraceSummary:
    """What a certificate shows of a trace: its actual SHA-256 and, when readable, its power series."""

    sha256: str
    power: PowerSeries | None


def _merge(
    time_ns: npt.NDArray[np.int64], power_mw: npt.NDArray[np.float64], step: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Keep every ``step``-th time with the maximum power of its bucket."""
    if step <= 1:
        return time_ns, power_mw
    n = math.ceil(power_mw.size / step)
    padded = np.full(n * step, -np.inf)
    padded[: power_mw.size] = power_mw
    return time_ns[::step], padded.reshape(n, step).max(axis=1)


def power_series(content: TraceContent, *, max_points: int = MAX_POINTS) -> PowerSeries | None:
    """The instant-power series of a trace, at most ``max_points`` points; None when it has no such column."""
    if INSTANT_POWER not in content.names:
        return None
    kept_t: list[npt.NDArray[np.int64]] = []
    kept_p: list[npt.NDArray[np.float64]] = []
    step, held = 1, 0
    for batch in content.batches([INSTANT_POWER]):
        present = ~np.isnan(batch.values[INSTANT_POWER])
        t, p = _merge(batch.time_ns[present], batch.values[INSTANT_POWER][present], step)
        kept_t.append(t)
        kept_p.append(p)
        held += t.size
        while held > 4 * max_points:
            merged_t, merged_p = _merge(np.concatenate(kept_t), np.concatenate(kept_p), 2)
            kept_t, kept_p, step, held = [merged_t], [merged_p], step * 2, merged_t.size
    if held < 2:
        return None
    all_t, all_p = np.concatenate(kept_t), np.concatenate(kept_p)
    all_t, all_p = _merge(all_t, all_p, math.ceil(all_t.size / max_points))
    return PowerSeries(tuple(((all_t - all_t[0]) * 1e-9).tolist()), tuple((all_p * 1e-3).tolist()), int(all_t[0]))


def summarize_trace(base_dir: Path, relative: str, fmt: str, *, max_points: int = MAX_POINTS) -> TraceSummary:
    """Hash a trace and read its power series; :class:`TraceUnusable` when it cannot be opened or hashed."""
    with open_trace(base_dir, relative) as trace:
        digest = trace.sha256()
        try:
            power = power_series(TraceContent(trace, fmt), max_points=max_points)
        except TraceUnusable:
            power = None
    return TraceSummary(digest, power)
