"""Every rule of the catalogue has an invalid fixture raising exactly the findings its expected file lists."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from une_eval.spec import load_profile, profile_names, rule_catalogue
from une_eval.validation import check_file
from une_eval.validation.rules import RULES

REPO = Path(__file__).resolve().parents[3]
INVALID = REPO / "fixtures" / "invalid"


@pytest.mark.parametrize("rule_id", sorted(rule_catalogue()))
def test_rule_has_fixture_raising_exactly_expected(rule_id: str) -> None:
    expected = json.loads((INVALID / f"{rule_id}.expected.json").read_text())
    verdict = check_file(INVALID / f"{rule_id}.json", profile=expected.get("profile"))
    got = sorted((f.rule_id, f.pointer) for f in verdict.findings)
    assert got == sorted((f["rule_id"], f["pointer"]) for f in expected["findings"])
    assert rule_id in {f.rule_id for f in verdict.findings}


@pytest.mark.parametrize("name", profile_names())
def test_profiles_load_and_every_rule_is_implemented(name: str) -> None:
    prof = load_profile(name)
    assert prof.sources
    assert set(prof.rules) <= set(RULES)


def test_valid_fixtures_conform_under_the_profile_they_claim() -> None:
    for path in sorted((REPO / "fixtures" / "valid").glob("*.json")):
        assert check_file(path).outcome.value == "conformant", path.name
    assert check_file(REPO / "fixtures" / "evidence" / "h200" / "steady.json").outcome.value == "conformant"


@pytest.mark.slow
def test_generated_fixtures_are_committed(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "fixtures" / "generate.py"), str(tmp_path)],
        check=True,
        env={"PYTHONPATH": str(REPO)},
    )
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            rel = path.relative_to(tmp_path)
            assert path.read_bytes() == (REPO / "fixtures" / rel).read_bytes(), str(rel)
