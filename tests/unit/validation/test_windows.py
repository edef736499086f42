"""The window recomputation against brute force on random counters, in any batching."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest

from une_eval.validation.windows import CounterColumn, WindowEnergy, recompute_windows

NVML = CounterColumn(1e-3, wraps=False)


def _truth_counter(rng: np.random.Generator, n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """A staircase counter sampled at irregular times (some equal), never decreasing."""
    t = np.cumsum(rng.integers(0, 50_000_000, n)).astype(np.int64) + 10**18
    v = np.cumsum(rng.integers(0, 3, n) * rng.integers(0, 70_000, n)).astype(np.float64)
    return t, v


def _batches(
    t: npt.NDArray[np.int64], v: npt.NDArray[np.float64], cuts: list[int]
) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
    edges = [0, *sorted(cuts), t.size]
    return [(t[a:b], v[a:b]) for a, b in itertools.pairwise(edges)]


def _same(a: WindowEnergy, b: WindowEnergy) -> bool:
    def close(x: float | None, y: float | None) -> bool:
        return (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= 1e-6 * (1 + abs(x)))

    return (
        close(a.energy_j, b.energy_j)
        and close(a.min_j, b.min_j)
        and close(a.max_j, b.max_j)
        and a.max_gap_s == b.max_gap_s
        and a.start_read_distance_s == b.start_read_distance_s
        and a.end_read_distance_s == b.end_read_distance_s
        and (a.resets, a.wraps, a.ambiguous_decreases) == (b.resets, b.wraps, b.ambiguous_decreases)
    )


@pytest.mark.parametrize("seed", range(12))
def test_any_batching_gives_the_same_windows_and_the_truth_is_inside(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t, v = _truth_counter(rng, 3000)
    reads = np.sort(rng.choice(t.size, size=400, replace=False))
    starts = rng.choice(t.size - 50, size=30)
    pairs = [(int(s), int(s + rng.integers(1, 50))) for s in starts]
    windows = [(int(t[s]) + int(rng.integers(0, 3)), int(t[e])) for s, e in pairs]
    whole = recompute_windows([(t[reads], v[reads])], windows, NVML)
    cuts = [int(c) for c in rng.choice(np.arange(1, reads.size), size=int(rng.integers(1, 20)), replace=False)]
    batched = recompute_windows(_batches(t[reads], v[reads], cuts), windows, NVML)
    for (s, e), w, b in zip(pairs, whole, batched, strict=True):
        assert _same(w, b)
        if w.max_j is None or w.min_j is None or w.energy_j is None:
            continue  # a window beyond the reads: no upper bound
        truth_j = (v[e] - v[s]) * 1e-3
        assert w.min_j - 1e-9 <= truth_j <= w.max_j + 1e-9
        assert w.min_j <= w.energy_j <= w.max_j


def test_power_integration_in_batches_matches_one_pass() -> None:
    rng = np.random.default_rng(7)
    t = np.cumsum(rng.integers(50_000_000, 150_000_000, 5000)).astype(np.int64)
    p = rng.integers(80_000, 700_000, 5000).astype(np.float64)
    windows = [(int(t[10]) + 12_345, int(t[4000]) - 777), (int(t[0]) - 10**8, int(t[20]))]
    whole = recompute_windows([(t, p)], windows, None)
    batched = recompute_windows(_batches(t, p, [1, 999, 1000, 3999, 4001]), windows, None)
    for w, b in zip(whole, batched, strict=True):
        assert _same(w, b)
    # Against a direct trapezoid on a fine grid of the linear interpolant.
    s, e = windows[0]
    grid = np.linspace(s, e, 2_000_001)
    direct_j = float(np.trapezoid(np.interp(grid, t, p), grid)) * 1e-12
    assert whole[0].energy_j == pytest.approx(direct_j, rel=1e-6)
    assert whole[1].start_uncovered_s == pytest.approx(0.1)  # power held at the first sample over the edge


def test_a_wrap_across_a_long_gap_between_reads_is_still_a_wrap_and_a_restart_a_reset() -> None:
    """At 200 W a 2^32 uJ counter wraps every 21.5 s; reads 20 s apart across the wrap gain 4 kJ (200 W)."""
    t = np.array([0, 10, 30, 40], dtype=np.int64) * 1_000_000_000
    before = float(2**32 - 3_000_000_000)  # 3 kJ before the range
    energy_uj = np.array([before - 2e9, before, (before + 4e9) % 2**32, (before + 6e9) % 2**32])
    rapl = CounterColumn(1e-6, wraps=True, wrap_range=float(2**32))
    [w] = recompute_windows([(t, energy_uj)], [(0, int(t[-1]))], rapl)
    assert (w.wraps, w.resets) == (1, 0)
    assert w.energy_j == pytest.approx(200 * 40)
    # The same drop 0.1 s after the read before it would be 4 kJ in 0.1 s, 40 kW: the counter restarted.
    t_fast = np.array([0, 10_000, 10_100, 10_200], dtype=np.int64) * 1_000_000
    [r] = recompute_windows([(t_fast, energy_uj)], [(0, int(t_fast[-1]))], rapl)
    assert (r.wraps, r.resets) == (0, 1)


def test_a_wrapping_counter_is_unwrapped_with_its_range() -> None:
    t = np.arange(0, 100, dtype=np.int64) * 100_000_000
    energy_uj = (np.arange(100) * 20_000_000 + 4_000_000_000) % 2**32  # 200 W, wrapping once
    rapl = CounterColumn(1e-6, wraps=True, wrap_range=float(2**32))
    [w] = recompute_windows([(t, energy_uj.astype(np.float64))], [(0, int(t[-1]))], rapl)
    assert w.wraps == 1
    assert w.energy_j == pytest.approx(200 * 9.9)
    [unknown] = recompute_windows([(t, energy_uj.astype(np.float64))], [(0, int(t[-1]))], CounterColumn(1e-6, True))
    assert unknown.ambiguous_decreases == 1
    assert unknown.resets == 0
