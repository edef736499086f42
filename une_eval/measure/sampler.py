"""The sampler: power at 10 Hz, counters at a low rate and at window boundaries, energy accumulated.

Counters are read rarely because they are costly and only differences at window boundaries matter:
NVML's total energy takes ~3 ms per call on an H200, and that time is CPU, not waiting (measured with
the real driver: at 10 Hz one GPU's sampler used 3.6 % of a core, at 2 Hz 1.4 %). Between boundaries
they are read every :data:`COUNTER_INTERVAL_S`, on the tick grid: often enough that two reads are
never more than a second apart (the gap a validator accepts by default, short enough to see a driver
reset as a decrease, and at most one wrap of a RAPL counter between reads), and no more often.

Each device's energy is accumulated read to read with :func:`une_eval.energy.counter_delta`; a
device without a counter accumulates its integrated instant power instead (the labelled estimate),
or, where the device has no instant-power field either, its integrated averaged power (labelled as
such by the sensor). A counter that goes backwards without a wrap marks the device as reset: every
window that spans the reset is invalid. ``before_tick`` is called before every sample: the runner's
stop-signal check raises there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from une_eval.energy import CounterReset, counter_delta
from une_eval.measure.sensors import Clock, DeviceInfo, EnergySensor, PowerSample
from une_eval.traces import TraceWriter

# Between boundaries the counters are read on the first tick at least this long after the last read:
# with 10 Hz ticks that is every 0.9 s, under the 1 s between counter reads that profiles allow.
COUNTER_INTERVAL_S = 0.9


@dataclass(slots=True)
class _Account:
    info: DeviceInfo
    energy_j: float = 0.0
    last_counter: int | None = None
    last_counter_s: float = 0.0
    last_power: tuple[float, float] | None = None
    resets: int = 0
    power_w: float = 0.0
    peak_w: float = 0.0


@dataclass(frozen=True, slots=True)
class Mark:
    """The state at a window boundary: accumulated energy per device and resets seen so far."""

    time_s: float
    unix_ns: int
    energy_j: dict[str, float]
    resets: dict[str, int]


@dataclass(slots=True)
class WindowPower:
    """Peak power per device and of the sum of devices, since the window opened."""

    peak_w: dict[str, float] = field(default_factory=dict)
    peak_total_w: float = 0.0


class Sampler:
    """Reads the sensors on one schedule and writes every read to the device's trace."""

    def __init__(
        self,
        sensors: Sequence[EnergySensor],
        clock: Clock,
        writers: dict[str, TraceWriter],
        *,
        interval_s: float = 0.1,
        counter_interval_s: float = COUNTER_INTERVAL_S,
        on_tick: Callable[[str, dict[str, float]], None] | None = None,
        before_tick: Callable[[], None] | None = None,
    ) -> None:
        self._sensors = list(sensors)
        self._clock = clock
        self._writers = writers
        self.interval_s = interval_s
        self._counter_interval_s = counter_interval_s
        self._accounts = {d.device_id: _Account(d) for s in self._sensors for d in s.devices()}
        self._next_counter_s = 0.0
        self._tick_stamp = (0.0, 0)
        self._window = WindowPower()
        self._on_tick = on_tick
        self._before_tick = before_tick
        self.ticks = 0

    @property
    def devices(self) -> list[DeviceInfo]:
        """Every device of every sensor."""
        return [a.info for a in self._accounts.values()]

    def tick(self, phase: str, *, counters: bool = False) -> None:
        """One sample of every device; counters too when due or when ``counters`` is set."""
        if self._before_tick is not None:
            self._before_tick()
        now_s, unix_ns = self._clock.monotonic_s(), self._clock.unix_ns()
        self._tick_stamp = (now_s, unix_ns)
        rows: dict[str, dict[str, int | str | None]] = {
            dev_id: {"time_unix_ns": unix_ns, "phase": phase} for dev_id in self._accounts
        }
        read_counters = counters or now_s >= self._next_counter_s
        for sensor in self._sensors:
            for sample in sensor.read_power():
                rows[sample.device_id].update(
                    power_instant_mw=sample.power_instant_mw, power_average_mw=sample.power_average_mw
                )
                self._account_power(sample.device_id, now_s, _integrated_mw(self._accounts[sample.device_id], sample))
            if read_counters:
                for dev_id, raw in sensor.read_counters().items():
                    rows[dev_id][self._accounts[dev_id].info.counter_column or "energy_mj"] = raw
                    self._account_counter(dev_id, raw, now_s)
        if read_counters:
            # Half a tick early, so that a tick that wakes a little sooner than the last one still reads:
            # the reads then stay on the grid, exactly counter_interval_s (rounded up to ticks) apart.
            self._next_counter_s = now_s + self._counter_interval_s - self.interval_s / 2
        total_w = sum(a.power_w for a in self._accounts.values())
        self._window.peak_total_w = max(self._window.peak_total_w, total_w)
        for dev_id, row in rows.items():
            self._writers[dev_id].write(row, now_s)
        self.ticks += 1
        if self._on_tick is not None:
            self._on_tick(phase, {d: a.power_w for d, a in self._accounts.items()})

    def _account_power(self, dev_id: str, now_s: float, power_mw: int | None) -> None:
        acc = self._accounts[dev_id]
        if power_mw is None:
            return
        power_w = power_mw / 1000
        if not acc.info.has_energy_counter and acc.last_power is not None:
            t0, p0 = acc.last_power
            acc.energy_j += (p0 + power_w) / 2 * (now_s - t0)
        acc.last_power = (now_s, power_w)
        acc.power_w = power_w
        self._window.peak_w[dev_id] = max(self._window.peak_w.get(dev_id, 0.0), power_w)

    def _account_counter(self, dev_id: str, raw: int, now_s: float) -> None:
        acc = self._accounts[dev_id]
        if acc.last_counter is not None and acc.info.counter_unit_j is not None:
            try:
                delta_j = counter_delta(acc.last_counter, raw, wrap_at=acc.info.wrap_at) * acc.info.counter_unit_j
                if raw < acc.last_counter:
                    _check_wrap(dev_id, delta_j, now_s - acc.last_counter_s)
                acc.energy_j += delta_j
            except CounterReset:
                acc.resets += 1
        acc.last_counter, acc.last_counter_s = raw, now_s

    def mark(self, phase: str) -> Mark:
        """Mark a boundary: read every counter now and return the accumulated state."""
        self.tick(phase, counters=True)
        # The boundary is when its rows were stamped: a window then starts and ends exactly at the trace's
        # boundary reads, however long the reads took (8 NVML counter reads take ~25 ms on an H200).
        now_s, unix_ns = self._tick_stamp
        return Mark(
            now_s,
            unix_ns,
            {d: a.energy_j for d, a in self._accounts.items()},
            {d: a.resets for d, a in self._accounts.items()},
        )

    def open_window(self) -> None:
        """Start tracking peak power for a new window."""
        self._window = WindowPower()

    @property
    def window(self) -> WindowPower:
        """Peak power since :meth:`open_window`."""
        return self._window

    def sample_for(self, phase: str, duration_s: float) -> None:
        """Sample at the tick rate for ``duration_s`` (idle baseline, pauses, cool-down)."""
        end_s = self._clock.monotonic_s() + duration_s
        next_s = self._clock.monotonic_s() + self.interval_s  # the boundary mark has just sampled
        while True:
            now_s = self._clock.monotonic_s()
            if now_s >= end_s:
                return
            if now_s >= next_s:
                self.tick(phase)
                next_s = _next_tick(next_s, now_s, self.interval_s)
            self._clock.sleep(min(next_s, end_s) - self._clock.monotonic_s())

    def check_stop(self, *, grace_s: float = 0.0) -> None:
        """Raise the runner's pending stop signal, if any, waiting up to ``grace_s`` for one to arrive.

        The grace is for a workload that died of a stop signal (Ctrl-C, SIGTERM, SIGHUP): the same signal
        usually reached the runner too, a moment later, and then it, not the workload, explains the stop.
        """
        if self._before_tick is None:
            return
        end_s = self._clock.monotonic_s() + grace_s
        while True:
            self._before_tick()
            if self._clock.monotonic_s() >= end_s:
                return
            self._clock.sleep(min(0.02, end_s - self._clock.monotonic_s()))

    def sample_until(
        self, phase: str, wait: Callable[[float], int | None], *, limit_s: float | None = None
    ) -> int | None:
        """Sample while ``wait(timeout_s)`` says the workload runs; its exit code, or None after ``limit_s``."""
        now_s = self._clock.monotonic_s()
        deadline_s = now_s + limit_s if limit_s is not None else None
        next_s = now_s + self.interval_s
        while True:
            step_s = max(next_s - self._clock.monotonic_s(), 0.0)
            if deadline_s is not None:
                step_s = min(step_s, max(deadline_s - self._clock.monotonic_s(), 0.0))
            code = wait(step_s)
            if code is not None:
                return code
            now_s = self._clock.monotonic_s()
            if deadline_s is not None and now_s >= deadline_s:
                return None
            self.tick(phase)
            next_s = _next_tick(next_s, now_s, self.interval_s)

    def flush(self) -> None:
        """Flush every trace."""
        for writer in self._writers.values():
            writer.flush()

    def close(self) -> None:
        """Close every trace."""
        for writer in self._writers.values():
            writer.close()


def _check_wrap(dev_id: str, gained_j: float, elapsed_s: float) -> None:
    """A decrease read as a wrap that would mean more power than any wrapping domain draws is a restart.

    The validator reads the same trace the same way (:data:`une_eval.validation.windows.MAX_WRAPPING_DOMAIN_W`),
    so the runner never declares almost a whole counter range of energy where the validator sees a reset.
    """
    from une_eval.validation.windows import MAX_WRAPPING_DOMAIN_W  # numpy, only on this rare path

    if gained_j > MAX_WRAPPING_DOMAIN_W * max(elapsed_s, 1e-9):
        raise CounterReset(f"{dev_id} restarted: read as a wrap it gained {gained_j:.0f} J in {elapsed_s:.3f} s")


def _integrated_mw(account: _Account, sample: PowerSample) -> int | None:
    """The power a device's energy estimate and peaks come from: instant, or averaged where it has no instant."""
    if account.info.has_instant_power:
        return sample.power_instant_mw
    return sample.power_average_mw


def _next_tick(scheduled_s: float, now_s: float, interval_s: float) -> float:
    """Return the next tick on the fixed grid; ticks missed while a slow read ran are skipped, not bunched."""
    nxt = scheduled_s + interval_s
    if nxt <= now_s:
        nxt += ((now_s - nxt) // interval_s + 1) * interval_s
    return nxt
