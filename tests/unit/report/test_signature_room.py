"""The room reserved for a signature without a timestamp: enough for its CMS, with margin, not wasteful."""

from __future__ import annotations

import io
from typing import Any

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.unit.report.signers import Shape, craft, one_page_pdf, simple_signer
from une_eval.report import sign
from une_eval.report.keys import Issued, issue, issue_dev_ca, new_key


def _contents(pdf: bytes) -> tuple[int, int]:
    """(bytes reserved in /Contents, bytes of the CMS in them) of the file's only signature."""
    (embedded,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    room = embedded.pkcs7_content
    return len(room), len(cms.ContentInfo.load(room, strict=False).dump())


def _long_named_ca() -> Issued:
    """An RSA CA whose name (each signer's issuer, written twice in the CMS) is as long as real CAs' get."""
    units = [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"Unidad de certificación cualificada {i}")
        for i in range(4)
    ]
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Organización de Certificación Energética, S.L.U."),
            *units,
            x509.NameAttribute(NameOID.COMMON_NAME, "Autoridad de certificación de firma de documentos 2026"),
        ]
    )
    return issue(name, issuer=None, key=new_key("rsa"), days=30, ca=True)


@pytest.mark.parametrize("kind", ["ec-p256-short-names", "rsa-4096-long-names"])
def test_a_signature_fits_its_reserved_room_with_margin_and_no_waste(kind: str) -> None:
    ca = issue_dev_ca("Ejemplo") if kind.startswith("ec") else _long_named_ca()
    signer = simple_signer(craft(ca, Shape() if kind.startswith("ec") else Shape(rsa_bits=4096)), ca)
    pdf = sign.sign_pdf(one_page_pdf(), signer, reason="room")
    reserved, used = _contents(pdf)
    assert reserved == sign.reserved_hex_chars(signer) // 2
    assert used + 256 <= reserved <= 2 * used


def test_when_the_cms_would_not_fit_pyhanko_works_out_the_room(pki: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sign, "reserved_hex_chars", lambda signer: 64)  # far too little for any CMS
    pdf = sign.sign_pdf(one_page_pdf(), pki.signer, reason="room")
    reserved, used = _contents(pdf)
    assert reserved > used > 32
