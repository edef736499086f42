"""Safe loading of untrusted JSON: size and nesting limits, strict number and key rules.

Vendor files are hostile input. Everything that makes a file impossible to check safely raises
:class:`une_eval.errors.InputError` with one clear sentence; nothing here raises anything else.

Two parsers share the work. The fast path (msgspec, compiled) parses a file and then proves that
the strict path would have returned the same values: no key was dropped as a duplicate, nesting and
integers are within the limits, no float overflowed. Anything it cannot prove (a malformed file, a
duplicate key, a key spaced from its colon, an escape msgspec reads differently) goes to the strict
path (the standard library's parser with a hook on every key, number and constant), which either
returns the same document or refuses the file with its reason. Both keep every float's literal text.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

from une_eval.errors import InputError

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_NESTING_DEPTH = 64
MAX_INTEGER_DIGITS = 30


class JsonNumber(float):
    """A float that remembers how it was written (for significant-figure checks)."""

    __slots__ = ("literal",)
    literal: str

    def __new__(cls, literal: str) -> JsonNumber:  # noqa: D102 - float subclasses need __new__
        obj = super().__new__(cls, literal)
        obj.literal = literal
        return obj


class _NeedsStrictParse(Exception):
    """Raised inside the fast parser when only the strict path can decide (or word the refusal)."""


# The fast path builds JsonNumber through float's own constructor and the slot's setter, both C code
# bound as defaults (local look-ups): calling JsonNumber(...) would run the Python __new__ above for
# each of a file's hundreds of floats.
_INTEGER_BOUND = 10**MAX_INTEGER_DIGITS
_SET_LITERAL = vars(JsonNumber)["literal"].__set__


def _fast_float(
    literal: str,
    _new: Any = float.__new__,
    _cls: type[JsonNumber] = JsonNumber,
    _set: Any = _SET_LITERAL,
    _isinf: Any = math.isinf,
) -> float:
    value: float = _new(_cls, literal)
    _set(value, literal)
    if _isinf(value):
        raise _NeedsStrictParse
    return value


_FAST_DECODER = msgspec.json.Decoder(float_hook=_fast_float)
# JSON allows whitespace between a key and its colon; the duplicate-key proof below needs none there.
_KEY_SPACED_FROM_COLON = re.compile(rb'"[ \t\n\r]+:')


def _count_keys(container: dict[str, Any] | list[Any], depth: int, max_depth: int) -> int:
    """Keys in a parsed container and everything under it; -1 when too deep or an integer is too long."""
    if depth > max_depth:
        return -1
    if type(container) is dict:
        keys = len(container)
        values: Iterable[Any] = container.values()
    else:
        keys = 0
        values = container
    bound = _INTEGER_BOUND
    for value in values:
        kind = type(value)
        if kind is dict or kind is list:
            inner = _count_keys(value, depth + 1, max_depth)
            if inner < 0:
                return -1
            keys += inner
        elif kind is int and not -bound < value < bound:
            return -1
    return keys


def parse_fast(data: bytes, *, max_depth: int = MAX_NESTING_DEPTH) -> Any | None:
    """The fast path: the document exactly as the strict path would return it, or None to ask that path.

    Duplicate keys are ruled out by counting: with no whitespace between any key and its colon, every
    key ends in one ``":`` of the text, and the other ``":`` (a string value that starts with a colon)
    only add to the count. So when the text's count equals the number of keys that survived parsing,
    no key was dropped. ``data`` has no byte-order mark.
    """
    try:
        doc = _FAST_DECODER.decode(data)
    except (msgspec.DecodeError, ValueError, RecursionError, _NeedsStrictParse):
        return None
    if _KEY_SPACED_FROM_COLON.search(data) is not None:
        return None
    keys = _count_keys([doc], 0, max_depth)
    if keys < 0 or keys != data.count(b'":'):
        return None
    return doc


def _reject_constant(name: str) -> Any:
    raise InputError(f"the JSON contains {name}, which is not a number in standard JSON")


def _no_duplicates(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"duplicate key {key!r} in one JSON object (the value that counts would be ambiguous)")
        out[key] = value
    return out


def _parse_float(text: str) -> float:
    value = JsonNumber(text)
    if value in (float("inf"), float("-inf")):
        raise InputError(f"the number {text[:40]} is out of range for a 64-bit float")
    return value


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise InputError(f"the integer {text[:20]}... has {len(text)} digits, more than any measurement needs")
    return int(text)


def _check_depth(text: str, limit: int) -> None:
    """Reject deep nesting before the parser recurses (brackets inside strings are skipped)."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                raise InputError(f"the JSON nests deeper than {limit} levels")
        elif ch in "]}":
            depth -= 1


def parse_json_bytes(data: bytes, *, max_depth: int = MAX_NESTING_DEPTH) -> Any:
    """Parse untrusted JSON bytes (UTF-8, no BOM tricks) into Python values, strictly."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    doc = parse_fast(data, max_depth=max_depth)
    if doc is not None:
        return doc
    return parse_strict(data, max_depth=max_depth)


# A \u escape of a UTF-16 surrogate: only such an escape can put a lone surrogate into a parsed string.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a string (key or value) in ``value`` holds a lone surrogate (a pair decodes to one character)."""
    if isinstance(value, str):
        return not value.isprintable() and any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def _refuse_lone_surrogates(text: str, doc: Any) -> None:
    r"""Refuse an escape of an unpaired surrogate (``\ud800``): no character, and not writable as UTF-8."""
    if _SURROGATE_ESCAPE.search(text) is not None and _has_lone_surrogate(doc):
        raise InputError("the JSON has a \\u escape of an unpaired UTF-16 surrogate, which is not a character")


def parse_strict(data: bytes, *, max_depth: int = MAX_NESTING_DEPTH) -> Any:
    """The strict path: the standard library's parser, every key, number and constant checked (no BOM in ``data``)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not UTF-8 text (invalid byte at offset {exc.start})") from None
    if not text.strip():
        raise InputError("the file is empty")
    _check_depth(text, max_depth)
    try:
        doc = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}, line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"the JSON nests deeper than {max_depth} levels") from None
    _refuse_lone_surrogates(text, doc)
    return doc


def json_type_name(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _read_fd(fd: int, *, first: int, limit: int) -> bytes:
    """Read to the end or to ``limit`` bytes; ``first`` (the size fstat saw, plus one) is the first read.

    Plain ``os.read`` calls: a file object around the descriptor would cost more than reading a
    submission does. A file that grew since fstat is read on in 64 KiB steps, up to the limit.
    """
    parts: list[bytes] = []
    total, want = 0, min(first, limit)
    while total < limit:
        chunk = os.read(fd, min(want, limit - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = 1 << 16
    return b"".join(parts)


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """Read a regular file of at most ``max_bytes``; anything else is an :class:`InputError`.

    The file is opened without blocking and checked with ``fstat`` before it is read, so a FIFO, a
    device (``/dev/zero``) or a folder given where a file belongs fails at once instead of hanging or
    filling memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("not a regular file (a folder, FIFO or device)")
        if info.st_size > max_bytes:
            raise InputError(f"the file is {info.st_size} bytes, over the limit of {max_bytes} bytes")
        data = _read_fd(fd, first=info.st_size + 1, limit=max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"the file is over the limit of {max_bytes} bytes")
    return data


def load_json_document(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> dict[str, Any]:
    """Read a submission file: a JSON object, at most ``max_bytes`` long."""
    data = read_bounded(path, max_bytes)
    doc = parse_json_bytes(data)
    if not isinstance(doc, dict):
        raise InputError(f"the top level is a JSON {json_type_name(doc)}, not an object")
    return doc
