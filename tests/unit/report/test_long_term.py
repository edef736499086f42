# mypy: disable-error-code="no-untyped-call"
"""PAdES B-LT and B-LTA with a local TSA: what the later revisions hold, offline and post-expiry validation,
revocation (the CA's CRL), the three-valued answer, and forged later revisions."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.unit.report.conftest import ISSUED_AT, PASSPHRASE, VALID, Pki, Poppler
from tests.unit.report.tsa import local_tsa
from une_eval.report.crl import load_crls
from une_eval.report.indication import Indication
from une_eval.report.issue import issue_certificate
from une_eval.report.keys import init_dev_pki, republish_dev_crl
from une_eval.report.render import Renderer
from une_eval.report.sign import Level, load_signer, validation_context_for
from une_eval.report.verify import Verification, verify_bytes

LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=900)  # the auditor certificate (825 days) has expired


def _issue(pki: Pki, renderer: Renderer, level: Level, number: str) -> bytes:
    return issue_certificate(
        VALID,
        renderer=renderer,
        signer=pki.signer,
        lang="en",
        number=number,
        issued_at=ISSUED_AT,
        timestamper=local_tsa(pki.paths) if level.needs_timestamp else None,
        level=level,
        validation=validation_context_for(pki.signer, pki.crls, fetch=False) if level.long_term else None,
    ).pdf


@pytest.fixture(scope="module")
def lta(pki: Pki, renderer: Renderer) -> bytes:
    return _issue(pki, renderer, Level.B_LTA, "UEC-TEST-LTA")


@pytest.fixture(scope="module")
def lt(pki: Pki, renderer: Renderer) -> bytes:
    return _issue(pki, renderer, Level.B_LT, "UEC-TEST-LT")


def _failed(report: Verification) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


def test_b_lta_verifies_offline_without_any_crl_and_says_its_level(lta: bytes, pki: Pki, poppler: Poppler) -> None:
    report = verify_bytes(lta, pki.roots)  # no --crl: the revocation data is inside the file
    assert report.indication is Indication.PASSED, _failed(report)
    assert report.level == "B-LTA"
    checks = {c.name: c.detail for c in report.checks}
    assert "embedded in the file" in checks["revocation"]
    assert "document timestamp of" in checks["archive timestamp"]
    assert "Signature is Valid." in poppler.sig(lta)  # the signature itself; the DSS and timestamp follow it


def test_the_later_revisions_add_a_dss_and_a_timestamp_and_touch_no_metadata(lta: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(lta))
    signed = reader.embedded_signatures[0].signed_revision
    assert reader.xrefs.total_revisions - 1 == signed + 2
    info = reader.trailer.raw_get("/Info").reference
    xmp = reader.root.raw_get("/Metadata").reference
    for revision in (signed + 1, signed + 2):
        written = reader.xrefs.explicit_refs_in_revision(revision)
        assert info not in written
        assert xmp not in written
    dss = reader.root["/DSS"]
    assert len(dss["/CRLs"]) >= 1
    assert len(dss["/Certs"]) >= 2


def test_long_term_certificates_verify_after_the_signing_certificate_expired(
    lt: bytes, lta: bytes, pki: Pki, renderer: Renderer
) -> None:
    for pdf in (lt, lta):
        report = verify_bytes(pdf, pki.roots, now=LATER)
        assert report.indication is Indication.PASSED, _failed(report)
    basic = _issue(pki, renderer, Level.B_B, "UEC-TEST-BB")
    assert verify_bytes(basic, pki.roots, crls=pki.crls).indication is Indication.PASSED
    late = verify_bytes(basic, pki.roots, crls=pki.crls, now=LATER)
    assert late.indication is Indication.INDETERMINATE
    assert late.sub_indication == "OUT_OF_BOUNDS_NO_POE"


def test_without_revocation_data_the_answer_is_indeterminate_try_later(pki: Pki, renderer: Renderer) -> None:
    pdf = _issue(pki, renderer, Level.B_T, "UEC-TEST-BT")
    report = verify_bytes(pdf, pki.roots)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication == "TRY_LATER"
    assert report.indication.exit_code == 2
    assert verify_bytes(pdf, pki.roots, crls=pki.crls).indication is Indication.PASSED


def test_a_revoked_signing_key_fails_revoked(tmp_path: Path, renderer: Renderer) -> None:
    paths = init_dev_pki(tmp_path / "ca", passphrase=PASSPHRASE)
    signer = load_signer(p12=paths.auditor_p12, passphrase=PASSPHRASE)
    pdf = issue_certificate(VALID, renderer=renderer, signer=signer, lang="en", number="UEC-TEST-REV").pdf
    roots = load_trust_roots_of(paths)
    before = verify_bytes(pdf, roots, crls=load_crls([paths.ca_crl]))
    assert before.indication is Indication.PASSED, _failed(before)
    republish_dev_crl(paths.ca_crl.parent, passphrase=PASSPHRASE, revoke=paths.auditor_cert, reason="key-compromise")
    after = verify_bytes(pdf, roots, crls=load_crls([paths.ca_crl]))
    assert after.indication is Indication.FAILED
    assert after.sub_indication == "REVOKED"
    assert after.indication.exit_code == 1
    assert after.printed == {}  # a revoked signer's file says nothing more


def load_trust_roots_of(paths: Any) -> list[Any]:
    from une_eval.report.verify import load_trust_roots

    return load_trust_roots([paths.ca_cert])


# --- forged later revisions: each must fail, with the coverage check saying why ------------------------


class _Quiet(IncrementalPdfFileWriter):
    """Writes only what the forgery changes (pyHanko would also refresh /ModDate and the XMP packet)."""

    def _update_meta(self) -> None:
        return None


def _update(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = _Quiet(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _retitle(writer: IncrementalPdfFileWriter) -> None:
    info = writer.trailer["/Info"]
    info["/Title"] = generic.TextStringObject("forged")
    writer.update_container(info)


def _dss_only_touch_catalog_key(writer: IncrementalPdfFileWriter) -> None:
    writer.root["/Lang"] = generic.TextStringObject("xx")
    writer.update_root()


def _visible_annotation(writer: IncrementalPdfFileWriter) -> None:
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    note = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(v) for v in (50, 50, 400, 120)]),
            generic.NameObject("/Contents"): generic.TextStringObject("Certificate of conformity"),
        }
    )
    annots = page.get("/Annots", generic.ArrayObject())
    annots.append(writer.add_object(note))
    page["/Annots"] = annots
    writer.update_container(page)


def _new_dss_with_page_change(writer: IncrementalPdfFileWriter) -> None:
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)


def _replace_xmp(writer: IncrementalPdfFileWriter) -> None:
    xmp = writer.root["/Metadata"]
    xmp._data = xmp.data.replace(b"pdfaid", b"pdfxid")  # no longer claims PDF/A
    writer.update_container(xmp)


def _swap_attachment(writer: IncrementalPdfFileWriter) -> None:
    pairs = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = pairs.raw_get(pairs.index(generic.TextStringObject("submission.json")) + 1)
    forged = generic.StreamObject(stream_data=b'{"forged": true}')
    spec.get_object()["/EF"]["/F"] = writer.add_object(forged)
    writer.update_container(spec.get_object())


def _visible_timestamp_field(writer: IncrementalPdfFileWriter, *, appearance: bool = True) -> None:
    """A field that claims to be a document timestamp but has an area (and an appearance)."""
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    look = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (CONFORMANT) Tj ET"))
    value = writer.add_object(
        generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/DocTimeStamp")})
    )
    field = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/FT"): generic.NameObject("/Sig"),
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
                generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 500, 500)]),
                generic.NameObject("/V"): value,
                generic.NameObject("/P"): page_ref,
            }
        )
    )
    if appearance:
        field.get_object()["/AP"] = generic.DictionaryObject({generic.NameObject("/N"): look})
    page["/Annots"].append(field)
    writer.update_container(page)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(field)
    writer.update_container(form)


def _object_hidden_in_validation_data(writer: IncrementalPdfFileWriter) -> None:
    """A DSS update whose new stream holds a whole object: a reader rebuilding the xref would find it."""
    hidden = b"\n9999 0 obj\n<</Type /Annot /Subtype /FreeText /Contents (Certificate of conformity)>>\nendobj\n"
    dss = writer.root["/DSS"]
    dss["/Extra"] = writer.add_object(generic.StreamObject(stream_data=hidden))
    writer.update_container(dss)


FORGERIES = {  # the forgery, and what verify must say about it
    "object-hidden-in-dss": (_object_hidden_in_validation_data, "no cross-reference section lists (9999 0 obj"),
    "attachment-swapped": (_swap_attachment, "which is an object of the signed document"),
    "drawn-timestamp-field": (_visible_timestamp_field, "adds a field that is not an invisible signature field"),
    "sized-timestamp-field": (
        lambda w: _visible_timestamp_field(w, appearance=False),
        "adds a signature field with a visible area",
    ),
    "retitled": (_retitle, "which is an object of the signed document"),
    "catalog-key": (_dss_only_touch_catalog_key, "changes its /Lang"),
    "visible-annotation": (_visible_annotation, "adds a field that is not an invisible signature field"),
    "rotated-page": (_new_dss_with_page_change, "changes its /Rotate"),
    "xmp-rewritten": (_replace_xmp, "which is an object of the signed document"),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_a_forged_revision_after_a_long_term_signature_fails(lta: bytes, lt: bytes, pki: Pki, name: str) -> None:
    for pdf in (lt, lta):
        forge, why = FORGERIES[name]
        forged = _update(pdf, forge)
        report = verify_bytes(forged, pki.roots, crls=pki.crls)
        failed = _failed(report)
        assert report.indication is Indication.FAILED, failed
        assert report.sub_indication == "UNSIGNED_CONTENT"
        assert "something was added after signing" in failed["covers whole file"], failed
        assert why in failed["covers whole file"], failed
        assert report.printed == {}


def test_bytes_appended_after_the_last_revision_fail(lt: bytes, lta: bytes, pki: Pki) -> None:
    # B-LT: the last revision (the DSS) is unsigned, so the file's tail is checked against it;
    # B-LTA: the document timestamp must reach the last byte.
    for pdf, why in ((lt, "bytes were appended"), (lta, "something was added after signing")):
        report = verify_bytes(pdf + b"% trailing\n", pki.roots)
        assert report.indication is Indication.FAILED
        assert why in _failed(report)["covers whole file"]


def test_a_timestamp_whose_tsa_has_no_revocation_data_proves_no_time(
    tmp_path: Path, pki: Pki, renderer: Renderer
) -> None:
    """A TSA from another CA, trusted, but without that CA's CRL: INDETERMINATE, TRY_LATER; with it, PASSED."""
    other = init_dev_pki(tmp_path / "tsa-ca", passphrase=PASSPHRASE)
    pdf = issue_certificate(
        VALID,
        renderer=renderer,
        signer=pki.signer,
        lang="en",
        number="UEC-TEST-TSA-CA",
        issued_at=ISSUED_AT,
        timestamper=local_tsa(other),
        level=Level.B_T,
    ).pdf
    roots = [*pki.roots, *load_trust_roots_of(other)]
    without = verify_bytes(pdf, roots, crls=pki.crls)  # the signer's CRL, not the TSA's
    assert without.indication is Indication.INDETERMINATE
    assert without.sub_indication == "TRY_LATER"
    failed = _failed(without)
    assert set(failed) == {"timestamp"}
    assert "TSA certificate" in failed["timestamp"]
    both = verify_bytes(pdf, roots, crls=[*pki.crls, *load_crls([other.ca_crl])])
    assert both.indication is Indication.PASSED, _failed(both)
    # After the signer's certificate expired, the timestamp's time can only count with the TSA's CRL.
    late = verify_bytes(pdf, roots, crls=pki.crls, now=LATER)
    assert late.indication is Indication.INDETERMINATE
    assert "signer certificate" in _failed(late)


def test_renewing_twice_chains_the_document_timestamps(lta: bytes, pki: Pki, poppler: Poppler) -> None:
    from une_eval.report.renew import renew, renewal_context

    context = renewal_context(pki.roots, pki.crls, [], fetch=False)
    once = renew(lta, roots=pki.roots, crls=pki.crls, timestamper=local_tsa(pki.paths), validation=context)
    twice = renew(once.pdf, roots=pki.roots, crls=pki.crls, timestamper=local_tsa(pki.paths), validation=context)
    assert twice.pdf.startswith(once.pdf)
    assert once.pdf.startswith(lta)
    reader = PdfFileReader(io.BytesIO(twice.pdf))
    assert [s.sig_object_type for s in reader.embedded_signatures] == ["/Sig"] + ["/DocTimeStamp"] * 3
    report = verify_bytes(twice.pdf, pki.roots)  # offline: every timestamp's TSA data is in the file
    assert report.indication is Indication.PASSED, _failed(report)
    assert [c.name for c in report.checks].count("archive timestamp") == 3
    assert "Signature is Valid." in poppler.sig(twice.pdf).split("Signature #2")[0]


def test_seven_renewals_verify_and_an_eighth_is_refused_before_anything_is_stamped(lta: bytes, pki: Pki) -> None:
    from une_eval.errors import SigningError
    from une_eval.report.renew import later_revisions, renew, renewal_context
    from une_eval.report.revisions import MAX_LATER_REVISIONS

    context = renewal_context(pki.roots, pki.crls, [], fetch=False)
    pdf = lta
    for _ in range((MAX_LATER_REVISIONS - 2) // 2):
        pdf = renew(pdf, roots=pki.roots, crls=pki.crls, timestamper=local_tsa(pki.paths), validation=context).pdf
    assert later_revisions(pdf) == MAX_LATER_REVISIONS
    assert verify_bytes(pdf, pki.roots).indication is Indication.PASSED
    with pytest.raises(SigningError, match="renewed as often as verify accepts"):
        renew(pdf, roots=pki.roots, crls=pki.crls, timestamper=local_tsa(pki.paths), validation=context)
