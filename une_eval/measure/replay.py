"""The replay sensor: plays a real NVML recording through the same runner code, on a simulated clock.

The recording (``fixtures/traces/h200-trace.csv``, from an H200, read through its dialect adapter in
:mod:`une_eval.traces.recording`) has three segments: ``idle``, ``load`` (24 s of bf16 matmuls) and
``cool``. Protocol phases are mapped onto them: the sensor plays
the idle segment in a loop until a :class:`SimulatedWorkload` starts, then the load segment for the
workload's duration, then the cool segment followed by idle again. The counter it reports is the
recording's counter, continued across segments, so a window that covers exactly one load segment
has exactly the recording's counter difference (16,494.889 J over 24.01 s).
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from une_eval.errors import SensorError
from une_eval.measure.sensors import DeviceInfo, PowerSample, SimulatedClock
from une_eval.traces import TraceUnusable, read_recording


@dataclass(frozen=True, slots=True)
class Segment:
    """One phase of the recording, times and energies relative to its first row."""

    name: str
    t_ns: list[int]
    energy_mj: list[int]
    power_instant_mw: list[int]
    power_average_mw: list[int]

    @property
    def length_ns(self) -> int:
        """Time from the segment's first row to its last."""
        return self.t_ns[-1]

    @property
    def energy_total_mj(self) -> int:
        """Counter difference from the segment's first row to its last."""
        return self.energy_mj[-1]

    def index_at(self, offset_ns: int) -> int:
        """Find the last row read at or before ``offset_ns`` into the segment (a counter holds its value)."""
        return max(bisect.bisect_right(self.t_ns, offset_ns) - 1, 0)


def load_recording(path: Path) -> dict[str, Segment]:
    """Read a recording (through its dialect adapter) into its phases; a malformed file is a :class:`SensorError`."""
    try:
        rows = read_recording(path)
    except TraceUnusable as exc:
        raise SensorError(str(exc)) from None
    segments = {}
    for name, data in rows.items():
        t0, e0 = data[0].time_ns, data[0].energy_mj
        segments[name] = Segment(
            name,
            [r.time_ns - t0 for r in data],
            [r.energy_mj - e0 for r in data],
            [r.power_instant_mw for r in data],
            [r.power_average_mw for r in data],
        )
    for needed in ("idle", "load"):
        if needed not in segments or len(segments[needed].t_ns) < 2:
            raise SensorError(f"{path}: recording has no usable '{needed}' segment")
    return segments


def load_probe(path: Path) -> dict[str, Any]:
    """Read the probe JSON that describes the recorded device."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SensorError(f"cannot read the probe file {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("device"), dict):
        raise SensorError(f"{path}: the probe file has no 'device' object")
    return data


class ReplaySensor:
    """Plays a recording of one GPU as an NVML-like device with an energy counter (mJ)."""

    def __init__(
        self,
        segments: Mapping[str, Segment],
        probe: Mapping[str, Any],
        clock: SimulatedClock,
        *,
        device_id: str = "node0-gpu0",
    ) -> None:
        self._segments = dict(segments)
        self._probe = probe
        self._clock = clock
        self._device_id = device_id
        self._first_counter_mj = 0
        self._plan: list[tuple[Segment, int | None]] = [(self._segments["idle"], None)]
        self._plan_start_ns = 0
        self._plan_base_mj = 0
        self._start_counter(probe)

    def _start_counter(self, probe: Mapping[str, Any]) -> None:
        energy = probe["device"].get("energy_mJ")
        self._first_counter_mj = int(energy) if isinstance(energy, int) else 0
        self._plan_base_mj = self._first_counter_mj

    @property
    def load_duration_s(self) -> float:
        """Length of the recording's load segment, in seconds."""
        return self._segments["load"].length_ns / 1e9

    def _now_ns(self) -> int:
        return round(self._clock.monotonic_s() * 1e9)

    def play_load(self, duration_s: float) -> None:
        """Start a workload now: play the load segment for ``duration_s``, then cool-down, then idle."""
        base = self._position()[1]
        plan: list[tuple[Segment, int | None]] = [(self._segments["load"], round(duration_s * 1e9))]
        if "cool" in self._segments:
            plan.append((self._segments["cool"], self._segments["cool"].length_ns))
        plan.append((self._segments["idle"], None))
        self._plan, self._plan_start_ns, self._plan_base_mj = plan, self._now_ns(), base

    def _position(self) -> tuple[int, int, Segment]:
        """(row index, counter in mJ, segment) at the current simulated time."""
        offset_ns, base_mj = self._now_ns() - self._plan_start_ns, self._plan_base_mj
        for seg, span_ns in self._plan:
            if span_ns is not None and offset_ns > span_ns:
                base_mj += self._played_mj(seg, span_ns)
                offset_ns -= span_ns
                continue
            loops, within_ns = divmod(offset_ns, seg.length_ns + 1) if seg.length_ns else (0, 0)
            idx = seg.index_at(within_ns)
            return idx, base_mj + loops * seg.energy_total_mj + seg.energy_mj[idx], seg
        raise AssertionError("the last segment of a plan has no end")  # pragma: no cover

    @staticmethod
    def _played_mj(seg: Segment, span_ns: int) -> int:
        loops, within_ns = divmod(span_ns, seg.length_ns + 1) if seg.length_ns else (0, 0)
        return loops * seg.energy_total_mj + seg.energy_mj[seg.index_at(within_ns)]

    def devices(self) -> list[DeviceInfo]:
        """Describe the recorded GPU from the probe file."""
        dev = self._probe["device"]
        limit_mw = dev.get("enforced_limit_mW") or dev.get("power_limit_mW")
        default_mw = dev.get("default_limit_mW")
        mem = dev.get("mem_info_total")
        mig = dev.get("mig_mode") or [0, 0]
        return [
            DeviceInfo(
                device_id=self._device_id,
                component="gpu",
                method="nvml-energy-counter",
                model=str(dev.get("name", "recorded GPU")),
                counter_unit_j=0.001,
                counter_column="energy_mj",
                uuid=str(dev["uuid"]) if dev.get("uuid") else None,
                power_limit_w=limit_mw / 1000 if isinstance(limit_mw, int) else None,
                default_power_limit_w=default_mw / 1000 if isinstance(default_mw, int) else None,
                memory_gb=round(mem / 2**30, 1) if isinstance(mem, int) else None,
                mig_enabled=bool(mig[0]),
                update_period_s=0.1,
                instrument="NVML nvmlDeviceGetTotalEnergyConsumption (replayed recording)",
                instrument_version=str(self._probe.get("driver", "")) or None,
                facts={
                    "replayed": True,
                    "serial": dev.get("serial"),
                    "driver": self._probe.get("driver"),
                    "nvml_version": self._probe.get("nvml_version"),
                    "persistence_mode": dev.get("persistence"),
                    "foreign_processes": [],
                },
            )
        ]

    def read_power(self) -> list[PowerSample]:
        """Return the recorded instant and averaged power at the current simulated time."""
        idx, _, seg = self._position()
        return [PowerSample(self._device_id, seg.power_instant_mw[idx], seg.power_average_mw[idx])]

    def read_counters(self) -> dict[str, int]:
        """Return the recorded counter, continued across segments, at the current simulated time."""
        return {self._device_id: self._position()[1]}

    def close(self) -> None:
        """Nothing to release."""


def replay_record(kind: str, recordings: Sequence[Path], devices: Sequence[DeviceInfo]) -> dict[str, Any]:
    """The submission's ``measurement.replay``: what was played back, to which device, with its SHA-256.

    ``recordings`` are the recordings in the order the replayed devices were opened (``--replay``, then
    each ``--replay-gpu``); ``kind`` is ``replay`` (simulated clock) or ``rehearsal`` (a real command).
    """
    replayed = [d for d in devices if d.facts.get("replayed")]
    entries = []
    for device, path in zip(replayed, recordings, strict=False):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        entries.append({"device_id": device.device_id, "file": path.name[:500], "sha256": digest.hexdigest()})
    return {"kind": kind, "recordings": entries}
