"""Workloads the protocol runs: a vendor's command, or a simulated one for replay.

A workload is started once per execution (warm-up, each run) and waited on with a timeout, so the
runner can keep sampling while it runs. A command runs in a session and process group of its own, so
that stopping it (Ctrl-C, SIGTERM, a timeout, a sensor failure) reaches every process it started,
and whatever it leaves behind when it exits is stopped before the next phase. It never sees
une-eval's own settings and secrets, nor the operator's: every inherited ``UNE_EVAL_*`` variable and
every variable whose name looks like a secret (a token, key, password, credential) is dropped from its
environment unless the operator passes it by name (see :func:`workload_environment`), and the runner
makes itself non-dumpable before the first start, so that a workload of the same user cannot read the
runner's own environment through ``/proc/<pid>/environ`` either. How it reports work units is
:mod:`une_eval.measure.work_units`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import subprocess
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from une_eval.errors import InputError, ProtocolError
from une_eval.measure.orphans import Orphans
from une_eval.measure.sensors import SimulatedClock

PHASE_ENV = "UNE_EVAL_PHASE"
OWN_PREFIX = "UNE_EVAL_"
"""Variables une-eval reads (``UNE_EVAL_KEY_PASSPHRASE`` and any later one): never passed to a workload."""
SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|PRIVATE|COOKIE|(^|_)AUTH|(^|_)(API|ACCESS)_?KEY|_KEY$|^KEY$",
    re.IGNORECASE,
)
"""Names of variables that look like secrets: dropped unless passed by name (``--pass-env``)."""
GRACE_S = 10.0
"""How long a stopped workload gets between SIGTERM and SIGKILL."""


class RunningWorkload(Protocol):
    """A started workload."""

    def wait(self, timeout_s: float) -> int | None:
        """Wait up to ``timeout_s``; the exit code once it has finished, else None."""
        ...

    def terminate(self) -> int:
        """Stop it and everything it started (Ctrl-C, timeout, sensor failure); return its exit code."""
        ...

    def reap(self) -> bool:
        """After it exited: stop what it left running; True when something was left."""
        ...


class Workload(Protocol):
    """Something the runner can start once per execution."""

    def start(self, env: Mapping[str, str]) -> RunningWorkload:
        """Start one execution with extra environment variables."""
        ...


def withheld_names(inherited: Mapping[str, str], passed: Collection[str] = ()) -> list[str]:
    """The inherited variables the workload does not get: every ``UNE_EVAL_*`` one, and secret-looking ones.

    A secret-looking name in ``passed`` (the operator's ``--pass-env``) goes through; une-eval's own never do.
    """
    return sorted(
        k for k in inherited if k.startswith(OWN_PREFIX) or (SECRET_NAME.search(k) is not None and k not in passed)
    )


def workload_environment(
    inherited: Mapping[str, str], extra: Mapping[str, str], passed: Collection[str] = ()
) -> dict[str, str]:
    """The workload's environment: the inherited one minus :func:`withheld_names`, plus ``extra``.

    Dropping the whole ``UNE_EVAL_`` prefix and every secret-looking name (not a list of known names) keeps
    later secrets out too; the runner's own ``UNE_EVAL_PHASE`` and ``UNE_EVAL_RESULT_FILE`` come back in
    through ``extra``.
    """
    withheld = set(withheld_names(inherited, passed))
    env = {k: v for k, v in inherited.items() if k not in withheld}
    env.update(extra)
    return env


_PR_SET_DUMPABLE = 4


def make_undumpable() -> bool:
    """Make this process non-dumpable (Linux); True when it took effect.

    Another process of the same user can then no longer read its memory or ``/proc/<pid>/environ``, where
    the secrets withheld from the workload still are; a process running as root can read it all the same.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return False


class _ProcessGroup:
    """A command started as the leader of its own session; signals go to the whole group."""

    def __init__(self, proc: subprocess.Popen[bytes], grace_s: float, orphans: Orphans) -> None:
        self._proc = proc
        self._grace_s = grace_s
        self._orphans = orphans

    def wait(self, timeout_s: float) -> int | None:
        try:
            return self._proc.wait(timeout=max(timeout_s, 0.0))
        except subprocess.TimeoutExpired:
            return None

    def _signal_group(self, signum: int) -> bool:
        # The group id is the leader's pid; Linux keeps it unused while the group has members.
        try:
            os.killpg(self._proc.pid, signum)
        except ProcessLookupError:
            return False
        except PermissionError:  # pragma: no cover - a member changed its user id
            return True
        return True

    def terminate(self) -> int:
        self._signal_group(signal.SIGTERM)
        try:
            code = self._proc.wait(timeout=self._grace_s)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            code = self._proc.wait()
        # Whatever of the group outlived the leader (workers, a server it started) goes too, and so does
        # whatever left the group (a daemon in a session of its own).
        self._orphans.kill(self._proc.pid, settle=self._signal_group(signal.SIGKILL))
        return code

    def reap(self) -> bool:
        left = self._signal_group(signal.SIGKILL)
        escaped = self._orphans.kill(self._proc.pid, settle=left)
        return left or escaped > 0


class CommandWorkload:
    """The vendor's command, run as a child process (never through a shell) in its own process group.

    ``on_start`` is called just before each start (a rehearsal uses it to play a recording's load).
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        environ: Mapping[str, str] | None = None,
        on_start: Callable[[], None] | None = None,
        grace_s: float = GRACE_S,
        pass_env: Collection[str] = (),
    ) -> None:
        if not argv:
            raise InputError("no workload command given (put it after '--')")
        self._argv = list(argv)
        self._cwd = cwd
        self._environ = environ
        self._on_start = on_start
        self._grace_s = grace_s
        self.pass_env = frozenset(pass_env)

    def withheld(self) -> list[str]:
        """The names of the inherited variables the workload will not get (for the run log; never values)."""
        return withheld_names(os.environ if self._environ is None else self._environ, self.pass_env)

    def start(self, env: Mapping[str, str]) -> RunningWorkload:
        """Start the command in a new session, with the runner's variables and without secrets."""
        inherited = os.environ if self._environ is None else self._environ
        full_env = workload_environment(inherited, env, self.pass_env)
        make_undumpable()
        orphans = Orphans()
        if self._on_start is not None:
            self._on_start()
        try:
            proc = subprocess.Popen(  # noqa: S603 - argv from the auditor, no shell
                self._argv, cwd=self._cwd, env=full_env, start_new_session=True
            )
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise ProtocolError(f"cannot start the workload {self._argv[0]!r}: {why}") from None
        return _ProcessGroup(proc, self._grace_s, orphans)


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

    def terminate(self) -> int:
        self._end_s = self._clock.monotonic_s()
        return -signal.SIGTERM

    def reap(self) -> bool:
        return False


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


def describe_exit(code: int) -> str:
    """Say how a workload ended: 'exited with code 3' or 'was killed by SIGKILL'."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"
