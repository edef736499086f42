"""JSON laid out with an indent, character for character as ``json.dumps(value, indent=N, ensure_ascii=False)``.

The standard library lays out indented JSON in pure Python, one generator step per token (its C
encoder handles only the compact layout): about 0.8 ms for one file's verdict, the largest single
cost of ``validate --format json`` over many files. :func:`dumps_indented` has the standard library's
C encoder write the compact text (its strings, escapes, numbers and keys) and msgspec re-indent it,
which only places line breaks and indentation between the tokens. Where either refuses (a type JSON
lacks, a container holding itself, NaN or infinity, which msgspec does not parse) one recursive
function lays the value out (strings escaped by the standard library's own C routine, numbers by the
same ``repr`` calls), and anything that one does not lay out itself goes to ``json.dumps``, so the
text and the errors stay the standard library's.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

import msgspec

_INFINITY = float("inf")
# The standard library's compact encoder (its C implementation) and msgspec's re-indenting.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_REINDENT = msgspec.json.format


class _Unusual(Exception):
    """A value :func:`dumps_indented` leaves to ``json.dumps``."""


def _number(value: float) -> str:
    if value != value:  # NaN, written as json.dumps writes it
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _lay_out(value: Any, pad: str, step: str, depth: int) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _number(value)
    if depth > 900:  # deeper than json.dumps recurses: let it raise its own error
        raise _Unusual
    inner = pad + step
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join([_lay_out(v, inner, step, depth + 1) for v in value]) + pad + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        parts = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            parts.append(encode_basestring(key) + ": " + _lay_out(item, inner, step, depth + 1))
        return "{" + inner + ("," + inner).join(parts) + pad + "}"
    raise _Unusual


def _compiled(value: Any, indent: int) -> str | None:
    """The text of ``json.dumps``'s C encoder (compact) re-indented by msgspec; None where it refuses.

    The compact text is the standard library's own (the same strings, escapes, numbers and keys, in
    C); re-indenting only inserts line breaks and indentation between tokens, as ``json.dumps`` lays
    them out with ``indent``. Whatever the C encoder refuses (a type JSON lacks, a circular container,
    nesting deeper than it recurses) and what msgspec cannot re-indent (``NaN``, ``Infinity``) is left
    to the other paths, which give the standard library's text or error.
    """
    try:
        compact = _COMPACT(value)
        return _REINDENT(compact, indent=indent)
    except (TypeError, ValueError, RecursionError, msgspec.DecodeError):
        return None


def dumps_indented(value: Any, indent: int) -> str:
    """``json.dumps(value, indent=indent, ensure_ascii=False)``, faster for plain JSON values."""
    if indent > 0:
        text = _compiled(value, indent)
        if text is not None:
            return text
    try:
        return _lay_out(value, "\n", " " * indent, 0)
    except (_Unusual, RecursionError):
        return json.dumps(value, indent=indent, ensure_ascii=False)


__all__ = ["dumps_indented"]
