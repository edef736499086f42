"""The measurement protocol: idle baseline, warm-up, N measured runs with randomised pauses, cool-down.

Each phase is a window between two :meth:`Sampler.mark` calls, so its energy is a counter difference
at its boundaries. The protocol records what happened as plain data (:class:`ProtocolRecord`); it
stops at the first failed run, sensor error or interruption and says why, and the caller writes a
partial submission from what was recorded.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from une_eval.errors import SensorError
from une_eval.measure.sampler import Mark, Sampler
from une_eval.measure.workload import PHASE_ENV, RESULT_FILE_ENV, Workload, read_result_file


@dataclass(frozen=True, slots=True)
class ProtocolConfig:
    """Durations and counts of the protocol (defaults from MEASUREMENT.md; minimums from the profile)."""

    runs: int = 5
    idle_s: float = 60.0
    warmup: bool = True
    pause_min_s: float = 5.0
    pause_max_s: float = 15.0
    cooldown_s: float = 0.0
    work_units: float | None = None
    seed: int | None = None


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
        work_dir: Path,
        *,
        progress: Progress | None = None,
    ) -> None:
        self._sampler = sampler
        self._workload = workload
        self._config = config
        self._work_dir = work_dir
        self._rng = random.Random(config.seed)  # noqa: S311 - pause lengths, not secrets
        self._progress = progress or (lambda phase, k, n: None)
        self.record = ProtocolRecord()

    def run(self, checkpoint: Callable[[ProtocolRecord], None] | None = None) -> ProtocolRecord:
        """Run every phase; on a failed run or sensor error, stop and say why (Ctrl-C propagates)."""
        save = checkpoint or (lambda rec: None)
        try:
            self._progress("idle", 0, self._config.runs)
            self.record.baseline = self._idle_window("idle", self._config.idle_s)
            save(self.record)
            if self._config.warmup:
                self._progress("warmup", 0, self._config.runs)
                code, window, _ = self._execute("warmup")
                self.record.warmup = window
                if code != 0:
                    return self._stop(f"the warm-up execution exited with code {code}")
            for k in range(self._config.runs):
                if k > 0 or self._config.warmup:
                    self._progress("pause", k, self._config.runs)
                    self._sampler.sample_for("pause", self._pause_s())
                self._progress(f"run-{k}", k + 1, self._config.runs)
                run = self._measured_run(k)
                self.record.runs.append(run)
                save(self.record)
                if run.problem is not None:
                    return self._stop(f"run {k}: {run.problem}")
            if self._config.cooldown_s > 0:
                self._progress("cooldown", self._config.runs, self._config.runs)
                self._sampler.sample_for("cooldown", self._config.cooldown_s)
        except SensorError as exc:
            return self._stop(f"sensor error: {exc}")
        self.record.complete = True
        return self.record

    def _stop(self, reason: str) -> ProtocolRecord:
        self.record.complete = False
        self.record.incomplete_reason = reason
        return self.record

    def _pause_s(self) -> float:
        return self._rng.uniform(self._config.pause_min_s, self._config.pause_max_s)

    def _idle_window(self, phase: str, duration_s: float) -> Window:
        self._sampler.open_window()
        start = self._sampler.mark(phase)
        self._sampler.sample_for(phase, duration_s)
        end = self._sampler.mark(phase)
        return Window(start, end, dict(self._sampler.window.peak_w), self._sampler.window.peak_total_w)

    def _execute(self, phase: str) -> tuple[int, Window, Path]:
        result_file = self._work_dir / f"{phase}.result.json"
        result_file.unlink(missing_ok=True)
        self._sampler.open_window()
        start = self._sampler.mark(phase)
        running = self._workload.start({RESULT_FILE_ENV: str(result_file), PHASE_ENV: phase})
        try:
            code = self._sampler.sample_until(phase, running.wait)
        except BaseException:
            running.terminate()
            raise
        end = self._sampler.mark(phase)
        window = Window(start, end, dict(self._sampler.window.peak_w), self._sampler.window.peak_total_w)
        return code, window, result_file

    def _measured_run(self, k: int) -> RunRecord:
        code, window, result_file = self._execute(f"run-{k}")
        units = read_result_file(result_file) if code == 0 else None
        if units is None:
            units = self._config.work_units
        problem = None
        if code != 0:
            problem = f"the workload exited with code {code}"
        elif window.reset_devices():
            problem = f"energy counter reset on {', '.join(window.reset_devices())} (driver reloaded?)"
        elif units is None:
            problem = f"the workload wrote no work units to ${RESULT_FILE_ENV} and none were given"
        return RunRecord(k, window, code, units, problem)
