"""JSON laid out with an indent, character for character as ``json.dumps(value, indent=N, ensure_ascii=False)``.

The standard library lays out indented JSON in pure Python, one generator step per token (its C
encoder handles only the compact layout): about 0.8 ms for one file's verdict, the largest single
cost of ``validate --format json`` over many files. :func:`dumps_indented` builds the same text with
one recursive function, strings escaped by the standard library's own C routine, numbers by the same
``repr`` calls. Anything it does not lay out itself (a key that is not a string, a value of another
type, a container holding itself) goes to ``json.dumps``, so the text and the errors stay the
standard library's.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_INFINITY = float("inf")


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


def dumps_indented(value: Any, indent: int) -> str:
    """``json.dumps(value, indent=indent, ensure_ascii=False)``, faster for plain JSON values."""
    try:
        return _lay_out(value, "\n", " " * indent, 0)
    except (_Unusual, RecursionError):
        return json.dumps(value, indent=indent, ensure_ascii=False)


__all__ = ["dumps_indented"]
