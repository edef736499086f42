"""What `une-eval measure` does with its output folder, the workload's result file and its environment.

Driven as a real subprocess: the replay demo (simulated clock) where no command is needed, a rehearsal
(the replayed recording with a real command) where the workload matters.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.measure_helpers import (
    cli_env,
    log_says,
    rehearsal_args,
    replay_args,
    run_cli,
    start_cli,
    submission,
    trace_digests_match,
    wait_until,
)


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- the output folder ----------------------------------------------------------------------------


def test_a_folder_holding_a_run_is_refused_and_left_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_cli(replay_args(out), cli_env(tmp_path))
    assert first.returncode == 0, first.stderr
    trace = next((out / "traces").iterdir())
    before = hashlib.sha256(trace.read_bytes()).hexdigest()
    second = run_cli(replay_args(out), cli_env(tmp_path))
    assert second.returncode == 2
    line = _one_error_line(second.stderr)
    assert "is not empty" in line
    assert "--force" in line
    assert hashlib.sha256(trace.read_bytes()).hexdigest() == before
    assert trace_digests_match(out, submission(out))


def test_force_replaces_the_runners_outputs_and_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli(replay_args(out), cli_env(tmp_path)).returncode == 0
    (out / "notes.txt").write_text("the auditor's notes")
    (out / "traces" / "stale.csv").write_text("from an older run")
    again = run_cli(replay_args(out, "--force"), cli_env(tmp_path))
    assert again.returncode == 0, again.stderr
    assert (out / "notes.txt").read_text() == "the auditor's notes"
    assert not (out / "traces" / "stale.csv").exists()
    assert trace_digests_match(out, submission(out))


def test_a_second_concurrent_run_is_refused_by_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = start_cli(rehearsal_args(out, idle_s=60), cli_env(tmp_path))
    try:
        wait_until(log_says(out, "phase idle"), "the first run's baseline")
        for extra in ((), ("--force",)):
            second = run_cli(replay_args(out, *extra), cli_env(tmp_path))
            assert second.returncode == 2
            line = _one_error_line(second.stderr)
            assert f"another une-eval measure (pid {first.pid}) is writing to" in line
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
    assert first.returncode == 143
    doc = submission(out)  # the first run's, whole, and its traces its own
    assert trace_digests_match(out, doc)
    assert "interrupted by SIGTERM" in doc["measurement"]["incomplete_reason"]


def test_planted_links_are_removed_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    precious = outside / "precious.json"
    precious.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "submission.json").symlink_to(precious)
    (out / "run.log").symlink_to(precious)
    (out / "inventory.json").symlink_to(outside / "new.json")
    (out / "traces").symlink_to(outside, target_is_directory=True)
    refused = run_cli(replay_args(out), cli_env(tmp_path))
    assert refused.returncode == 2  # not empty
    result = run_cli(replay_args(out, "--force"), cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert precious.read_text() == "keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["precious.json"]
    for name in ("submission.json", "run.log", "inventory.json", "traces"):
        assert not (out / name).is_symlink()
    assert trace_digests_match(out, submission(out))


def test_a_file_where_the_traces_folder_belongs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "traces").write_text("not a folder")
    for extra in ((), ("--force",)):
        result = run_cli(replay_args(out, *extra), cli_env(tmp_path))
        assert result.returncode == 2
        line = _one_error_line(result.stderr)
        assert "traces" in line
    assert (out / "traces").read_text() == "not a folder"


def test_a_read_only_folder_is_one_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    args = replay_args(out)
    if os.geteuid() == 0:
        # Root writes anywhere: drop the capability that lets it, as an ordinary auditor's account lacks it.
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to run this test as root"
        args = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps=-all", "--", *args]
    result = run_cli(args, cli_env(tmp_path))
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "Permission denied" in line
    assert str(out) in line


def _file_size_limit(limit_bytes: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))


def test_a_write_failure_mid_measurement_keeps_the_last_checkpoint_whole(tmp_path: Path) -> None:
    # A file-size limit makes the trace writes fail part-way, as a full disk does (EFBIG for ENOSPC).
    out = tmp_path / "out"
    result = run_cli(replay_args(out), cli_env(tmp_path), preexec_fn=lambda: _file_size_limit(40_000))
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "File too large" in line
    doc = submission(out)  # valid JSON: an earlier checkpoint, never a truncated file
    assert doc["measurement"]["complete"] is False
    assert trace_digests_match(out, doc)  # the traces are cut back to what the submission declares


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs: a real full disk (needs mount, i.e. root with CAP_SYS_ADMIN)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_a_full_disk_is_one_clear_error_and_the_checkpoint_stays_whole(tiny_disk: Path, tmp_path: Path) -> None:
    out = tiny_disk / "out"
    result = run_cli(replay_args(out), cli_env(tmp_path))
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "No space left on device" in line
    assert submission(out)["measurement"]["complete"] is False
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]  # no half-written temporary left
    assert trace_digests_match(out, submission(out))


# --- the workload's result file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result_file", "reason"),
    [
        ('{"work_units": 1e308}', "outside [1e-09, 1e+15]"),
        ("fifo", "is not a regular file"),
        ("link:/dev/zero", "is a symbolic link"),
    ],
)
def test_a_hostile_result_file_is_a_failed_run_with_its_reason(tmp_path: Path, result_file: str, reason: str) -> None:
    out = tmp_path / "out"
    args = rehearsal_args(out, "--no-warmup", "--run-timeout", "30", runs=1)
    result = run_cli(args, cli_env(tmp_path, {"WL_RESULT": result_file}), timeout_s=60)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert reason in line
    doc = submission(out)
    [run] = doc["measurement"]["runs"]
    assert run["complete"] is False
    assert reason in run["reason"]
    assert "Infinity" not in (out / "submission.json").read_text()
    assert "results" not in doc


# --- the workload's environment ---------------------------------------------------------------------


def test_the_workload_never_sees_une_evals_secrets(tmp_path: Path) -> None:
    out = tmp_path / "out"
    secrets = {"UNE_EVAL_KEY_PASSPHRASE": "s3cret", "UNE_EVAL_SOMETHING_LATER": "x", "WL_DUMP_ENV": "1"}
    result = run_cli(rehearsal_args(out, "--no-warmup", runs=1), cli_env(tmp_path, secrets))
    assert result.returncode in (0, 1), result.stderr
    env = json.loads((tmp_path / "run-0.env.json").read_text())
    assert "UNE_EVAL_KEY_PASSPHRASE" not in env
    assert "UNE_EVAL_SOMETHING_LATER" not in env
    assert "s3cret" not in json.dumps(env)
    assert env["UNE_EVAL_PHASE"] == "run-0"
    assert env["UNE_EVAL_RESULT_FILE"] == str(out / "work" / "run-0.result.json")
    assert env["PATH"] == os.environ["PATH"]  # everything else is inherited
    assert env["WL_DIR"] == str(tmp_path)
