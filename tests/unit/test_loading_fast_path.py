"""The fast parser either returns exactly what the strict parser returns, or hands the file over to it."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from une_eval.errors import InputError
from une_eval.loading import JsonNumber, parse_fast, parse_json_bytes, parse_strict, read_bounded

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

# Every refusal of the strict parser, and the tricks that would slip past a parser without its checks.
REFUSED = [
    pytest.param(b'{"a": NaN}', "NaN", id="nan"),
    pytest.param(b'{"a": Infinity}', "Infinity", id="infinity"),
    pytest.param(b'{"a": -Infinity}', "-Infinity", id="minus-infinity"),
    pytest.param(b'{"a": 1e400}', "out of range", id="float-overflow"),
    pytest.param(b'{"a": -1E+309}', "out of range", id="negative-float-overflow"),
    pytest.param(b'{"a": 1' + b"0" * 400 + b".5}", "out of range", id="long-mantissa-overflow"),
    pytest.param(b'{"a": 1, "a": 2}', "duplicate key 'a'", id="duplicate"),
    pytest.param(b'{"a": 1, "a": 1}', "duplicate key 'a'", id="duplicate-same-value"),
    pytest.param(b'{"x": {"a": 1}, "x": {"a": 1}}', "duplicate key 'x'", id="duplicate-object"),
    pytest.param(b'{"a" : 1, "a": 2}', "duplicate key 'a'", id="duplicate-spaced-from-colon"),
    pytest.param(b'{"a":\n1,\n"a"\t:2}', "duplicate key 'a'", id="duplicate-tab-before-colon"),
    pytest.param(b'{"a": ":", "a": 2}', "duplicate key 'a'", id="duplicate-masked-by-colon-string"),
    pytest.param(b'{"\\u0061": 1, "a": 2}', "duplicate key 'a'", id="duplicate-by-escape"),
    pytest.param(b'{"l": [{"k": 1, "k": 2}]}', "duplicate key 'k'", id="duplicate-in-array"),
    pytest.param(b'{"a": "caf\xe9"}', "not UTF-8", id="latin-1"),
    pytest.param(b'{"\xc0\xaf": 1}', "not UTF-8", id="overlong-utf8"),
    pytest.param(b'{"a": "\xed\xa0\x80"}', "not UTF-8", id="encoded-surrogate"),
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b" \n\t ", "empty", id="whitespace"),
    pytest.param(b'{"a": [1, 2', "not valid JSON", id="truncated"),
    pytest.param(b'{"a": 1} x', "not valid JSON", id="trailing-garbage"),
    pytest.param(b'{"a": 01}', "not valid JSON", id="leading-zero"),
    pytest.param(b'{"a": "\x01"}', "not valid JSON", id="control-character"),
    pytest.param(b"[" * 65 + b"]" * 65, "deeper than 64", id="depth-65-arrays"),
    pytest.param(b'{"a":' * 100 + b"1" + b"}" * 100, "deeper than 64", id="depth-100-objects"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "deeper than 64", id="depth-100000"),
    pytest.param(b'{"a": 1' + b"0" * 30 + b"}", "digits", id="integer-31-digits"),
    pytest.param(b'{"a": -1' + b"0" * 30 + b"}", "digits", id="negative-integer-31-digits"),
    pytest.param(b'{"a": [1' + b"0" * 5000 + b"]}", "digits", id="integer-5001-digits"),
]


@pytest.mark.parametrize(("raw", "message"), REFUSED)
def test_the_fast_path_never_accepts_what_the_strict_path_refuses(raw: bytes, message: str) -> None:
    assert parse_fast(raw) is None
    with pytest.raises(InputError, match=message):
        parse_json_bytes(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 64 + b"]" * 64,
        b'{"a": 1' + b"0" * 29 + b"}",
        b'{"a": -1' + b"0" * 29 + b"}",
        b'{"a": 1.7976931348623157e308, "b": 1e-400, "c": -0.0, "d": -0}',
        b'{"a": "x:y", "b": "\\\\", "c": {"": ["a:", {"\\\\": 1, "\\"": 2}]}}',
        b'{"a": 1.20, "b": 3e2, "c": 3E+2, "d": 0.0010}',
    ],
)
def test_the_fast_path_accepts_the_edges_of_the_limits_as_the_strict_path_does(raw: bytes) -> None:
    fast = parse_fast(raw)
    assert fast is not None
    assert_same(fast, parse_strict(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a" : 1.50, "b" :\n[1]}',  # a key spaced from its colon
        b'{"a": ":-)", "b": 1.50}',  # a string that starts with a colon counts as a key end
        b'{"a": "\\":", "b": 1.50}',  # so does an escaped quote before a colon
    ],
)
def test_files_the_count_cannot_clear_are_left_to_the_strict_path(raw: bytes) -> None:
    assert parse_fast(raw) is None
    doc = parse_json_bytes(raw)
    assert doc["b"] in (1.5, [1])
    assert_same(doc, parse_strict(raw))


@pytest.mark.parametrize("path", sorted((FIXTURES / "valid").glob("*.json")), ids=lambda p: p.name)
def test_real_submissions_take_the_fast_path_with_the_same_result(path: Path) -> None:
    data = path.read_bytes()
    fast = parse_fast(data)
    assert fast is not None
    assert_same(fast, parse_strict(data))
    assert any(isinstance(v, JsonNumber) for v in walk(fast))


def test_fast_path_floats_keep_their_literal_text() -> None:
    doc = parse_fast(b'{"a": 1.20, "b": [3e2, -0.050]}')
    assert doc is not None
    assert [type(doc["a"]), doc["a"].literal, doc["b"][0].literal, doc["b"][1].literal] == [
        JsonNumber,
        "1.20",
        "3e2",
        "-0.050",
    ]
    assert doc["b"][1] == -0.05


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**32), max_value=10**32)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
    | st.sampled_from([":", '":', "\\", "\\u0061", "a"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", ":", '"', "\\", ""]), inner),
    max_leaves=20,
)
layouts = st.sampled_from(
    [
        {"separators": (",", ":")},
        {"separators": (", ", ": ")},
        {"indent": 2},
        {"separators": (" , ", " : ")},
        {"separators": (",", ":"), "ensure_ascii": False},
    ]
)


@settings(max_examples=300, deadline=None)
@given(json_values, layouts, st.data())
def test_fast_and_strict_agree_on_any_json(value: Any, layout: dict[str, Any], data: st.DataObject) -> None:
    raw = json.dumps(value, **layout).encode("utf-8", "surrogatepass")
    # Splice in a duplicate key or a stray byte now and then: both parsers must still agree.
    if raw.startswith(b"{") and len(raw) > 2 and data.draw(st.booleans()):
        raw = b'{"a":0,' + raw[1:] if raw != b"{}" else raw
    if data.draw(st.booleans()):
        at = data.draw(st.integers(min_value=0, max_value=len(raw)))
        raw = raw[:at] + data.draw(st.sampled_from([b'"', b":", b"\xff", b"1", b"[", b"}", b"\\"])) + raw[at:]
    assert_agree(raw)


def assert_agree(raw: bytes) -> None:
    fast = parse_fast(raw)
    try:
        strict = parse_strict(raw)
    except InputError:
        assert fast is None, f"fast path accepted what the strict path refuses: {raw[:200]!r}"
        return
    if fast is not None:
        assert_same(fast, strict)


def assert_same(a: Any, b: Any) -> None:
    """Equal values of equal types, floats with equal literal text (and sign of zero)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            assert_same(a[key], b[key])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    elif isinstance(a, JsonNumber):
        assert a.literal == b.literal
        assert a == b or (math.isnan(a) and math.isnan(b))
        assert math.copysign(1.0, a) == math.copysign(1.0, b)
    else:
        assert a == b


def walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in walk(v)]
    if isinstance(value, list):
        return [x for v in value for x in walk(v)]
    return [value]


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 300_001, 1_000_000])
def test_files_are_read_whole_up_to_the_limit(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.json"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    assert read_bounded(path, 1_000_000) == data
    if size:
        with pytest.raises(InputError, match="over the limit"):
            read_bounded(path, size - 1)
