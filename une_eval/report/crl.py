"""The development CA's certificate revocation list (RFC 5280 CRL): publish it, revoke a key in it, read CRLs.

``une-eval keys init`` writes ``ca.crl`` (DER) beside ``ca.pem``; ``une-eval keys revoke`` adds an
auditor's signing certificate to it with a reason and publishes a new CRL (a higher CRL number, a
fresh ``nextUpdate``), replacing the old file atomically. ``une-eval certify --crl`` embeds a CRL in a
PAdES B-LT/B-LTA signature and ``une-eval verify --crl`` checks a signer against one. A real
certification body's CA publishes its own CRLs (or OCSP); this exists so that anyone can try the whole
revocation story locally.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from une_eval.errors import InputError, SigningError
from une_eval.loading import read_bounded
from une_eval.report.key_files import PrivateKey

CRL_NAME = "ca.crl"
CRL_VALIDITY = dt.timedelta(days=30)  # a dev CRL is re-published by `keys revoke` or `keys crl` before then
MAX_CRL_BYTES = 16 * 1024 * 1024
# RFC 5280 reason codes a command-line user may give (removeFromCRL and unspecified are not offered).
REASONS = {
    "key-compromise": x509.ReasonFlags.key_compromise,
    "ca-compromise": x509.ReasonFlags.ca_compromise,
    "affiliation-changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation-of-operation": x509.ReasonFlags.cessation_of_operation,
    "certificate-hold": x509.ReasonFlags.certificate_hold,
    "privilege-withdrawn": x509.ReasonFlags.privilege_withdrawn,
}


@dataclass(frozen=True, slots=True)
class Revocation:
    """One revoked certificate: its serial number, when and why."""

    serial: int
    revoked_at: dt.datetime
    reason: x509.ReasonFlags


def issue_crl(
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    revoked: list[Revocation],
    *,
    number: int,
    now: dt.datetime | None = None,
    validity: dt.timedelta = CRL_VALIDITY,
) -> x509.CertificateRevocationList:
    """A CRL signed by the CA listing ``revoked``, valid from ``now`` (a minute back) for ``validity``."""
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=1)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(start)
        .next_update(start + validity)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    for entry in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial)
            .revocation_date(entry.revoked_at)
            .add_extension(x509.CRLReason(entry.reason), critical=False)
            .build()
        )
    return builder.sign(ca_key, hashes.SHA256())


def crl_der(crl: x509.CertificateRevocationList) -> bytes:
    """The CRL as DER, the form CAs publish (``.crl``)."""
    return crl.public_bytes(serialization.Encoding.DER)


def revocations_in(crl: x509.CertificateRevocationList) -> list[Revocation]:
    """The entries of an existing CRL (a missing reason reads as unspecified)."""
    entries = []
    for item in crl:
        try:
            reason = item.extensions.get_extension_for_class(x509.CRLReason).value.reason
        except x509.ExtensionNotFound:
            reason = x509.ReasonFlags.unspecified
        entries.append(Revocation(item.serial_number, item.revocation_date_utc, reason))
    return entries


def crl_number(crl: x509.CertificateRevocationList) -> int:
    """The CRL's number (0 when it has none)."""
    try:
        return int(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        return 0


def republish(
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    current: x509.CertificateRevocationList,
    *,
    revoke: x509.Certificate | None = None,
    reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise,
    now: dt.datetime | None = None,
    validity: dt.timedelta = CRL_VALIDITY,
) -> x509.CertificateRevocationList:
    """The next CRL: the current entries, plus ``revoke`` (a certificate this CA issued) when given."""
    if not current.is_signature_valid(ca_key.public_key()):
        raise SigningError("the current CRL is not signed by this CA; refusing to build on it")
    entries = revocations_in(current)
    if revoke is not None:
        if revoke.issuer != ca_cert.subject:
            raise SigningError("that certificate was not issued by this CA")
        if any(e.serial == revoke.serial_number for e in entries):
            raise SigningError(f"certificate serial {revoke.serial_number:x} is already revoked")
        entries.append(Revocation(revoke.serial_number, now or dt.datetime.now(dt.UTC), reason))
    return issue_crl(ca_key, ca_cert, entries, number=crl_number(current) + 1, now=now, validity=validity)


def load_crls(paths: list[Path]) -> list[asn1_crl.CertificateList]:
    """Every CRL in the given DER or PEM files (hostile input: size-bounded, one clear error)."""
    crls: list[asn1_crl.CertificateList] = []
    for path in paths:
        try:
            data = read_bounded(path, MAX_CRL_BYTES)
        except InputError as exc:
            raise InputError(f"{path}: cannot read the CRL: {exc}") from None
        try:
            blobs = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
            for der in blobs:
                crl = asn1_crl.CertificateList.load(der)
                _ = crl.issuer.human_friendly, crl["tbs_cert_list"]["next_update"].native  # parse now
                crls.append(crl)
        except Exception:  # asn1crypto raises many types on garbage
            raise InputError(f"{path}: not a DER or PEM certificate revocation list") from None
    return crls


__all__ = [
    "CRL_NAME",
    "REASONS",
    "Revocation",
    "crl_der",
    "issue_crl",
    "load_crls",
    "republish",
    "revocations_in",
]
