from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from une_eval.report.issue import issue_certificate
from une_eval.report.keys import init_dev_pki, issue_tsa
from une_eval.report.pades_checks import der_length as _der_length
from une_eval.report.render import Renderer
from une_eval.report.sign import auditor_of, sign_pdf
from une_eval.report.verify import load_trust_roots, verify_bytes, verify_file

ROOT = Path(__file__).resolve().parents[3]


def _failed(report: Any) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


def _incremental(data: bytes, change: Any) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def test_signed_certificate_verifies_here_and_in_pdfsig(conformant_en: Any, pki: Any, poppler: Any) -> None:
    report = verify_bytes(conformant_en.pdf, pki.roots, crls=pki.crls)
    assert report.ok, _failed(report)
    assert report.printed["number"] == "UEC-TEST-0001"
    assert report.printed["verdict"] == "conformant"
    assert report.printed["submission_sha256"] == conformant_en.submission_sha256
    assert "Marta Ruiz" in report.signer
    names = [c.name for c in report.checks]
    for required in (
        "signature intact",
        "signature valid",
        "signer trusted",
        "covers whole file",
        "attachment submission.json",
        "attachment findings.json",
        "re-validation",
    ):
        assert required in names
    out = poppler.sig(conformant_en.pdf)
    assert "Signature is Valid." in out
    assert "Total document signed" in out
    assert "ETSI.CAdES.detached" in out  # PAdES subfilter


def test_certificate_text_carries_number_verdict_and_figures(
    conformant_en: Any, nonconformant_es: Any, poppler: Any
) -> None:
    text = poppler.text(conformant_en.pdf)
    for needle in (
        "Certificate of conformity",
        "UEC-TEST-0001",
        "CONFORMANT",
        "71.75 Wh",
        "per 1,000 queries",
        "± 5 %",
        "Llama-3.1-70B-Instruct",
        "Example AI Labs S.L.",
        conformant_en.submission_sha256,
        "une-style v1.0",
        "Marta Ruiz",
    ):
        assert needle in text, needle
    texto = poppler.text(nonconformant_es.pdf)
    for needle in (
        "Informe de no conformidad",
        "UEC-TEST-0002",
        "NO CONFORME",
        "runs.cv",
        "/results/statistics/cv_pct",
        "anexo A",
        "ANEXO A",
    ):
        assert needle in texto, needle
    assert "Certificado de conformidad" not in texto
    assert "75,33 Wh" in texto  # Spanish decimal comma
    assert not nonconformant_es.conformant
    assert nonconformant_es.verdict == "non-conformant"


def test_attachments_are_the_submission_and_its_findings(nonconformant_es: Any, pki: Any) -> None:
    report = verify_bytes(nonconformant_es.pdf, pki.roots, crls=pki.crls)
    assert report.ok, _failed(report)
    from pyhanko.pdf_utils.reader import PdfFileReader

    from une_eval.report.attachments import read_attachments

    files = read_attachments(PdfFileReader(io.BytesIO(nonconformant_es.pdf)), ("submission.json", "findings.json"))
    assert files["submission.json"] == (ROOT / "fixtures" / "invalid" / "runs.cv.json").read_bytes()
    findings = json.loads(files["findings.json"])
    assert findings["verdict"] == "non-conformant"
    assert findings["certificate_number"] == "UEC-TEST-0002"
    assert "runs.cv" in [f["rule_id"] for f in findings["findings"]]


def test_byte_flip_inside_the_signed_range_fails_here_and_in_pdfsig(conformant_en: Any, pki: Any, poppler: Any) -> None:
    data = bytearray(conformant_en.pdf)
    offset = data.index(b"/Title")  # inside the first signed range, far from the signature contents
    data[offset + 1] ^= 0x01
    report = verify_bytes(bytes(data), pki.roots, crls=pki.crls)
    assert not report.ok
    assert "signature intact" in _failed(report) or "readable PDF" in _failed(report)
    assert "Signature is Valid." not in poppler.sig(bytes(data))


def test_incremental_update_after_signing_fails(conformant_en: Any, pki: Any, poppler: Any) -> None:
    def retitle(writer: IncrementalPdfFileWriter) -> None:
        info = writer.trailer["/Info"]
        info["/Title"] = generic.TextStringObject("Certificate of conformity (forged)")
        writer.update_container(info)

    forged = _incremental(conformant_en.pdf, retitle)
    report = verify_bytes(forged, pki.roots, crls=pki.crls)
    failed = _failed(report)
    assert not report.ok
    assert "covers whole file" in failed
    assert "something was added after signing" in failed["covers whole file"]
    assert report.printed == {}
    assert "Total document signed" not in poppler.sig(forged)


def test_replaced_attachment_fails_before_the_attachments_are_read(conformant_en: Any, pki: Any) -> None:
    def swap(writer: IncrementalPdfFileWriter) -> None:
        tree = writer.root["/Names"]["/EmbeddedFiles"]
        pairs = tree["/Names"]
        spec = pairs[pairs.index(generic.TextStringObject("submission.json")) + 1]
        forged = generic.StreamObject(stream_data=b'{"forged": true}')
        ef = spec.get_object()["/EF"]
        ef["/F"] = writer.add_object(forged)
        writer.update_container(spec.get_object())

    forged = _incremental(conformant_en.pdf, swap)
    report = verify_bytes(forged, pki.roots, crls=pki.crls)
    failed = _failed(report)
    assert "covers whole file" in failed
    # Nothing the unsigned update says is read or printed: verification stops at the coverage check.
    assert report.printed == {}
    assert not any(c.name.startswith("attachment") for c in report.checks)


def _gap(pdf: bytes) -> tuple[int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    return int(match.group(2)), int(match.group(3))


def test_content_hidden_beside_a_shortened_signature_fails_here_and_in_pdfsig(
    nonconformant_es: Any, pki: Any, poppler: Any
) -> None:
    # The signature-wrapping move: the same signature in fewer hex digits (its zero padding dropped), and
    # the freed, unsigned room inside the gap used for other bytes. The file keeps its length, so a
    # coverage figure that only compares lengths still says "entire file".
    start, end = _gap(nonconformant_es.pdf)
    hex_digits = nonconformant_es.pdf[start + 1 : end - 1]
    der_len = _der_length(bytes.fromhex(hex_digits.decode()))  # the signature itself, without its zero padding
    assert der_len is not None
    digits = hex_digits[: 2 * der_len]
    payload = b"<" + digits + b">\n% attacker objects and a new xref section would go here\n"
    forged = nonconformant_es.pdf[:start] + payload.ljust(end - start) + nonconformant_es.pdf[end:]
    assert len(forged) == len(nonconformant_es.pdf)
    report = verify_bytes(forged, pki.roots, crls=pki.crls)
    failed = _failed(report)
    assert not report.ok
    assert "not only the signature's hex string" in failed["covers whole file"]
    assert report.printed == {}
    assert "Total document signed" not in poppler.sig(forged)


def test_a_different_hex_string_in_the_gap_fails(conformant_en: Any, pki: Any) -> None:
    _start, end = _gap(conformant_en.pdf)
    flipped = bytearray(conformant_en.pdf)
    flipped[end - 2] = ord("1") if flipped[end - 2] != ord("1") else ord("2")  # inside the zero padding
    report = verify_bytes(bytes(flipped), pki.roots, crls=pki.crls)
    assert not report.ok


def test_truncated_file_fails_with_a_reason(conformant_en: Any, pki: Any, tmp_path: Path) -> None:
    for cut in (len(conformant_en.pdf) // 2, len(conformant_en.pdf) - 10):
        path = tmp_path / f"cut{cut}.pdf"
        path.write_bytes(conformant_en.pdf[:cut])
        report = verify_file(path, pki.roots, crls=pki.crls)
        assert not report.ok
        assert _failed(report)
        assert all(detail for detail in _failed(report).values())


def test_signer_not_chaining_to_the_trust_anchor_fails(conformant_en: Any, tmp_path: Path, passphrase: bytes) -> None:
    other = init_dev_pki(tmp_path / "other", passphrase=passphrase)
    failed = _failed(verify_bytes(conformant_en.pdf, load_trust_roots([other.ca_cert])))
    assert set(failed) == {"signer trusted"}


def test_timestamped_signature_is_pades_b_t(pki: Any, renderer: Renderer, poppler: Any, passphrase: bytes) -> None:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from une_eval.report.content import prepare

    ca_key = serialization.load_pem_private_key(pki.paths.ca_key.read_bytes(), password=passphrase)
    ca_cert = x509.load_pem_x509_certificate(pki.paths.ca_cert.read_bytes())
    from une_eval.report.keys import Issued

    tsa = issue_tsa(Issued(ca_key, ca_cert))  # type: ignore[arg-type]
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa.cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
    )
    cert = renderer.render(
        prepare(ROOT / "fixtures" / "valid" / "image-classification-l40s.json"),
        number="UEC-TEST-0003",
        auditor=auditor_of(pki.signer),
        lang="en",
    )
    signed = sign_pdf(cert.pdf, pki.signer, reason="test", timestamper=stamper)
    report = verify_bytes(signed, pki.roots, crls=pki.crls)
    assert report.ok, _failed(report)
    assert report.timestamped
    assert "timestamp" in [c.name for c in report.checks]
    assert "Signature is Valid." in poppler.sig(signed)


def test_a_report_whose_findings_come_from_the_traces_still_verifies(pki: Any, renderer: Renderer) -> None:
    # The traces stay beside the submission, not inside the PDF: verify cannot recompute evidence.*
    # findings, takes them as recorded, and still recomputes everything else.
    source = ROOT / "fixtures" / "evidence" / "h200" / "averaged-power.json"
    issued = issue_certificate(source, renderer=renderer, signer=pki.signer, lang="en", number="UEC-TEST-EV")
    assert not issued.conformant
    report = verify_bytes(issued.pdf, pki.roots, crls=pki.crls)
    assert report.ok, _failed(report)
    detail = next(c.detail for c in report.checks if c.name == "re-validation")
    assert "trace finding(s) as recorded" in detail


def test_the_public_api_names_the_written_file_and_answers_in_three_values(
    pki: Any, tmp_path: Path, poppler: Any
) -> None:
    import une_eval

    out = tmp_path / "vendor-api.pdf"
    une_eval.certify(ROOT / "fixtures" / "valid" / "llm-inference-h100.json", key=pki.paths.auditor_p12,
                     passphrase=b"test-only-passphrase", lang="en", output=out)  # fmt: skip
    assert "une-eval verify vendor-api.pdf --trust ca.pem --crl ca.crl" in poppler.text(out.read_bytes())
    report = une_eval.verify(out, trust=[pki.paths.ca_cert], crls=[pki.paths.ca_crl])
    assert (str(report.indication), report.sub_indication, report.ok) == ("PASSED", "", True)
    unknown = une_eval.verify(out, trust=[pki.paths.ca_cert])
    assert (str(unknown.indication), unknown.sub_indication, unknown.ok) == ("INDETERMINATE", "TRY_LATER", False)
