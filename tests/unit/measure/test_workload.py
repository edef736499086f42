"""The workload runs in its own process group, without une-eval's secrets, and is stopped as a whole."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.acceptance.measure_helpers import process_gone, wait_until
from une_eval.errors import InputError, ProtocolError
from une_eval.measure.workload import CommandWorkload, describe_exit, workload_environment

SPAWN = """
import os, subprocess, sys, time, signal
if os.environ.get("IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
child = subprocess.Popen([sys.executable, "-c", stubborn])
open(os.environ["PIDS"], "w").write(f"{os.getpid()} {child.pid} {os.getpgid(0)} {os.getsid(0)}")
time.sleep(float(os.environ.get("SLEEP", "600")))
"""


def _pids(path: Path) -> list[int]:
    wait_until(lambda: path.is_file() and len(path.read_text().split()) == 4, "the workload's pids", 30)
    return [int(p) for p in path.read_text().split()]


def test_environment_drops_every_une_eval_variable_and_adds_the_runners() -> None:
    inherited = {"PATH": "/bin", "UNE_EVAL_KEY_PASSPHRASE": "s", "UNE_EVAL_FUTURE_TOKEN": "t", "HOME": "/h"}
    env = workload_environment(inherited, {"UNE_EVAL_PHASE": "run-0", "UNE_EVAL_RESULT_FILE": "/r"})
    assert env == {"PATH": "/bin", "HOME": "/h", "UNE_EVAL_PHASE": "run-0", "UNE_EVAL_RESULT_FILE": "/r"}


def test_the_workload_leads_its_own_session_and_terminate_stops_the_whole_group(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    environ = {**os.environ, "PIDS": str(pids), "IGNORE_TERM": "1"}
    running = CommandWorkload([sys.executable, "-c", SPAWN], environ=environ, grace_s=0.5).start({})
    leader, child, pgid, sid = _pids(pids)
    assert pgid == leader
    assert sid == leader  # a new session: the runner's terminal signals do not reach it by surprise
    assert sid != os.getsid(0)
    assert running.wait(0.05) is None
    started = time.monotonic()
    code = running.terminate()  # both ignore SIGTERM: SIGKILL after the grace period
    assert code == -signal.SIGKILL
    assert time.monotonic() - started < 5
    wait_until(lambda: process_gone(child), "the child to be killed", 5)


def test_what_the_workload_leaves_running_is_stopped_after_it_exits(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    environ = {**os.environ, "PIDS": str(pids), "SLEEP": "0"}
    running = CommandWorkload([sys.executable, "-c", SPAWN], environ=environ).start({})
    _, child, _, _ = _pids(pids)
    deadline = time.monotonic() + 30
    while (code := running.wait(0.1)) is None:
        assert time.monotonic() < deadline
    assert code == 0
    assert not process_gone(child)
    assert running.reap() is True
    wait_until(lambda: process_gone(child), "the leftover child to be killed", 5)


def test_a_missing_command_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="cannot start the workload"):
        CommandWorkload(["/nonexistent/bench"]).start({})
    with pytest.raises(InputError, match="no workload command"):
        CommandWorkload([])


def test_describe_exit() -> None:
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(-200) == "was killed by signal 200"
