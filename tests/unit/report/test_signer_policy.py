"""`une-eval verify` refuses each bad signer with its own reason (and so does pdfsig, where it objects)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.unit.report.signers import Shape, TrustingPdfsig, craft, one_page_pdf, sign_with, simple_signer
from une_eval.errors import SigningError
from une_eval.report.keys import Issued, init_dev_pki
from une_eval.report.sign import load_signer
from une_eval.report.verify import load_trust_roots, verify_bytes

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
ADOBE_AUTHENTIC_DOCUMENTS = x509.ObjectIdentifier("1.2.840.113583.1.1.5")
MS_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
SIGNER_CHECKS = ("signer certificate", "signer trusted")


@pytest.fixture(scope="module")
def dev_ca(pki: Any, passphrase: bytes) -> Issued:
    key = serialization.load_pem_private_key(pki.paths.ca_key.read_bytes(), password=passphrase)
    assert not isinstance(key, bytes)
    return Issued(key, x509.load_pem_x509_certificate(pki.paths.ca_cert.read_bytes()))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def blank() -> bytes:
    return one_page_pdf()


@pytest.fixture
def pdfsig(tmp_path: Path, pki: Any) -> TrustingPdfsig:
    return TrustingPdfsig(tmp_path, pki.paths.ca_cert)


def _signer_checks(pdf: bytes, pki: Any) -> dict[str, tuple[bool, str]]:
    report = verify_bytes(pdf, pki.roots, crls=pki.crls)
    assert not report.ok or report.checks  # a one-page PDF never verifies as a certificate
    return {c.name: (c.ok, c.detail) for c in report.checks if c.name in SIGNER_CHECKS}


REFUSED = [
    (
        "digitalSignature only",
        Shape(usages=("digital_signature",)),
        "wrong key usage: nonRepudiation not asserted",
        None,
    ),
    (
        "nonRepudiation only",
        Shape(usages=("content_commitment",)),
        "wrong key usage: digitalSignature not asserted",
        None,
    ),
    ("no KeyUsage extension", Shape(usages=None), "wrong key usage: no KeyUsage extension", None),
    (
        "time-stamping certificate",
        Shape(purposes=(ExtendedKeyUsageOID.TIME_STAMPING,)),
        "wrong extended key usage: timeStamping is not a document-signing purpose",
        "Unknown issue",
    ),
    (
        "TLS server certificate",
        Shape(purposes=(ExtendedKeyUsageOID.SERVER_AUTH,)),
        "wrong extended key usage: serverAuth is not a document-signing purpose",
        "Unknown issue",
    ),
    (
        "TLS client certificate",
        Shape(purposes=(ExtendedKeyUsageOID.CLIENT_AUTH,)),
        "wrong extended key usage: clientAuth",
        "Unknown issue",
    ),
    ("expired", Shape(valid_days=(-30, -1)), "expired: its validity ended", "Expired"),
    ("not yet valid", Shape(valid_days=(2, 30)), "not yet valid: its validity starts", "Expired"),
    ("RSA 1024", Shape(rsa_bits=1024), "weak key: RSA 1024 bits (at least 2048)", None),
    (
        "CA certificate as signer",
        Shape(ca=True, usages=("digital_signature", "content_commitment", "key_cert_sign")),
        "CA as signer: the certificate is a CA certificate (basicConstraints cA=true)",
        None,
    ),
]


@pytest.mark.parametrize(("label", "shape", "reason", "pdfsig_says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_signer_is_refused_with_its_reason(
    label: str,
    shape: Shape,
    reason: str,
    pdfsig_says: str | None,
    dev_ca: Issued,
    blank: bytes,
    pki: Any,
    pdfsig: TrustingPdfsig,
) -> None:
    signed = sign_with(blank, simple_signer(craft(dev_ca, shape), dev_ca))
    checks = _signer_checks(signed, pki)
    ok, detail = checks["signer certificate"]
    assert not ok, label
    assert reason in detail, detail
    # The chain itself is there: no refusal may be worded as a missing chain.
    assert all("no chain" not in d for _, d in checks.values()), checks
    if pdfsig_says is not None:
        assert pdfsig_says in pdfsig.certificate_validation(signed), label


def test_sha1_signature_digest_is_refused_as_weak(dev_ca: Issued, blank: bytes, pki: Any) -> None:
    signed = sign_with(blank, simple_signer(craft(dev_ca, Shape()), dev_ca), digest="sha1")
    ok, detail = _signer_checks(signed, pki)["signer certificate"]
    assert not ok
    assert "weak digest: the signature uses SHA1" in detail


def test_the_trust_anchor_itself_may_not_sign(dev_ca: Issued, blank: bytes, pki: Any, pdfsig: TrustingPdfsig) -> None:
    signed = sign_with(blank, simple_signer(dev_ca, dev_ca))
    checks = _signer_checks(signed, pki)
    ok, detail = checks["signer certificate"]
    assert not ok
    assert "CA as signer: the signer's certificate is itself a --trust anchor" in detail
    assert "Trusted" in pdfsig.certificate_validation(signed)  # pdfsig lets it through; une-eval does not


ACCEPTED = [
    ("no extended key usage", ()),
    ("id-kp-documentSigning", (DOCUMENT_SIGNING,)),
    ("Adobe Authentic Documents", (ADOBE_AUTHENTIC_DOCUMENTS,)),
    ("Microsoft Document Signing", (MS_DOCUMENT_SIGNING,)),
    ("emailProtection", (ExtendedKeyUsageOID.EMAIL_PROTECTION,)),
    ("anyExtendedKeyUsage", (ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,)),
    ("serverAuth beside documentSigning", (ExtendedKeyUsageOID.SERVER_AUTH, DOCUMENT_SIGNING)),
]


@pytest.mark.parametrize(("label", "purposes"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_document_signing_purposes_are_accepted(
    label: str, purposes: tuple[x509.ObjectIdentifier, ...], dev_ca: Issued, blank: bytes, pki: Any
) -> None:
    signed = sign_with(blank, simple_signer(craft(dev_ca, Shape(purposes=purposes)), dev_ca))
    checks = _signer_checks(signed, pki)
    assert checks["signer certificate"][0], checks
    assert checks["signer trusted"] == (True, checks["signer trusted"][1]), checks
    assert "chains to the --trust anchor" in checks["signer trusted"][1]


def test_keys_init_auditor_meets_the_policy_here_and_in_pdfsig(
    conformant_en: Any, pki: Any, pdfsig: TrustingPdfsig
) -> None:
    report = verify_bytes(conformant_en.pdf, pki.roots, crls=pki.crls)
    assert report.ok, [c for c in report.checks if not c.ok]
    assert pdfsig.certificate_validation(conformant_en.pdf) == "Certificate is Trusted."


def test_a_signer_from_another_ca_has_no_chain(conformant_en: Any, tmp_path: Path, passphrase: bytes) -> None:
    other = init_dev_pki(tmp_path / "other", passphrase=passphrase)
    report = verify_bytes(conformant_en.pdf, load_trust_roots([other.ca_cert]))
    failed = {c.name: c.detail for c in report.checks if not c.ok}
    assert set(failed) == {"signer trusted"}
    assert "no chain to a --trust anchor" in failed["signer trusted"]


def test_certify_refuses_to_load_a_signer_verify_would_refuse(dev_ca: Issued, tmp_path: Path) -> None:
    server = craft(dev_ca, Shape(purposes=(ExtendedKeyUsageOID.SERVER_AUTH,)))
    p12 = tmp_path / "server.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"server", server.key, server.cert, [dev_ca.cert], serialization.BestAvailableEncryption(b"server-pass-123")
        )
    )
    with pytest.raises(SigningError, match="may not sign certificates of conformity: wrong extended key usage"):
        load_signer(p12=p12, passphrase=b"server-pass-123")
