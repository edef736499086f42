"""Red-team attacks on the outputs of ``une-eval measure``: a disk that fills part-way, at every phase.

A full disk (here a file-size limit on the runner, which fails writes with EFBIG as a full disk fails them
with ENOSPC) must leave a submission whose trace digests match the files on disk, whose traces end on a
whole row, and which claims nothing that did not reach the disk: one line on stderr and exit code 2.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.measure_helpers import (
    cli_env,
    rehearsal_args,
    replay_args,
    run_cli,
    submission,
    trace_digests_match,
)
from tests.unit.measure.replay_setup import DECLARED, replay
from une_eval.measure import (
    ProtocolConfig,
    SimulatedWorkload,
    measure,
)
from une_eval.measure.runner import last_row_end


def _file_size_limit(limit_bytes: int) -> None:  # pragma: no cover - runs in the child
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))


# The replay demo's trace grows by about 45 bytes a sample: the limits stop it in the idle baseline,
# in run 0, in run 1 and in run 2 (after two checkpoints).
@pytest.mark.parametrize(("limit_bytes", "runs_recorded"), [(6_000, 0), (20_000, 0), (40_000, 1), (60_000, 2)])
def test_a_disk_full_part_way_leaves_a_submission_whose_digests_match_its_traces(
    tmp_path: Path, limit_bytes: int, runs_recorded: int
) -> None:
    out = tmp_path / "out"
    result = run_cli(replay_args(out), cli_env(tmp_path), preexec_fn=lambda: _file_size_limit(limit_bytes))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"une-eval: error: measurement incomplete: cannot write the outputs: File too large; "
        f"partial submission in {out / 'submission.json'}"
    ]
    doc = submission(out)
    assert doc["measurement"]["complete"] is False
    assert doc["measurement"]["incomplete_reason"] == "cannot write the outputs: File too large"
    assert len([r for r in doc["measurement"]["runs"] if r["complete"]]) == runs_recorded
    assert trace_digests_match(out, doc)  # before: the traces had grown past the checkpoint's digests
    for ref in doc["measurement"]["traces"]:
        trace = (out / ref["path"]).read_bytes()
        assert trace.endswith(b"\n")  # never half a row
    assert "the traces are cut back to the last saved submission" in (out / "run.log").read_text()


def test_the_validator_recomputes_the_runs_the_partial_submission_keeps(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_cli(replay_args(out), cli_env(tmp_path), preexec_fn=lambda: _file_size_limit(40_000))
    checked = run_cli(
        [sys.executable, "-m", "une_eval", "validate", "--format", "lines", str(out / "submission.json")],
        cli_env(tmp_path),
    )
    assert checked.returncode == 1, checked.stderr
    assert ": measurement.complete: " in checked.stdout
    assert "evidence.trace" not in checked.stdout  # the run kept is recomputed from a trace that matches


@pytest.mark.parametrize(
    ("content", "end"),
    [(b"", 0), (b"a,b\n", 4), (b"a,b\n1,2\n3,", 8), (b"no newline", 0), (b"x\n" + b"y" * 70_000, 2)],
)
def test_last_row_end(tmp_path: Path, content: bytes, end: int) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    assert last_row_end(path, block=1024) == end


_TAMPER = """
import glob, os
trace = glob.glob(os.path.join(os.environ["OUT"], "traces", "*.csv"))[0]
with open(trace, "r+b") as fh:  # a counter read the runner made, forged in place
    text = fh.read()
    at = text.index(b"\\n", text.index(b"\\n") + 1) - 1  # the last cell of the first row
    fh.seek(at)
    fh.write(b"9" if text[at:at + 1] != b"9" else b"8")
open(os.environ["UNE_EVAL_RESULT_FILE"], "w").write('{"work_units": 10}')
"""


def test_a_workload_that_writes_into_a_trace_is_caught_not_digested(tmp_path: Path) -> None:
    # Before: the runner digested whatever the file held, so the forged row was declared as its own.
    out = tmp_path / "out"
    args = rehearsal_args(out, "--no-warmup", runs=1)
    args = [*args[: args.index("--") + 1], sys.executable, "-c", _TAMPER]
    result = run_cli(args, cli_env(tmp_path, {"OUT": str(out)}), timeout_s=60)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("une-eval: error: ")
    assert "was changed by another process during the measurement (the workload?)" in line
    doc = submission(out)  # the checkpoint saved before the run, never one declaring the forged row
    assert doc["measurement"]["runs"] == []
    assert not trace_digests_match(out, doc)  # the validator sees the change too
    assert "was changed by another process" in (out / "run.log").read_text()


def test_force_removes_the_temporary_file_a_killed_write_left_and_nothing_else(tmp_path: Path) -> None:
    # A runner killed (SIGKILL) inside an atomic write leaves .submission.json.<random>.tmp; before, --force
    # kept it beside the new outputs.
    out = tmp_path / "out"
    out.mkdir()
    (out / ".submission.json.k2j4.tmp").write_text('{"half": ')
    (out / ".notes.json.k2j4.tmp").write_text("the operator's")
    (out / "submission.json.tmp").write_text("the operator's too")
    refused = run_cli(replay_args(out), cli_env(tmp_path))
    assert refused.returncode == 2
    assert ".submission.json.k2j4.tmp" in refused.stderr
    result = run_cli(replay_args(out, "--force"), cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert not (out / ".submission.json.k2j4.tmp").exists()
    assert (out / ".notes.json.k2j4.tmp").read_text() == "the operator's"
    assert (out / "submission.json.tmp").read_text() == "the operator's too"


def test_two_stop_signals_at_once_still_leave_a_partial_submission_whose_digests_match(tmp_path: Path) -> None:
    # The second signal raises wherever the runner is (here in its tick callback, right after the rows were
    # written): the runner still finishes with the signal's code and traces that hash as declared.
    clock, sensor, setup = replay()
    workload = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load)
    ticks = {"left": 4}

    def twice(phase: str, power_w: dict[str, float]) -> None:
        if phase == "run-0" and ticks["left"] >= 0:
            ticks["left"] -= 1
            if ticks["left"] < 0:
                os.kill(os.getpid(), signal.SIGTERM)
                os.kill(os.getpid(), signal.SIGTERM)  # before the runner checked: raised at once

    config = ProtocolConfig(runs=3, idle_s=5.0, pause_min_s=1.0, pause_max_s=2.0, work_units=1000, seed=7)
    result = measure([sensor], clock, workload, setup, DECLARED, config, tmp_path, on_tick=twice)
    assert result.signal == signal.SIGTERM
    assert result.reason == "interrupted by SIGTERM during run 0"
    doc = submission(tmp_path)
    assert [(r["index"], r["complete"]) for r in doc["measurement"]["runs"]] == [(0, False)]
    assert trace_digests_match(tmp_path, doc)


@pytest.mark.parametrize(
    ("phase", "reason", "runs"),
    [
        ("pause", "interrupted by SIGHUP during the pause before run 1", [(0, True)]),
        ("cooldown", "interrupted by SIGHUP during the cool-down", [(0, True), (1, True), (2, True)]),
    ],
)
def test_a_signal_between_runs_or_in_the_cooldown_keeps_every_finished_run(
    tmp_path: Path, phase: str, reason: str, runs: list[tuple[int, bool]]
) -> None:
    clock, sensor, setup = replay()
    workload = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load)
    seen: dict[str, Any] = {"last": "", "entered": 0}

    def hang_up(now: str, power_w: dict[str, float]) -> None:
        if now != seen["last"]:  # count the entries into the phase: the second pause is the one before run 1
            seen["last"], seen["entered"] = now, seen["entered"] + (now == phase)
            if now == phase and seen["entered"] == (2 if phase == "pause" else 1):
                os.kill(os.getpid(), signal.SIGHUP)

    config = ProtocolConfig(runs=3, idle_s=5.0, pause_min_s=1.0, pause_max_s=2.0, cooldown_s=3.0, work_units=1000)
    result = measure([sensor], clock, workload, setup, DECLARED, config, tmp_path, on_tick=hang_up)
    assert result.signal == signal.SIGHUP
    assert result.reason == reason
    doc = submission(tmp_path)
    assert [(r["index"], r["complete"]) for r in doc["measurement"]["runs"]] == runs
    assert doc["measurement"]["complete"] is False
    assert trace_digests_match(tmp_path, doc)
