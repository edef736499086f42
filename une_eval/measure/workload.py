"""Workloads the protocol runs: a vendor's command, or a simulated one for replay; and their work units.

A workload is started once per run and waited on with a timeout, so the runner can keep sampling
while it runs. Work units come from the command line or from a small JSON file whose path the runner
passes in ``UNE_EVAL_RESULT_FILE``; the workload writes ``{"work_units": 1000}`` there.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from une_eval.errors import InputError, ProtocolError
from une_eval.loading import parse_json_bytes
from une_eval.measure.sensors import SimulatedClock

RESULT_FILE_ENV = "UNE_EVAL_RESULT_FILE"
PHASE_ENV = "UNE_EVAL_PHASE"
_MAX_RESULT_BYTES = 65536


class RunningWorkload(Protocol):
    """A started workload."""

    def wait(self, timeout_s: float) -> int | None:
        """Wait up to ``timeout_s``; the exit code once it has finished, else None."""
        ...

    def terminate(self) -> None:
        """Stop it (Ctrl-C, sensor failure)."""
        ...


class Workload(Protocol):
    """Something the runner can start once per run."""

    def start(self, env: Mapping[str, str]) -> RunningWorkload:
        """Start one execution with extra environment variables."""
        ...


class _Process:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._proc = proc

    def wait(self, timeout_s: float) -> int | None:
        try:
            return self._proc.wait(timeout=max(timeout_s, 0.0))
        except subprocess.TimeoutExpired:
            return None

    def terminate(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


class CommandWorkload:
    """The vendor's command, run as a child process (never through a shell)."""

    def __init__(self, argv: Sequence[str], *, cwd: Path | None = None) -> None:
        if not argv:
            raise InputError("no workload command given (put it after '--')")
        self._argv = list(argv)
        self._cwd = cwd

    def start(self, env: Mapping[str, str]) -> RunningWorkload:
        """Start the command with the runner's variables added to the environment."""
        try:
            proc = subprocess.Popen(self._argv, cwd=self._cwd, env={**os.environ, **env})  # noqa: S603
        except OSError as exc:
            why = exc.strerror or exc
            raise ProtocolError(f"cannot start the workload {self._argv[0]!r}: {why}") from None
        return _Process(proc)


class _Simulated:
    def __init__(self, clock: SimulatedClock, duration_s: float, exit_code: int) -> None:
        self._clock = clock
        self._end_s = clock.monotonic_s() + duration_s
        self._exit_code = exit_code

    def wait(self, timeout_s: float) -> int | None:
        left_s = self._end_s - self._clock.monotonic_s()
        if left_s <= timeout_s:
            self._clock.sleep(left_s)
            return self._exit_code
        self._clock.sleep(timeout_s)
        return None

    def terminate(self) -> None:
        self._end_s = self._clock.monotonic_s()


class SimulatedWorkload:
    """A workload of fixed duration on a simulated clock; ``on_start`` tells the replay sensor to play load.

    ``exit_codes`` gives the exit code of each successive start (default 0), so tests can make a run fail.
    """

    def __init__(
        self,
        clock: SimulatedClock,
        duration_s: float,
        on_start: Callable[[float], None],
        *,
        exit_codes: Sequence[int] = (),
    ) -> None:
        self._clock = clock
        self._duration_s = duration_s
        self._on_start = on_start
        self._exit_codes = list(exit_codes)
        self.starts = 0

    def start(self, env: Mapping[str, str]) -> RunningWorkload:
        """Begin one simulated execution."""
        code = self._exit_codes[self.starts] if self.starts < len(self._exit_codes) else 0
        self.starts += 1
        self._on_start(self._duration_s)
        return _Simulated(self._clock, self._duration_s, code)


def read_result_file(path: Path) -> float | None:
    """Work units a workload reported in its result file; None when it wrote none."""
    if not path.exists():
        return None
    try:
        data = path.read_bytes()[: _MAX_RESULT_BYTES + 1]
    except OSError as exc:
        raise ProtocolError(f"cannot read the workload's result file {path}: {exc.strerror or exc}") from None
    if len(data) > _MAX_RESULT_BYTES:
        raise ProtocolError(f"the workload's result file {path} is over {_MAX_RESULT_BYTES} bytes")
    try:
        doc = parse_json_bytes(data)
    except InputError as exc:
        raise ProtocolError(f"the workload's result file {path} is not valid JSON: {exc}") from None
    units = doc.get("work_units") if isinstance(doc, dict) else None
    if isinstance(units, bool) or not isinstance(units, int | float) or units < 0:
        raise ProtocolError(f"the workload's result file {path} needs a non-negative number 'work_units'")
    return float(units)
