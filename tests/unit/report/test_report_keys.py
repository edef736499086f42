from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from une_eval.errors import SigningError
from une_eval.report.keys import init_dev_pki, issue_auditor, issue_dev_ca, new_key, vars_of
from une_eval.report.sign import load_signer


def test_private_keys_are_mode_0600_and_certificates_are_not_secret(pki: Any) -> None:
    for path in (pki.paths.ca_key, pki.paths.auditor_key, pki.paths.auditor_p12):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (pki.paths.ca_cert, pki.paths.auditor_cert):
        assert b"PRIVATE KEY" not in path.read_bytes()


def test_auditor_certificate_has_the_usages_a_verifier_requires(pki: Any) -> None:
    cert = x509.load_pem_x509_certificate(pki.paths.auditor_cert.read_bytes())
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ca = x509.load_pem_x509_certificate(pki.paths.ca_cert.read_bytes())
    assert cert.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_keys_are_encrypted_and_refuse_a_wrong_passphrase(pki: Any, passphrase: bytes) -> None:
    assert b"ENCRYPTED" in pki.paths.auditor_key.read_bytes()
    with pytest.raises(SigningError, match="cannot load the signing key"):
        load_signer(p12=pki.paths.auditor_p12, passphrase=b"wrong")
    pem = load_signer(key=pki.paths.auditor_key, cert=pki.paths.auditor_cert, passphrase=passphrase)
    assert pem.signing_cert is not None
    assert pem.signing_cert.dump() == pki.signer.signing_cert.dump()


def test_init_refuses_to_overwrite_existing_keys(pki: Any, passphrase: bytes) -> None:
    before = {p: p.read_bytes() for p in vars_of(pki.paths)}
    with pytest.raises(SigningError, match="already exists"):
        init_dev_pki(pki.paths.ca_cert.parent, passphrase=passphrase)
    assert {p: p.read_bytes() for p in vars_of(pki.paths)} == before


def test_empty_passphrase_and_overlong_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="empty passphrase"):
        init_dev_pki(tmp_path / "a", passphrase=b"")
    with pytest.raises(SigningError, match="1-64 characters"):
        issue_auditor(issue_dev_ca("Org"), "x" * 65, "Org")


def test_rsa_keys_are_accepted() -> None:
    ca = issue_dev_ca("Org", key_type="rsa")
    assert isinstance(ca.key, rsa.RSAPrivateKey)
    assert ca.key.key_size == 3072
    with pytest.raises(SigningError, match="unknown key type"):
        new_key("dsa")
