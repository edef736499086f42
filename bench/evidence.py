"""Throughput of the evidence recomputation itself (trace already in memory): samples per second per core.

Usage: python bench/evidence.py [n_samples]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from une_eval.validation.evidence import recompute_window


def synthetic_trace(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.integers(90_000_000, 110_000_000, n)).astype(np.int64)
    power_mw = rng.integers(80_000, 700_000, n).astype(np.float64)
    energy_mj = np.cumsum(power_mw * 0.1).round()
    return {"time_unix_ns": t, "energy_mj": energy_mj, "power_instant_mw": power_mw}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    cols = synthetic_trace(n)
    t = cols["time_unix_ns"]
    counter_only = cols
    power_only = {k: v for k, v in cols.items() if k != "energy_mj"}
    print(f"{'method':<28}{'samples':>12}{'seconds':>10}{'M samples/s':>14}")
    for label, data in (("energy counter", counter_only), ("instant-power integration", power_only)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            recompute_window(data, int(t[0]), int(t[-1]))
            best = min(best, time.perf_counter() - start)
        print(f"{label:<28}{n:>12,}{best:>10.3f}{n / best / 1e6:>14.1f}")


if __name__ == "__main__":
    main()
