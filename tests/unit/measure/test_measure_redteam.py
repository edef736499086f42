"""Red-team attacks on ``une-eval measure``: what a hostile workload or an unlucky operator tries.

Each test is one attack and asserts its exact outcome: the workload's environment and the runner's,
a daemon that leaves the workload's session, hostile RAPL ranges, hostile option values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.acceptance.measure_helpers import (
    ROOT,
    cli_env,
    process_gone,
    rehearsal_args,
    replay_args,
    run_cli,
    submission,
    trace_digests_match,
    wait_until,
)
from une_eval.cli.nodes import expand_out
from une_eval.errors import SensorError
from une_eval.measure.rapl import open_rapl
from une_eval.measure.sampler import Sampler
from une_eval.measure.sensors import SimulatedClock
from une_eval.measure.workload import CommandWorkload, withheld_names, workload_environment
from une_eval.traces import TraceWriter, columns_for

# --- secrets: the workload's environment, and the runner's own ------------------------------------


def test_secret_looking_variables_are_withheld_unless_passed_by_name() -> None:
    inherited = {
        "PATH": "/bin",
        "HOME": "/h",
        "HF_TOKEN": "t",
        "GITHUB_TOKEN": "t",
        "AWS_SECRET_ACCESS_KEY": "k",
        "AWS_ACCESS_KEY_ID": "i",
        "OPENAI_API_KEY": "k",
        "PGPASSWORD": "p",
        "DB_PASSWD": "p",
        "GPG_PASSPHRASE": "p",
        "GOOGLE_APPLICATION_CREDENTIALS": "/c.json",
        "SSH_AUTH_SOCK": "/s",
        "SIGNING_KEY": "k",
        "CUDA_VISIBLE_DEVICES": "0",
        "KEYBOARD_LAYOUT": "es",
        "UNE_EVAL_KEY_PASSPHRASE": "s",
    }
    env = workload_environment(inherited, {"UNE_EVAL_PHASE": "run-0"}, passed={"HF_TOKEN", "UNE_EVAL_KEY_PASSPHRASE"})
    assert env == {"PATH": "/bin", "HOME": "/h", "HF_TOKEN": "t", "CUDA_VISIBLE_DEVICES": "0",
                   "KEYBOARD_LAYOUT": "es", "UNE_EVAL_PHASE": "run-0"}  # fmt: skip
    assert "UNE_EVAL_KEY_PASSPHRASE" in withheld_names(inherited, passed={"UNE_EVAL_KEY_PASSPHRASE"})


def test_measure_withholds_tokens_names_them_in_the_log_and_passes_what_is_asked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    secrets = {"HF_TOKEN": "hf-s3cret", "GITHUB_TOKEN": "gh-s3cret", "UNE_EVAL_KEY_PASSPHRASE": "p", "WL_DUMP_ENV": "1"}
    args = rehearsal_args(out, "--no-warmup", "--pass-env", "HF_TOKEN", runs=1)
    result = run_cli(args, cli_env(tmp_path, secrets), timeout_s=60)
    assert result.returncode in (0, 1), result.stderr
    env = json.loads((tmp_path / "run-0.env.json").read_text())
    assert env["HF_TOKEN"] == "hf-s3cret"
    assert "GITHUB_TOKEN" not in env
    log = (out / "run.log").read_text()
    (line,) = [x for x in log.splitlines() if "withheld from the workload's environment: " in x]
    # The names withheld, sorted: these two and whatever else of une-eval's own the calling environment holds.
    names = line.split("withheld from the workload's environment: ", 1)[1].split(", ")
    assert names == sorted(names)
    assert {"GITHUB_TOKEN", "UNE_EVAL_KEY_PASSPHRASE"} <= set(names)
    assert "HF_TOKEN" not in names  # passed with --pass-env
    assert "s3cret" not in log


@pytest.mark.parametrize("name", ["UNE_EVAL_KEY_PASSPHRASE", "A=B", ""])
def test_pass_env_refuses_une_evals_own_variables_and_non_names(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    result = run_cli(rehearsal_args(out, "--pass-env", name, runs=1), cli_env(tmp_path), timeout_s=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"une-eval: error: --pass-env takes the name of a variable that is not une-eval's own, not {name!r}"
    ]
    assert not out.exists()


_PROBE = textwrap.dedent(
    """
    import os
    try:
        leaked = b"hunter2" in open(f"/proc/{os.getppid()}/environ", "rb").read()
        print("PARENT-ENV", "LEAKED" if leaked else "CLEAN")
    except OSError as exc:
        print("PARENT-ENV", "REFUSED", exc.errno)
    print("OWN-ENV", *(n in os.environ for n in ("HF_TOKEN", "GITHUB_TOKEN", "UNE_EVAL_KEY_PASSPHRASE")))
    """
)
_RUNNER = textwrap.dedent(
    """
    import ctypes, sys
    from une_eval.measure.workload import CommandWorkload
    running = CommandWorkload([sys.executable, "-c", sys.argv[1]], pass_env=["HF_TOKEN"]).start({})
    code = running.wait(60)
    print("RUNNER-DUMPABLE", ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))  # PR_GET_DUMPABLE
    sys.exit(code)
    """
)


def test_the_workload_cannot_read_the_runners_environment_through_proc() -> None:
    # A workload of the runner's own user could read /proc/<runner>/environ, where the passphrase still is:
    # the runner makes itself non-dumpable first. Root reads every process's environment whatever the
    # runner does (docs/measure.md says so), so the read itself is refused only for an ordinary user.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "UNE_EVAL_KEY_PASSPHRASE": "hunter2", "HF_TOKEN": "h",
           "GITHUB_TOKEN": "g"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, _PROBE], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    parent, own, runner = done.stdout.splitlines()
    assert own == "OWN-ENV True False False"
    assert runner == "RUNNER-DUMPABLE 0"
    assert parent == ("PARENT-ENV LEAKED" if os.geteuid() == 0 else "PARENT-ENV REFUSED 13")


# --- a daemon that leaves the workload's session ----------------------------------------------------

_DAEMON = textwrap.dedent(
    """
    import os, sys, time
    if os.fork() == 0:
        os.setsid()  # leaves the workload's process group and session
        if os.fork() == 0:
            os.fork()  # the daemon and a child of its own
            open(os.environ["PIDS"], "a").write(f"{os.getpid()}\\n")
            time.sleep(600)
        os._exit(0)
    time.sleep(float(os.environ.get("SLEEP", "0")))
    """
)


def _daemon_pids(pids: Path) -> list[int]:
    wait_until(lambda: pids.is_file() and len(pids.read_text().split("\n")) == 3, "the daemon's pids", 30)
    return [int(p) for p in pids.read_text().split()]


def test_a_daemon_that_left_the_workloads_session_is_stopped_after_it_exits(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    running = CommandWorkload([sys.executable, "-c", _DAEMON], environ={**os.environ, "PIDS": str(pids)}).start({})
    daemons = _daemon_pids(pids)
    assert running.wait(30) == 0
    assert not any(process_gone(pid) for pid in daemons)  # before: they outlive the workload's group
    assert running.reap() is True  # something was left running, and it is gone
    wait_until(lambda: all(process_gone(pid) for pid in daemons), "the daemons to be killed", 5)


def test_a_daemon_is_stopped_with_a_workload_that_is_terminated(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    environ = {**os.environ, "PIDS": str(pids), "SLEEP": "600"}
    running = CommandWorkload([sys.executable, "-c", _DAEMON], environ=environ, grace_s=0.5).start({})
    daemons = _daemon_pids(pids)
    assert running.wait(0.05) is None
    running.terminate()
    wait_until(lambda: all(process_gone(pid) for pid in daemons), "the daemons to be killed", 5)


_DAEMON_OF_A_WORKER = textwrap.dedent(
    """
    import os, time
    if os.fork() == 0:  # a worker, in the workload's group, that outlives nothing: killed with the group
        if os.fork() == 0:
            os.setsid()  # its daemon, re-parented to the runner only once the worker has died
            open(os.environ["PIDS"], "a").write(f"{os.getpid()}\\n")
        time.sleep(600)
    time.sleep(600)
    """
)


def test_a_daemon_whose_parent_dies_with_the_group_is_stopped_too(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    environ = {**os.environ, "PIDS": str(pids)}
    running = CommandWorkload([sys.executable, "-c", _DAEMON_OF_A_WORKER], environ=environ, grace_s=0.5).start({})
    wait_until(lambda: pids.is_file() and pids.read_text().endswith("\n"), "the daemon's pid", 30)
    daemon = int(pids.read_text())
    running.terminate()
    wait_until(lambda: process_gone(daemon), "the daemon to be killed", 5)


def test_a_workload_that_leaves_nothing_reports_nothing_left() -> None:
    running = CommandWorkload([sys.executable, "-c", "pass"]).start({})
    assert running.wait(30) == 0
    assert running.reap() is False


# --- RAPL ranges that cannot count a wrap -----------------------------------------------------------


def _package(root: Path, energy_uj: str, range_uj: str | None) -> Path:
    zone = root / "intel-rapl:0"
    zone.mkdir(parents=True)
    (zone / "name").write_text("package-0\n")
    (zone / "energy_uj").write_text(f"{energy_uj}\n")
    if range_uj is not None:
        (zone / "max_energy_range_uj").write_text(f"{range_uj}\n")
    return zone


@pytest.mark.parametrize(
    ("energy_uj", "range_uj", "why"),
    [
        ("100", None, "No such file"),
        ("100", "0", "outside max_energy_range_uj 0"),
        ("100", "-5", "outside max_energy_range_uj -5"),
        ("5000", "4000", "outside max_energy_range_uj 4000"),
        ("-1", "4000", "outside max_energy_range_uj 4000"),
        ("100", "lots", "invalid literal"),
    ],
)
def test_a_rapl_range_that_cannot_count_wraps_makes_the_cpu_unavailable(
    tmp_path: Path, energy_uj: str, range_uj: str | None, why: str
) -> None:
    _package(tmp_path, energy_uj, range_uj)
    sensor, gaps = open_rapl(tmp_path, node_id="n")
    assert sensor is None
    assert [g.component for g in gaps] == ["cpu", "dram"]
    assert why in gaps[0].reason


def test_a_rapl_counter_read_beyond_its_range_is_a_sensor_error(tmp_path: Path) -> None:
    zone = _package(tmp_path, "100", "4000")
    sensor, _ = open_rapl(tmp_path, node_id="n")
    assert sensor is not None
    assert sensor.read_counters() == {"n-cpu0": 100}
    (zone / "energy_uj").write_text("4001\n")  # a wrap at 4000 cannot be told from this
    with pytest.raises(SensorError, match=r"n-cpu0 read 4001 uJ, outside its range \[0, 4000\]"):
        sensor.read_counters()


# --- hostile option values: refused before anything is measured -------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--work-units", "1e-9", "--per", "1e300"], "--per takes a number in [1e-09, 1e+15], not 1e+300"),
        (["--work-units", "1000", "--per", "inf"], "--per takes a number in [1e-09, 1e+15], not inf"),
        (
            ["--work-units", "1000", "--submission-id", "a\nb\x1b[31m"],
            "the submission id does not fit the submission schema: 'a\\nb\\x1b[31m' does not have the required "
            "form (pattern ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$)",
        ),
        (
            ["--work-units", "1000", "--submission-id", "../../etc/passwd"],
            "the submission id does not fit the submission schema: '../../etc/passwd' does not have the required "
            "form (pattern ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$)",
        ),
    ],
)
def test_hostile_values_are_one_line_and_exit_2_before_measuring(
    tmp_path: Path, options: list[str], message: str
) -> None:
    # Before: the submission id was refused only once measured (the whole protocol for nothing), and an
    # absurd --per made every save fail: "the submission would hold a non-finite number; nothing was written".
    out = tmp_path / "out"
    args = [a for a in replay_args(out) if a not in ("--work-units", "1000")] + options
    result = run_cli(args, cli_env(tmp_path), timeout_s=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"une-eval: error: {message}"]
    assert not out.exists()


# --- the runner's own standard streams --------------------------------------------------------------


def _close_stdin_and_stdout() -> None:  # pragma: no cover - runs in the child
    os.close(0)
    os.close(1)


def test_a_runner_started_with_stdout_closed_measures_and_exits_with_its_code(tmp_path: Path) -> None:
    # Before: "internal error (AttributeError: 'NoneType' object has no attribute 'isatty'); this is a bug"
    # and nothing measured.
    out = tmp_path / "out"
    result = subprocess.run(
        replay_args(out),
        env=cli_env(tmp_path),
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=_close_stdin_and_stdout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert submission(out)["measurement"]["complete"] is True
    assert trace_digests_match(out, submission(out))


def test_a_rapl_counter_that_restarts_is_a_reset_not_a_whole_range_of_energy(tmp_path: Path) -> None:
    # Before: any decrease was a wrap, so a package counter restarting near 0 added about 4 kJ here (262 kJ
    # with a real range) to the window, where the validator, reading the trace, sees a reset.
    zone = _package(tmp_path, "3000000000", "4000000000")
    sensor, _ = open_rapl(tmp_path, node_id="n")
    assert sensor is not None
    [dev] = sensor.devices()
    clock = SimulatedClock()
    sampler = Sampler([sensor], clock, {dev.device_id: TraceWriter(tmp_path / "t.csv", columns_for(dev))})
    start = sampler.mark("run-0")
    clock.sleep(0.5)
    (zone / "energy_uj").write_text("3100000000\n")  # 100 J in 0.5 s: 200 W
    sampler.tick("run-0", counters=True)
    clock.sleep(0.5)
    (zone / "energy_uj").write_text("50000000\n")  # restarted: as a wrap, 950 J in 0.5 s (1.9 kW) is a wrap...
    sampler.tick("run-0", counters=True)
    clock.sleep(0.1)
    (zone / "energy_uj").write_text("10\n")  # ... but 3950 J in 0.1 s (39.5 kW) is not
    end = sampler.mark("run-0")
    sampler.close()
    assert end.resets["n-cpu0"] == start.resets["n-cpu0"] + 1
    assert end.energy_j["n-cpu0"] - start.energy_j["n-cpu0"] == pytest.approx(100 + 950)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SLURM_JOB_ID": "4242"}, "out/n1/4242"),
        ({"TORCHELASTIC_RUN_ID": "../../../etc/cron.d"}, "out/n1/etc-cron.d"),
        ({"SLURM_JOB_ID": ".."}, "out/n1/job"),
        ({"SLURM_JOB_ID": "a/b\nc"}, "out/n1/a-b-c"),
    ],
)
def test_the_job_id_in_the_output_folder_cannot_add_folders_or_climb_out(env: dict[str, str], expected: str) -> None:
    # Before: -o out/%N/%j with the run id '../../../etc/cron.d' measured into ../etc/cron.d.
    assert expand_out(Path("out/%N/%j"), "n1", env) == Path(expected)
