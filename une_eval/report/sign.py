"""Sign a rendered certificate: PAdES baseline B-B (or B-T with a timestamp), visible on page 1.

The signer is loaded from a PKCS#12 file or a PEM key + certificate; the passphrase is passed in
as bytes (the CLI reads it from an environment variable or a prompt, never from an argument). A
certificate that ``une-eval verify`` would refuse as a signer (see :mod:`une_eval.report.signer_policy`)
is refused when it is loaded, before anything is signed.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhanko import stamp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper

from une_eval.errors import SigningError
from une_eval.report.keys import DEV_KEY_POLICY
from une_eval.report.signer_policy import signer_problems

SIGNATURE_FIELD = "AuditorSignature"
# Where the template leaves room for the visible signature on page 1, in PDF points from the
# bottom-left corner (A4 is 595 x 842 pt); reports/certificate.css reserves the same box.
SIGNATURE_BOX = (318, 58, 553, 118)
DIGEST_ALGORITHM = "sha256"


@dataclass(frozen=True, slots=True)
class Auditor:
    """Who signs, as printed on the certificate (read off the signing certificate)."""

    name: str
    organisation: str
    development: bool = False  # signed with a key from ``une-eval keys init``: documents say "not valid"


def load_signer(
    *,
    p12: Path | None = None,
    key: Path | None = None,
    cert: Path | None = None,
    chain: tuple[Path, ...] = (),
    passphrase: bytes | None = None,
) -> signers.SimpleSigner:
    """Load key material from a PKCS#12 file, or from a PEM key and certificate."""
    for path in (p12, key, cert, *chain):
        if path is not None and not path.is_file():
            raise SigningError(f"{path}: no such file")
    chain_files = [str(c) for c in chain] or None
    try:
        if p12 is not None:
            signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
                str(p12), ca_chain_files=chain_files, passphrase=passphrase
            )
        elif key is not None and cert is not None:
            signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
                str(key), str(cert), ca_chain_files=chain_files, key_passphrase=passphrase
            )
        else:
            raise SigningError("give a PKCS#12 file (--key x.p12) or a PEM key and certificate (--key, --cert)")
    except SigningError:
        raise
    except Exception as exc:  # pyHanko and cryptography raise many types for a bad file or passphrase
        raise SigningError(f"cannot load the signing key: {exc.__class__.__name__}: {exc}") from None
    if not isinstance(signer, signers.SimpleSigner) or signer.signing_cert is None:
        raise SigningError("cannot load the signing key (wrong passphrase or not a key file?)")
    problems = signer_problems(
        signer.signing_cert, digest_algorithm=DIGEST_ALGORITHM, roots=[], moment=dt.datetime.now(dt.UTC)
    )
    if problems:  # what une-eval verify would refuse is refused before anything is signed
        raise SigningError("this certificate may not sign certificates of conformity: " + "; ".join(problems))
    return signer


def auditor_of(signer: signers.SimpleSigner) -> Auditor:
    """Read the auditor's name and organisation from the signing certificate's subject."""
    cert = signer.signing_cert
    if cert is None:
        raise SigningError("the signing key has no certificate")
    subject: dict[str, Any] = cert.subject.native
    name = str(subject.get("common_name", "")) or cert.subject.human_friendly
    return Auditor(
        name=name, organisation=str(subject.get("organization_name", "")), development=is_development_certificate(cert)
    )


def is_development_certificate(cert: Any) -> bool:
    """Whether an (asn1crypto) certificate is a development one: it names :data:`DEV_KEY_POLICY`."""
    try:
        policies = cert.certificate_policies_value
        return policies is not None and any(p["policy_identifier"].dotted == DEV_KEY_POLICY for p in policies)
    except (ValueError, TypeError, KeyError):  # a policy extension asn1crypto cannot parse: not ours
        return False


def http_timestamper(url: str) -> TimeStamper:
    """Make an RFC 3161 client for the TSA at ``url`` (used for PAdES B-T)."""
    return HTTPTimeStamper(url)


def sign_pdf(
    pdf: bytes,
    signer: signers.SimpleSigner,
    *,
    reason: str,
    location: str = "",
    timestamper: TimeStamper | None = None,
    stamp_text: str = "%(signer)s\n%(ts)s",
) -> bytes:
    """Add one PAdES signature (B-B, or B-T when a timestamper is given) with a visible stamp on page 1."""
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=DIGEST_ALGORITHM,
        reason=reason,
        location=location or None,
        use_pades_lta=False,
    )
    style = stamp.TextStampStyle(stamp_text=stamp_text, border_width=1)
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(SIGNATURE_FIELD, on_page=0, box=SIGNATURE_BOX),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = pdf_signer.sign_pdf(writer, output=io.BytesIO())
    except Exception as exc:  # a TSA that is down, a key that cannot sign: one clear line
        raise SigningError(f"cannot sign the certificate: {exc.__class__.__name__}: {exc}") from None
    data: bytes = out.getvalue()
    return data
