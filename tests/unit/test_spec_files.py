"""A certification body's own profile and rating-scheme files: merged, checked, refused with a pointer."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.errors import SpecError
from une_eval.findings import Severity
from une_eval.rating import load_scheme, scheme_names
from une_eval.spec import (
    MAX_EXTENDS_DEPTH,
    Assurance,
    SpecFileError,
    load_profile,
    profile_from_document,
    profile_names,
    rule_catalogue,
    spec_root,
)


def _profile(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "body-test",
        "version": "1",
        "title": "A test profile",
        "description": "Used by the tests.",
        "sources": ["the tests"],
        "rules": {},
    }
    return {**base, **fields}


def _write(path: Path, doc: dict[str, Any]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _refusal(reference: str) -> SpecFileError:
    with pytest.raises(SpecFileError) as info:
        load_profile(reference)
    return info.value


def test_the_example_profile_merges_over_its_bundled_parent() -> None:
    prof = load_profile(str(FIXTURES / "profiles" / "our-body.json"))
    parent = load_profile("une-style")
    assert prof.name == "our-body-inference"
    assert prof.params("runs.count") == {"min_runs_inference": 10, "min_runs_training": 1}  # child over parent
    assert prof.params("runs.cv") == {"max_cv_pct": 0.3}
    assert prof.severity_of("method.counter-preferred") is Severity.ERROR
    assert parent.severity_of("method.counter-preferred") is Severity.WARNING
    assert "derived.water" not in prof.rules
    assert "derived.water" in parent.rules
    assert set(prof.rules) == set(parent.rules) - {"derived.water"}
    assert prof.phases == ("inference",)
    assert prof.required_assurance is Assurance.EVIDENCE_CHECKED  # inherited
    assert prof.extends == "une-style"


def test_a_file_may_extend_another_file_by_relative_path(tmp_path: Path) -> None:
    _write(tmp_path / "base.json", _profile(name="body-base", extends="une-style", required_assurance="declared-only"))
    child = _write(
        tmp_path / "sub" / "child.json",
        _profile(name="body-child", extends="../base.json", rules={"runs.cv": {"max_cv_pct": 1.5}}),
    )
    prof = load_profile(child)
    assert prof.params("runs.cv") == {"max_cv_pct": 1.5}
    assert prof.params("runs.duration") == load_profile("une-style").params("runs.duration")
    assert prof.required_assurance is Assurance.DECLARED_ONLY
    assert not prof.needs_evidence()
    assert prof.phases == ("training", "inference")


def test_a_profile_without_parent_names_every_parameter(tmp_path: Path) -> None:
    rules = {"runs.cv": {"max_cv_pct": 2}, "runs.overlap": {}}
    prof = load_profile(_write(tmp_path / "alone.json", _profile(rules=rules)))
    assert list(prof.rules) == ["runs.cv", "runs.overlap"]
    assert prof.required_assurance is Assurance.EVIDENCE_CHECKED  # the strict default


def test_unknown_and_missing_parameters_and_wrong_types_are_each_pointed_at(tmp_path: Path) -> None:
    rules = {
        "runs.cv": {"max_cv_pct": "5", "max_cv": 5},
        "runs.count": {"min_runs_training": 1},
        "inference.batch-size": {"batch_size": 1.5},
        "results.functional-unit": {"phase": "inference", "unit": "query", "count": 1000, "energy_unit": "GWh"},
    }
    error = _refusal(_write(tmp_path / "p.json", _profile(rules=rules)))
    where = {p.pointer for p in error.problems}
    assert where == {
        "/rules/runs.cv/max_cv_pct",
        "/rules/runs.cv/max_cv",
        "/rules/runs.count",
        "/rules/inference.batch-size/batch_size",
        "/rules/results.functional-unit/energy_unit",
    }
    assert str(error).startswith(str(tmp_path / "p.json") + ": /rules/")
    assert "min_runs_inference" in next(p.message for p in error.problems if p.pointer == "/rules/runs.count")


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"rules": {"no.such-rule": {}}}, "/rules/no.such-rule"),
        ({"rules": {"runs.overlap": {"severity": "fatal"}}}, "/rules/runs.overlap/severity"),
        ({"rules": {"runs.overlap": "yes"}}, "/rules/runs.overlap"),
        ({"name": "une-style"}, "/name"),
        ({"name": "has space"}, "/name"),
        ({"extends": "/etc/profile.json"}, "/extends"),
        ({"required_assurance": "trust-me"}, "/required_assurance"),
        ({"phases": ["inference", "inference"]}, "/phases"),
        ({"sources": []}, "/sources"),
        ({"rules": {"runs.overlap": {}}, "surprise": 1}, ""),
    ],
)
def test_a_broken_profile_is_refused_with_the_pointer_of_its_problem(
    tmp_path: Path, change: dict[str, Any], pointer: str
) -> None:
    error = _refusal(_write(tmp_path / "p.json", _profile(**change)))
    assert error.problems[0].pointer == pointer, error.problems


def test_a_cycle_of_files_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a.json", _profile(name="body-a", extends="b.json"))
    _write(tmp_path / "b.json", _profile(name="body-b", extends="./a.json"))
    error = _refusal(str(tmp_path / "a.json"))
    assert error.problems[0].pointer == "/extends"
    assert "cycle" in error.problems[0].message


def test_a_file_extending_itself_is_refused(tmp_path: Path) -> None:
    error = _refusal(_write(tmp_path / "self.json", _profile(extends="self.json")))
    assert "cycle" in error.problems[0].message


def test_extension_depth_is_bounded(tmp_path: Path) -> None:
    _write(tmp_path / "p0.json", _profile(name="body-0", extends="une-style"))
    for i in range(1, MAX_EXTENDS_DEPTH + 1):
        _write(tmp_path / f"p{i}.json", _profile(name=f"body-{i}", extends=f"p{i - 1}.json"))
    assert load_profile(str(tmp_path / f"p{MAX_EXTENDS_DEPTH - 2}.json")).name == f"body-{MAX_EXTENDS_DEPTH - 2}"
    error = _refusal(str(tmp_path / f"p{MAX_EXTENDS_DEPTH}.json"))
    assert "deep" in error.problems[0].message


def test_a_file_cannot_extend_an_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="unknown profile 'not-bundled'"):
        load_profile(_write(tmp_path / "p.json", _profile(extends="not-bundled")))


@pytest.mark.parametrize(
    "content",
    [b'{"name": "a", "name": "b"}', b"{not json", b"[1, 2]", b"\xff\xfe", b"[" * 5000, b" " * (1024 * 1024 + 1)],
)
def test_hostile_profile_files_are_clear_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    with pytest.raises(SpecError) as info:
        load_profile(str(path))
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


def test_a_fifo_given_as_profile_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(SpecError, match="not a regular file"):
        load_profile(str(fifo))


def test_a_missing_file_and_an_unknown_name_are_spec_errors() -> None:
    with pytest.raises(SpecError, match="cannot read the file"):
        load_profile("./no-such-profile.json")
    with pytest.raises(SpecError, match="or give a profile file"):
        load_profile("no-such-profile")


def _scheme(tmp_path: Path, **fields: Any) -> str:
    doc = json.loads(spec_root().joinpath("ratings", "absolute-example.json").read_text(encoding="utf-8"))
    doc = {**doc, "name": "body-scheme", **fields}
    return _write(tmp_path / "scheme.json", doc)


def test_a_rating_scheme_file_is_loaded_by_path(tmp_path: Path) -> None:
    scheme = load_scheme(_scheme(tmp_path))
    assert scheme["name"] == "body-scheme"
    assert scheme["kind"] == "absolute"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"groups": [{"task": "text-generation", "label": "x", "upper_bounds": [1.0, 2.0]}]}, "/groups/0/upper_bounds"),
        (
            {"groups": [{"task": "text-generation", "label": "x", "upper_bounds": [1, 3, 2, 4, 5, 6]}]},
            "/groups/0/upper_bounds",
        ),
        ({"groups": [{"task": "text-generation", "label": "x", "reference_values": [1, 2]}]}, "/groups/0"),
        ({"groups": [{"task": "juggling", "label": "x", "upper_bounds": [1, 2, 3, 4, 5, 6]}]}, "/groups/0/task"),
        ({"metric": "vibes"}, "/metric"),
        ({"name": scheme_names()[0]}, "/name"),
        ({"classes": ["A"]}, "/classes"),
    ],
)
def test_a_broken_rating_scheme_is_refused_with_its_pointer(
    tmp_path: Path, change: dict[str, Any], pointer: str
) -> None:
    with pytest.raises(SpecFileError) as info:
        load_scheme(_scheme(tmp_path, **change))
    assert info.value.problems[0].pointer == pointer, info.value.problems


REFERENCE_SET = {"name": "Our body's reference runs", "edition": "first", "date": "2026-11"}


def test_a_relative_scheme_needs_a_range(tmp_path: Path) -> None:
    groups = [{"task": "text-generation", "label": "flat", "reference_values": [2.0, 2.0, 2.0]}]
    with pytest.raises(SpecFileError, match="/groups/0/reference_values"):
        load_scheme(_scheme(tmp_path, kind="relative", groups=groups, reference_set=REFERENCE_SET))


def test_a_relative_scheme_names_its_reference_set(tmp_path: Path) -> None:
    groups = [{"task": "text-generation", "label": "x", "reference_values": [1.0, 2.0]}]
    with pytest.raises(SpecFileError, match="'reference_set' is a required property"):
        load_scheme(_scheme(tmp_path, kind="relative", groups=groups))
    scheme = load_scheme(_scheme(tmp_path, kind="relative", groups=groups, reference_set=REFERENCE_SET))
    assert scheme["reference_set"]["edition"] == "first"
    with pytest.raises(SpecFileError, match="/reference_set/date"):
        load_scheme(_scheme(tmp_path, kind="relative", groups=groups, reference_set={**REFERENCE_SET, "date": "soon"}))


def test_catalogue_parameters_each_declare_a_value_schema() -> None:
    for info in rule_catalogue().values():
        assert set(info.parameters) == set(info.parameter_schemas), info.rule_id


@pytest.mark.parametrize("reference", [*profile_names(), str(FIXTURES / "profiles" / "our-body.json")])
def test_a_profile_document_round_trips_without_files(reference: str) -> None:
    prof = load_profile(reference)
    again = profile_from_document(json.loads(json.dumps(prof.to_document())), "embedded profile")
    assert (again.name, again.rules, again.phases, again.required_assurance) == (
        prof.name,
        prof.rules,
        prof.phases,
        prof.required_assurance,
    )
    assert all(again.severity_of(r) is prof.severity_of(r) for r in prof.rules)
    assert again.extends is None
    assert again.path is None


def test_a_profile_document_may_not_reach_for_files(tmp_path: Path) -> None:
    _write(tmp_path / "base.json", _profile(name="body-base"))
    with pytest.raises(SpecError, match="unknown profile"):
        profile_from_document(_profile(extends=str(tmp_path / "base.json").lstrip("/")), "embedded profile")
    with pytest.raises(SpecFileError) as info:
        profile_from_document(_profile(rules={"runs.cv": {"max_cv_pct": -1}}), "embedded profile")
    assert str(info.value).startswith("embedded profile: /rules/runs.cv/max_cv_pct:")
