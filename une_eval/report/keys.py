"""Development signing keys: a throw-away CA and an auditor certificate it issues.

Real auditors sign with a certificate from a trusted CA or a qualified trust service provider
(see docs/certify.md); this module exists so that anyone can try the whole chain locally and so that
tests need no external PKI. The auditor certificate meets the signer policy ``une-eval verify``
enforces (see :mod:`une_eval.report.signer_policy`); files are written by :mod:`une_eval.report.key_files`
(folder 0700, keys 0600 and strongly encrypted, certificates 0644, nothing followed or overwritten).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from une_eval.errors import SigningError
from une_eval.report import key_files
from une_eval.report.crl import CRL_NAME, crl_der, issue_crl
from une_eval.report.key_files import PrivateKey

KEY_TYPES = ("ec", "rsa")
# The auditor certificate's purposes: id-kp-documentSigning (RFC 9336) names exactly what it is for;
# emailProtection is the purpose NSS-based readers (poppler's pdfsig, LibreOffice) require of a signer
# once the extension is present, and Acrobat accepts it too.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
AUDITOR_PURPOSES = (DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION)
# The certificate policy that marks a development auditor certificate (an OID in the X.667 UUID arc, which
# needs no registration): what it signs carries a "development key, not valid" watermark, and verify says so.
DEV_KEY_POLICY = "2.25.160553909371613202167704527493244333261"


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
    ca_crl: Path  # the CA's certificate revocation list (DER), for certify/verify --crl


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
    extended_usage: tuple[x509.ObjectIdentifier, ...] = (),
    extended_usage_critical: bool = False,
    now: dt.datetime | None = None,
    policy: str | None = None,
) -> Issued:
    """Issue a certificate for ``key``: self-signed when ``issuer`` is None, a CA when ``ca``.

    End-entity certificates get digitalSignature and nonRepudiation, the key usages that PAdES
    validators (and ``une-eval verify``) require of a document signer, and ``extended_usage`` as their
    extended key usage extension when given.
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
    if extended_usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended_usage)), critical=extended_usage_critical)
    if policy is not None:
        info = x509.PolicyInformation(x509.ObjectIdentifier(policy), ["une-eval development key: not valid"])
        builder = builder.add_extension(x509.CertificatePolicies([info]), critical=False)
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
    """Issue an auditor's development document-signing certificate from ``ca`` (see :data:`AUDITOR_PURPOSES`).

    It names :data:`DEV_KEY_POLICY`, so that what it signs says it is not valid.
    """
    return issue(
        _name(auditor, organisation),
        issuer=ca,
        key=new_key(key_type),
        days=days,
        extended_usage=AUDITOR_PURPOSES,
        policy=DEV_KEY_POLICY,
    )


def issue_tsa(
    ca: Issued, name: str = "une-eval test TSA", *, days: int = 365, organisation: str = "une-eval tests"
) -> Issued:
    """Issue a time-stamping authority certificate (RSA: pyHanko's in-process test timestamper needs it)."""
    return issue(
        _name(name, organisation),
        issuer=ca,
        key=new_key("rsa"),
        days=days,
        extended_usage=(ExtendedKeyUsageOID.TIME_STAMPING,),
        extended_usage_critical=True,  # RFC 3161: a TSA certificate's only purpose, marked critical
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def init_dev_pki(
    folder: Path,
    *,
    passphrase: bytes,
    auditor: str = "Development Auditor",
    organisation: str = "une-eval development",
    key_type: str = "ec",
    force: bool = False,
) -> DevPkiPaths:
    """Write a development CA and an auditor key + certificate into the new folder ``folder``.

    Files: ``ca.pem`` (the trust anchor to pass to ``verify --trust``), ``ca.key.pem``,
    ``auditor.p12`` (key + certificate + chain), ``auditor.pem``, ``auditor.key.pem`` and ``ca.crl``
    (the CA's revocation list, empty, for ``certify``/``verify --crl``).
    Every private key is encrypted with ``passphrase`` (at least 12 characters). An existing folder
    is used only with ``force``, and no existing file in it is ever replaced.
    """
    if not passphrase:
        raise SigningError("an empty passphrase would leave the private keys unprotected")
    key_files.check_new_passphrase(passphrase)
    paths = DevPkiPaths(
        folder / "ca.pem",
        folder / "ca.key.pem",
        folder / "auditor.p12",
        folder / "auditor.pem",
        folder / "auditor.key.pem",
        folder / CRL_NAME,
    )
    folder_fd, created = key_files.open_key_folder(folder, force=force)
    try:
        names = [p.name for p in vars_of(paths)]
        key_files.refuse_existing(folder_fd, folder, names)
        ca = issue_dev_ca(organisation, key_type=key_type)
        signer = issue_auditor(ca, auditor, organisation, key_type=key_type)
        files = {
            paths.ca_key.name: (key_files.encrypted_pkcs8_pem(ca.key, passphrase), key_files.PRIVATE_MODE),
            paths.auditor_key.name: (key_files.encrypted_pkcs8_pem(signer.key, passphrase), key_files.PRIVATE_MODE),
            paths.auditor_p12.name: (
                key_files.encrypted_pkcs12(b"auditor", signer.key, signer.cert, [ca.cert], passphrase),
                key_files.PRIVATE_MODE,
            ),
            paths.ca_cert.name: (_pem(ca.cert), key_files.PUBLIC_MODE),
            paths.auditor_cert.name: (_pem(signer.cert), key_files.PUBLIC_MODE),
            paths.ca_crl.name: (crl_der(issue_crl(ca.key, ca.cert, [], number=1)), key_files.PUBLIC_MODE),
        }
        _write_all(folder_fd, files)
    except BaseException:
        if created:  # nothing of this run is left behind, so the same command can simply be run again
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        raise
    finally:
        os.close(folder_fd)
    return paths


def _write_all(folder_fd: int, files: dict[str, tuple[bytes, int]]) -> None:
    written: list[str] = []
    try:
        for name, (data, mode) in files.items():
            key_files.write_new(folder_fd, name, data, mode)
            written.append(name)
    except BaseException:
        key_files.remove_written(folder_fd, written)
        raise


def vars_of(paths: DevPkiPaths) -> list[Path]:
    """List the paths of a :class:`DevPkiPaths`, in declaration order."""
    return [paths.ca_cert, paths.ca_key, paths.auditor_p12, paths.auditor_cert, paths.auditor_key, paths.ca_crl]


def load_dev_ca(folder: Path, passphrase: bytes) -> Issued:
    """The development CA that ``une-eval keys init`` wrote in ``folder`` (``ca.pem``, ``ca.key.pem``)."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from une_eval.loading import read_bounded

    try:
        ca_cert = x509.load_pem_x509_certificate(read_bounded(folder / "ca.pem", 1024 * 1024))
        ca_key = load_pem_private_key(read_bounded(folder / "ca.key.pem", 1024 * 1024), passphrase)
    except Exception as exc:  # a wrong passphrase, a missing or mangled file: one line
        raise SigningError(f"cannot use the development CA in {folder}: {exc.__class__.__name__}: {exc}") from None
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise SigningError(f"{folder / 'ca.key.pem'} is not an EC or RSA key")
    return Issued(ca_key, ca_cert)


def republish_dev_crl(
    folder: Path,
    *,
    passphrase: bytes,
    revoke: Path | None = None,
    reason: str = "key-compromise",
    validity_days: int = 30,
) -> Path:
    """Publish the development CA's next CRL in ``folder`` (``ca.crl``), revoking the certificate file ``revoke``.

    Without ``revoke`` the CRL is simply re-issued with a fresh validity. The CA key is read with
    ``passphrase``; the new CRL replaces the old one atomically (the old one is superseded by design).
    """
    from une_eval.loading import read_bounded
    from une_eval.output import write_atomic
    from une_eval.report.crl import REASONS, republish

    if reason not in REASONS:
        raise SigningError(f"unknown reason {reason!r} (expected one of {', '.join(REASONS)})")
    ca = load_dev_ca(folder, passphrase)
    try:
        crl_path = folder / CRL_NAME
        current = (
            x509.load_der_x509_crl(read_bounded(crl_path, 16 * 1024 * 1024))
            if crl_path.exists()
            else issue_crl(ca.key, ca.cert, [], number=0)
        )
        target = x509.load_pem_x509_certificate(read_bounded(revoke, 1024 * 1024)) if revoke is not None else None
    except SigningError:
        raise
    except Exception as exc:  # a missing or mangled file: one line
        raise SigningError(f"cannot use the development CA in {folder}: {exc.__class__.__name__}: {exc}") from None
    validity = dt.timedelta(days=validity_days)
    crl = republish(ca.key, ca.cert, current, revoke=target, reason=REASONS[reason], validity=validity)
    write_atomic(crl_path, crl_der(crl), replace=True)  # 0644, like every published file
    return crl_path
