"""What ``une-eval verify`` demands of the certificate that signed a certificate of conformity.

pyHanko checks the chain to a ``--trust`` anchor; this module checks the signer's own certificate
against une-eval's policy, on the certificate itself, so that no library default can loosen it (pyHanko
accepts either key usage where both are asked for, ignores the extended key usage by default, and skips
every usage check when the signer is itself a trust anchor). Each problem is reported with its reason:

- validity: the certificate must be valid at the verification time (not expired, not yet valid);
- key usage: the KeyUsage extension must be present and assert both digitalSignature and
  nonRepudiation (contentCommitment), the usages a PAdES signature of commitment needs;
- extended key usage: when the extension is present it must name a document-signing purpose
  (:data:`DOCUMENT_SIGNING_PURPOSES`); a TLS server or time-stamping certificate is not a signer;
- no CA as signer: a certificate with basicConstraints cA=true, or one that is itself a trust anchor,
  signs certificates, not documents;
- algorithms: the signature's digest and the certificate's own signature must not use MD2, MD5 or
  SHA-1; RSA and DSA keys need at least 2048 bits, EC keys a curve of at least 256 bits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from asn1crypto import x509 as asn1_x509

# Extended key usages that name document signing (when a certificate carries the extension at all):
DOCUMENT_SIGNING_PURPOSES = {
    "1.3.6.1.5.5.7.3.36": "id-kp-documentSigning (RFC 9336)",
    "1.2.840.113583.1.1.5": "Adobe Authentic Documents Trust",
    "1.3.6.1.4.1.311.10.3.12": "Microsoft Document Signing",
    "1.3.6.1.5.5.7.3.4": "emailProtection (S/MIME signing; what NSS-based PDF readers such as pdfsig require)",
    "2.5.29.37.0": "anyExtendedKeyUsage",
}
REQUIRED_KEY_USAGES = ("digital_signature", "non_repudiation")
WEAK_DIGESTS = frozenset({"md2", "md5", "sha1"})
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
_EKU_NAMES = {
    "1.3.6.1.5.5.7.3.1": "serverAuth",
    "1.3.6.1.5.5.7.3.2": "clientAuth",
    "1.3.6.1.5.5.7.3.3": "codeSigning",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
}


def signer_problems(
    cert: asn1_x509.Certificate,
    *,
    digest_algorithm: str,
    roots: Sequence[asn1_x509.Certificate],
    moment: dt.datetime,
) -> list[str]:
    """Every reason ``cert`` may not sign a certificate of conformity at ``moment``; empty when it may."""
    checks: tuple[Callable[[], str | None], ...] = (
        lambda: _validity_problem(cert, moment),
        lambda: _key_usage_problem(cert),
        lambda: _extended_key_usage_problem(cert),
        lambda: _ca_problem(cert, roots),
        lambda: _digest_problem(cert, digest_algorithm),
        lambda: _key_problem(cert),
    )
    return [problem for check in checks if (problem := check()) is not None]


def _validity_problem(cert: asn1_x509.Certificate, moment: dt.datetime) -> str | None:
    start, end = cert.not_valid_before, cert.not_valid_after
    if moment < start:
        return f"not yet valid: its validity starts {start:%Y-%m-%d %H:%M:%S} UTC"
    if moment > end:
        return f"expired: its validity ended {end:%Y-%m-%d %H:%M:%S} UTC"
    return None


def _key_usage_problem(cert: asn1_x509.Certificate) -> str | None:
    asserted = cert.key_usage_value
    if asserted is None:
        return "wrong key usage: no KeyUsage extension (digitalSignature and nonRepudiation are required)"
    missing = [usage for usage in REQUIRED_KEY_USAGES if usage not in asserted.native]
    if missing:
        names = {"digital_signature": "digitalSignature", "non_repudiation": "nonRepudiation"}
        return f"wrong key usage: {' and '.join(names[m] for m in missing)} not asserted (both are required)"
    return None


def _extended_key_usage_problem(cert: asn1_x509.Certificate) -> str | None:
    purposes = cert.extended_key_usage_value
    if purposes is None:
        return None  # no extension: the certificate is not restricted to other purposes
    dotted = [purpose.dotted for purpose in purposes]
    if any(oid in DOCUMENT_SIGNING_PURPOSES for oid in dotted):
        return None
    named = ", ".join(_EKU_NAMES.get(oid, oid) for oid in dotted) or "none"
    return f"wrong extended key usage: {named} is not a document-signing purpose"


def _ca_problem(cert: asn1_x509.Certificate, roots: Sequence[asn1_x509.Certificate]) -> str | None:
    if any(root.dump() == cert.dump() for root in roots):
        return "CA as signer: the signer's certificate is itself a --trust anchor"
    if cert.ca:
        return "CA as signer: the certificate is a CA certificate (basicConstraints cA=true)"
    return None


def _digest_problem(cert: asn1_x509.Certificate, digest_algorithm: str) -> str | None:
    if digest_algorithm.lower() in WEAK_DIGESTS:
        return f"weak digest: the signature uses {digest_algorithm.upper()}"
    try:
        cert_digest = cert.hash_algo
    except ValueError:  # EdDSA signs the message itself: no separate digest
        return None
    if cert_digest in WEAK_DIGESTS:
        return f"weak digest: the certificate itself is signed with {cert_digest.upper()}"
    return None


def _key_problem(cert: asn1_x509.Certificate) -> str | None:
    key = cert.public_key
    algorithm = key.algorithm
    if algorithm in ("ed25519", "ed448"):
        return None
    if algorithm in ("rsa", "rsassa_pss", "dsa"):
        bits = key.bit_size
        return None if bits >= MIN_RSA_BITS else f"weak key: {algorithm.upper()} {bits} bits (at least {MIN_RSA_BITS})"
    if algorithm == "ec":
        try:
            bits = key.bit_size
        except (ValueError, KeyError):  # an explicit or unknown curve
            return "weak key: an EC key on an unnamed or unknown curve"
        return None if bits >= MIN_EC_BITS else f"weak key: EC {bits} bits (at least {MIN_EC_BITS})"
    return f"weak key: unsupported key algorithm {algorithm}"


__all__ = ["DOCUMENT_SIGNING_PURPOSES", "REQUIRED_KEY_USAGES", "signer_problems"]
