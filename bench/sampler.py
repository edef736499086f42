"""Sampler cost and tick jitter at 10 Hz with a fake NVML that takes the H200's measured call latencies.

Latencies measured with the real driver on an H200 (bench/gpu_probe.py; docs/benchmarks.md): energy
counter ~3.1 ms, power usage ~2 µs, the instant-power field ~5 µs. The fake *spins* each of them,
because on the real driver that time is CPU time, not waiting (bench/gpu_probe.py reads both clocks).
CPU cost is this process's CPU time over wall time (% of one core).

    PYTHONPATH=. python bench/sampler.py [--seconds 5]

With ``--real`` it samples the machine's own GPUs through the real pynvml instead (bench/gpu_check.sh
runs it that way): the same table for the driver's true latencies.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from une_eval.measure.nvml import NvmlSensor
from une_eval.measure.sampler import COUNTER_INTERVAL_S, Sampler
from une_eval.measure.sensors import SystemClock
from une_eval.traces import TraceWriter, columns_for


class NVMLError(Exception):
    pass


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@dataclass
class LatencyNvml:
    """Fake pynvml whose calls cost the measured latencies."""

    gpus: int
    energy_s: float = 3.1e-3
    power_s: float = 2e-6
    field_s: float = 5e-6
    NVMLError: type[Exception] = NVMLError
    NVML_FI_DEV_POWER_INSTANT: int = 186

    def _cost(self, seconds: float) -> None:
        _spin(seconds)

    def nvmlInit(self) -> None:
        pass

    def nvmlShutdown(self) -> None:
        pass

    def nvmlDeviceGetCount(self) -> int:
        return self.gpus

    def nvmlDeviceGetHandleByIndex(self, i: int) -> int:
        return i

    def nvmlDeviceGetName(self, h: int) -> str:
        return "NVIDIA H200"

    def nvmlDeviceGetTotalEnergyConsumption(self, h: int) -> int:
        self._cost(self.energy_s)
        return 2_000_000 + int(time.monotonic() * 700_000)

    def nvmlDeviceGetPowerUsage(self, h: int) -> int:
        self._cost(self.power_s)
        return 690_000

    def nvmlDeviceGetFieldValues(self, h: int, ids: list[int]) -> list[Any]:
        self._cost(self.field_s)
        return [SimpleNamespace(nvmlReturn=0, valueType=1, value=SimpleNamespace(uiVal=687_000))]


class StampedWriter(TraceWriter):
    """A trace writer that also keeps each row's timestamp (the start of its tick)."""

    stamps_ns: list[int]
    counter_stamps_ns: list[int]

    def write(self, row: dict[str, Any], now_s: float) -> None:
        self.stamps_ns.append(int(row["time_unix_ns"]))
        if row.get("energy_mj") is not None:
            self.counter_stamps_ns.append(int(row["time_unix_ns"]))
        super().write(row, now_s)


def run(
    gpus: int, seconds: float, *, counter_interval_s: float, field_s: float, real: bool = False
) -> dict[str, float]:
    clock = SystemClock()
    if real:
        import pynvml  # type: ignore[import-untyped, unused-ignore]

        sensor = NvmlSensor(pynvml, clock)
    else:
        sensor = NvmlSensor(LatencyNvml(gpus, field_s=field_s), clock)
    gpus = len(sensor.devices())
    ends: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        writers: dict[str, TraceWriter] = {}
        for d in sensor.devices():
            writer = StampedWriter(Path(tmp) / f"{d.device_id}.csv", columns_for(d))
            writer.stamps_ns = []
            writer.counter_stamps_ns = []
            writers[d.device_id] = writer
        first = next(iter(writers.values()))
        assert isinstance(first, StampedWriter)
        sampler = Sampler(
            [sensor],
            clock,
            writers,
            interval_s=0.1,
            counter_interval_s=counter_interval_s,
            on_tick=lambda phase, power: ends.append(clock.unix_ns()),
        )
        cpu0, wall0 = time.process_time(), time.monotonic()
        sampler.sample_for("run-0", seconds)
        cpu_s, wall_s = time.process_time() - cpu0, time.monotonic() - wall0
        sampler.close()
    starts = first.stamps_ns
    gaps_ms = [(b - a) / 1e6 for a, b in itertools.pairwise(starts)]
    busy_ms = [(e - s) / 1e6 for s, e in zip(starts, ends, strict=False)]
    counter_gaps_ms = [(b - a) / 1e6 for a, b in itertools.pairwise(first.counter_stamps_ns)]
    return {
        "cpu_pct": 100 * cpu_s / wall_s,
        "cpu_pct_per_gpu": 100 * cpu_s / wall_s / gpus,
        "ticks_per_s": len(starts) / wall_s,
        "gap_median_ms": statistics.median(gaps_ms),
        "gap_max_ms": max(gaps_ms),
        "jitter_sd_ms": statistics.pstdev(gaps_ms),
        "tick_busy_max_ms": max(busy_ms),
        "counter_gap_max_ms": max(counter_gaps_ms, default=0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--real", action="store_true", help="sample this machine's GPUs through the real pynvml")
    args = parser.parse_args()
    scenarios = [
        (f"1 GPU, counter every {COUNTER_INTERVAL_S} s (default)", 1, COUNTER_INTERVAL_S, 5e-6),
        (f"8 GPUs, counter every {COUNTER_INTERVAL_S} s (default)", 8, COUNTER_INTERVAL_S, 5e-6),
        ("8 GPUs, counter 2 Hz (before)", 8, 0.5, 5e-6),
        ("8 GPUs, counter every tick (10 Hz)", 8, 0.0, 5e-6),
    ]
    if args.real:
        scenarios = [
            (f"real NVML, counter every {COUNTER_INTERVAL_S} s (default)", 0, COUNTER_INTERVAL_S, 0.0),
            ("real NVML, counter 2 Hz (before)", 0, 0.5, 0.0),
            ("real NVML, counter every tick (10 Hz)", 0, 0.0, 0.0),
        ]
    cols = [
        "cpu_pct",
        "cpu_pct_per_gpu",
        "ticks_per_s",
        "gap_median_ms",
        "gap_max_ms",
        "jitter_sd_ms",
        "tick_busy_max_ms",
        "counter_gap_max_ms",
    ]
    print(f"{'scenario':42} " + " ".join(f"{c:>15}" for c in cols))
    for name, gpus, counter_s, field_s in scenarios:
        res = run(gpus, args.seconds, counter_interval_s=counter_s, field_s=field_s, real=args.real)
        print(f"{name:42} " + " ".join(f"{res[c]:15.3f}" for c in cols))


if __name__ == "__main__":
    main()
