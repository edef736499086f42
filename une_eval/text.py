r"""Showing untrusted strings to people: control and invisible format characters made visible, never obeyed.

A vendor file name, a string in a submission or a PDF's metadata may hold terminal escape sequences
(ESC ``[`` ... can recolour, move the cursor and erase lines, so "NOT VERIFIED" could be repainted as
"VERIFIED") or Unicode bidirectional controls (U+202E reverses the text after it, so a model name can
read as another). :func:`printable` replaces every character of the Unicode categories Cc (C0, DEL,
C1), Cf (bidirectional controls, zero-width characters, ...), Zl, Zp, Cs, Co and Cn by a visible
escape (``\x1b``, ``\u202e``); every line une-eval prints to a terminal and every CSV or HTML summary
cell goes through it. Letters of any script, spaces (no-break included) and emoji are kept.
:func:`json_text` escapes the same characters in JSON output as ``\uXXXX`` escapes, which a JSON
reader turns back into the very same string.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from une_eval.json_layout import dumps_indented

# The bidirectional controls the schema refuses in text fields (all of Unicode category Cf).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e\n]")


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in ESCAPED_CATEGORIES


def _escape(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(value: object) -> str:
    """``str(value)`` with every control and invisible format character shown as an escape."""
    text = str(value)
    if text.isprintable():  # nothing to escape: the common case, checked in C
        return text
    return "".join(_escape(char) if _hidden(char) else char for char in text)


def utf8_safe(text: str) -> str:
    r"""``text`` with each lone surrogate as a visible escape (``\udcff``), so that it can be written as UTF-8.

    A file name with bytes that are not UTF-8 reaches Python with such surrogates in place of those bytes;
    every other character is kept as it is (a data file such as a Parquet summary keeps the text raw).
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(_escape(char) if "\ud800" <= char <= "\udfff" else char for char in text)
    return text


def printable_tree(value: Any) -> Any:
    """The same structure with :func:`printable` applied to every string in it (keys included)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_tree(k): printable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable_tree(v) for v in value]
    return value


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if not _hidden(char):
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)  # JSON spells a character past U+FFFF as a surrogate pair
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def json_text(value: Any, *, indent: int | None = 2) -> str:
    r"""JSON with non-ASCII text kept readable but every character :func:`printable` hides as a ``\uXXXX`` escape.

    ``json.dumps`` escapes C0 controls inside strings itself, and outside strings only its own
    whitespace occurs, so only DEL, C1 and the other categories are left to escape here.
    """
    laid_out = json.dumps(value, ensure_ascii=False) if indent is None else dumps_indented(value, indent)
    if laid_out.isascii() and "\x7f" not in laid_out:  # the common case, checked in C: no raw C0 but LF either
        return laid_out
    return _NOT_PLAIN_ASCII.sub(_json_escape, laid_out)


def json_item_text(value: Any, depth: int) -> str:
    """``value`` as :func:`json_text` writes it when nested ``depth`` levels deep (indent 2)."""
    return json_text(value).replace("\n", "\n" + "  " * depth)


class JsonArrayWriter:
    """Writes ``"items": [ ... ]`` inside a JSON object, item by item, as ``json_text`` would lay it out."""

    def __init__(self, write: Callable[[str], None], depth: int = 1) -> None:
        self._write, self._depth, self._count = write, depth, 0

    def add(self, item: Any) -> None:
        """Write one item."""
        self.add_text(json_text(item))

    def add_text(self, text: str) -> None:
        """Write one item given as its :func:`json_text` (laid out at the top level)."""
        pad = "  " * (self._depth + 1)
        self._write(("[\n" if self._count == 0 else ",\n") + pad + text.replace("\n", "\n" + pad))
        self._count += 1

    def close(self) -> None:
        """Close the list."""
        self._write("[]" if self._count == 0 else "\n" + "  " * self._depth + "]")


__all__ = [
    "BIDI_CONTROLS",
    "ESCAPED_CATEGORIES",
    "JsonArrayWriter",
    "json_item_text",
    "json_text",
    "printable",
    "printable_tree",
    "utf8_safe",
]
