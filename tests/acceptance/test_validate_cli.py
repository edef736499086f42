"""Drive ``une-eval validate`` over every bundled fixture, as an auditor would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES, REPO
from une_eval.cli import main
from une_eval.spec import rule_catalogue

VALID = sorted((FIXTURES / "valid").glob("*.json"))
INVALID = sorted(p for p in (FIXTURES / "invalid").glob("*.json") if not p.name.endswith(".expected.json"))
BAD_INPUT = sorted((FIXTURES / "bad-input").glob("*.json"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out = run(*args, "--format", "json")
    data: dict[str, Any] = json.loads(out)
    return code, data


def test_the_bundled_examples_cover_training_and_inference() -> None:
    phases = {json.loads(p.read_text())["phase"] for p in VALID}
    assert phases == {"training", "inference"}
    assert len(VALID) >= 3


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_examples_conform(path: Path) -> None:
    code, data = run_json("validate", str(path))
    assert data["files"][0]["verdict"] == "conformant", data["files"][0]["findings"]
    assert code == 0


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_each_invalid_fixture_raises_exactly_its_expected_findings(path: Path) -> None:
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    args = ["validate", str(path)] + (["--profile", expected["profile"]] if "profile" in expected else [])
    code, data = run_json(*args)
    result = data["files"][0]
    got = sorted((f["rule_id"], f["pointer"]) for f in result["findings"])
    want = sorted((f["rule_id"], f["pointer"]) for f in expected["findings"])
    assert got == want
    assert code == (0 if result["verdict"] == "conformant" else 1)
    for finding in result["findings"]:
        assert finding["message"]
        assert finding["severity"] in {"error", "warning", "info"}


def test_every_catalogued_rule_has_an_invalid_fixture_and_documentation() -> None:
    covered = {
        f["rule_id"]
        for p in INVALID
        for f in json.loads(p.with_name(p.stem + ".expected.json").read_text())["findings"]
    }
    rules_doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule_id in rule_catalogue():
        assert rule_id in covered, f"no invalid fixture raises {rule_id}"
        assert f"`{rule_id}`" in rules_doc, f"{rule_id} is not documented in docs/rules.md"


@pytest.mark.parametrize("path", BAD_INPUT, ids=lambda p: p.stem)
def test_bad_input_is_a_clear_error_with_exit_code_2(path: Path) -> None:
    code, data = run_json("validate", str(path))
    assert code == 2
    assert data["files"][0]["verdict"] == "error"
    assert data["files"][0]["error"]


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "too-large.json"
    with big.open("w") as fh:
        fh.write('{"padding": "')
        fh.write("x" * (17 * 1024 * 1024))
        fh.write('"}')
    code, data = run_json("validate", str(big))
    assert code == 2
    assert "over the limit" in data["files"][0]["error"]


def test_many_files_at_once_with_worst_exit_code() -> None:
    code, data = run_json("validate", *map(str, VALID), str(INVALID[0]))
    assert len(data["files"]) == len(VALID) + 1
    assert code == 1
    code, _ = run_json("validate", str(VALID[0]), str(BAD_INPUT[0]))
    assert code == 2


def test_a_folder_is_expanded() -> None:
    code, data = run_json("validate", str(FIXTURES / "valid"))
    assert code == 0
    assert {Path(f["source"]).name for f in data["files"]} == {p.name for p in VALID}


def test_text_output_names_verdict_rule_and_pointer() -> None:
    code, out = run("validate", str(FIXTURES / "invalid" / "runs.cv.json"))
    assert code == 1
    assert "NON-CONFORMANT" in out
    assert "runs.cv" in out
    assert "/results/statistics/cv_pct" in out


def test_missing_path_and_unknown_profile_are_clear_errors() -> None:
    result = CliRunner().invoke(main, ["validate", "no/such/file.json"])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output
    result = CliRunner().invoke(main, ["validate", str(VALID[0]), "--profile", "nope"])
    assert result.exit_code == 2
    assert "unknown profile 'nope'" in result.output
    assert "Traceback" not in result.output


def test_schema_command_prints_the_normative_schema() -> None:
    code, out = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$id"].endswith("/1.0/submission.schema.json")


def test_console_entry_points_work() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "une_eval", "validate", str(VALID[0])], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "CONFORMANT" in out.stdout
