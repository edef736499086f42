"""Fuzz the JSON loader: hostile bytes give a value or an InputError, never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from tests.fuzz.mutations import Damage, damages
from une_eval.errors import InputError
from une_eval.loading import load_json_document, parse_json_bytes

pytestmark = pytest.mark.fuzz
BUDGET = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
SUBMISSION = (FIXTURES / "valid" / "llm-inference-h100.json").read_bytes()
# Tokens that standard JSON forbids or that stress a parser's number and nesting handling.
TOKENS = ["NaN", "-Infinity", "1e999", "-1e-999", "9" * 5000, "[" * 5000, "{" * 300, '"\\ud800"', "\x00", "\ufeff", ","]


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=8,
    )


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    """Valid JSON text with a hostile token spliced in somewhere (or not)."""
    text = json.dumps(draw(_json_values()))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
    encoding = draw(st.sampled_from(("utf-8", "utf-16", "latin-1")))
    prefix = draw(st.sampled_from((b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf")))
    return prefix + text.encode(encoding, errors="replace")


def _plain(value: Any) -> bool:
    """Only JSON's own value types (the loader's numbers are float or int subclasses)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, bool | int | float | str)


def _parse_or_refuse(data: bytes) -> None:
    try:
        value = parse_json_bytes(data)
    except InputError as exc:
        message = str(exc)
        event("refused")
        assert message  # a message for the user
        return
    event("accepted")
    assert _plain(value)


@BUDGET
@given(st.binary(max_size=512))
def test_arbitrary_bytes(data: bytes) -> None:
    _parse_or_refuse(data)


@BUDGET
@given(_documents())
def test_json_with_hostile_tokens(data: bytes) -> None:
    _parse_or_refuse(data)


@BUDGET
@given(damages(len(SUBMISSION)))
def test_damaged_submission(damage: Damage) -> None:
    _parse_or_refuse(damage.apply(SUBMISSION).data)


@settings(max_examples=60, deadline=2000)
@given(st.one_of(_documents(), damages(len(SUBMISSION)).map(lambda d: d.apply(SUBMISSION).data)))
def test_load_json_document_from_a_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "submission.json"
        path.write_bytes(data)
        try:
            doc = load_json_document(path)
        except InputError:
            return
        assert isinstance(doc, dict)
        assert _plain(doc)
