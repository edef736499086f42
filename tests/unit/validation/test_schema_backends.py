"""The compiled schema layer (jsonschema-rs) finds what python-jsonschema finds, worded the same way."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.unit.validation.schema_reference import Triple, reference_findings
from une_eval.loading import JsonNumber, load_json_document
from une_eval.spec import schema_documents
from une_eval.validation.schema_layer import DESCRIBED_KEYWORDS, plain_json, schema_findings

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
SUBMISSIONS = sorted(
    p for folder in ("valid", "invalid") for p in (FIXTURES / folder).glob("*.json") if ".expected." not in p.name
)
# Keywords that only structure, name or annotate a schema: they cannot fail on their own.
NON_ASSERTIONS = frozenset(
    {"$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "examples", "default", "properties"}
    | {"items", "allOf", "if", "then", "else", "deprecated", "readOnly", "writeOnly"}
)


def compiled(doc: dict[str, Any]) -> list[Triple]:
    return sorted((f.rule_id, f.pointer, f.message) for f in schema_findings(doc))


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.name)
def test_both_back_ends_agree_on_every_fixture(path: Path) -> None:
    doc = load_json_document(path)
    assert compiled(doc) == reference_findings(doc)


def test_fixture_messages_read_as_before() -> None:
    doc = load_json_document(FIXTURES / "invalid" / "schema-bad-formats.json")
    messages = {f.pointer: f.message for f in schema_findings(doc)}
    assert messages["/created_at"] == "'2026-13-45T99:00:00Z' is not a valid date-time"
    assert messages["/system/site/country"] == "'Spain' does not have the required form (pattern ^[A-Z]{2}$)"
    doc = load_json_document(FIXTURES / "invalid" / "schema-missing-and-wrong-types.json")
    messages = {f.pointer: f.message for f in schema_findings(doc)}
    assert messages["/submitter"] == "missing required property 'contact_email'"
    assert messages["/measurement/runs/0/duration_s"] == "expected a number, found a JSON string"
    assert messages["/phase"] == "'serving' is not one of 'training', 'inference'"


def wrong_values(value: Any) -> list[Any]:
    """Replacements that break one schema keyword or another, by the kind of value they replace."""
    if isinstance(value, bool):
        return ["true", 1, None]
    if isinstance(value, int | float):
        return [-1, 0, -0.5, 2.5, 1e308, 10**25, "12", True]
    if isinstance(value, str):
        return ["", "x" * 3000, 12, "2026-02-30", "2026-11-26T25:00:00Z", "not a uri", "Spain", "../x", "ABC"]
    if isinstance(value, list):
        return [{}, [], value * 200, [None], ["x"]]
    if isinstance(value, dict):
        return [[], {}, "x", {**value, "unexpected_field": 1}]
    return [0, "x"]


def nodes(doc: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, doc
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from nodes(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from nodes(value, (*path, index))


def with_change(doc: dict[str, Any], path: tuple[str | int, ...], value: Any, *, delete: bool = False) -> Any:
    out = copy.deepcopy(doc)
    parent: Any = out
    for token in path[:-1]:
        parent = parent[token]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


Change = tuple[dict[str, Any], tuple[str | int, ...], Any, bool]


def changes(doc: dict[str, Any]) -> list[Change]:
    """Every single change of the document: each value replaced, each property deleted."""
    out: list[Change] = []
    for path, value in nodes(doc):
        if not path:
            continue
        out += [(doc, path, wrong, False) for wrong in wrong_values(value)]
        if isinstance(path[-1], str):
            out.append((doc, path, None, True))
    return out


def sampled_mutants(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    pool = [c for path in sorted((FIXTURES / "valid").glob("*.json")) for c in changes(load_json_document(path))]
    singles = [with_change(doc, path, value, delete=delete) for doc, path, value, delete in rng.sample(pool, count)]
    # A few documents with several changes at once, so that errors of different kinds meet.
    multiples = []
    for _ in range(count // 10):
        doc = rng.choice(singles)
        for _ in range(3):
            path, value = rng.choice(list(nodes(doc))[1:])
            doc = with_change(doc, path, rng.choice(wrong_values(value)))
        multiples.append(doc)
    return singles + multiples


# python-jsonschema takes ~4 ms a document: a seeded sample keeps this test to a few seconds, and each
# seed covers a different sample (the exhaustive pool is ~20,000 documents).
@pytest.mark.parametrize("seed", [0, 1])
def test_both_back_ends_agree_on_broken_submissions(seed: int) -> None:
    disagreements = []
    broken = 0
    for doc in sampled_mutants(300, seed):
        ours, reference = compiled(doc), reference_findings(doc)
        broken += bool(reference)
        if ours != reference:
            disagreements.append((ours, reference))
    assert not disagreements[:3]
    assert broken > 200  # the sample really exercises the schema


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("submitter", "contact_email"), "contact@"),  # python-jsonschema's email check only looks for an "@"
        (("submitter", "contact_email"), "Energy Team <energy@example.com>"),  # a display form, not an address
        (("submitter", "contact_email"), "energy team@example.com"),
    ],
)
def test_email_is_checked_as_an_address(llm_doc: dict[str, Any], field: tuple[str, str], value: str) -> None:
    llm_doc[field[0]][field[1]] = value
    assert [(f.rule_id, f.pointer) for f in schema_findings(llm_doc)] == [("schema.format", "/submitter/contact_email")]


def test_a_leap_second_is_a_valid_rfc3339_time(llm_doc: dict[str, Any]) -> None:
    llm_doc["created_at"] = "2016-12-31T23:59:60Z"
    assert list(schema_findings(llm_doc)) == []
    llm_doc["created_at"] = "2016-12-31T23:59:61Z"
    assert [f.rule_id for f in schema_findings(llm_doc)] == ["schema.format"]


def test_the_schema_uses_only_keywords_the_layer_words() -> None:
    used: set[str] = set()

    def collect(node: Any, in_properties: bool = False) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not in_properties and key != "$defs":
                    used.add(key)
                collect(value, in_properties=key in ("properties", "$defs") and not in_properties)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    # The submission schema and the definitions it shares; the spec's own meta-schemas (profiles, rule
    # catalogue, rating schemes) are checked by python-jsonschema when spec files load, not by this layer.
    for uri, doc in schema_documents().items():
        if uri.endswith(("/submission.schema.json", "/common.schema.json")):
            collect(doc)
    assert used - NON_ASSERTIONS <= DESCRIBED_KEYWORDS


def test_literal_preserving_floats_are_validated_as_numbers() -> None:
    doc = {"a": JsonNumber("1.20"), "b": [JsonNumber("3e2"), 1, True, None, "x"]}
    plain = plain_json(doc)
    assert plain == {"a": 1.2, "b": [300.0, 1, True, None, "x"]}
    assert type(plain["a"]) is float


def test_values_json_cannot_hold_fail_closed(llm_doc: dict[str, Any]) -> None:
    llm_doc["measurement"]["runs"][0]["duration_s"] = float("nan")
    assert [(f.rule_id, f.pointer) for f in schema_findings(llm_doc)] == [
        ("schema.type", "/measurement/runs/0/duration_s")
    ]
