"""printable() and json_text(): every control and bidi control shown, nothing else changed."""

from __future__ import annotations

import json

import pytest

from une_eval.text import json_text, printable, printable_tree

UNSAFE = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + list(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidirectional controls
    "\u2028\u2029"  # line and paragraph separators
    "\u00ad\u200b\u200d\u2060\ufeff\U000e0041"  # soft hyphen, zero-width characters, a tag character
    "\ue000\U0010fffd\u0378"  # private use, unassigned
)


@pytest.mark.parametrize("char", UNSAFE, ids=[f"U+{ord(c):04X}" for c in UNSAFE])
def test_each_unsafe_character_becomes_a_visible_escape(char: str) -> None:
    shown = printable(f"a{char}b")
    assert char not in shown
    assert shown.startswith("a\\")
    assert shown.endswith("b")


def test_the_escapes_read_as_the_code_they_hide() -> None:
    assert printable("\x1b[2K\x9b\x7f\u202e\n\t\r") == "\\x1b[2K\\x9b\\x7f\\u202e\\n\\t\\r"
    assert printable("tag\U000e0041") == "tag\\U000e0041"


def test_ordinary_text_in_any_script_is_unchanged() -> None:
    text = "Auditoría Ñandú — 模型 نموذج Ελληνικά 🙂 [bold] \\x1b 75,33\u00a0Wh"
    assert printable(text) == text


def test_printable_tree_escapes_keys_and_values_at_any_depth() -> None:
    tree = {"a\x1b": ["b\u202e", {"c": "d\x9b"}, 3, None]}
    assert printable_tree(tree) == {"a\\x1b": ["b\\u202e", {"c": "d\\x9b"}, 3, None]}


def test_json_text_round_trips_and_holds_no_raw_unsafe_character() -> None:
    value = {"k\u202e": "".join(UNSAFE) + "é 模型", "n": [1, 2.5, None, True]}
    text = json_text(value)
    assert json.loads(text) == value
    assert not any(char in text for char in UNSAFE if char not in "\n")
    assert "é 模型" in text
