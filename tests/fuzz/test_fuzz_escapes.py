r"""Fuzz ``\u`` escapes in JSON: what the loader accepts can always be written back out as UTF-8.

A ``\u`` escape of a lone UTF-16 surrogate parses, in Python, to a string that no UTF-8 writer takes, so
accepting one turned into an internal error as soon as anything printed or stored it.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from une_eval.errors import InputError
from une_eval.loading import parse_json_bytes
from une_eval.validation.pipeline import check_bytes

pytestmark = pytest.mark.fuzz
BUDGET = settings(max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
SUBMISSION = (FIXTURES / "valid" / "llm-inference-h100.json").read_bytes()
# Code units around the surrogate block and its edges, in both cases of hexadecimal digit.
UNITS = st.sampled_from([0x41, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFF, 0x00E9, 0x0000])


@st.composite
def _escaped(draw: st.DrawFn) -> str:
    """A JSON string body made of plain letters and ``\\u`` escapes (any of them a surrogate half)."""
    parts = draw(st.lists(st.one_of(st.just("a"), st.just("\\\\"), UNITS), max_size=6))
    upper = draw(st.booleans())
    out = []
    for part in parts:
        if isinstance(part, int):
            hexa = f"{part:04x}"
            out.append("\\u" + (hexa.upper() if upper else hexa))
        else:
            out.append(part)
    return "".join(out)


def _all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_all_strings(k), *_all_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _all_strings(v)]
    return []


@BUDGET
@given(_escaped(), _escaped())
def test_accepted_strings_are_utf8(key: str, value: str) -> None:
    raw = ('{"' + key + '": ["' + value + '", {"k": "' + value + '"}]}').encode()
    try:
        doc, refusal = parse_json_bytes(raw), ""
    except InputError as exc:
        doc, refusal = None, str(exc)
    if refusal:
        event("refused")
        assert "surrogate" in refusal or "duplicate" in refusal, refusal
        return
    event("accepted")
    for text in _all_strings(doc):
        text.encode("utf-8")  # raises on a lone surrogate


@BUDGET
@given(_escaped())
def test_a_submission_with_escapes_in_its_strings_is_checked_or_refused(value: str) -> None:
    raw = SUBMISSION.replace(b'"submission_id": "', b'"submission_id": "' + value.encode(), 1)
    raw = raw.replace(b'"organisation": "', b'"organisation": "' + value.encode(), 1)
    audit = check_bytes(raw, source="fuzz.json", base_dir=None)
    assert "internal error" not in (audit.error or "")
    json.dumps(audit.to_json(), ensure_ascii=False).encode("utf-8")
