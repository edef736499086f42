"""What a workload leaves behind outside its process group: daemons that left its session.

Stopping a workload's process group reaches every process that stayed in it, but a process that calls
``setsid()`` (a daemon, a server started "in the background") leaves the group and would keep running,
and drawing power, through the next runs and after the measurement. On Linux the runner declares itself
a *child subreaper* (``PR_SET_CHILD_SUBREAPER``) before the first workload starts: a process whose
parent exits is then re-parented to the runner instead of to init, so every descendant of a workload
stays findable among the runner's children. :class:`Orphans` remembers the runner's children before a
start; what appears after it and lives in another session than the runner's (a workload's descendants
always do: the workload leads a session of its own, and no process can join the runner's) is the
workload's, and :meth:`Orphans.kill` stops it, along with what those processes leave behind in turn.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from pathlib import Path

_PR_SET_CHILD_SUBREAPER = 36
_ROUNDS = 50
"""How many times the runner looks again for processes re-parented while it killed the previous ones."""


def become_subreaper() -> bool:
    """Make orphaned descendants of this process its children (Linux 3.4+); True when it took effect."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return False


def children() -> set[int]:
    """The pids of this process's children (all threads), from ``/proc``; empty where it is not exposed."""
    found: set[int] = set()
    with contextlib.suppress(OSError):
        for task in Path("/proc/self/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                found.update(int(p) for p in (task / "children").read_text(encoding="ascii").split())
    return found


def _session(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None


class Orphans:
    """The runner's children that a workload started after :meth:`__init__` and that left its group."""

    def __init__(self) -> None:
        become_subreaper()
        self._before = children()
        self._own_session = os.getsid(0)

    def _escaped(self, leader: int) -> set[int]:
        return {
            pid
            for pid in children() - self._before - {leader}
            if (sid := _session(pid)) is not None and sid != self._own_session
        }

    def kill(self, leader: int, *, settle: bool = False) -> int:
        """SIGKILL every escaped descendant (and what each leaves re-parented) and reap it; how many were killed.

        ``settle``: members of the workload's group were just killed too; their children are re-parented only
        once they have died, so look again a few times before concluding that nothing escaped.
        """
        killed: set[int] = set()
        quiet = 0
        for _ in range(_ROUNDS):
            escaped = self._escaped(leader) - killed
            if not escaped:
                quiet += 1
                if not (settle or killed) or quiet >= 3:
                    break
                time.sleep(0.01)
                continue
            quiet = 0
            for pid in escaped:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            killed |= escaped
            time.sleep(0.01)  # let the kernel re-parent their children before looking again
        for pid in killed:
            _reap(pid)
        return len(killed)


def _reap(pid: int) -> None:
    """Collect a killed child's exit status so that it does not stay a zombie (bounded wait)."""
    for _ in range(100):
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        time.sleep(0.01)
