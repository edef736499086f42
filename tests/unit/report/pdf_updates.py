# mypy: disable-error-code="no-untyped-call"
"""Forged later revisions written by pyHanko's incremental writer (a test helper for the red-team tests).

What a long-term certificate's unsigned revisions may not add: a field shaped like a document
timestamp's but with actions, an appearance, kids or an unknown /SubFilter; a signature planted
before signing that pyHanko skips; a timestamp widget redrawn as "validation data"; a catalogue or
form change. Each is a change for :func:`pyhanko_update`.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper

from tests.unit.report.pdf_redteam import FORGED_TEXT, MARKER, name, pdf_dict


class _Quiet(IncrementalPdfFileWriter):
    """Writes only what the forgery changes (pyHanko would also refresh /ModDate and the XMP packet)."""

    def _update_meta(self) -> None:
        return None


def pyhanko_update(change: Callable[[IncrementalPdfFileWriter], None]) -> Callable[[bytes], bytes]:
    """An incremental update written by pyHanko, with ``change`` made to the document."""

    def forge(data: bytes) -> bytes:
        writer = _Quiet(io.BytesIO(data), strict=False)
        change(writer)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    return forge


def _javascript() -> generic.DictionaryObject:
    code = generic.TextStringObject(f"app.alert('{MARKER}');")
    return pdf_dict(S=name("/JavaScript"), JS=code)


def timestamp_field(
    *, subtype: str = "/Widget", sub_filter: str = "/ETSI.RFC3161", named: bool = False, **extra: generic.PdfObject
) -> Callable[[IncrementalPdfFileWriter], None]:
    """A field shaped like a document timestamp's (invisible, /V a /DocTimeStamp) with ``extra`` keys.

    Unnamed (no /T) by default: pyHanko then does not list it as a signature at all, so it has no
    /ByteRange or /Contents to check, while poppler still shows a second signature field.
    """

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
        page = page_ref.get_object()
        value = writer.add_object(pdf_dict(Type=name("/DocTimeStamp"), SubFilter=name(sub_filter)))
        zero = generic.ArrayObject([generic.NumberObject(0)] * 4)
        field = pdf_dict(FT=name("/Sig"), Type=name("/Annot"), Rect=zero)
        if named:
            field[name("/T")] = generic.TextStringObject("Stamp")
        field.update({name("/Subtype"): name(subtype), name("/V"): value, name("/P"): page_ref})
        field.update({name("/" + k): v for k, v in extra.items()})
        ref = writer.add_object(field)
        page["/Annots"].append(ref)
        writer.update_container(page)
        form = writer.root["/AcroForm"]
        form["/Fields"].append(ref)
        writer.update_container(form)

    return change


def field_with_actions(writer: IncrementalPdfFileWriter) -> None:
    """A "timestamp" widget that runs JavaScript when the page opens (Acrobat honours /AA /PO)."""
    timestamp_field(AA=pdf_dict(PO=_javascript()))(writer)


def planted_signature(writer: IncrementalPdfFileWriter) -> None:
    """A filled, invisible signature field whose /SubFilter no validator knows, naming the forger as signer."""
    value = pdf_dict(Type=name("/Sig"), SubFilter=name("/Une.Forged"), Name=generic.TextStringObject(MARKER))
    value[name("/Contents")] = generic.ByteStringObject(bytes(64))
    value[name("/ByteRange")] = generic.ArrayObject([generic.NumberObject(v) for v in (0, 1, 2, 3)])
    zero = generic.ArrayObject([generic.NumberObject(0)] * 4)
    field = pdf_dict(FT=name("/Sig"), T=generic.TextStringObject("Auditor"), Rect=zero, V=writer.add_object(value))
    form = writer.root.get("/AcroForm")
    ref = writer.add_object(field)
    if form is None:
        writer.root[name("/AcroForm")] = pdf_dict(Fields=generic.ArrayObject([ref]))
        writer.update_root()
    else:
        form["/Fields"].append(ref)
        writer.update_container(form)


def redrawn_timestamp_widget(*, as_dss: bool) -> Callable[[IncrementalPdfFileWriter], None]:
    """The B-LTA document timestamp's widget (added after signing) given a page-sized forged appearance,
    retyped /VRI or named by the catalogue's /DSS so that it passes for validation data."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        annots = writer.root["/Pages"]["/Kids"][0].get_object()["/Annots"]
        ref = annots.raw_get(len(annots) - 1)
        widget = ref.get_object()
        page_box = generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)])
        look = pdf_dict(Type=name("/XObject"), Subtype=name("/Form"), BBox=page_box)
        font = pdf_dict(Type=name("/Font"), Subtype=name("/Type1"), BaseFont=name("/Helvetica"))
        look[name("/Resources")] = pdf_dict(Font=pdf_dict(AtkF=font))
        appearance = generic.StreamObject(look, stream_data=FORGED_TEXT)
        widget.update({name("/Rect"): page_box, name("/AP"): pdf_dict(N=writer.add_object(appearance))})
        if as_dss:
            writer.root[name("/DSS")] = ref
            writer.update_root()
        else:
            widget[name("/Type")] = name("/VRI")
        writer.update_container(widget)

    return change


def catalogue(
    key: str, value: Callable[[IncrementalPdfFileWriter], generic.PdfObject]
) -> Callable[[IncrementalPdfFileWriter], None]:
    """Set a catalogue entry (an /OpenAction, new /Names) beside a DSS-looking change."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        writer.root[name(key)] = value(writer)
        writer.update_root()

    return change


def open_action(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    return writer.add_object(_javascript())


def more_attachments(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    """A new /Names whose /EmbeddedFiles adds a forged evidence file before the genuine ones."""
    names = writer.root["/Names"]
    tree = generic.DictionaryObject(dict(names["/EmbeddedFiles"]))
    forged = writer.add_object(generic.StreamObject(pdf_dict(Type=name("/EmbeddedFile")), stream_data=b'{"forged": 1}'))
    spec = writer.add_object(
        pdf_dict(Type=name("/Filespec"), F=generic.TextStringObject("evidence.json"), EF=pdf_dict(F=forged))
    )
    tree[name("/Names")] = generic.ArrayObject([generic.TextStringObject("evidence.json"), spec, *tree["/Names"]])
    return writer.add_object(generic.DictionaryObject({**names, name("/EmbeddedFiles"): writer.add_object(tree)}))


def form_needs_appearances(writer: IncrementalPdfFileWriter) -> None:
    form = writer.root["/AcroForm"]
    form[name("/NeedAppearances")] = generic.BooleanObject(True)
    writer.update_container(form)


def real_timestamp_with_actions(timestamper: TimeStamper) -> Callable[[bytes], bytes]:
    """A genuine, trusted document timestamp (as ``renew`` adds) whose widget also runs JavaScript when
    the page opens: the field is created with /AA in the same revision that the timestamp fills."""

    def forge(data: bytes) -> bytes:
        writer = _Quiet(io.BytesIO(data), strict=False)
        page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
        zero = generic.ArrayObject([generic.NumberObject(0)] * 4)
        field = pdf_dict(FT=name("/Sig"), T=generic.TextStringObject("Stamp"), Type=name("/Annot"), Rect=zero)
        field.update({name("/Subtype"): name("/Widget"), name("/P"): page_ref, name("/AA"): pdf_dict(PO=_javascript())})
        ref = writer.add_object(field)
        page = page_ref.get_object()
        page["/Annots"].append(ref)
        writer.update_container(page)
        form = writer.root["/AcroForm"]
        form["/Fields"].append(ref)
        writer.update_container(form)
        stamper = signers.PdfTimeStamper(timestamper, field_name="Stamp")
        out = stamper.timestamp_pdf(writer, "sha256", output=io.BytesIO())
        return bytes(out.getvalue())

    return forge
