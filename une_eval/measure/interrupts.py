"""Stop signals during a measurement: Ctrl-C (SIGINT), SIGTERM (schedulers) and SIGHUP (a hung-up session).

While :meth:`StopSignals.installed` is active, a stop signal is only recorded; the sampler calls
:meth:`StopSignals.check` before every tick (at least ten times a second), which raises
:class:`Interrupted` there, at a point where no file is half-written and no workload half-started.
The protocol then stops the workload's process group and the runner writes the partial submission.
A signal that was ignored when the measurement began (``nohup`` ignores SIGHUP) stays ignored.
A second stop signal before the first has been acted upon (the runner is stuck in a sensor call)
raises at once; once the runner is finishing, further signals are ignored so that it can finish.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(KeyboardInterrupt):
    """The measurement was stopped by a signal; ``exit_code`` is the shell's 128 + signal number."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal_name(signum))

    @property
    def exit_code(self) -> int:
        """128 + the signal number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
        return 128 + self.signum

    @property
    def cause(self) -> str:
        """'SIGTERM', or 'the operator (Ctrl-C)' for SIGINT."""
        return "the operator (Ctrl-C)" if self.signum == signal.SIGINT else signal_name(self.signum)


def signal_name(signum: int) -> str:
    """Return 'SIGTERM' for 15, and 'signal N' for a number Python does not name."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class StopSignals:
    """Records the first stop signal; :meth:`check` turns it into :class:`Interrupted` at a safe point."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._raised = False
        self.abrupt = False
        """True when a second signal raised at once, wherever the runner was (even between two writes)."""

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._raised:
            return  # finishing: let it finish
        if self.received is not None:
            self._raised = self.abrupt = True  # a second signal while stuck: stop here
            raise Interrupted(self.received)
        self.received = signum

    def check(self) -> None:
        """Raise :class:`Interrupted` (once) when a stop signal has arrived."""
        if self.received is not None and not self._raised:
            self._raised = True
            raise Interrupted(self.received)

    def hold(self) -> None:
        """The runner is finishing: from now on stop signals are ignored and :meth:`check` never raises."""
        self._raised = True

    @contextmanager
    def installed(self) -> Iterator[StopSignals]:
        """Handle the stop signals in this block (main thread only; elsewhere Python cannot)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        # A signal already ignored stays ignored: nohup ignores SIGHUP, a background job SIGINT.
        previous = {s: signal.getsignal(s) for s in STOP_SIGNALS if signal.getsignal(s) is not signal.SIG_IGN}
        try:
            for s in previous:
                signal.signal(s, self._handle)
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
