"""Sign a rendered certificate: PAdES baseline B-B, B-T, B-LT or B-LTA, visible on page 1.

- B-B: the signature alone; B-T: plus an RFC 3161 signature timestamp from a TSA;
- B-LT: plus, in a later incremental update, a Document Security Store (DSS) holding the signer's and
  the TSA's certificate chains and revocation data (CRLs, OCSP responses), so the signature can be
  validated offline and after the signing certificate expires;
- B-LTA: plus a document timestamp over all of that, in one more update.

The later updates add the DSS and the document timestamp's (invisible) field and nothing else: no
metadata is touched (pyHanko's writer would update ``/ModDate`` and the XMP packet on every update),
which is exactly what ``une-eval verify`` allows after the signed revision (:mod:`une_eval.report.revisions`).

The signer is loaded from a PKCS#12 file or a PEM key + certificate; the passphrase is passed in
as bytes (the CLI reads it from an environment variable or a prompt, never from an argument). A
certificate that ``une-eval verify`` would refuse as a signer (see :mod:`une_eval.report.signer_policy`)
is refused when it is loaded, before anything is signed.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhanko import stamp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from une_eval.errors import SigningError
from une_eval.report.keys import DEV_KEY_POLICY
from une_eval.report.signer_policy import signer_problems

SIGNATURE_FIELD = "AuditorSignature"
# Where the template leaves room for the visible signature on page 1, in PDF points from the
# bottom-left corner (A4 is 595 x 842 pt); reports/certificate.css reserves the same box.
SIGNATURE_BOX = (318, 58, 553, 118)
DIGEST_ALGORITHM = "sha256"
TSA_TIMEOUT_S = 30
# Room in a B-B signature's CMS beyond its certificates, signature value and the two copies of the
# signer's issuer and serial number (the signer identifier and the ESS signing-certificate-v2
# attribute): the other signed attributes, the algorithm identifiers and the DER headers, about 350
# bytes with une-eval's keys.
CMS_STRUCTURE_BYTES = 1536


class Level(enum.StrEnum):
    """The PAdES baseline levels ``certify --level`` offers (ETSI EN 319 142-1)."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def needs_timestamp(self) -> bool:
        """Every level above B-B carries a signature timestamp."""
        return self is not Level.B_B

    @property
    def long_term(self) -> bool:
        """B-LT and B-LTA embed validation data (a DSS)."""
        return self in (Level.B_LT, Level.B_LTA)


class _QuietWriter(IncrementalPdfFileWriter):
    """An incremental writer that leaves the document information and XMP metadata alone.

    pyHanko refreshes ``/ModDate``, ``/Producer`` and the XMP packet on every write; an update that only
    adds validation data must not touch what the certificate says about itself.
    """

    def _update_meta(self) -> None:
        return None


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
    """Make an RFC 3161 client for the TSA at ``url`` (PAdES B-T and above), with a bounded wait."""
    if not url.startswith(("http://", "https://")):
        raise SigningError(f"--tsa-url must be an http:// or https:// URL, not {url!r}")
    from pyhanko.sign.timestamps import HTTPTimeStamper  # aiohttp: loaded only for a TSA over HTTP

    return HTTPTimeStamper(url, timeout=TSA_TIMEOUT_S)


def validation_context_for(signer: signers.SimpleSigner, crls: list[Any], *, fetch: bool) -> ValidationContext:
    """What B-LT signing validates the chains with: the signer's own chain (its self-signed roots as anchors).

    ``crls``: CRLs to embed (e.g. the development CA's ``ca.crl``); ``fetch``: whether pyHanko may fetch
    CRLs and OCSP responses from the URLs in the certificates. Every certificate on every path must
    have revocation data, or signing fails.
    """
    chain = list(signer.cert_registry)
    roots = [c for c in chain if c.self_signed in ("maybe", "yes")]
    if not roots:
        raise SigningError("B-LT/B-LTA need the signer's CA chain up to its root certificate (add it with --chain)")
    return ValidationContext(
        trust_roots=roots,
        other_certs=[c for c in chain if c not in roots],
        crls=crls,
        allow_fetching=fetch,
        revocation_mode="require",
    )


def sign_pdf(
    pdf: bytes,
    signer: signers.SimpleSigner,
    *,
    reason: str,
    location: str = "",
    timestamper: TimeStamper | None = None,
    stamp_text: str = "%(signer)s\n%(ts)s",
    level: Level | None = None,
    validation: ValidationContext | None = None,
) -> bytes:
    """Add one PAdES signature with a visible stamp on page 1, at ``level``.

    ``level`` defaults to B-T when a timestamper is given, else B-B. B-LT and B-LTA need the
    timestamper and ``validation`` (see :func:`validation_context_for`), whose revocation data they embed.
    """
    level = level or (Level.B_T if timestamper is not None else Level.B_B)
    if level.needs_timestamp and timestamper is None:
        raise SigningError(f"PAdES {level} needs a timestamp authority (--tsa-url)")
    if level.long_term and validation is None:
        raise SigningError(f"PAdES {level} needs revocation data to embed (--crl, or CRL/OCSP URLs in the chain)")
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
        data = _signed(pdf_signer, pdf, None if timestamper is not None else reserved_hex_chars(signer))
        if level.long_term:
            assert validation is not None
            assert timestamper is not None
            data = add_long_term_data(data, validation)
            if level is Level.B_LTA:
                data = add_document_timestamp(data, timestamper)
    except SigningError:
        raise
    except Exception as exc:  # a TSA that is down, a key that cannot sign, no revocation data: one clear line
        raise SigningError(f"cannot sign the certificate: {exc.__class__.__name__}: {exc}") from None
    return data


def reserved_hex_chars(signer: signers.SimpleSigner) -> int:
    """The room a signature without a timestamp needs in ``/Contents``, worked out from what its CMS holds.

    pyHanko otherwise learns the size by building the whole CMS once without signing (a dry run that
    costs as much as the signature itself) and reserves half as much again. The CMS of a B-B signature
    holds the signing certificate and the chain, a signature value no longer than twice the key's
    size, and structure bounded by :data:`CMS_STRUCTURE_BYTES`; a signature with a timestamp holds the
    TSA's token, whose size only the TSA knows, and is left to pyHanko's estimate.
    """
    cert = signer.signing_cert
    if cert is None:
        raise SigningError("the signing key has no certificate")
    embedded = {cert.dump(), *(c.dump() for c in signer.cert_registry)}
    key_bytes: int = (cert.public_key.bit_size + 7) // 8
    issuer_serial: int = len(cert.issuer.dump()) + len(cert["tbs_certificate"]["serial_number"].dump())
    der_bytes = sum(map(len, embedded)) + 2 * key_bytes + 16 + 2 * issuer_serial + CMS_STRUCTURE_BYTES
    return 2 * der_bytes  # hexadecimal: two characters a byte


def _signed(pdf_signer: signers.PdfSigner, pdf: bytes, reserved: int | None) -> bytes:
    """Sign in ``reserved`` hex characters; should the CMS not fit, once more with pyHanko's own estimate."""
    try:
        out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), bytes_reserved=reserved)
    except Exception:
        if reserved is None:
            raise
        out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False))
    data: bytes = out.getvalue()
    return data


def add_long_term_data(pdf: bytes, validation: ValidationContext) -> bytes:
    """Append a DSS with the chains and revocation data of the last signature and its timestamp (B-T -> B-LT)."""
    import asyncio

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    sig = reader.embedded_signatures[-1]
    paths = asyncio.run(collect_validation_info(sig, validation))
    writer = _QuietWriter.from_reader(reader)
    DocumentSecurityStore.supply_dss_in_writer(
        writer, sig.pkcs7_content.hex().encode("ascii"), validation_context=validation, paths=paths
    )
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def add_document_timestamp(pdf: bytes, timestamper: TimeStamper) -> bytes:
    """Append an RFC 3161 document timestamp over the whole file (B-LT -> B-LTA), in an invisible field."""
    writer = _QuietWriter(io.BytesIO(pdf), strict=False)
    out = signers.PdfTimeStamper(timestamper).timestamp_pdf(writer, DIGEST_ALGORITHM, output=io.BytesIO())
    data: bytes = out.getvalue()
    return data
