"""``une-eval measure`` end to end on the replay sensor with the real H200 recording."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from rich.console import Console

from tests.acceptance.measure_helpers import cli_env, replay_args, run_cli
from une_eval.cli import main
from une_eval.cli.measure import _Display, _report
from une_eval.energy import counter_series_delta
from une_eval.measure import SimulatedClock
from une_eval.measure.runner import Result
from une_eval.validation import check_file

FIX = Path(__file__).parents[2] / "fixtures" / "traces"
PROBE = json.loads((FIX / "h200-probe.json").read_text())
# A replay measures nothing of a system: checked against the profile for replays and rehearsals.
REPLAY = [
    "--profile",
    "replay-rehearsal",
    "--replay",
    str(FIX / "h200-trace.csv"),
    str(FIX / "h200-probe.json"),
    str(FIX / "h200-host.json"),
]


def _measure(out: Path, *extra: str) -> Any:
    args = [
        "measure",
        "--phase",
        "inference",
        "--unit",
        "query",
        "--work-units",
        "1000",
        "--runs",
        "5",
        "--idle-s",
        "60",
        "--seed",
        "3",
        "--declarations",
        str(FIX / "h200-declarations.json"),
        *REPLAY,
        "-o",
        str(out),
        *extra,
    ]
    return CliRunner().invoke(main, args)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("measure")
    result = _measure(out)
    assert result.exit_code == 0, result.output
    assert "CONFORMANT" in result.output
    return out, json.loads((out / "submission.json").read_text())


def test_a_replay_is_marked_in_the_submission_and_no_certifying_profile_accepts_it(
    measured: tuple[Path, dict[str, Any]],
) -> None:
    out, doc = measured
    replay = doc["measurement"]["replay"]
    assert replay["kind"] == "replay"
    [recording] = replay["recordings"]
    assert recording["sha256"] == hashlib.sha256((FIX / "h200-trace.csv").read_bytes()).hexdigest()
    assert recording["file"] == "h200-trace.csv"
    assert recording["device_id"] == doc["measurement"]["devices"][0]["device_id"]
    assert doc["profile"]["name"] == "replay-rehearsal"
    for profile in ("une-style", "ai-energy-score"):
        verdict = check_file(out / "submission.json", profile=profile)
        assert verdict.outcome.value == "non-conformant"
        assert "measurement.replay" in [f.rule_id for f in verdict.errors]
    claimed = check_file(out / "submission.json")
    assert [f.rule_id for f in claimed.warnings] == ["measurement.replay"]
    assert recording["sha256"] in claimed.warnings[0].message


def test_replay_submission_is_conformant(measured: tuple[Path, dict[str, Any]]) -> None:
    out, _ = measured
    verdict = check_file(out / "submission.json")
    assert verdict.outcome.value == "conformant", verdict.findings
    assert CliRunner().invoke(main, ["validate", str(out / "submission.json")]).exit_code == 0


def test_load_window_energy_matches_recording_counter(measured: tuple[Path, dict[str, Any]]) -> None:
    _, doc = measured
    expected_j = PROBE["phase_load"]["energy_counter_J"]
    for run in doc["measurement"]["runs"]:
        assert run["energy"]["gpu_j"] == pytest.approx(expected_j, rel=0.005)
        assert run["duration_s"] == pytest.approx(PROBE["phase_load"]["seconds"], rel=0.005)


def test_traces_referenced_by_sha256_recompute_run_energy(measured: tuple[Path, dict[str, Any]]) -> None:
    out, doc = measured
    [ref] = doc["measurement"]["traces"]
    path = out / ref["path"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ref["sha256"]
    trace = pd.read_csv(path)
    assert [c["name"] for c in ref["columns"]] == list(trace.columns)
    run0 = trace[(trace["phase"] == "run-0") & trace["energy_mj"].notna()]
    delta_mj, resets = counter_series_delta(run0["energy_mj"].to_numpy(dtype=np.float64))
    assert resets == 0
    assert delta_mj / 1000 == pytest.approx(doc["measurement"]["runs"][0]["energy"]["gpu_j"], rel=1e-5)
    assert trace["power_instant_mw"].notna().all()


def test_inventory_and_unavailable_cpu_are_recorded(measured: tuple[Path, dict[str, Any]]) -> None:
    out, doc = measured
    [acc] = doc["system"]["hardware"]["nodes"][0]["accelerators"]
    assert (acc["model"], acc["power_limit_w"], acc["has_energy_counter"]) == ("NVIDIA H200", 700.0, True)
    methods = {m["component"]: m for m in doc["measurement"]["methods"]}
    assert methods["cpu"]["method"] == "unavailable"
    assert "RAPL" in methods["cpu"]["reason"]
    assert (out / "run.log").read_text().strip().endswith("complete")
    assert json.loads((out / "inventory.json").read_text())["devices"][0]["uuid"].startswith("GPU-")


def test_below_profile_minimum_is_refused(tmp_path: Path) -> None:
    result = _measure(tmp_path, "--idle-s", "5")
    assert result.exit_code == 2
    assert "at least 30 s" in result.output


def test_hostile_declarations_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "decl.json"
    bad.write_text('{"submitter": NaN}')
    args = [
        "measure",
        "--phase",
        "inference",
        "--unit",
        "query",
        "--work-units",
        "1",
        "--runs",
        "3",
        "--idle-s",
        "30",
        "--declarations",
        str(bad),
        *REPLAY,
        "-o",
        str(tmp_path / "out"),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "une-eval: error:" in result.output
    assert "Traceback" not in result.output


def test_live_display_shows_phase_run_and_power() -> None:
    buffer = io.StringIO()
    with _Display(Console(file=buffer, force_terminal=True, width=100), SimulatedClock()) as display:
        display.progress("run-1", 2, 5)
        display.tick("run-1", {"node0-gpu0": 687.0})
    text = buffer.getvalue()
    assert "run-1" in text
    assert "2/5" in text
    assert "687.0" in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.clear(), "missing required property 'submitter'"),
        (lambda d: d.__setitem__("system", "x"), "/system: expected an object"),
        (lambda d: d["system"]["site"].pop("pue"), "/system/site: missing required property 'pue'"),
        (lambda d: d["system"]["site"]["pue"].__setitem__("value", "1.2"), "/system/site/pue/value"),
    ],
)
def test_a_malformed_declarations_file_is_refused_before_measuring(tmp_path: Path, change: Any, expected: str) -> None:
    declarations = json.loads((FIX / "h200-declarations.json").read_text())
    change(declarations)
    path = tmp_path / "declarations.json"
    path.write_text(json.dumps(declarations))
    out = tmp_path / "out"
    args = [
        "measure",
        "--phase",
        "inference",
        "--unit",
        "query",
        "--work-units",
        "1000",
        "--runs",
        "3",
        "--idle-s",
        "30",
        "--seed",
        "1",
        "--declarations",
        str(path),
        *REPLAY,
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert expected in result.output
    assert not (out / "traces").exists() or not any((out / "traces").iterdir())


# --- exit codes: never success on a bad result ------------------------------------------------------


def _subprocess(args: list[str], tmp_path: Path) -> Any:
    return run_cli(args, cli_env(tmp_path))


def test_declarations_of_the_other_phase_are_refused_before_measuring(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = replay_args(out)
    args[args.index("inference")] = "training"  # --phase training, inference declarations
    result = _subprocess(args, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "/workload: missing required property 'training'" in line
    assert "/workload: must not contain 'inference'" in line
    assert not out.exists()  # nothing measured, nothing written


def test_a_profile_that_does_not_cover_the_phase_is_refused_before_measuring(tmp_path: Path) -> None:
    training = json.loads((FIX.parent / "valid" / "training-multinode-h100.json").read_text())["workload"]
    declarations = tmp_path / "training.json"
    inference = json.loads((FIX / "h200-declarations.json").read_text())
    declarations.write_text(json.dumps(inference | {"workload": training}))
    out = tmp_path / "out"
    args = replay_args(out, "--profile", "ai-energy-score", declarations=declarations)
    args[args.index("inference")] = "training"
    result = _subprocess(args, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "profile ai-energy-score covers inference only" in line
    assert not out.exists()


def test_a_non_conformant_measurement_exits_1_and_says_why(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = replay_args(out, "--profile", "ai-energy-score")
    args[args.index("--runs") + 1] = "10"
    result = _subprocess(args, tmp_path)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "does not conform to profile ai-energy-score" in line
    # The first reason: a replay measures nothing of a system, which no certifying profile accepts
    assert "measurement.replay" in line
    assert "inference.queries" in result.stdout
    assert "NON-CONFORMANT" in result.stdout


def test_a_submission_that_is_not_schema_valid_exits_2(
    measured: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    # The runner checks the declarations first, so it cannot build such a file today; if it ever did,
    # it must not report success.

    out, doc = measured
    broken = json.loads(json.dumps(doc))
    del broken["measurement"]["runs"]
    with pytest.raises(SystemExit) as exit_info:
        _report(Result(out / "submission.json", broken, True, None), out, Console(file=io.StringIO()), quiet=True)
    assert exit_info.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "is not schema-valid" in line
    assert "/measurement" in line
