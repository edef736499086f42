"""The measurement protocol: idle baseline, warm-up, N measured runs with randomised pauses, cool-down.

Each phase is a window between two :meth:`Sampler.mark` calls, so its energy is a counter difference
at its boundaries. The protocol records what happened as plain data (:class:`ProtocolRecord`); it
stops at the first failed run (non-zero exit, timeout, unusable result file), sensor error or
interruption and says why, and the caller writes a partial submission from what was recorded.
:attr:`Protocol.phase` always names the phase under way, so an interruption can say where it struck.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Callable
from dataclasses import dataclass, field

from une_eval.errors import ProtocolError, SensorError
from une_eval.measure.sampler import Mark, Sampler
from une_eval.measure.work_units import RESULT_FILE_ENV, ResultFiles
from une_eval.measure.workload import PHASE_ENV, Workload, describe_exit

# A workload killed by one of these most often shares the runner's Ctrl-C or stop (Slurm's scancel, a
# terminal's Ctrl-C to the foreground group); the runner's own handler may run a moment after the workload
# died, so it is given this long to arrive before the run is called a workload failure.
_STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
SIGNAL_GRACE_S = 0.5


@dataclass(frozen=True, slots=True)
class ProtocolConfig:
    """Durations and counts of the protocol (defaults from docs/measure.md; minimums from the profile)."""

    runs: int = 5
    idle_s: float = 60.0
    warmup: bool = True
    pause_min_s: float = 5.0
    pause_max_s: float = 15.0
    cooldown_s: float = 0.0
    work_units: float | None = None
    seed: int | None = None
    run_timeout_s: float | None = None
    """Longest an execution (warm-up or run) may take; then its process group is stopped and it fails."""


@dataclass(frozen=True, slots=True)
class Window:
    """One measured window: times, energy per device, peaks, resets."""

    start: Mark
    end: Mark
    peak_w: dict[str, float]
    peak_total_w: float

    @property
    def duration_s(self) -> float:
        """Length of the window on the monotonic clock."""
        return self.end.time_s - self.start.time_s

    def energy_j(self, device_id: str) -> float:
        """Energy of one device in the window."""
        return self.end.energy_j[device_id] - self.start.energy_j[device_id]

    def reset_devices(self) -> list[str]:
        """Devices whose counter went backwards inside the window."""
        return [d for d, n in self.end.resets.items() if n != self.start.resets.get(d, 0)]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One measured run as it happened."""

    index: int
    window: Window
    exit_code: int
    work_units: float | None
    problem: str | None = None


@dataclass(slots=True)
class ProtocolRecord:
    """What the protocol measured so far; ``complete`` only when every phase finished cleanly."""

    baseline: Window | None = None
    warmup: Window | None = None
    runs: list[RunRecord] = field(default_factory=list)
    complete: bool = False
    incomplete_reason: str | None = None


Progress = Callable[[str, int, int], None]


class Protocol:
    """Runs the phases of the protocol on one sampler and one workload."""

    def __init__(
        self,
        sampler: Sampler,
        workload: Workload,
        config: ProtocolConfig,
        results: ResultFiles,
        *,
        progress: Progress | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self._sampler = sampler
        self._workload = workload
        self._config = config
        self._results = results
        self._rng = random.Random(config.seed)  # noqa: S311 - pause lengths, not secrets
        self._report = progress or (lambda phase, k, n: None)
        self._log = log or (lambda message: None)
        self.record = ProtocolRecord()
        self.phase = "preflight"
        self.next_run = 0
        self._open_run: tuple[int, Mark] | None = None  # the measured run under way and its start mark
        self._stopped_code: int | None = None  # the exit code of a workload stopped by an exception

    def _progress(self, phase: str, k: int, n: int) -> None:
        self.phase = phase
        self._report(phase, k, n)

    def where(self) -> str:
        """The phase under way in words: 'the idle baseline', 'run 2', 'the pause before run 1'."""
        if self.phase.startswith("run-"):
            return f"run {self.phase[4:]}"
        return {
            "preflight": "preflight",
            "idle": "the idle baseline",
            "warmup": "the warm-up",
            "pause": f"the pause before run {self.next_run}",
            "cooldown": "the cool-down",
        }.get(self.phase, self.phase)

    def run(self, checkpoint: Callable[[ProtocolRecord], None] | None = None) -> ProtocolRecord:
        """Run every phase; on a failed run, sensor or protocol error, stop and say why (interruptions propagate)."""
        save = checkpoint or (lambda rec: None)
        try:
            self._progress("idle", 0, self._config.runs)
            self.record.baseline = self._idle_window("idle", self._config.idle_s)
            save(self.record)
            if self._config.warmup:
                self._progress("warmup", 0, self._config.runs)
                code, timed_out, window = self._execute("warmup")
                self.record.warmup = window
                if timed_out:
                    return self.stop(f"the warm-up execution {self._timed_out()}")
                if code != 0:
                    return self.stop(f"the warm-up execution {describe_exit(code)}")
            for k in range(self._config.runs):
                self.next_run = k
                if k > 0 or self._config.warmup:
                    self._progress("pause", k, self._config.runs)
                    self._sampler.sample_for("pause", self._pause_s())
                self._progress(f"run-{k}", k + 1, self._config.runs)
                run = self._measured_run(k)
                self.record.runs.append(run)
                save(self.record)
                if run.problem is not None:
                    return self.stop(f"run {k}: {run.problem}")
            if self._config.cooldown_s > 0:
                self._progress("cooldown", self._config.runs, self._config.runs)
                self._sampler.sample_for("cooldown", self._config.cooldown_s)
        except SensorError as exc:
            return self.stop(f"sensor error: {exc}")
        except ProtocolError as exc:
            return self.stop(str(exc))
        self.record.complete = True
        return self.record

    def stop(self, reason: str) -> ProtocolRecord:
        """Mark the record incomplete with ``reason`` and return it (the caller's too: interruption, output error)."""
        self.record.complete = False
        self.record.incomplete_reason = reason
        return self.record

    def interrupt(self, reason: str) -> ProtocolRecord:
        """Stop on a signal: one last counter read of every device closes the traces, and the run under way.

        The run that was cut short is recorded as failed with ``reason``, its energy the counter difference
        from its start to this last read, so that a partial run's energy ends on a real reading rather than on
        whichever read happened to come last. A sensor that fails this read leaves the record as it was.
        """
        if self.phase != "preflight":
            try:
                end = self._sampler.mark(self.phase)
            except SensorError as exc:
                self._log(f"the final counter read failed: {exc}")
                return self.stop(reason)
            self._log("final counter read of every device")
            if self._open_run is not None:
                k, start = self._open_run
                window = Window(start, end, dict(self._sampler.window.peak_w), self._sampler.window.peak_total_w)
                code = self._stopped_code if self._stopped_code is not None else -1
                self.record.runs.append(RunRecord(k, window, code, None, reason))
                self._open_run = None
        return self.stop(reason)

    def _pause_s(self) -> float:
        return self._rng.uniform(self._config.pause_min_s, self._config.pause_max_s)

    def _idle_window(self, phase: str, duration_s: float) -> Window:
        self._sampler.open_window()
        start = self._sampler.mark(phase)
        self._sampler.sample_for(phase, duration_s)
        end = self._sampler.mark(phase)
        return Window(start, end, dict(self._sampler.window.peak_w), self._sampler.window.peak_total_w)

    def _timed_out(self) -> str:
        return f"ran past --run-timeout {self._config.run_timeout_s:g} s and was stopped (its whole process group)"

    def _execute(self, phase: str) -> tuple[int, bool, Window]:
        """Run the workload once: its exit code, whether it ran past the timeout (and was stopped), its window."""
        self._results.clear(phase)
        self._sampler.open_window()
        start = self._sampler.mark(phase)
        running = self._workload.start({RESULT_FILE_ENV: str(self._results.path_for(phase)), PHASE_ENV: phase})
        if phase.startswith("run-"):
            self._open_run = (int(phase[4:]), start)  # started: a signal from now on cuts this run short
        try:
            code = self._sampler.sample_until(phase, running.wait, limit_s=self._config.run_timeout_s)
        except BaseException:
            self._stopped_code = running.terminate()
            raise
        if code is not None and code < 0 and -code in _STOP_SIGNALS:
            try:  # killed by Ctrl-C or a stop: if the runner got the same signal, that is the reason
                self._sampler.check_stop(grace_s=SIGNAL_GRACE_S)
            except BaseException:
                running.terminate()  # whatever of its process group outlived it goes too
                self._stopped_code = code
                raise
        timed_out = code is None
        if code is None:
            code = running.terminate()
        elif running.reap():
            self._log(f"{phase}: the workload left processes running after it exited; they were stopped")
        end = self._sampler.mark(phase)
        self._open_run = None
        window = Window(start, end, dict(self._sampler.window.peak_w), self._sampler.window.peak_total_w)
        return code, timed_out, window

    def _measured_run(self, k: int) -> RunRecord:
        phase = f"run-{k}"
        code, timed_out, window = self._execute(phase)
        units, problem = self._config.work_units, None
        if timed_out:
            problem = f"the workload {self._timed_out()}"
        elif code != 0:
            problem = f"the workload {describe_exit(code)}"
        elif window.reset_devices():
            problem = f"energy counter reset on {', '.join(window.reset_devices())} (driver reloaded?)"
        else:
            try:
                reported = self._results.read(phase)
            except ProtocolError as exc:
                reported, problem = None, str(exc)
            units = reported if reported is not None else units
            if problem is None and units is None:
                problem = f"the workload wrote no work units to ${RESULT_FILE_ENV} and none were given"
        return RunRecord(k, window, code, units, problem)
