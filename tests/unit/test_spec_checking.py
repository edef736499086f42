"""Spec files are decided by the compiled validator; python-jsonschema only words a refused file's problems."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from une_eval.errors import SpecError
from une_eval.schemas import (
    SCHEMA_BASE,
    SchemaKind,
    SpecFileError,
    bundled_target,
    check_spec_document,
    compiled_verdict,
    problems_against,
    schema_validator,
    spec_problems,
)
from une_eval.spec import profile_from_document, rule_catalogue

ROOT = Path(__file__).resolve().parents[2]


def _profile(**fields: Any) -> dict[str, Any]:
    base = {"name": "body-test", "version": "1", "title": "T", "description": "D", "sources": ["s"], "rules": {}}
    return {**base, **fields}


def test_a_valid_certificate_path_never_loads_python_jsonschema() -> None:
    code = (
        "import sys\n"
        "from une_eval.spec import load_profile, profile_names, rule_catalogue\n"
        "from une_eval.rating import load_scheme, scheme_names\n"
        "rule_catalogue(); [load_profile(n) for n in profile_names()]; [load_scheme(n) for n in scheme_names()]\n"
        "print('jsonschema' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


def test_a_refused_file_is_worded_with_its_pointers() -> None:
    with pytest.raises(SpecFileError) as info:
        profile_from_document(_profile(version=3, rules={"runs.cv": {"max_cv_pct": "ten"}}), "p.json")
    pointers = {p.pointer for p in info.value.problems}
    assert pointers == {"/version"}  # the schema layer refuses first; the catalogue's checks follow a valid file
    with pytest.raises(SpecFileError) as info:
        profile_from_document(_profile(rules={"runs.cv": {"max_cv_pct": "ten"}}), "p.json")
    assert [p.pointer for p in info.value.problems] == ["/rules/runs.cv/max_cv_pct"]
    assert "'ten' is not of type 'number'" in info.value.problems[0].message


def test_a_refusal_stands_where_python_jsonschema_words_nothing() -> None:
    # Python's `$` matches before a final newline, so python-jsonschema lets this name through the
    # identifier pattern; the compiled validator does not, and its refusal is the answer.
    doc = _profile(name="body-test\n")
    assert problems_against(schema_validator(SchemaKind.PROFILE), doc) == []
    with pytest.raises(SpecFileError) as info:
        check_spec_document(SchemaKind.PROFILE, doc, "p.json")
    assert [(p.pointer, p.message) for p in info.value.problems] == [("", "does not meet its schema")]


def test_python_jsonschema_decides_where_the_compiled_validator_cannot() -> None:
    assert compiled_verdict(None, _profile()) is None
    assert spec_problems(None, lambda: schema_validator(SchemaKind.PROFILE), _profile()) == []
    problems = spec_problems(None, lambda: schema_validator(SchemaKind.PROFILE), _profile(rules=[]))
    assert [p.pointer for p in problems] == ["/rules"]


def test_every_catalogue_parameter_schema_compiles() -> None:
    from une_eval.spec import _compiled_parameter_validator

    for info in rule_catalogue().values():
        for name in info.parameter_schemas:
            assert _compiled_parameter_validator(info.rule_id, name) is not None, (info.rule_id, name)


def test_bundled_targets_resolve_within_the_bundled_schemas_only() -> None:
    base = SCHEMA_BASE + "submission.schema.json"
    uri, node = bundled_target(base, "common.schema.json#/$defs/phase")
    assert uri == SCHEMA_BASE + "common.schema.json"
    assert node["enum"] == ["training", "inference"]
    for ref in (
        "https://example.com/x.schema.json#/$defs/phase",
        "common.schema.json#/$defs/no-such-definition",
        "common.schema.json#phase",  # an anchor, not a JSON Pointer
        "common.schema.json#/$defs/phase/enum/7",
    ):
        with pytest.raises(SpecError, match="does not resolve"):
            bundled_target(base, ref)
    with pytest.raises(SpecError, match="not a string"):
        bundled_target(base, 7)  # type: ignore[arg-type]
