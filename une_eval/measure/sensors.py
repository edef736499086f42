"""The sensor interface every energy source implements, the devices it reports on, and the clocks.

A sensor (NVML, RAPL, replay) lists its devices once and then answers two kinds of reads: a cheap
power sample (taken at 10 Hz) and an energy-counter read (taken at window boundaries and at a low
rate). Counters are returned raw, in the device's counter unit, so the runner does the wrap and reset
arithmetic in one place (:mod:`une_eval.energy`). Clocks are injected: the runner and the sensors
share one, real on a GPU server and simulated when a recording is replayed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Component = Literal["gpu", "cpu", "dram"]
Method = Literal["nvml-energy-counter", "nvml-power-integration", "rapl"]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One measured device and what the submission and the run log need to know about it."""

    device_id: str
    component: Component
    method: Method
    model: str
    counter_unit_j: float | None
    """Joules per counter count (0.001 for NVML mJ, 1e-6 for RAPL µJ); None without a counter."""
    counter_column: str | None = None
    """The trace column the raw counter goes to (``energy_mj`` or ``energy_uj``)."""
    wrap_at: int | None = None
    """Counter range: a decrease is one wrap (RAPL). None: a decrease is a reset (NVML)."""
    uuid: str | None = None
    power_limit_w: float | None = None
    default_power_limit_w: float | None = None
    memory_gb: float | None = None
    mig_enabled: bool = False
    has_instant_power: bool = True
    """A GPU answers the instant-power field; without it the trace has no ``power_instant_mw`` column."""
    update_period_s: float = 0.1
    instrument: str = ""
    instrument_version: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    """Everything else the inventory read (serial, clocks, temperature, throttle reasons, processes)."""

    @property
    def has_energy_counter(self) -> bool:
        """The device exposes a cumulative energy counter."""
        return self.counter_unit_j is not None


@dataclass(frozen=True, slots=True)
class PowerSample:
    """Power of one device at one tick, in mW (None where the device has no such field)."""

    device_id: str
    power_instant_mw: int | None
    power_average_mw: int | None = None


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A component that cannot be measured here, and why (the submission says so)."""

    component: Component
    reason: str


class EnergySensor(Protocol):
    """A source of power samples and energy-counter reads for a set of devices."""

    def devices(self) -> list[DeviceInfo]:
        """List the devices this sensor measures (read once, at preflight)."""
        ...

    def read_power(self) -> list[PowerSample]:
        """One cheap power sample per device."""
        ...

    def read_counters(self) -> dict[str, int]:
        """Read the raw cumulative energy counter of every device that has one, by device id."""
        ...

    def close(self) -> None:
        """Release the sensor (NVML shutdown, file handles)."""
        ...


class Clock(Protocol):
    """Monotonic time for scheduling, wall time for timestamps, and sleeping."""

    def monotonic_s(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def unix_ns(self) -> int:
        """Nanoseconds since 1970-01-01 UTC."""
        ...

    def sleep(self, duration_s: float) -> None:
        """Wait ``duration_s`` seconds (no-op for a non-positive duration)."""
        ...


class SystemClock:
    """The host's clocks; wall time maps the monotonic clock once, so the two agree within a measurement."""

    def __init__(self) -> None:
        self._offset_ns = time.time_ns() - time.monotonic_ns()

    def monotonic_s(self) -> float:
        """Seconds on the host's monotonic clock."""
        return time.monotonic()

    def unix_ns(self) -> int:
        """Wall time mapped from the monotonic clock once, at construction."""
        return time.monotonic_ns() + self._offset_ns

    def sleep(self, duration_s: float) -> None:
        """Sleep on the host."""
        if duration_s > 0:
            time.sleep(duration_s)


class SimulatedClock:
    """A clock that only moves when told to: replay runs the whole protocol in a fraction of a second."""

    def __init__(self, start_unix_ns: int = 1_795_000_000_000_000_000) -> None:
        self._now_ns = 0
        self._start_unix_ns = start_unix_ns

    def monotonic_s(self) -> float:
        """Return simulated seconds since the clock was made."""
        return self._now_ns / 1e9

    def unix_ns(self) -> int:
        """Return a fixed epoch plus simulated time (deterministic output for tests)."""
        return self._start_unix_ns + self._now_ns

    def sleep(self, duration_s: float) -> None:
        """Advance simulated time."""
        if duration_s > 0:
            # Rounding up: a loop that sleeps until a deadline must reach it, never stall just short of it.
            self._now_ns += max(math.ceil(duration_s * 1e9), 1)
