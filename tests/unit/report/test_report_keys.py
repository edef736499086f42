from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.unit.report.conftest import PASSPHRASE
from une_eval.errors import SigningError
from une_eval.report.key_files import PBKDF2_ITERATIONS
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


def test_auditor_certificate_names_document_signing_and_what_pdf_readers_accept(pki: Any) -> None:
    cert = x509.load_pem_x509_certificate(pki.paths.auditor_cert.read_bytes())
    purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36") in purposes  # id-kp-documentSigning (RFC 9336)
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes  # what NSS-based readers (pdfsig) require


def _modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.iterdir()]}


def test_modes_are_exact_whatever_the_umask(tmp_path: Path, passphrase: bytes) -> None:
    for umask in (0o000, 0o077, 0o277):
        folder = tmp_path / f"umask-{umask:03o}"
        old = os.umask(umask)
        try:
            init_dev_pki(folder, passphrase=passphrase)
        finally:
            os.umask(old)
        assert _modes(folder) == {
            folder.name: 0o700,
            "ca.pem": 0o644,
            "ca.crl": 0o644,
            "auditor.pem": 0o644,
            "ca.key.pem": 0o600,
            "auditor.key.pem": 0o600,
            "auditor.p12": 0o600,
        }, umask


def test_an_existing_folder_needs_force_and_its_files_are_never_replaced(tmp_path: Path, passphrase: bytes) -> None:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o755)
    with pytest.raises(SigningError, match=r"already exists.*--force"):
        init_dev_pki(folder, passphrase=passphrase)
    assert list(folder.iterdir()) == []
    (folder / "ca.pem").write_text("mine", encoding="utf-8")
    with pytest.raises(SigningError, match=r"ca\.pem already exists"):
        init_dev_pki(folder, passphrase=passphrase, force=True)
    assert sorted(p.name for p in folder.iterdir()) == ["ca.pem"]
    assert (folder / "ca.pem").read_text(encoding="utf-8") == "mine"
    (folder / "ca.pem").unlink()
    init_dev_pki(folder, passphrase=passphrase, force=True)
    assert len(list(folder.iterdir())) == 6


def test_a_dangling_symlink_is_not_followed(tmp_path: Path, passphrase: bytes) -> None:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    target = tmp_path / "elsewhere" / "planted.pem"
    target.parent.mkdir()
    (folder / "ca.pem").symlink_to(target)
    with pytest.raises(SigningError, match=r"ca\.pem already exists"):
        init_dev_pki(folder, passphrase=passphrase, force=True)
    assert not target.exists()
    assert [p.name for p in folder.iterdir()] == ["ca.pem"]


def test_a_folder_that_is_a_symlink_or_writable_by_others_is_refused(tmp_path: Path, passphrase: bytes) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(SigningError, match="symbolic link"):
        init_dev_pki(tmp_path / "link", passphrase=passphrase, force=True)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(SigningError, match="writable by other users"):
        init_dev_pki(shared, passphrase=passphrase, force=True)
    assert list(real.iterdir()) == []
    assert list(shared.iterdir()) == []


def test_a_failure_part_way_leaves_no_folder_behind(tmp_path: Path, passphrase: bytes) -> None:
    with pytest.raises(SigningError, match="unknown key type"):
        init_dev_pki(tmp_path / "keys", passphrase=passphrase, key_type="dsa")
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    ("passphrase", "reason"),
    [(b"x", "at least 12 characters"), (b"short-pass1", "at least 12 characters"), (b"p" * 1024, "at most 1023")],
)
def test_weak_or_overlong_passphrases_are_refused_cleanly(tmp_path: Path, passphrase: bytes, reason: str) -> None:
    with pytest.raises(SigningError, match=reason):
        init_dev_pki(tmp_path / "keys", passphrase=passphrase)
    assert not (tmp_path / "keys").exists()


def _pbes2_iterations(algorithm: Any) -> tuple[str, int, str, str]:
    params = algorithm["parameters"]
    kdf = params["key_derivation_func"]["parameters"]
    return (
        algorithm["algorithm"].native,
        kdf["iteration_count"].native,
        kdf["prf"]["algorithm"].native,
        params["encryption_scheme"]["algorithm"].native,
    )


def test_pem_keys_use_pbes2_with_a_high_iteration_count(pki: Any, passphrase: bytes) -> None:
    for path in (pki.paths.ca_key, pki.paths.auditor_key):
        _, _, der = asn1_pem.unarmor(path.read_bytes())
        info = asn1_keys.EncryptedPrivateKeyInfo.load(der)
        assert _pbes2_iterations(info["encryption_algorithm"]) == ("pbes2", PBKDF2_ITERATIONS, "sha256", "aes256_cbc")
        assert PBKDF2_ITERATIONS >= 600_000
        serialization.load_pem_private_key(path.read_bytes(), password=passphrase)  # any PKCS#8 reader opens it


def test_pkcs12_uses_pbes2_and_an_hmac_sha256_mac_with_a_high_iteration_count(pki: Any) -> None:
    pfx = asn1_pkcs12.Pfx.load(pki.paths.auditor_p12.read_bytes())
    assert pfx["mac_data"]["iterations"].native == PBKDF2_ITERATIONS
    assert pfx["mac_data"]["mac"]["digest_algorithm"]["algorithm"].native == "sha256"
    bags = []
    for info in pfx.authenticated_safe:
        assert info["content_type"].native == "data"  # no encrypted safe: only the key bag is encrypted
        bags.extend(asn1_pkcs12.SafeContents.load(info["content"].native))
    kinds = sorted(bag["bag_id"].native for bag in bags)
    assert kinds == ["cert_bag", "cert_bag", "pkcs8_shrouded_key_bag"]  # never a plain key bag
    (key_bag,) = (bag for bag in bags if bag["bag_id"].native == "pkcs8_shrouded_key_bag")
    scheme = _pbes2_iterations(key_bag["bag_value"]["encryption_algorithm"])
    assert scheme == ("pbes2", PBKDF2_ITERATIONS, "sha256", "aes256_cbc")


def test_pkcs12_mac_covers_the_plain_certificate_bags(pki: Any) -> None:
    """The certificates are not encrypted (they are public), but changing one breaks the MAC."""
    data = pki.paths.auditor_p12.read_bytes()
    cert_der = x509.load_pem_x509_certificate(pki.paths.auditor_cert.read_bytes()).public_bytes(
        serialization.Encoding.DER
    )
    at = data.index(cert_der) + len(cert_der) // 2
    forged = data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]
    with pytest.raises(ValueError, match="Invalid password or PKCS12 data"):
        pkcs12.load_key_and_certificates(forged, PASSPHRASE)
    key, cert, _ = pkcs12.load_key_and_certificates(data, PASSPHRASE)
    assert key is not None
    assert cert is not None
    assert cert.public_bytes(serialization.Encoding.DER) == cert_der


def test_a_program_using_the_library_gets_no_third_party_traceback_on_stderr(pki: Any) -> None:
    """pyHanko logs a traceback for a wrong passphrase; une-eval's refusal is the only answer a caller sees."""
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from une_eval.errors import SigningError\n"
        "from une_eval.report import load_signer\n"
        "try:\n"
        "    load_signer(p12=Path(sys.argv[1]), passphrase=b'not-the-passphrase')\n"
        "except SigningError as exc:\n"
        "    print('refused:', exc)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    done = subprocess.run(
        [sys.executable, "-c", program, str(pki.paths.auditor_p12)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("refused: cannot load the signing key")
    assert done.stderr == ""
