from __future__ import annotations

import json

import pytest

from une_eval.errors import SpecError
from une_eval.findings import Severity
from une_eval.spec import (
    load_profile,
    profile_names,
    registry,
    rule_catalogue,
    schema_documents,
    spec_root,
    submission_validator,
)
from une_eval.validation.rules import RULES


def test_every_schema_has_a_versioned_id_and_draft_2020_12() -> None:
    for uri, doc in schema_documents().items():
        assert "/schemas/1.0/" in uri
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_cross_file_references_resolve_without_network() -> None:
    resolver = registry().resolver()
    resolved = resolver.lookup("https://une-eval.github.io/spec/schemas/1.0/common.schema.json#/$defs/sha256")
    assert resolved.contents["pattern"] == "^[0-9a-f]{64}$"


def test_formats_are_really_checked() -> None:
    checker = submission_validator().format_checker
    assert checker is not None
    assert not checker.conforms("2026-13-45T99:00:00Z", "date-time")
    assert not checker.conforms("not a uri", "uri")


def test_catalogue_and_implementations_match() -> None:
    catalogue = set(rule_catalogue())
    assert set(RULES) == catalogue


def test_every_rule_function_is_marked_with_the_id_it_is_listed_under() -> None:
    for rule_id, fn in RULES.items():
        assert getattr(fn, "rule_id", None) == rule_id
        assert fn.__module__.rsplit(".", 1)[-1] == rule_id.split(".")[0]


def test_bundled_profiles_only_name_catalogued_rules() -> None:
    for name in profile_names():
        profile = load_profile(name)
        assert set(profile.rules) <= set(rule_catalogue())
        assert profile.sources, f"profile {name} names no source"


def test_profile_severity_falls_back_to_the_catalogue() -> None:
    profile = load_profile("une-style")
    assert profile.severity_of("method.counter-preferred") is Severity.WARNING
    assert profile.severity_of("runs.cv") is Severity.ERROR
    assert profile.params("runs.cv") == {"max_cv_pct": 5.0}


def test_unknown_profile_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="unknown profile 'nope'"):
        load_profile("nope")


def test_catalogue_entries_are_complete() -> None:
    raw = json.loads(spec_root().joinpath("rules.json").read_text(encoding="utf-8"))
    ids = [r["id"] for r in raw["rules"]]
    assert len(ids) == len(set(ids)), "duplicate rule id"
    for entry in raw["rules"]:
        assert entry["rationale"]
        assert entry["source"]
        assert entry["title"]
