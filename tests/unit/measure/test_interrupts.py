"""Stop signals are recorded and raised at a safe point, once; ignored ones stay ignored."""

from __future__ import annotations

import os
import signal

import pytest

from une_eval.measure.interrupts import Interrupted, StopSignals, signal_name


def test_a_signal_is_raised_at_the_next_check_once() -> None:
    stop = StopSignals()
    with stop.installed():
        stop.check()  # nothing yet
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.received == signal.SIGTERM  # recorded, not raised where it struck
        with pytest.raises(Interrupted) as info:
            stop.check()
        assert (info.value.exit_code, info.value.cause) == (143, "SIGTERM")
        stop.check()  # finishing: not raised again
        os.kill(os.getpid(), signal.SIGHUP)  # and later signals are ignored
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the previous handlers are back


def test_a_second_signal_before_any_check_raises_at_once() -> None:
    stop = StopSignals()

    def two_signals() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs as soon as kill returns

    with stop.installed(), pytest.raises(Interrupted) as info:
        two_signals()
    assert info.value.signum == signal.SIGINT  # the first signal is the one reported
    assert info.value.cause == "the operator (Ctrl-C)"


def test_an_ignored_signal_stays_ignored() -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        stop = StopSignals()
        with stop.installed():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGHUP)
            stop.check()
        assert stop.received is None
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_hold_ignores_everything_after() -> None:
    stop = StopSignals()
    with stop.installed():
        stop.hold()
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
        stop.check()


def test_signal_names() -> None:
    assert signal_name(15) == "SIGTERM"
    assert signal_name(1) == "SIGHUP"
    assert signal_name(250) == "signal 250"
