"""A certification body's own profile and rating scheme on the command line; ``une-eval schema`` for tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import FIXTURES
from une_eval.cli import main
from une_eval.spec import SchemaKind, spec_root

OUR_PROFILE = FIXTURES / "profiles" / "our-body.json"
BROKEN_PROFILE = FIXTURES / "profiles" / "broken-profile.json"
LLM = FIXTURES / "valid" / "llm-inference-h100.json"


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def test_validate_with_a_profile_file_applies_its_rules() -> None:
    result = invoke("validate", LLM, "--profile", OUR_PROFILE, "--format", "json")
    assert result.exit_code == 1
    verdict = json.loads(result.stdout)["files"][0]
    assert verdict["profile"] == "our-body-inference"
    assert {f["rule_id"] for f in verdict["findings"]} == {"runs.count", "runs.cv"}
    assert invoke("validate", LLM, "--profile", "une-style").exit_code == 0  # bundled names still work


def test_a_profile_file_works_with_parallel_workers() -> None:
    result = invoke("validate", LLM, FIXTURES / "valid" / "aes-text-generation-h100.json", "--profile", OUR_PROFILE)
    result_jobs = invoke(
        "validate", LLM, FIXTURES / "valid" / "aes-text-generation-h100.json", "--profile", OUR_PROFILE, "--jobs", "2"
    )
    assert result.exit_code == result_jobs.exit_code == 1
    assert result.stdout == result_jobs.stdout


def test_a_broken_profile_file_is_one_line_with_its_pointer_and_exit_2() -> None:
    result = invoke("validate", LLM, "--profile", BROKEN_PROFILE)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(BROKEN_PROFILE) in lines[0]
    assert "/rules/runs.cv/max_cv_pct" in lines[0]
    assert result.stdout == ""


def test_json_format_lists_every_problem_of_a_refused_profile() -> None:
    result = invoke("validate", LLM, "--profile", BROKEN_PROFILE, "--format", "json")
    assert result.exit_code == 2
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["file"] == str(BROKEN_PROFILE)
    assert [p["pointer"] for p in report["problems"]] == [
        "/rules/runs.cv/max_cv_pct",
        "/rules/runs.cv/max_cv",
        "/rules/runs.count",
    ]


def test_a_rating_scheme_file_rates_and_a_broken_one_is_refused(tmp_path: Path) -> None:
    scheme = json.loads(spec_root().joinpath("ratings", "absolute-example.json").read_text(encoding="utf-8"))
    scheme["name"] = "body-absolute"
    path = tmp_path / "scheme.json"
    path.write_text(json.dumps(scheme), encoding="utf-8")
    result = invoke("validate", LLM, "--rating-scheme", path, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["files"][0]["rating"]["scheme"] == "body-absolute"
    scheme["groups"][0]["upper_bounds"] = [1.0]
    path.write_text(json.dumps(scheme), encoding="utf-8")
    refused = invoke("validate", LLM, "--rating-scheme", path)
    assert refused.exit_code == 2
    assert "/groups/0/upper_bounds" in refused.stderr


def test_certify_refuses_a_broken_profile_before_touching_the_key(tmp_path: Path) -> None:
    result = invoke("certify", LLM, "--key", tmp_path / "absent.p12", "--profile", BROKEN_PROFILE)
    assert result.exit_code == 2
    assert "/rules/runs.cv/max_cv_pct" in result.stderr


def test_profiles_show_reads_a_file() -> None:
    result = invoke("profiles", "--show", OUR_PROFILE, "--format", "json")
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown["name"] == "our-body-inference"
    assert shown["required_assurance"] == "evidence-checked"
    assert shown["path"] == str(OUR_PROFILE)


@pytest.mark.parametrize("kind", [k.value for k in SchemaKind])
def test_schema_prints_each_kind_and_its_bundle(kind: str) -> None:
    plain = json.loads(invoke("schema", kind).stdout)
    bundle = json.loads(invoke("schema", kind, "--bundle").stdout)
    assert plain["$id"] == bundle["$id"]
    assert plain["$id"].endswith(f"/1.0/{kind}.schema.json")
    assert "common.schema.json" not in json.dumps(bundle)


def test_schema_without_arguments_is_the_submission_schema() -> None:
    assert json.loads(invoke("schema").stdout)["$id"].endswith("/submission.schema.json")
    assert invoke("schema", "nope").exit_code == 2
