"""Development signing keys: a throw-away CA and an auditor certificate it issues.

Real auditors sign with a certificate from a trusted CA or a qualified trust service provider
(see docs/certify.md); this module exists so that anyone can try the whole chain locally and so that
tests need no external PKI. Private keys are written with mode 0600 and never overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from une_eval.errors import SigningError

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
KEY_TYPES = ("ec", "rsa")


@dataclass(frozen=True, slots=True)
class Issued:
    """A private key and the certificate that binds it to a name."""

    key: PrivateKey
    cert: x509.Certificate


@dataclass(frozen=True, slots=True)
class DevPkiPaths:
    """Where :func:`init_dev_pki` wrote its files."""

    ca_cert: Path
    ca_key: Path
    auditor_p12: Path
    auditor_cert: Path
    auditor_key: Path


def new_key(key_type: str = "ec") -> PrivateKey:
    """Generate a private key: EC P-256 (fast to sign and verify) or RSA 3072."""
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    raise SigningError(f"unknown key type {key_type!r} (expected one of {', '.join(KEY_TYPES)})")


def _name(common_name: str, organisation: str) -> x509.Name:
    if not 1 <= len(common_name) <= 64 or not 1 <= len(organisation) <= 64:
        raise SigningError("a certificate's name and organisation must each be 1-64 characters (X.509 limit)")
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def issue(
    subject: x509.Name,
    *,
    issuer: Issued | None,
    key: PrivateKey,
    days: int,
    ca: bool = False,
    extended_usage: x509.ObjectIdentifier | None = None,
    now: dt.datetime | None = None,
) -> Issued:
    """Issue a certificate for ``key``: self-signed when ``issuer`` is None, a CA when ``ca``.

    End-entity certificates get digitalSignature and nonRepudiation, the key usages that PAdES
    validators (and ``une-eval verify``) require of a document signer.
    """
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    usage = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    if ca:
        usage |= {"key_cert_sign": True, "crl_sign": True, "digital_signature": True}
    else:
        usage |= {"digital_signature": True, "content_commitment": True}
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    if extended_usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([extended_usage]), critical=True)
    return Issued(key, builder.sign(signing_key, hashes.SHA256()))


def issue_dev_ca(organisation: str, *, key_type: str = "ec", days: int = 3650) -> Issued:
    """Make a self-signed development CA (never trust it outside tests and demos)."""
    return issue(
        _name(f"{organisation[:40]} dev CA (not for production)", organisation),
        issuer=None,
        key=new_key(key_type),
        days=days,
        ca=True,
    )


def issue_auditor(ca: Issued, auditor: str, organisation: str, *, key_type: str = "ec", days: int = 825) -> Issued:
    """Issue an auditor's document-signing certificate from ``ca``."""
    return issue(_name(auditor, organisation), issuer=ca, key=new_key(key_type), days=days)


def issue_tsa(ca: Issued, name: str = "une-eval test TSA") -> Issued:
    """Issue a time-stamping authority certificate (RSA: pyHanko's in-process test timestamper needs it)."""
    return issue(
        _name(name, "une-eval tests"),
        issuer=ca,
        key=new_key("rsa"),
        days=365,
        extended_usage=ExtendedKeyUsageOID.TIME_STAMPING,
    )


def _write_private(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 atomically; refuse to replace an existing key."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SigningError(f"{path} already exists; refusing to overwrite a private key") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _write_public(path: Path, data: bytes) -> None:
    if path.exists():
        raise SigningError(f"{path} already exists; refusing to overwrite it")
    path.write_bytes(data)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _encrypted_pem(key: PrivateKey, passphrase: bytes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(passphrase)
    )


def init_dev_pki(
    folder: Path,
    *,
    passphrase: bytes,
    auditor: str = "Development Auditor",
    organisation: str = "une-eval development",
    key_type: str = "ec",
) -> DevPkiPaths:
    """Write a development CA and an auditor key + certificate into ``folder``.

    Files: ``ca.pem`` (the trust anchor to pass to ``verify --trust``), ``ca.key.pem``,
    ``auditor.p12`` (key + certificate + chain), ``auditor.pem`` and ``auditor.key.pem``.
    Every private key is encrypted with ``passphrase`` and created mode 0600.
    """
    if not passphrase:
        raise SigningError("an empty passphrase would leave the private keys unprotected")
    folder.mkdir(parents=True, exist_ok=True)
    ca = issue_dev_ca(organisation, key_type=key_type)
    signer = issue_auditor(ca, auditor, organisation, key_type=key_type)
    paths = DevPkiPaths(
        folder / "ca.pem",
        folder / "ca.key.pem",
        folder / "auditor.p12",
        folder / "auditor.pem",
        folder / "auditor.key.pem",
    )
    clash = [p for p in vars_of(paths) if p.exists()]
    if clash:
        raise SigningError(f"{clash[0]} already exists; choose an empty folder")
    p12 = pkcs12.serialize_key_and_certificates(
        b"auditor", signer.key, signer.cert, [ca.cert], serialization.BestAvailableEncryption(passphrase)
    )
    _write_private(paths.ca_key, _encrypted_pem(ca.key, passphrase))
    _write_private(paths.auditor_key, _encrypted_pem(signer.key, passphrase))
    _write_private(paths.auditor_p12, p12)
    _write_public(paths.ca_cert, _pem(ca.cert))
    _write_public(paths.auditor_cert, _pem(signer.cert))
    return paths


def vars_of(paths: DevPkiPaths) -> list[Path]:
    """List the paths of a :class:`DevPkiPaths`, in declaration order."""
    return [paths.ca_cert, paths.ca_key, paths.auditor_p12, paths.auditor_cert, paths.auditor_key]
