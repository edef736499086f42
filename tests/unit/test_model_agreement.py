"""The pydantic models agree with the normative JSON Schema: same documents accepted, same edges rejected."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.conftest import REPO
from tests.unit.schema_bundle import bundled_submission_schema
from une_eval.model import Submission
from une_eval.spec import submission_validator

# hypothesis-jsonschema needs ~12 s to build the strategy and ~2 s per document for a schema this
# size: CI generates 10; set UNE_EVAL_HYPOTHESIS_EXAMPLES=200 for a deeper run before a schema change.
_EXAMPLES = int(os.environ.get("UNE_EVAL_HYPOTHESIS_EXAMPLES", "10"))


def _small(node: Any) -> Any:
    """The schema with arrays of at most 2 items and strings of at most 24 characters.

    Only for generation: every generated document is still checked against the real schema below.
    """
    if isinstance(node, dict):
        out = {k: _small(v) for k, v in node.items()}
        if "maxItems" in out:
            out["maxItems"] = min(out["maxItems"], 2)
        if "maxLength" in out:
            out["maxLength"] = min(out["maxLength"], 24)
        return out
    if isinstance(node, list):
        return [_small(v) for v in node]
    return node


@pytest.mark.slow
@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.deferred(lambda: from_schema(_small(bundled_submission_schema()))))
def test_schema_valid_documents_load_into_the_models(doc: dict[str, Any]) -> None:
    assert not list(submission_validator().iter_errors(doc))
    Submission.model_validate(doc)


def _model_accepts(doc: dict[str, Any]) -> bool:
    try:
        Submission.model_validate(doc)
    except pydantic.ValidationError:
        return False
    return True


def _schema_accepts(doc: dict[str, Any]) -> bool:
    return not list(submission_validator().iter_errors(doc))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        node: Any = doc
        *parents, last = path.split("/")
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        node[last] = value

    return apply


EDGES: list[tuple[str, Callable[[dict[str, Any]], None], bool]] = [
    ("integer written 1.0 is an integer", _set("measurement/runs/0/index", 1.0), True),
    ("integer 1.5 is not", _set("measurement/runs/0/index", 1.5), False),
    ("integer as a string is not", _set("workload/inference/queries", "1000"), False),
    ("boolean is not a number", _set("measurement/runs/0/duration_s", True), False),
    ("number as a string is not", _set("measurement/runs/0/duration_s", "128.0"), False),
    ("null for an optional field is not allowed", _set("system/model/version", None), False),
    ("null for a required field is not allowed", _set("system/model/name", None), False),
    ("unknown property is rejected", _set("system/model/colour", "blue"), False),
    ("string for a boolean is not", _set("attestation/production_model", "yes"), False),
    ("timestamp without offset is rejected", _set("measurement/runs/0/start_time", "2026-11-02T09:02:00"), False),
    ("right-to-left override in a model name", _set("system/model/name", "Llama-3.1-\u202eB07"), False),
    ("isolate in an organisation", _set("submitter/organisation", "Acme \u2067evil\u2069"), False),
    ("left-to-right mark in a version", _set("system/model/version", "2024\u200e-07"), False),
    ("Arabic letter mark in a provider", _set("system/model/provider", "Meta\u061c"), False),
    ("terminal escape in an organisation", _set("submitter/organisation", "Acme\x1b[2K"), False),
    ("C1 CSI in a framework", _set("system/software/framework", "PyTorch\x9b2J"), False),
    ("DEL in a version", _set("system/software/framework_version", "2.5\x7f"), False),
    ("a trailing newline in a one-line text", _set("system/model/name", "Llama\n"), False),
    ("a tab in a one-line text", _set("attestation/signed_by", "Ana\tGarcia"), False),
    ("lines and tabs in a statement are fine", _set("attestation/statement", "line 1\n\tline 2\r\n"), True),
    ("an escape in a statement is not", _set("attestation/statement", "ok\x1b[1A"), False),
    ("Arabic and accented letters are fine", _set("system/model/name", "نموذج-Ñandú-模型"), True),
]


@pytest.mark.parametrize(("label", "mutate", "accepted"), EDGES, ids=[e[0] for e in EDGES])
def test_schema_and_models_agree_on_edges(
    llm_doc: dict[str, Any], label: str, mutate: Callable[[dict[str, Any]], None], accepted: bool
) -> None:
    doc = copy.deepcopy(llm_doc)
    mutate(doc)
    assert _schema_accepts(doc) is accepted, label
    assert _model_accepts(doc) is accepted, label


def _string_leaves(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _string_leaves(value, (*path, key))]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in _string_leaves(value, (*path, i))]
    return [path] if isinstance(node, str) else []


def test_every_text_field_refuses_a_bidi_control_in_schema_and_models(llm_doc: dict[str, Any]) -> None:
    # Every string of a full document, one at a time: where the schema's text pattern refuses the override,
    # the models must refuse it too (and nowhere else does the schema's text pattern speak).
    common = json.loads((REPO / "spec" / "schemas" / "1.0" / "common.schema.json").read_text(encoding="utf-8"))
    text_patterns = {common["$defs"][name]["pattern"] for name in ("text", "long_text", "version")}
    text_fields = 0
    for path in _string_leaves(llm_doc):
        doc = copy.deepcopy(llm_doc)
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] += "\u202e"
        errors = list(submission_validator().iter_errors(doc))
        if any(e.validator == "pattern" and e.validator_value in text_patterns for e in errors):
            text_fields += 1
            assert not _model_accepts(doc), path
    assert text_fields >= 20


def _first_forbidden_char_by_char(value: str, *, lines: bool) -> str | None:
    """The former per-character check of text fields, kept as the reference for the one-regex scan."""
    import re

    from une_eval.text import BIDI_CONTROLS

    control = re.compile("[\x00-\x1f\x7f-\x9f]")
    allowed = "\t\n\r" if lines else ""
    return next((c for c in value if c not in allowed and (control.match(c) or c in BIDI_CONTROLS)), None)


@pytest.mark.parametrize("lines", [False, True])
def test_text_fields_refuse_the_same_first_character_as_the_per_character_check(lines: bool) -> None:
    from une_eval.model import _text

    every = [chr(c) for c in range(0x3000)] + [chr(c) for c in range(0xFFF0, 0x10000)]
    for c in every:
        for value in (c, f"ok {c} then \x01", f"plain{c}"):
            want = _first_forbidden_char_by_char(value, lines=lines)
            if want is None:
                assert _text(value, lines=lines) == value
            else:
                with pytest.raises(ValueError, match=f"U\\+{ord(want):04X}"):
                    _text(value, lines=lines)
