"""Several replayed GPUs on one node: each plays its own recording, all start their load together.

``une-eval measure --replay TRACE PROBE HOST --replay-gpu TRACE2 PROBE2`` gives a replayed node more
than one GPU (device ids ``<node>-gpu0``, ``<node>-gpu1``, ...), so a many-node job can be rehearsed
with the device sets a real allocation has, including a node that lacks a GPU or reports one twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from une_eval.measure.replay import ReplaySensor
from une_eval.measure.sensors import DeviceInfo, PowerSample


class ReplayGroup:
    """Replay sensors read as one sensor; :meth:`play_load` starts the load on all of them."""

    def __init__(self, sensors: Sequence[ReplaySensor]) -> None:
        if not sensors:
            raise ValueError("a replay group needs at least one sensor")
        self._sensors = list(sensors)

    @property
    def load_duration_s(self) -> float:
        """The longest of the recordings' load segments (the simulated workload's length)."""
        return max(s.load_duration_s for s in self._sensors)

    def play_load(self, duration_s: float) -> None:
        """A workload starts: every GPU plays its load segment for ``duration_s``."""
        for sensor in self._sensors:
            sensor.play_load(duration_s)

    def devices(self) -> list[DeviceInfo]:
        """Every replayed GPU, in order."""
        return [d for s in self._sensors for d in s.devices()]

    def read_power(self) -> list[PowerSample]:
        """Recorded power of every GPU now."""
        return [p for s in self._sensors for p in s.read_power()]

    def read_counters(self) -> dict[str, int]:
        """Recorded counter of every GPU now."""
        out: dict[str, int] = {}
        for sensor in self._sensors:
            out.update(sensor.read_counters())
        return out

    def close(self) -> None:
        """Nothing to release."""
        for sensor in self._sensors:
            sensor.close()
