"""NVML call latencies and the energy counter's update interval on this machine's GPU 0.

Reads the total-energy counter back to back for a few seconds and reports how long each call takes and
how often its value changes (the counter's real resolution in time), plus the latency of the power and
instant-power field reads the sampler also makes. Run by bench/gpu_check.sh; prints one JSON object.

    python bench/gpu_probe.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import pynvml  # type: ignore[import-untyped, unused-ignore]


def _latencies_ms(call: object, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    pynvml.nvmlInit()
    h = pynvml.nvmlDeviceGetHandleByIndex(0)
    changes_ms: list[float] = []
    steps_mj: list[int] = []
    reads = 0
    last = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
    last_t = time.perf_counter()
    end = last_t + args.seconds
    while time.perf_counter() < end:
        value = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
        reads += 1
        now = time.perf_counter()
        if value != last:
            changes_ms.append((now - last_t) * 1e3)
            steps_mj.append(value - last)
            last, last_t = value, now
    field_id = getattr(pynvml, "NVML_FI_DEV_POWER_INSTANT", 186)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    energy = _latencies_ms(lambda: pynvml.nvmlDeviceGetTotalEnergyConsumption(h), 200)
    energy_cpu_ms = (time.process_time() - cpu0) / 200 * 1e3
    energy_wall_ms = (time.perf_counter() - wall0) / 200 * 1e3
    cpu0 = time.process_time()
    power = _latencies_ms(lambda: pynvml.nvmlDeviceGetPowerUsage(h), 2000)
    power_cpu_ms = (time.process_time() - cpu0) / 2000 * 1e3
    cpu0 = time.process_time()
    field = _latencies_ms(lambda: pynvml.nvmlDeviceGetFieldValues(h, [field_id]), 2000)
    field_cpu_ms = (time.process_time() - cpu0) / 2000 * 1e3
    result = {
        "gpu": pynvml.nvmlDeviceGetName(h),
        "driver": pynvml.nvmlSystemGetDriverVersion(),
        "energy_reads": reads,
        "energy_read_ms_median": statistics.median(energy),
        "energy_read_ms_p95": sorted(energy)[int(0.95 * len(energy))],
        "energy_read_cpu_ms_mean": energy_cpu_ms,
        "energy_read_wall_ms_mean": energy_wall_ms,
        "power_read_ms_median": statistics.median(power),
        "power_read_cpu_ms_mean": power_cpu_ms,
        "instant_field_read_cpu_ms_mean": field_cpu_ms,
        "instant_field_read_ms_median": statistics.median(field),
        "counter_changes": len(changes_ms),
        "counter_change_interval_ms_median": statistics.median(changes_ms[1:]) if len(changes_ms) > 2 else None,
        "counter_change_interval_ms_min": min(changes_ms[1:]) if len(changes_ms) > 2 else None,
        "counter_step_mj_median": statistics.median(steps_mj[1:]) if len(steps_mj) > 2 else None,
        "power_limit_w": pynvml.nvmlDeviceGetPowerManagementLimit(h) / 1000,
    }
    pynvml.nvmlShutdown()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
