"""Bundled spec files pass the compiled (jsonschema-rs) check; python-jsonschema still words every problem.

These tests hold both validators to agree that every bundled file is valid, a document the compiled
check refuses to be refused with exactly the problems python-jsonschema finds in it, and the vocabularies
read by JSON Pointer to match what the reference registry resolves.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from une_eval.rating import scheme_names
from une_eval.schemas import (
    SCHEMA_BASE,
    SchemaKind,
    SpecFileError,
    check_spec_document,
    compiled_validator_for,
    compiled_verdict,
    lookup,
    problems_against,
    read_bundled,
    registry,
    schema_of,
    schema_validator,
)
from une_eval.spec import profile_names
from une_eval.vocabulary import schema_enum


def _bundled() -> list[tuple[SchemaKind, tuple[str, ...]]]:
    files: list[tuple[SchemaKind, tuple[str, ...]]] = [(SchemaKind.RULES, ("rules.json",))]
    files += [(SchemaKind.PROFILE, ("profiles", f"{name}.json")) for name in profile_names()]
    files += [(SchemaKind.RATING_SCHEME, ("ratings", f"{name}.json")) for name in scheme_names()]
    return files


@pytest.mark.parametrize(("kind", "parts"), _bundled())
def test_every_bundled_file_passes_both_validators(kind: SchemaKind, parts: tuple[str, ...]) -> None:
    doc = read_bundled(*parts)
    assert problems_against(schema_validator(kind), doc) == []
    assert compiled_verdict(compiled_validator_for(schema_of(kind), kind.schema_id), doc) is True


def _broken_profile() -> dict[str, Any]:
    doc: dict[str, Any] = copy.deepcopy(read_bundled("profiles", "une-style.json"))
    doc["title"] = 42  # not text
    doc["unexpected"] = True  # not a profile key
    return doc


def test_a_document_the_compiled_check_refuses_gets_python_jsonschemas_problems() -> None:
    doc = _broken_profile()
    validator = compiled_validator_for(schema_of(SchemaKind.PROFILE), SchemaKind.PROFILE.schema_id)
    assert compiled_verdict(validator, doc) is False
    with pytest.raises(SpecFileError) as refused:
        check_spec_document(SchemaKind.PROFILE, doc, "bundled")
    assert list(refused.value.problems) == problems_against(schema_validator(SchemaKind.PROFILE), doc)
    assert len(refused.value.problems) == 2


def test_a_value_json_cannot_hold_gets_no_verdict_from_the_compiled_check() -> None:
    validator = compiled_validator_for({"type": "object"}, SCHEMA_BASE + "any.json")
    assert compiled_verdict(validator, {"x": 1.5}) is True
    assert compiled_verdict(validator, {"x": object()}) is None
    assert compiled_verdict(None, {"x": 1.5}) is None


def _by_registry(schema_file: str, definition: str) -> tuple[str, ...]:
    resolved = lookup(registry().resolver(base_uri=SCHEMA_BASE + schema_file), f"#/$defs/{definition}")
    while "$ref" in resolved.contents:
        resolved = lookup(resolved.resolver, resolved.contents["$ref"])
    return tuple(str(v) for v in resolved.contents["enum"])


@pytest.mark.parametrize(
    ("schema_file", "definition"),
    [("common.schema.json", d) for d in ("phase", "component", "measurement_method", "unit_name", "energy_unit")]
    + [("submission.schema.json", "inference_task")],
)
def test_vocabularies_by_pointer_match_the_registry_lookup(schema_file: str, definition: str) -> None:
    assert schema_enum(schema_file, definition) == _by_registry(schema_file, definition)
