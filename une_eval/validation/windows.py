"""Energy of run windows from one trace column streamed in batches: an honest interval and a point.

**Counter.** A cumulative energy counter C(t) never decreases between resets (after unwrapping a counter
that wraps), and it is known only at the times it was read. For a window [s, e], monotonicity gives

    C(last read <= e) - C(first read >= s)  <=  C(e) - C(s)  <=  C(first read >= e) - C(last read <= s)

with the lower bound 0 when no read falls inside the window. Where the trace reads the counter at a
boundary the two sides meet, and a trace read at both boundaries pins the energy to a point. The point
estimate interpolates C linearly at s and e between the reads around them. Both bounds are sums of
the steps between consecutive reads, so a batch only needs the last read of the one before it.
Boundaries are declared as RFC 3339 times with microseconds, so a read within
:data:`BOUNDARY_TOLERANCE_NS` of a boundary counts as a read at it.

**Instant power.** Samples of instantaneous power bound nothing between them (a spike between two
samples is invisible), so there is no honest interval: the trapezoidal integral is reported as the
point and as both bounds, labelled with its method, and the gap rules limit how far apart samples are.

A window the trace does not cover has no upper bound on that side (``max_j`` is None) and its point
holds the counter (or the power) at the nearest sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BOUNDARY_TOLERANCE_NS = 1_000


@dataclass(frozen=True, slots=True)
class CounterColumn:
    """How to read a counter column: joules per count; ``wrap_range`` in counts when known."""

    joules_per_count: float
    wraps: bool
    wrap_range: float | None = None


# A wrapping counter (RAPL's: a CPU package or its DRAM) gains no faster than this: the largest server
# packages are rated around 500 W, so a faster gain across a decrease means the counter restarted.
MAX_WRAPPING_DOMAIN_W = 5_000.0


@dataclass(frozen=True, slots=True)
class WindowEnergy:
    """One window's energy from one trace column, and how well the samples resolve it."""

    energy_j: float | None
    min_j: float | None
    max_j: float | None
    start_uncovered_s: float
    end_uncovered_s: float
    max_gap_s: float
    start_read_distance_s: float
    end_read_distance_s: float
    resets: int
    wraps: int
    ambiguous_decreases: int


class _Steps:
    """Consecutive pairs of one batch (the previous batch's last sample first), with running sums.

    A pair's "step" is the counter's increase (a decrease: a wrap's worth, else nothing) or, for power,
    the trapezoid's area in mW x ns. Sums over any range of pairs then cost two lookups.
    """

    def __init__(self, t: npt.NDArray[np.int64], v: npt.NDArray[np.float64], counter: CounterColumn | None) -> None:
        self.t, self.v, self.a, self.b = t, v, t[:-1], t[1:]
        self.gap = self.b - self.a
        self.down_cum: npt.NDArray[np.int64] | None = None
        self.reset_cum: npt.NDArray[np.int64] | None = None
        if counter is None:
            d = (v[:-1] + v[1:]) / 2 * self.gap
        else:
            d = np.diff(v)
            down = d < 0
            if down.any():
                d, reset = _unwrapped(d, down, counter, self.gap)
                self.down_cum = np.concatenate(([0], np.cumsum(down)))
                self.reset_cum = np.concatenate(([0], np.cumsum(reset)))
        self.d = d
        self.cum = np.concatenate(([0.0], np.cumsum(d)))

    def total(self, i0: int, i1: int) -> float:
        """Sum of the steps of pairs ``i0`` to ``i1 - 1``."""
        return float(self.cum[i1] - self.cum[i0])

    def decreases(self, i0: int, i1: int) -> tuple[int, int]:
        """Decreases of the counter among pairs ``i0`` to ``i1 - 1``, and how many of them are resets for sure."""
        if self.down_cum is None or self.reset_cum is None:
            return 0, 0
        return int(self.down_cum[i1] - self.down_cum[i0]), int(self.reset_cum[i1] - self.reset_cum[i0])

    def clipped(self, k: int, s: int, e: int, power: bool) -> float:
        """Pair ``k``'s step restricted to [s, e], linear between its two samples."""
        a, b = int(self.a[k]), int(self.b[k])
        lo, hi = max(a, s), min(b, e)
        if b == a or (lo == a and hi == b):
            return float(self.d[k])
        if not power:
            return float(self.d[k]) * (hi - lo) / (b - a)
        p0, p1 = float(self.v[k]), float(self.v[k + 1])
        slope = (p1 - p0) / (b - a)
        return (p0 + slope * (lo - a) + p0 + slope * (hi - a)) / 2 * (hi - lo)


def _unwrapped(
    d: npt.NDArray[np.float64], down: npt.NDArray[np.bool_], counter: CounterColumn, gap_ns: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Steps with each decrease read as a wrap where it can be one, else as a reset (no energy); the resets.

    A wrap between two reads means the counter rose by ``range - before + after`` in the time between
    them. Where that would take a mean power above :data:`MAX_WRAPPING_DOMAIN_W`, more than any domain
    of a wrapping counter draws, the counter restarted (a reset), whatever the reads' spacing: a wrap
    after a long gap between reads stays a wrap.
    """
    if counter.wrap_range is None:
        return np.where(down, 0.0, d), np.zeros_like(down)
    wrapped = d + counter.wrap_range
    gained_j = wrapped * counter.joules_per_count
    reset = down & (gained_j > MAX_WRAPPING_DOMAIN_W * np.maximum(gap_ns, 1) / 1e9)
    return np.where(down, np.where(reset, 0.0, wrapped), d), reset


class _Window:
    """The running sums of one window over the batches seen so far."""

    def __init__(self, start_ns: int, end_ns: int) -> None:
        self.s, self.e = start_ns, end_ns
        self.point = self.low = self.high = 0.0
        self.gap_ns = -1
        self.downs = self.resets = 0
        self.dist_s = self.dist_e = float("inf")
        self.seen = False

    def consume(self, st: _Steps, power: bool) -> None:
        tol, s, e = BOUNDARY_TOLERANCE_NS, self.s, self.e
        self.seen = True
        self.dist_s = min(self.dist_s, _nearest(st.t, s))
        self.dist_e = min(self.dist_e, _nearest(st.t, e))
        if st.gap.size == 0:
            return
        # Upper bound: the pairs from the last read <= s to the first read >= e.
        i0, i1 = int(np.searchsorted(st.b, s + tol, "right")), int(np.searchsorted(st.a, e - tol, "left"))
        if i1 > i0:
            self.high += st.total(i0, i1)
            self.gap_ns = max(self.gap_ns, int(st.gap[i0:i1].max()))
            downs, resets = st.decreases(i0, i1)
            self.downs, self.resets = self.downs + downs, self.resets + resets
        # Lower bound: the pairs from the first read >= s to the last read <= e.
        j0, j1 = int(np.searchsorted(st.a, s - tol, "left")), int(np.searchsorted(st.b, e + tol, "right"))
        if j1 > j0:
            self.low += st.total(j0, j1)
        # Point: each pair's share of the window (linear between reads); only the end pairs can be partial.
        k0, k1 = int(np.searchsorted(st.b, s, "right")), int(np.searchsorted(st.a, e, "left"))
        if k1 - k0 == 1:
            self.point += st.clipped(k0, s, e, power)
        elif k1 > k0:
            inner = st.total(k0 + 1, k1 - 1)
            self.point += st.clipped(k0, s, e, power) + inner + st.clipped(k1 - 1, s, e, power)


def _nearest(t: npt.NDArray[np.int64], at: int) -> float:
    i = int(np.searchsorted(t, at))
    best = float("inf")
    if i < t.size:
        best = float(t[i] - at)
    if i > 0:
        best = min(best, float(at - t[i - 1]))
    return best


@dataclass(frozen=True, slots=True)
class _Span:
    """The first and last sample of the column: (time_ns, value)."""

    first: tuple[int, float]
    last: tuple[int, float]


def recompute_windows(
    samples: Iterable[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]],
    windows: Sequence[tuple[int, int]],
    counter: CounterColumn | None,
) -> list[WindowEnergy]:
    """Each window's energy from ``(time_ns, value)`` batches of one column (counter, else instant mW)."""
    state = [_Window(s, e) for s, e in windows]
    first: tuple[int, float] | None = None
    carry: tuple[int, float] | None = None
    for t, v in samples:
        if t.size == 0:
            continue
        if carry is not None:
            t, v = np.concatenate(([carry[0]], t)), np.concatenate(([carry[1]], v))
        first = first or (int(t[0]), float(v[0]))
        steps = _Steps(t, v, counter)
        lo, hi = int(t[0]), int(t[-1])
        for w in state:
            if hi >= w.s - BOUNDARY_TOLERANCE_NS and lo <= w.e + BOUNDARY_TOLERANCE_NS:
                w.consume(steps, counter is None)
        carry = (hi, float(v[-1]))
    if first is None or carry is None:
        inf = float("inf")
        return [WindowEnergy(None, None, None, inf, inf, inf, inf, inf, 0, 0, 0) for _ in state]
    span = _Span(first, carry)
    return [_finish(w, span, counter) for w in state]


def _finish(w: _Window, span: _Span, counter: CounterColumn | None) -> WindowEnergy:
    tol = BOUNDARY_TOLERANCE_NS
    (first_ns, first_v), (last_ns, last_v) = span.first, span.last
    if not w.seen:  # the window lies wholly before or after the samples
        w.dist_s = float(min(abs(w.s - first_ns), abs(w.s - last_ns)))
        w.dist_e = float(min(abs(w.e - first_ns), abs(w.e - last_ns)))
    start_out = first_ns - w.s if first_ns > w.s + tol else 0
    end_out = w.e - last_ns if last_ns < w.e - tol else 0
    outside = last_ns < w.s - tol or first_ns > w.e + tol
    gap_s = w.gap_ns * 1e-9 if w.gap_ns >= 0 else float("inf")
    common = (start_out * 1e-9, end_out * 1e-9, gap_s, w.dist_s * 1e-9, w.dist_e * 1e-9)
    if outside:
        return WindowEnergy(None, None, None, *common, 0, 0, 0)
    if counter is None:  # hold the power at the nearest sample over an uncovered edge; no interval
        energy = (w.point + first_v * max(start_out, 0) + last_v * max(end_out, 0)) * 1e-12
        return WindowEnergy(energy, energy, energy, *common, 0, 0, 0)
    scale = counter.joules_per_count
    high = None if start_out or end_out else w.high * scale
    wraps = w.downs - w.resets if counter.wrap_range is not None else 0
    ambiguous = w.downs if counter.wrap_range is None and counter.wraps else 0
    resets = w.downs - wraps - ambiguous
    # A read within the tolerance of a boundary stands for it: keep the point inside the interval.
    point = max(w.point, w.low) if high is None else min(max(w.point, w.low), w.high)
    return WindowEnergy(point * scale, w.low * scale, high, *common, resets, wraps, ambiguous)
