"""A rehearsal: the real workload command measured against a replayed recording, on the host's clock.

Before GPU time is booked, a job can be checked end to end on any machine: that the command starts,
writes its result file, ends within ``--run-timeout``, and that the scheduler's signals stop it
cleanly. ``une-eval measure --replay TRACE PROBE HOST -- COMMAND`` runs the command for real while
the replay sensor plays the recording's load segment from each start of the command. The energy
figures are therefore the recording's, not the command's; the inventory marks the device as replayed.
"""

from __future__ import annotations

from une_eval.measure.replay import ReplaySensor
from une_eval.measure.replaygroup import ReplayGroup
from une_eval.measure.sensors import Clock, DeviceInfo, PowerSample, SimulatedClock


class HostTimedReplay:
    """The replay sensor with its simulated clock kept level with the host's clock before every read."""

    def __init__(self, sensor: ReplaySensor | ReplayGroup, replay_clock: SimulatedClock, host_clock: Clock) -> None:
        self._sensor = sensor
        self._replay_clock = replay_clock
        self._host_clock = host_clock
        self._origin_s = host_clock.monotonic_s() - replay_clock.monotonic_s()

    def _catch_up(self) -> None:
        self._replay_clock.sleep(self._host_clock.monotonic_s() - self._origin_s - self._replay_clock.monotonic_s())

    def play_load(self) -> None:
        """A command starts: play the recording's load segment from now."""
        self._catch_up()
        self._sensor.play_load(self._sensor.load_duration_s)

    def devices(self) -> list[DeviceInfo]:
        """The recorded GPU."""
        return self._sensor.devices()

    def read_power(self) -> list[PowerSample]:
        """Recorded power at the host's present moment."""
        self._catch_up()
        return self._sensor.read_power()

    def read_counters(self) -> dict[str, int]:
        """Recorded counter at the host's present moment."""
        self._catch_up()
        return self._sensor.read_counters()

    def close(self) -> None:
        """Nothing to release."""
        self._sensor.close()
