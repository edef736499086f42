"""Stop signals and timeouts reach `une-eval measure` as a real process, as a scheduler sends them.

Each test starts a rehearsal (the replayed H200 recording with a real command as the workload) and
signals it in a given phase. The runner must stop the workload's whole process group, including a
child the workload started, write a partial submission that says why, whose trace digests match the
files, and exit with 128 + the signal number.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.acceptance.measure_helpers import (
    cli_env,
    log_says,
    process_gone,
    rehearsal_args,
    run_cli,
    start_cli,
    submission,
    trace_digests_match,
    wait_until,
)


def _stopped(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = proc.communicate(timeout=30)
    return proc.returncode, stderr


def test_sigterm_during_the_idle_baseline(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = start_cli(rehearsal_args(out, idle_s=60), cli_env(tmp_path))
    wait_until(log_says(out, "phase idle"), "the idle baseline")
    proc.send_signal(signal.SIGTERM)
    code, stderr = _stopped(proc)
    assert code == 128 + signal.SIGTERM
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "interrupted by SIGTERM during the idle baseline" in stderr
    doc = submission(out)
    assert doc["measurement"]["complete"] is False
    assert doc["measurement"]["incomplete_reason"] == "interrupted by SIGTERM during the idle baseline"
    assert doc["measurement"]["runs"] == []
    assert trace_digests_match(out, doc)
    assert "stopped by SIGTERM" in (out / "run.log").read_text()


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_run_stops_the_workload_and_its_child(tmp_path: Path, signum: signal.Signals) -> None:
    out = tmp_path / "out"
    proc = start_cli(rehearsal_args(out, runs=3), cli_env(tmp_path, {"WL_HANG_PHASE": "run-1"}))
    wait_until(lambda: (tmp_path / "run-1.child").is_file(), "run 1's workload to start its child")
    workload_pid = int((tmp_path / "run-1.pid").read_text())
    child_pid = int((tmp_path / "run-1.child").read_text())
    assert not process_gone(child_pid)
    proc.send_signal(signum)
    code, stderr = _stopped(proc)
    assert code == 128 + signum
    assert "Traceback" not in stderr
    cause = "the operator (Ctrl-C)" if signum == signal.SIGINT else signum.name
    assert f"interrupted by {cause} during run 1" in stderr
    wait_until(lambda: process_gone(workload_pid) and process_gone(child_pid), "the workload group to be gone", 5)
    doc = submission(out)
    m = doc["measurement"]
    assert (m["complete"], m["incomplete_reason"]) == (False, f"interrupted by {cause} during run 1")
    # run 0 finished; run 1 was cut short, closed by a final counter read
    assert [(r["index"], r["complete"]) for r in m["runs"]] == [(0, True), (1, False)]
    assert trace_digests_match(out, doc)


def test_a_signal_during_the_warmup(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = start_cli(rehearsal_args(out, "--run-timeout", "120"), cli_env(tmp_path, {"WL_HANG_PHASE": "warmup"}))
    wait_until(lambda: (tmp_path / "warmup.child").is_file(), "the warm-up's child")
    proc.send_signal(signal.SIGTERM)
    code, stderr = _stopped(proc)
    assert code == 143
    assert "interrupted by SIGTERM during the warm-up" in stderr
    assert process_gone(int((tmp_path / "warmup.child").read_text()))
    assert trace_digests_match(out, submission(out))


def test_run_timeout_ends_a_hung_run_and_records_it_as_failed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = rehearsal_args(out, "--no-warmup", "--run-timeout", "1.5", runs=3)
    result = run_cli(args, cli_env(tmp_path, {"WL_HANG_PHASE": "run-1"}), timeout_s=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "run 1: the workload ran past --run-timeout 1.5 s" in result.stderr
    assert process_gone(int((tmp_path / "run-1.child").read_text()))
    assert process_gone(int((tmp_path / "run-1.pid").read_text()))
    m = submission(out)["measurement"]
    assert m["complete"] is False
    failed = m["runs"][1]
    assert (failed["complete"], failed["exit_code"]) == (False, -signal.SIGTERM)
    assert "--run-timeout 1.5 s" in failed["reason"]
    assert 1.5 <= failed["duration_s"] < 5
    assert m["runs"][0]["complete"] is True


def test_a_second_signal_while_finishing_does_not_break_the_submission(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = start_cli(rehearsal_args(out, runs=2), cli_env(tmp_path, {"WL_HANG_PHASE": "run-0"}))
    wait_until(lambda: (tmp_path / "run-0.child").is_file(), "run 0's child")
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGHUP)
    code, stderr = _stopped(proc)
    assert code in (128 + signal.SIGTERM, 128 + signal.SIGHUP)
    assert "Traceback" not in stderr
    doc = submission(out)
    assert doc["measurement"]["complete"] is False
    assert "interrupted by SIG" in doc["measurement"]["incomplete_reason"]
    assert trace_digests_match(out, doc)


def test_an_ignored_sighup_stays_ignored(tmp_path: Path) -> None:
    # Under nohup, SIGHUP is ignored before the runner starts: the runner keeps it that way.
    out = tmp_path / "out"
    env = cli_env(tmp_path)
    proc = start_cli(["nohup", *rehearsal_args(out, "--no-warmup", runs=3, idle_s=1.0)], env)
    wait_until(log_says(out, "phase idle"), "the idle baseline")
    os.kill(proc.pid, signal.SIGHUP)
    code, _ = _stopped(proc)
    assert code in (0, 1)  # finished (the short rehearsal does not conform to une-style: 1)
    assert submission(out)["measurement"]["complete"] is True
