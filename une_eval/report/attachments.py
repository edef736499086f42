"""Read named attachments out of a PDF's /EmbeddedFiles name tree, in bounded time and memory.

Only the attachments asked for are decoded; every other entry is skipped unread. The walk over the
name tree keeps a set of visited objects (a /Kids array that holds its own node, or any node reached
twice, is refused instead of looping) and caps its depth, its node count and the entries it looks at.
A stream is decoded only when its filter chain is empty or a single /FlateDecode without a predictor,
and never past :data:`MAX_ATTACHMENT_BYTES`: a Flate bomb stops at the cap, having produced at most one
byte more. Anything else is an :class:`AttachmentError` with a one-line reason.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.rw_common import PdfHandler

from une_eval.loading import MAX_FILE_BYTES

MAX_ATTACHMENT_BYTES = MAX_FILE_BYTES  # the largest submission une-eval reads, and so certifies
MAX_TREE_DEPTH = 16
MAX_TREE_NODES = 256
MAX_TREE_ENTRIES = 4096
_FLATE = ("/FlateDecode", "/Fl")


class AttachmentError(Exception):
    """The attachments cannot be read safely (a malformed, looping, oversized or unsupported structure)."""


def read_attachments(
    handler: PdfHandler, wanted: Collection[str], *, max_bytes: int = MAX_ATTACHMENT_BYTES
) -> dict[str, bytes]:
    """The decoded bytes of each attachment named in ``wanted`` that the PDF has (others are not read)."""
    names = _resolve(handler.root.get("/Names"))
    if names is None:
        return {}
    if not isinstance(names, generic.DictionaryObject):
        raise AttachmentError("the catalogue's /Names is not a dictionary")
    specs = _find_specs(names.get("/EmbeddedFiles"), set(wanted))
    return {name: _file_bytes(spec, name, max_bytes) for name, spec in specs.items()}


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, generic.IndirectObject) else obj  # type: ignore[no-untyped-call]


def _find_specs(tree: Any, wanted: set[str]) -> dict[str, Any]:
    """Walk the name tree iteratively, collecting the file specifications of the wanted names."""
    found: dict[str, Any] = {}
    if tree is None:
        return found
    visited: set[tuple[int, int]] = set()
    pending: list[tuple[Any, int]] = [(tree, 0)]
    nodes = entries = 0
    while pending:
        ref, depth = pending.pop()
        if isinstance(ref, generic.IndirectObject):
            key = (ref.idnum, ref.generation)
            if key in visited:
                raise AttachmentError("the attachment name tree reaches one node twice (a loop in /Kids)")
            visited.add(key)
        nodes += 1
        if nodes > MAX_TREE_NODES or depth > MAX_TREE_DEPTH:
            raise AttachmentError(f"the attachment name tree exceeds {MAX_TREE_NODES} nodes or {MAX_TREE_DEPTH} levels")
        node = _resolve(ref)
        if not isinstance(node, generic.DictionaryObject):
            raise AttachmentError("a node of the attachment name tree is not a dictionary")
        kids = _array(node, "/Kids")
        pairs = _array(node, "/Names")
        entries += len(kids) + len(pairs) // 2
        if entries > MAX_TREE_ENTRIES:
            raise AttachmentError(f"the attachment name tree has more than {MAX_TREE_ENTRIES} entries")
        pending += [(kid, depth + 1) for kid in kids]
        _collect(pairs, wanted, found)
    return found


def _array(node: generic.DictionaryObject, key: str) -> list[Any]:
    value = _resolve(node.get(key))
    if value is None:
        return []
    if not isinstance(value, generic.ArrayObject):
        raise AttachmentError(f"an attachment's {key} is not an array")
    return list(value)


def _collect(pairs: list[Any], wanted: set[str], found: dict[str, Any]) -> None:
    if len(pairs) % 2:
        raise AttachmentError("an attachment /Names array has an odd number of items")
    for name, spec in zip(pairs[::2], pairs[1::2], strict=True):
        if not isinstance(name, generic.TextStringObject | generic.ByteStringObject):
            raise AttachmentError("an attachment name is not a string")
        text = str(name)
        if text not in wanted:
            continue  # never resolved, never decoded
        if text in found:
            raise AttachmentError(f"two attachments are named {text}")
        found[text] = spec


def _file_bytes(spec_ref: Any, name: str, max_bytes: int) -> bytes:
    spec = _resolve(spec_ref)
    embedded = _resolve(spec.get("/EF")) if isinstance(spec, generic.DictionaryObject) else None
    stream = _resolve(embedded.get("/F")) if isinstance(embedded, generic.DictionaryObject) else None
    if not isinstance(stream, generic.StreamObject):
        raise AttachmentError(f"{name}: its file specification holds no embedded file stream")
    return decode_bounded(stream, name, max_bytes)


def decode_bounded(stream: generic.StreamObject, name: str, max_bytes: int) -> bytes:
    """The stream's decoded bytes; refuse unsupported filters and stop decoding past ``max_bytes``."""
    raw = stream.encoded_data
    length = _resolve(stream.get("/Length"))
    if not isinstance(length, int) or isinstance(length, bool) or length != len(raw):
        raise AttachmentError(f"{name}: its /Length does not match its {len(raw)} bytes of data")
    filters = _resolve(stream.get("/Filter"))
    chain = [filters] if isinstance(filters, generic.NameObject) else list(_array(stream, "/Filter"))
    if not chain:
        if len(raw) > max_bytes:
            raise AttachmentError(f"{name}: {len(raw)} bytes, more than the {max_bytes} une-eval reads")
        return bytes(raw)
    if len(chain) != 1 or chain[0] not in _FLATE:
        raise AttachmentError(f"{name}: filter chain {' '.join(map(str, chain))} (only /FlateDecode is read)")
    _check_no_predictor(_resolve(stream.get("/DecodeParms")), name)
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise AttachmentError(f"{name}: its compressed data is corrupt ({exc})") from None
    if len(data) > max_bytes:
        raise AttachmentError(f"{name}: decodes to more than the {max_bytes} bytes une-eval reads")
    if not inflater.eof:
        raise AttachmentError(f"{name}: its compressed data is truncated")
    return data


def _check_no_predictor(params: Any, name: str) -> None:
    if isinstance(params, generic.ArrayObject) and len(params) == 1:
        params = _resolve(params[0])
    if params is None or isinstance(params, generic.NullObject):
        return
    if not isinstance(params, generic.DictionaryObject) or _resolve(params.get("/Predictor", 1)) != 1:
        raise AttachmentError(f"{name}: /DecodeParms other than none (a predictor) is not read for attachments")


__all__ = ["MAX_ATTACHMENT_BYTES", "AttachmentError", "decode_bounded", "read_attachments"]
