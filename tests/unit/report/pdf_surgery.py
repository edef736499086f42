"""Read where things are in a signed PDF and write PDF objects and incremental updates by hand (a test helper).

The forgeries in :mod:`pdf_attacks` and :mod:`pdf_shadow` need bytes that no PDF library writes on purpose:
updates without a cross-reference section, xref streams at a chosen offset, signature dictionaries with
rewritten /ByteRange values. Everything here works on raw bytes; pyHanko's reader only locates objects.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

FONT = b"<< /Font << /AtkF << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >>"

BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*\]")

# --- reading a signed file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where things are in a signed certificate (one signature, as une-eval signs)."""

    data: bytes
    byte_range: tuple[int, int, int, int]
    sig_num: int
    root_num: int
    info_num: int
    page_num: int
    page: generic.DictionaryObject
    size: int
    prev: int  # the startxref of the revision before the signed one
    startxref: int  # the signed revision's startxref
    signed_entries: Mapping[int, int]  # objects the signed revision (re)defines -> byte offset
    attachment_nums: Mapping[str, int]  # embedded file name -> the number of its stream object
    ident: bytes  # the trailer's /ID, serialised


def serialise(obj: generic.PdfObject) -> bytes:
    """PDF syntax for a pyHanko object (indirect references stay references)."""
    out = io.BytesIO()
    obj.write_to_stream(out, None)
    return out.getvalue()


def _attachment_nums(reader: PdfFileReader) -> dict[str, int]:
    tree = reader.root["/Names"]["/EmbeddedFiles"]
    pairs = list(tree["/Names"])
    return {
        str(name): int(spec.get_object()["/EF"].raw_get("/F").idnum)
        for name, spec in zip(pairs[::2], pairs[1::2], strict=True)
    }


def layout(data: bytes) -> Layout:
    """Read the signed certificate's structure (pyHanko's reader for objects, offsets from the bytes)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sig_field = next(f for f in (r.get_object() for r in reader.root["/AcroForm"]["/Fields"]) if f.get("/FT") == "/Sig")
    sig_ref = sig_field.raw_get("/V")
    page_ref = reader.root["/Pages"]["/Kids"].raw_get(0)
    trailer = reader.trailer_view
    xrefs = reader.xrefs
    last = xrefs.total_revisions - 1
    entries = {num: off for num, (_gen, off) in xrefs.get_xref_data(last).standard_xrefs.items()}
    match = BYTE_RANGE.findall(data)[-1]
    return Layout(
        data=data,
        byte_range=(int(match[0]), int(match[1]), int(match[2]), int(match[3])),
        sig_num=int(sig_ref.idnum),
        root_num=int(trailer.raw_get("/Root").idnum),
        info_num=int(trailer.raw_get("/Info").idnum),
        page_num=int(page_ref.idnum),
        page=page_ref.get_object(),
        size=int(trailer["/Size"]),
        prev=xrefs.get_startxref_for_revision(last - 1),
        startxref=xrefs.get_startxref_for_revision(last),
        signed_entries=entries,
        attachment_nums=_attachment_nums(reader),
        ident=serialise(trailer.raw_get("/ID")),
    )


def signature_hex(lay: Layout) -> bytes:
    """The signature's hex digits without the zero padding (as long as its DER encoding says it is)."""
    _, a, b, _ = lay.byte_range
    der = bytes.fromhex(lay.data[a + 1 : b - 1].decode())
    head, size = 2, der[1]
    if size & 0x80:  # long form: the next (size & 0x7f) bytes hold the length
        head, size = 2 + (size & 0x7F), int.from_bytes(der[2 : 2 + (size & 0x7F)], "big")
    return der[: head + size].hex().upper().encode()


def signature_dict(lay: Layout, byte_range: tuple[int, int, int, int], contents: bytes) -> bytes:
    """The signature dictionary with ``contents`` and ``byte_range`` (fixed-width numbers), other keys as signed."""
    _, a, b, _ = lay.byte_range
    start = lay.data.rindex(b"obj", 0, a) + 3
    end = lay.data.index(b"endobj", b)
    keys = lay.data[start:a] + b"<>" + lay.data[b:end]  # the dictionary with an empty /Contents
    keys = keys.replace(b"/Contents <>", b"/Contents " + contents, 1)
    numbers = b" ".join(b"%010d" % n for n in byte_range)
    return BYTE_RANGE.sub(b"/ByteRange [" + numbers + b"]", keys, count=1).strip()


# --- writing objects and updates ---------------------------------------------------------------------


def pdf_text(text: str) -> bytes:
    """A PDF literal string (Latin-1, escaped)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1") + b")"


def stream(body: bytes, extra: bytes = b"", *, encoding: str = "flate") -> bytes:
    """A stream object body (dictionary + data): ``flate``, ``raw``, ``asciihex``, or ``hex`` (Flate then
    ASCIIHex). The last two hold only printable bytes, so the object can sit inside a PDF string."""
    data, filters = body, b""
    if encoding in ("flate", "hex"):
        data, filters = zlib.compress(body, 9), b"/Filter /FlateDecode "
    if encoding == "hex":
        data, filters = data.hex().encode() + b">", b"/Filter [/ASCIIHexDecode /FlateDecode] "
    if encoding == "asciihex":
        data, filters = data.hex().encode() + b">", b"/Filter /ASCIIHexDecode "
    return b"<< " + filters + extra + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def page_content(lines: tuple[str, ...]) -> bytes:
    """A page content stream printing ``lines`` in Helvetica (resource /AtkF), top-left first."""
    ops = [b"q 1 1 1 rg 0 0 595 842 re f Q BT /AtkF 20 Tf 56 780 Td 26 TL"]
    ops += [pdf_text(line) + b" '" for line in lines]
    return b"\n".join([*ops, b"ET"])


def info_dict(info: Mapping[str, str]) -> bytes:
    """An /Info dictionary with the given entries."""
    return b"<< " + b" ".join(b"/" + k.encode() + b" " + pdf_text(v) for k, v in info.items()) + b" >>"


def escape_literal(raw: bytes) -> bytes:
    """Escape bytes for a PDF literal string so that they decode to exactly ``raw``."""
    table = {ord("("): b"\\(", ord(")"): b"\\)", ord("\\"): b"\\\\", ord("\r"): b"\\r", ord("\n"): b"\\n"}
    return b"".join(table.get(byte, bytes([byte])) for byte in raw)


def literal_length(body: bytes) -> int:
    """How many bytes a literal string's body decodes to (for the escapes this module writes)."""
    count = index = 0
    while index < len(body):
        index += 2 if body[index] == ord("\\") else 1
        count += 1
    return count


def render_objects(objects: Mapping[int, bytes], start: int) -> tuple[bytes, dict[int, int]]:
    """``N 0 obj ... endobj`` for each object, and where each starts when the block is placed at ``start``."""
    out = bytearray()
    offsets: dict[int, int] = {}
    for num, body in objects.items():
        offsets[num] = start + len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    return bytes(out), offsets


def xref_table(offsets: Mapping[int, int]) -> bytes:
    """A classic cross-reference section, one subsection per object."""
    out = [b"xref\n0 1\n0000000000 65535 f \n"]
    out += [b"%d 1\n%010d 00000 n \n" % (num, off) for num, off in sorted(offsets.items())]
    return b"".join(out)


def _xref_row(where: int | tuple[int, int]) -> bytes:
    if isinstance(where, tuple):  # (object stream, index): a compressed object
        return b"\x02" + where[0].to_bytes(4, "big") + where[1].to_bytes(2, "big")
    return b"\x01" + where.to_bytes(4, "big") + b"\x00\x00"


def xref_stream(
    num: int, offsets: Mapping[int, int | tuple[int, int]], trailer: bytes, *, encoding: str = "raw"
) -> bytes:
    """Cross-reference stream object ``num`` listing ``offsets`` (its length does not depend on their values);
    an offset given as ``(objstm, index)`` points into an object stream."""
    nums = sorted(offsets)
    rows = b"".join(_xref_row(offsets[n]) for n in nums)
    index = b" ".join(b"%d 1" % n for n in nums)
    extra = b"/Type /XRef /W [1 4 2] /Index [" + index + b"] " + trailer
    return b"%d 0 obj\n" % num + stream(rows, extra, encoding=encoding) + b"\nendobj\n"


def xref_and_objects(
    at: int, num: int, objects: Mapping[int, bytes], keep: Mapping[int, int], trailer: bytes, *, encoding: str = "raw"
) -> bytes:
    """Xref stream ``num`` placed at ``at``, then ``objects``; ``keep`` are entries it lists unchanged."""
    draft = xref_stream(num, {**keep, **dict.fromkeys(objects, 0), num: at}, trailer, encoding=encoding)
    block, offsets = render_objects(objects, at + len(draft))
    final = xref_stream(num, {**keep, **offsets, num: at}, trailer, encoding=encoding)
    if encoding in ("raw", "asciihex") and len(final) != len(draft):
        raise AssertionError("xref stream length changed")  # raw rows have a fixed width
    return final + block


def trailer_entries(
    lay: Layout, *, size: int, prev: int | None, info: int | None = None, root: int | None = None
) -> bytes:
    """The trailer keys of an update (without the ``<< >>``)."""
    out = b"/Size %d /Root %d 0 R /Info %d 0 R /ID " % (size, root or lay.root_num, info or lay.info_num) + lay.ident
    return out + (b" /Prev %010d" % prev if prev is not None else b"")


def next_free(lay: Layout, objects: Mapping[int, bytes]) -> int:
    """The first object number neither the file nor ``objects`` uses."""
    return max([lay.size, *(n + 1 for n in objects)])


def append_update(lay: Layout, objects: Mapping[int, bytes], *, form: str = "table", **trailer: int) -> bytes:
    """Append an incremental update with ``objects`` after the signed file.

    ``form``: ``table`` (classic xref + trailer), ``stream`` (xref stream), ``no-xref`` (objects and a
    trailer, no xref section, so startxref still names the signed xref), ``trailer-only`` (objects and a
    trailer, nothing after it), ``objects`` (objects only).
    """
    data = lay.data if lay.data.endswith(b"\n") else lay.data + b"\n"
    size = next_free(lay, objects)
    if form == "stream":
        entries = trailer_entries(lay, size=size + 1, prev=lay.startxref, **trailer)
        return data + xref_and_objects(len(data), size, objects, {}, entries) + b"startxref\n%d\n%%%%EOF\n" % len(data)
    block, offsets = render_objects(objects, len(data))
    at = len(data) + len(block)
    tail = b"trailer\n<< " + trailer_entries(lay, size=size, prev=lay.startxref, **trailer) + b" >>\n"
    ends = {
        "table": xref_table(offsets) + tail + b"startxref\n%d\n%%%%EOF\n" % at,
        "no-xref": tail + b"startxref\n%d\n%%%%EOF\n" % lay.startxref,
        "trailer-only": tail,
        "objects": b"",
    }
    return data + block + ends[form]
