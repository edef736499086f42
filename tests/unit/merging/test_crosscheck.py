"""Slurm's and DCGM's job totals: the documented text formats parsed, sacct run through an injected runner."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from une_eval.errors import InputError
from une_eval.merging import CrossChecks
from une_eval.merging.crosscheck import (
    SACCT_ARGS,
    CommandOutput,
    External,
    cross_check_entry,
    parse_dcgm,
    parse_sacct,
    run_sacct,
)

SACCT = """JobID|ConsumedEnergyRaw|ElapsedRaw
4242|7200000|3600
4242.batch|10000|3600
4242.extern|7300000|3600
4242.0|7100000|3590
"""


def _dcgm_gpu(gpu: int, energy: str) -> str:
    return f"""+------------------------------------------------------------------------------+
| GPU ID: {gpu}                                                                    |
+====================================+=========================================+
|-----  Execution Stats  ------------+-----------------------------------------|
| Start Time                         | Sun Jan 10 00:42:38 2021                |
| End Time                           | Sun Jan 10 01:25:35 2021                |
| Total Execution Time (sec)         | 2576.78                                 |
+-----  Performance Stats  ----------+-----------------------------------------+
| Energy Consumed (Joules)           | {energy:<40}|
| Power Usage (Watts)                | Avg: 56.8653, Max: 78.576, Min: 41.041  |
+------------------------------------+-----------------------------------------+
"""


def test_sacct_takes_the_jobs_own_line() -> None:
    got = parse_sacct(SACCT, "4242")
    assert (got.energy_j, got.job_id) == (7_200_000.0, "4242")
    assert "job 4242" in got.scope


def test_sacct_without_the_job_line_sums_the_steps_but_not_extern() -> None:
    text = "\n".join(line for line in SACCT.splitlines() if not line.startswith("4242|"))
    got = parse_sacct(text, "4242")
    assert got.energy_j == 10_000 + 7_100_000
    assert "2 step(s)" in got.scope


@pytest.mark.parametrize("value", ["", "0", str(2**64 - 2), "n/a"])
def test_sacct_without_energy_is_unavailable_with_the_reason(value: str) -> None:
    got = parse_sacct(f"JobID|ConsumedEnergyRaw\n17|{value}\n17.0|{value}\n", None)
    assert got.energy_j is None
    assert got.reason is not None
    assert "no energy" in got.reason
    assert "17" in got.reason


def test_sacct_output_of_another_format_is_refused() -> None:
    with pytest.raises(InputError, match="parsable2"):
        parse_sacct("JobID,ConsumedEnergyRaw\n1,2\n", None)
    assert parse_sacct("", "5").reason is not None  # nothing printed: unavailable, not a crash


def test_dcgm_verbose_sums_each_gpu_once() -> None:
    text = _dcgm_gpu(0, "145919") + _dcgm_gpu(1, "100000") + _dcgm_gpu(1, "100000")  # GPU 1 twice (MIG)
    got = parse_dcgm([text, _dcgm_gpu(0, "5000")])  # a second node's file
    assert got.energy_j == 145_919 + 100_000 + 5_000
    assert "3 GPU(s)" in got.scope


def test_dcgm_summary_only_and_missing_energy() -> None:
    summary = "| Summary                            |                                         |\n"
    summary += "| Energy Consumed (Joules)           | 2500                                    |\n"
    assert parse_dcgm([summary]).energy_j == 2500
    got = parse_dcgm([_dcgm_gpu(0, "Not Specified")])
    assert got.energy_j is None
    assert got.reason is not None


class _Runner:
    def __init__(self, answer: CommandOutput | BaseException) -> None:
        self.answer = answer
        self.calls: list[tuple[list[str], float]] = []

    def __call__(self, args: Sequence[str], timeout_s: float) -> CommandOutput:
        self.calls.append((list(args), timeout_s))
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def test_run_sacct_asks_for_the_job_with_a_timeout() -> None:
    runner = _Runner(CommandOutput(0, SACCT, ""))
    got = run_sacct("4242", runner)
    assert got.energy_j == 7_200_000
    assert runner.calls == [(["sacct", "-j", "4242", *SACCT_ARGS], 30.0)]


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            CommandOutput(1, "", "sacct: error: Slurm accounting storage is disabled\n"),
            "accounting storage is disabled",
        ),
        (FileNotFoundError("sacct"), "not on PATH"),
        (subprocess.TimeoutExpired(["sacct"], 30), "did not answer within 30 s"),
    ],
)
def test_run_sacct_reports_why_there_is_no_figure(answer: CommandOutput | BaseException, said: str) -> None:
    got = run_sacct("9", _Runner(answer))
    assert got.energy_j is None
    assert got.reason is not None
    assert said in got.reason


def test_the_entry_records_the_difference_beside_the_measured_total() -> None:
    entry = cross_check_entry(External("slurm-sacct", 1100.0, "sacct of job 1", job_id="1"), 1000.0, 5.0)
    assert entry["provenance"] == "sourced"
    assert entry["status"] == "recorded"
    assert (entry["energy_j"], entry["measured_j"], entry["difference_j"]) == (1100.0, 1000.0, 100.0)
    assert entry["difference_pct"] == pytest.approx(10.0)
    gone = cross_check_entry(External("slurm-sacct", None, "", "sacct is not on PATH"), 1000.0, 5.0)
    assert gone["status"] == "unavailable"
    assert "energy_j" not in gone
    assert gone["reason"] == "sacct is not on PATH"


def test_the_job_id_comes_from_the_option_then_the_nodes_then_the_environment(tmp_path: Path) -> None:
    runner = _Runner(CommandOutput(0, SACCT.replace("4242", "77"), ""))
    CrossChecks(run_sacct=True, fallback_job_id="99", runner=runner).externals("77")
    CrossChecks(run_sacct=True, job_id="55", fallback_job_id="99", runner=runner).externals("77")
    CrossChecks(run_sacct=True, fallback_job_id="99", runner=runner).externals(None)
    assert [call[0][2] for call in runner.calls] == ["77", "55", "99"]
    none = CrossChecks(run_sacct=True, runner=runner).externals(None)
    assert none[0].reason is not None
    assert "--job-id" in none[0].reason
