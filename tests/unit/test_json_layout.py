"""dumps_indented lays out JSON character for character as json.dumps(indent=N, ensure_ascii=False)."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from une_eval.json_layout import dumps_indented
from une_eval.validation import check_file

ROOT = Path(__file__).resolve().parents[2]

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.dictionaries(st.integers() | st.floats() | st.booleans() | st.none(), inner, max_size=2)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from([0, 1, 2, 4]))
def test_any_json_value_is_laid_out_as_json_dumps_lays_it(value: Any, indent: int) -> None:
    assert dumps_indented(value, indent) == json.dumps(value, indent=indent, ensure_ascii=False)


class Level(enum.IntEnum):
    HIGH = 3


class Name(enum.StrEnum):
    A = "a\u202e"


class Literal(float):
    def __repr__(self) -> str:
        return "1.10"


def test_subclasses_and_oddities_as_json_dumps() -> None:
    cases: list[Any] = [
        {"level": Level.HIGH, "name": Name.A, "x": Literal(1.1), "t": (1, [], {}), "s": '\x00\x1f"\\\u2028'},
        [float("nan"), float("inf"), -float("inf"), -0.0, 1e16, 1e-05, 10**30],
        "top-level string",
        [[[[[]]]]],
    ]
    for value in cases:
        assert dumps_indented(value, 2) == json.dumps(value, indent=2, ensure_ascii=False)


def test_values_json_dumps_refuses_are_refused_the_same_way() -> None:
    loop: list[Any] = []
    loop.append(loop)
    for value in (loop, {"x": object()}, {(1, 2): 3}, {"x": {1, 2}}):
        with pytest.raises((TypeError, ValueError)) as want:
            json.dumps(value, indent=2, ensure_ascii=False)
        with pytest.raises(want.type, match=str(want.value)[:20].replace("(", r"\(").replace(")", r"\)")):
            dumps_indented(value, 2)


def test_every_fixtures_verdict_is_laid_out_as_json_dumps_lays_it() -> None:
    paths = sorted((ROOT / "fixtures").rglob("*.json"))[:200]
    assert len(paths) > 20
    for path in paths:
        verdict = check_file(path).to_json()
        assert dumps_indented(verdict, 2) == json.dumps(verdict, indent=2, ensure_ascii=False), path
