# mypy: disable-error-code="no-untyped-call"
"""Red-team forgeries for ``une-eval verify``, written as raw bytes or pyHanko updates (a test helper).

A B-LT or B-LTA certificate may carry revisions after its signature (validation data, document
timestamps), so its forger works in a later revision: an xref that lists an object twice (readers
keep different entries), object headers spaced so that a simple scan misses them, a "document
timestamp" field with actions, a catalogue, form or trailer change, an object redefined in an object
stream or a hybrid xref stream. Each forgery is ``bytes -> bytes`` or a change for a pyHanko
incremental writer (:func:`pyhanko_update`); hostile files that need no forgery are in :mod:`pdf_hostile`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.unit.report.pdf_surgery import FONT, serialise, xref_stream

MARKER = "REDTEAM-FORGED-CONFORMANT"  # shown on a forged page, never in a genuine certificate
FORGED_TEXT = b"q 1 1 1 rg 0 0 595 842 re f Q BT /AtkF 28 Tf 50 500 Td (" + MARKER.encode() + b") Tj ET"
FORGED_CONTENT = b"<< /Length %d >>\nstream\n" % len(FORGED_TEXT) + FORGED_TEXT + b"\nendstream"


@dataclass(frozen=True)
class Tail:
    """Where the last revision of a signed file stands: what a forger's next revision builds on."""

    data: bytes
    startxref: int
    size: int
    root: int
    info: int
    ident: bytes
    page: int
    page_offset: int  # where the latest definition of page 1 starts
    sig: int  # the auditor's signature dictionary


def tail_of(data: bytes) -> Tail:
    """Read a signed file's last revision."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    xrefs, trailer = reader.xrefs, reader.trailer_view
    last = xrefs.total_revisions - 1
    page = reader.root["/Pages"]["/Kids"].raw_get(0).idnum
    offset = next(
        entry[1]
        for rev in range(last, -1, -1)
        if (entry := xrefs.get_xref_data(rev).standard_xrefs.get(page)) is not None
    )
    signature = next(s for s in reader.embedded_signatures if s.sig_object_type == "/Sig")
    sig = signature.sig_field.raw_get("/V").idnum
    return Tail(
        data=data,
        startxref=xrefs.get_startxref_for_revision(last),
        size=int(trailer["/Size"]),
        root=trailer.raw_get("/Root").idnum,
        info=trailer.raw_get("/Info").idnum,
        ident=serialise(trailer.raw_get("/ID")),
        page=page,
        page_offset=offset,
        sig=sig,
    )


def trailer_keys(
    tail: Tail, size: int, *, prev: int | None = None, root: int | None = None, extra: bytes = b""
) -> bytes:
    prev = tail.startxref if prev is None else prev
    keys = b"/Size %d /Root %d 0 R /Info %d 0 R /ID %s /Prev %d" % (
        size,
        root or tail.root,
        tail.info,
        tail.ident,
        prev,
    )
    return keys + extra


def append_table(
    tail: Tail,
    objects: Sequence[tuple[int, bytes]],
    *,
    rows: Sequence[tuple[int, int | None]] | None = None,
    xref_gap: bytes = b"",
    **trailer: int | bytes,
) -> bytes:
    """A revision with ``objects`` (number, bytes holding ``N 0 obj``) and a classic xref table.

    ``rows``: the table's entries in order, an offset or None for "where that object was written"
    (default: one row per object). ``xref_gap``: bytes between where startxref points and ``xref``.
    """
    out = bytearray(with_eol(tail.data))
    written: dict[int, int] = {}
    for num, chunk in objects:
        written[num] = len(out) + chunk.index(b"%d 0 obj" % num)
        out += chunk
    table = b"".join(
        b"%d 1\n%010d 00000 n \n" % (num, written[num] if at is None else at)
        for num, at in (rows if rows is not None else [(n, None) for n, _ in objects])
    )
    at = len(out)
    size = max([tail.size, *(n + 1 for n in written)])
    out += xref_gap + b"xref\n0 1\n0000000000 65535 f \n" + table
    out += b"trailer\n<< " + trailer_keys(tail, size, **trailer) + b" >>\nstartxref\n%d\n%%%%EOF\n" % at  # type: ignore[arg-type]
    return bytes(out)


def obj(num: int, body: bytes, lead: bytes = b"") -> tuple[int, bytes]:
    """Object ``num`` as written in a file, after ``lead`` (white space or a comment before its header)."""
    return num, lead + b"%d 0 obj\n" % num + body + b"\nendobj\n"


def forged_page(tail: Tail, content: int) -> bytes:
    """Page 1 drawing stream ``content`` (the forger's page) with the forger's font."""
    reader = PdfFileReader(io.BytesIO(tail.data), strict=False)
    page = generic.DictionaryObject(dict(reader.root["/Pages"]["/Kids"][0].get_object()))
    page["/Contents"] = generic.IndirectObject(content, 0, None)
    body = serialise(page)
    resources = serialise(page.raw_get("/Resources"))
    return body.replace(b"/Resources " + resources, b"/Resources " + FONT, 1)


# --- xref sections that readers read differently -----------------------------------------------------


def listed_twice(order: str) -> Callable[[bytes], bytes]:
    """Page 1 listed twice in one xref table: the forged page and, ``first`` or ``last``, the signed one."""

    def forge(data: bytes) -> bytes:
        tail = tail_of(data)
        content, page = obj(tail.size, FORGED_CONTENT), obj(tail.page, forged_page(tail, tail.size), b"% x\n ")
        pair = [(tail.page, None), (tail.page, tail.page_offset)]
        rows = [(tail.size, None), *(pair if order == "forged-first" else pair[::-1])]
        return append_table(tail, [content, page], rows=rows)

    return forge


def listed_twice_in_stream(data: bytes) -> bytes:
    """The same, in an xref stream whose /Index names page 1 in two subsections."""
    tail = tail_of(data)
    start = len(with_eol(data))
    num = tail.size + 1
    content, page = obj(tail.size, FORGED_CONTENT)[1], obj(tail.page, forged_page(tail, tail.size))[1]
    rows = b"".join(b"\x01" + off.to_bytes(4, "big") + b"\x00\x00" for off in (0, 0, tail.page_offset, 0))
    head = b"%d 0 obj\n<< /Type /XRef /W [1 4 2] /Index [%d 1 %d 1 %d 1 %d 1] " % (
        num,
        tail.page,
        tail.size,
        tail.page,
        num,
    )
    trailer = trailer_keys(tail, num + 1) + b" /Length %d >>\nstream\n" % len(rows)
    stream_len = len(head + trailer) + len(rows) + len(b"\nendstream\nendobj\n")
    at_page, at_content = start + stream_len, start + stream_len + len(page)
    offsets = (at_page, at_content, tail.page_offset, start)
    rows = b"".join(b"\x01" + off.to_bytes(4, "big") + b"\x00\x00" for off in offsets)
    body = head + trailer + rows + b"\nendstream\nendobj\n" + page + content
    return with_eol(data) + body + b"startxref\n%d\n%%%%EOF\n" % start


def listed_not_written(data: bytes) -> bytes:
    """A new object listed at a byte of the signed revision where another object is written."""
    tail = tail_of(data)
    return append_table(tail, [obj(tail.size, b"<< /Une (eval) >>")], rows=[(tail.size, None), (tail.size + 1, 17)])


def relisted_signed_object(data: bytes) -> bytes:
    """A revision whose only entry names the catalogue where the signed revision wrote it: the version
    without the /DSS (an allowed difference), at a byte of the signed revision, not of the update."""
    tail = tail_of(data)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    signed = next(s for s in reader.embedded_signatures if s.sig_object_type == "/Sig").signed_revision
    revisions = range(signed, -1, -1)
    xrefs = reader.xrefs
    offset = next(e[1] for r in revisions if (e := xrefs.get_xref_data(r).standard_xrefs.get(tail.root)) is not None)
    return append_table(tail, [], rows=[(tail.root, offset)])


def hidden_header(spacing: bytes) -> Callable[[bytes], bytes]:
    """A stream whose data holds a whole object, its header spaced by ``spacing`` (``{}`` between tokens)."""

    def forge(data: bytes) -> bytes:
        tail = tail_of(data)
        header = spacing.replace(b"{}", b"9999", 1).replace(b"{}", b"0", 1).replace(b"{}", b"obj", 1)
        hidden = (
            b"\n" + header + b"\n<< /Type /Annot /Subtype /FreeText /Contents (" + MARKER.encode() + b") >>\nendobj\n"
        )
        return append_table(
            tail, [obj(tail.size, b"<< /Length %d >>\nstream\n" % len(hidden) + hidden + b"\nendstream")]
        )

    return forge


def xref_off_by_white_space(data: bytes) -> bytes:
    """startxref names the blank line before ``xref``: pyHanko skips it, a strict reader does not."""
    tail = tail_of(data)
    forged = append_table(tail, [obj(tail.size, b"<< /Une (eval) >>")], xref_gap=b"\n")
    cut = forged.rindex(b"startxref\n")
    return forged[:cut] + b"startxref\n%d\n%%%%EOF\n" % (forged.rindex(b"xref\n0 1") - 1)


def hybrid_section(data: bytes) -> bytes:
    """A table revision with an /XRefStm whose stream redefines page 1 (older readers never see it)."""
    tail = tail_of(data)
    start = len(with_eol(data))
    content = obj(tail.size, FORGED_CONTENT)
    page = obj(tail.page, forged_page(tail, tail.size))
    at_content = start
    at_page = at_content + len(content[1])
    at_stream = at_page + len(page[1])
    num = tail.size + 1
    stream = xref_stream(num, {tail.page: at_page, tail.size: at_content}, b"/Size %d" % (num + 1))
    extra = b" /XRefStm %d" % at_stream
    return append_table(tail, [content, page, (num, stream)], rows=[(num, None)], extra=extra)


def info_in_object_stream(data: bytes) -> bytes:
    """/Info redefined inside a new object stream, listed by an xref stream (a type 2 entry)."""
    tail = tail_of(data)
    start = len(with_eol(data))
    body = b"<< /Title (Certificate of conformity) /uneevalverdict (conformant) >>"
    header = b"%d 0 " % tail.info
    objstm = b"<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n" % (len(header), len(header + body))
    chunk = b"%d 0 obj\n" % tail.size + objstm + header + body + b"\nendstream\nendobj\n"
    num = tail.size + 1
    at = start + len(chunk)
    xref = xref_stream(num, {tail.size: start, tail.info: (tail.size, 0), num: at}, trailer_keys(tail, num + 1))
    return with_eol(data) + chunk + xref + b"startxref\n%d\n%%%%EOF\n" % at


def unused_object_stream(data: bytes) -> bytes:
    """A new object stream no entry points into, holding a forged page 1: only a reader that rebuilds
    a damaged table (and reads the object streams it finds) would use it."""
    tail = tail_of(data)
    body = forged_page(tail, tail.size + 1)
    header = b"%d 0 " % tail.page
    objstm = b"<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n" % (len(header), len(header + body))
    chunks = [obj(tail.size, objstm + header + body + b"\nendstream"), obj(tail.size + 1, FORGED_CONTENT)]
    return append_table(tail, chunks)


def name(text: str) -> generic.NameObject:
    return generic.NameObject(text)


def pdf_dict(**entries: generic.PdfObject) -> generic.DictionaryObject:
    return generic.DictionaryObject({name("/" + k): v for k, v in entries.items()})


def new_root(data: bytes) -> bytes:
    """A copy of the catalogue under a new number, named by the trailer, with an /OpenAction."""
    tail = tail_of(data)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    root = serialise(reader.root)[:-2] + b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    return append_table(tail, [obj(tail.size, root)], root=tail.size)


def signature_redefined(contents: bytes | None, *, signer: str = "") -> Callable[[bytes], bytes]:
    """USF in a later revision: the auditor's signature dictionary again, its /Contents replaced (or kept,
    when None) and, with ``signer``, a /Name that a viewer shows as the signer's."""

    def forge(data: bytes) -> bytes:
        tail = tail_of(data)
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sig = generic.DictionaryObject(dict(reader.get_object(generic.Reference(tail.sig, 0))))
        if signer:
            sig[name("/Name")] = generic.TextStringObject(signer)
        if contents is not None:
            sig.pop(name("/Contents"))
            return append_table(tail, [obj(tail.sig, serialise(sig)[:-2] + b" /Contents " + contents + b" >>")])
        return append_table(tail, [obj(tail.sig, serialise(sig))])

    return forge


def with_eol(data: bytes) -> bytes:
    """The file with a final end-of-line, where a new revision starts."""
    return data if data.endswith(b"\n") else data + b"\n"
