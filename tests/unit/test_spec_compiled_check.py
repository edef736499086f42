"""Bundled spec files pass a compiled (jsonschema-rs) check; python-jsonschema still words every problem.

The quick check is trusted only to say yes for files shipped with une-eval: these tests hold both
validators to agree that every bundled file is valid, and a bundled document the compiled check
refuses to be refused with exactly the problems python-jsonschema finds in it.
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
    compiled_check,
    lookup,
    passes_compiled,
    problems_against,
    read_bundled,
    registry,
    schema_of,
    schema_validator,
)
from une_eval.spec import profile_names, rule_catalogue
from une_eval.vocabulary import _enum_by_pointers, phases


def _bundled() -> list[tuple[SchemaKind, tuple[str, ...]]]:
    files: list[tuple[SchemaKind, tuple[str, ...]]] = [(SchemaKind.RULES, ("rules.json",))]
    files += [(SchemaKind.PROFILE, ("profiles", f"{name}.json")) for name in profile_names()]
    files += [(SchemaKind.RATING_SCHEME, ("ratings", f"{name}.json")) for name in scheme_names()]
    return files


@pytest.mark.parametrize(("kind", "parts"), _bundled())
def test_every_bundled_file_passes_both_validators(kind: SchemaKind, parts: tuple[str, ...]) -> None:
    doc = read_bundled(*parts)
    assert problems_against(schema_validator(kind), doc) == []
    assert passes_compiled(compiled_check(schema_of(kind), kind.schema_id), doc)


def _broken_profile() -> dict[str, Any]:
    doc: dict[str, Any] = copy.deepcopy(read_bundled("profiles", "une-style.json"))
    doc["title"] = 42  # not text
    doc["unexpected"] = True  # not a profile key
    return doc


def test_a_bundled_document_the_compiled_check_refuses_gets_python_jsonschemas_problems() -> None:
    doc = _broken_profile()
    assert not passes_compiled(compiled_check(schema_of(SchemaKind.PROFILE), SchemaKind.PROFILE.schema_id), doc)
    with pytest.raises(SpecFileError) as quick:
        check_spec_document(SchemaKind.PROFILE, doc, "bundled", bundled=True)
    with pytest.raises(SpecFileError) as plain:
        check_spec_document(SchemaKind.PROFILE, doc, "bundled")
    assert quick.value.problems == plain.value.problems
    assert len(quick.value.problems) == 2


def test_a_value_json_cannot_hold_is_not_passed_by_the_compiled_check() -> None:
    validator = compiled_check({"type": "object"})
    assert passes_compiled(validator, {"x": 1.5})
    assert not passes_compiled(validator, {"x": object()})
    assert not passes_compiled(None, {"x": 1.5})


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
    assert _enum_by_pointers(schema_file, definition) == _by_registry(schema_file, definition)


def test_a_definition_the_pointers_cannot_find_is_left_to_the_registry() -> None:
    assert _enum_by_pointers("common.schema.json", "no_such_definition") is None
    assert phases() == ("training", "inference")


def test_every_catalogued_parameter_schema_compiles() -> None:
    for info in rule_catalogue().values():
        for schema in info.parameter_schemas.values():
            assert compiled_check(schema) is not None
