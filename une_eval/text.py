r"""Showing untrusted strings to people: control and bidirectional characters made visible, never obeyed.

A vendor file name, a string in a submission or a PDF's metadata may hold terminal escape sequences
(ESC ``[`` ... can recolour, move the cursor and erase lines, so "NOT VERIFIED" could be repainted as
"VERIFIED") or Unicode bidirectional controls (U+202E reverses the text after it, so a model name can
read as another). :func:`printable` replaces each such character by a visible escape (``\x1b``,
``\u202e``); every line une-eval prints to a terminal and every text summary cell goes through it.
:func:`json_text` does the same for JSON output, losslessly (``\u001b`` is the same string to a JSON
reader).
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls, DEL, C1 controls; the bidirectional marks, embeddings, overrides and isolates; and the
# Unicode line and paragraph separators (some renderers break lines on them).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029]")
# What json.dumps leaves raw inside strings (it escapes C0 itself; outside strings only whitespace occurs).
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``str(value)`` with every control, bidirectional control and line separator shown as an escape."""
    return _UNSAFE.sub(_visible, str(value))


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
    return f"\\u{ord(match.group()):04x}"


def json_text(value: Any, *, indent: int | None = 2) -> str:
    r"""JSON with non-ASCII text kept readable but every unsafe character written as a ``\uXXXX`` escape.

    ``json.dumps`` already escapes C0 controls; DEL, C1 and bidirectional controls would otherwise be
    written raw. The escapes stand for the very same characters, so no data changes.
    """
    return _UNSAFE_IN_JSON.sub(_json_escape, json.dumps(value, indent=indent, ensure_ascii=False))


__all__ = ["BIDI_CONTROLS", "json_text", "printable", "printable_tree"]
