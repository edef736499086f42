"""The job's common windows, and the merged runs: every device's energy over the same window.

Run k of the job spans, in reference time, from the first node's start of its run k to the last node's
end of it (each node's stamps moved by its accepted clock offset), rounded outwards to the microsecond
the submission's timestamps carry. Every device is read over that one window, so no time bucket holds
only some nodes. A run is complete only when every expected node took part in it, every device's
window is usable, and no issue of the merge touches it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from une_eval.measure.submission import timestamp
from une_eval.merging.evidence import DeviceWindow
from une_eval.merging.issues import MergeIssue, summary
from une_eval.model import Device, Run, Submission
from une_eval.nodeclocks import NodeClock
from une_eval.validation.evidence import run_window_ns
from une_eval.vocabulary import energy_key

US = 1_000


@dataclass(frozen=True, slots=True)
class CommonRun:
    """Run k of the job: its window in reference time and each taking-part node's own run."""

    index: int
    start_ns: int
    end_ns: int
    node_runs: Mapping[str, Run]


def _floor_us(ns: int) -> int:
    return ns // US * US


def _ceil_us(ns: int) -> int:
    return -(-ns // US) * US


def common_runs(subs: Mapping[str, Submission], clocks: Mapping[str, NodeClock]) -> list[CommonRun]:
    """The job's runs: for each run index any node recorded, the union of the nodes' windows."""
    count = max((len(s.measurement.runs) for s in subs.values()), default=0)
    out = []
    for k in range(count):
        taking_part = {n: s.measurement.runs[k] for n, s in subs.items() if len(s.measurement.runs) > k}
        spans = [
            (start - clocks[n].offset_ns, end - clocks[n].offset_ns)
            for n, run in taking_part.items()
            for start, end in [run_window_ns(run)]
        ]
        start_ns = _floor_us(min(s for s, _ in spans))
        end_ns = max(_ceil_us(max(e for _, e in spans)), start_ns + US)
        out.append(CommonRun(k, start_ns, end_ns, taking_part))
    return out


@dataclass(slots=True)
class RunTally:
    """What one merged run has gathered: device energies, work units, and why it is incomplete."""

    run: CommonRun
    devices: list[tuple[Device, DeviceWindow]] = field(default_factory=list)
    problems: list[MergeIssue] = field(default_factory=list)


def work_units(run: CommonRun, mode: str) -> tuple[float, MergeIssue | None]:
    """The run's work units: the nodes' sum, or their common count (nodes that disagree are an issue)."""
    units = [r.work_units for r in run.node_runs.values() if r.complete]
    if not units:
        return 0.0, None
    if mode == "sum":
        return math.fsum(units), None
    if max(units) - min(units) > 1e-9 * max(abs(max(units)), 1.0):
        listed = ", ".join(f"{n} {r.work_units:g}" for n, r in run.node_runs.items())
        msg = f"run {run.index}: the nodes report different work units ({listed}) for one job-wide count"
        return min(units), MergeIssue("work-units-differ", msg, run_index=run.index)
    return units[0], None


def _r(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, 5 - math.floor(math.log10(abs(value))))


def _device_entry(device: Device, window: DeviceWindow, duration_s: float) -> dict[str, Any]:
    energy = max(window.energy_j or 0.0, 0.0)
    entry: dict[str, Any] = {"device_id": device.device_id, "energy_j": _r(energy)}
    if window.min_j is not None:
        entry["energy_min_j"] = _r(max(window.min_j, 0.0))
    if window.max_j is not None:
        entry["energy_max_j"] = _r(max(window.max_j, energy))
    entry["mean_power_w"] = _r(energy / duration_s)
    return entry


def run_entry(tally: RunTally, units: float, complete: bool) -> dict[str, Any]:
    """The merged ``measurement.runs`` item."""
    run = tally.run
    duration_s = (run.end_ns - run.start_ns) * 1e-9
    by_component: dict[str, float] = {}
    devices = []
    for device, window in tally.devices:
        entry = _device_entry(device, window, duration_s)
        devices.append(entry)
        key = energy_key(device.component)
        by_component[key] = by_component.get(key, 0.0) + entry["energy_j"]
    total = math.fsum(by_component.values())
    out: dict[str, Any] = {
        "index": run.index,
        "start_time": timestamp(run.start_ns),
        "end_time": timestamp(run.end_ns),
        "duration_s": _r(duration_s),
        "work_units": _r(units),
        "energy": {k: _r(v) for k, v in by_component.items()} | {"total_j": _r(total)},
    }
    lows = [d.get("energy_min_j") for d in devices]
    highs = [d.get("energy_max_j") for d in devices]
    if devices and all(v is not None for v in lows):
        out["energy_min_j"] = _r(math.fsum(v for v in lows if v is not None))
    if devices and all(v is not None for v in highs):
        out["energy_max_j"] = _r(math.fsum(v for v in highs if v is not None))
    out |= {"devices": devices, "mean_power_w": _r(total / duration_s), "complete": complete}
    if not complete:
        out["reason"] = summary(tally.problems) if tally.problems else "a node or device of the job is missing"
    return out


def node_energy_j(runs: Sequence[dict[str, Any]], device_ids: set[str]) -> float:
    """A node's energy over the merged submission's complete runs."""
    return math.fsum(d["energy_j"] for r in runs if r["complete"] for d in r["devices"] if d["device_id"] in device_ids)
