"""The signature checks of ``une-eval verify``: layout, later revisions, digest, signer, trust, revocation, time.

The signature must cover its whole revision byte for byte: the only unsigned bytes inside it are the
hex digits of the signature's own ``/Contents`` (:func:`byte_range_gap_problem`). Revisions after the
signed one are allowed only when they add PAdES validation data (a DSS) and document timestamps,
checked object by object (:mod:`une_eval.report.revisions`); anything else fails, whatever pyHanko's
modification analysis would tolerate. Validation is offline: the chain and revocation data come from
the file's DSS and the verifier's ``--trust`` and ``--crl`` files. A trusted signature timestamp is
proof that the signature existed at that time, so the signer is validated then (PAdES B-T/B-LT): a
certificate that verifies keeps verifying after its signing certificate expires.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from une_eval.report.indication import Indication
from une_eval.report.revisions import later_revision_problem
from une_eval.report.sign import is_development_certificate
from une_eval.report.signer_policy import REQUIRED_KEY_USAGES, signer_problems

if TYPE_CHECKING:
    from une_eval.report.verify import Verification


@dataclass(frozen=True, slots=True)
class Trust:
    """What the verifier brings: trust anchors, CRLs (``--crl``) and the time of verification."""

    roots: list[asn1_x509.Certificate]
    crls: list[Any] = field(default_factory=list)
    now: dt.datetime | None = None  # None: the real current time

    def moment(self) -> dt.datetime:
        """The time of verification."""
        return self.now or dt.datetime.now(dt.UTC)


_HEX_CONTENTS = re.compile(rb"<[0-9A-Fa-f]*>")


def byte_range_gap_problem(data: bytes, byte_range: Any, contents: bytes, *, to_end: bool = True) -> str | None:
    """Why the signed ranges leave more unsigned than this signature's own ``/Contents`` hex string, or None.

    The first range starts at byte 0, the gap begins exactly where it ends, holds ``<hex>`` and nothing
    else, and the gap's hex decodes to the very signature that was validated, with only zero padding
    after it. With ``to_end`` the second range runs to the last byte of the file; otherwise it ends where
    the signed revision ends (pyHanko checks that, and the later revisions are checked separately).
    Signature-wrapping attacks keep the signed bytes but move them, or shorten ``/Contents`` to free
    room for new objects inside the gap; comparing lengths alone does not see that.
    """
    values = list(byte_range) if isinstance(byte_range, list | tuple) else None
    if values is None or len(values) != 4 or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "its /ByteRange is not four integers"
    start1, len1, start2, len2 = (int(v) for v in values)
    if start1 != 0 or len1 <= 0 or len2 <= 0 or start2 <= len1:
        return f"its /ByteRange [{start1} {len1} {start2} {len2}] is not two ranges around one gap from byte 0"
    if start2 + len2 > len(data):
        return f"the signed ranges end at byte {start2 + len2}, past the file's {len(data)} bytes: it was cut"
    if to_end and start2 + len2 != len(data):
        return f"{len(data) - start2 - len2} byte(s) after the signed ranges: something was added after signing"
    gap = data[len1:start2]
    if _HEX_CONTENTS.fullmatch(gap) is None or len(gap) % 2:
        return (
            f"the {len(gap)} unsigned bytes between the signed ranges (from byte {len1}) are not only the "
            "signature's hex string: content was placed outside the signature"
        )
    if bytes.fromhex(gap[1:-1].decode("ascii")) != contents:
        return "the unsigned hex string between the signed ranges is not the signature that was validated"
    der_len = der_length(contents)
    if der_len is None or any(contents[der_len:]):
        return "the signature's hex string holds bytes after the signature itself (only zero padding may follow)"
    return None


def der_length(blob: bytes) -> int | None:
    """Length of the DER SEQUENCE at the start of ``blob`` (the CMS ContentInfo), or None when it is not one."""
    if len(blob) < 2 or blob[0] != 0x30:
        return None
    first = blob[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(blob) < 2 + count:
        return None
    total = 2 + count + int.from_bytes(blob[2 : 2 + count], "big")
    return total if total <= len(blob) else None


def _context(reader: PdfFileReader, trust: Trust, *, moment: dt.datetime, mode: str) -> ValidationContext:
    """A validation context at ``moment`` with the anchors, the ``--crl`` files and the file's DSS; no network."""
    kwargs: dict[str, Any] = {
        "trust_roots": trust.roots,
        "crls": list(trust.crls),
        "allow_fetching": False,
        "revocation_mode": mode,
        "moment": moment,
        "retroactive_revinfo": True,  # a CRL published after the signing time still speaks about it
    }
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except NoDSSFoundError:
        return ValidationContext(**kwargs)


def _layout(report: Verification, reader: PdfFileReader, data: bytes) -> EmbeddedPdfSignature | None:
    """One signature, its bytes and every later revision; the signature when the layout holds."""
    found = reader.embedded_signatures
    sigs = [s for s in found if s.sig_object_type == "/Sig"]
    stamps = [s for s in found if s.sig_object_type == "/DocTimeStamp"]
    # pyHanko skips a signature whose /SubFilter it does not know; a viewer still shows it.
    unread = sum(1 for _ in enumerate_sig_fields(reader, filled_status=True)) - len(found)
    one = len(sigs) == 1 and len(found) == len(sigs) + len(stamps) and unread == 0
    if one and stamps:
        one = min(s.signed_revision for s in stamps) > sigs[0].signed_revision
    detail = f"{len(sigs)} signature(s) in the file" + (f", then {len(stamps)} document timestamp(s)" if stamps else "")
    detail += f", and {unread} signature field(s) of a kind verify cannot check" if unread else ""
    if not report.add(
        "one signature", one, detail if one else detail + " (exactly one signature, timestamps after it)"
    ):
        return None
    sig, last = sigs[0], reader.xrefs.total_revisions - 1
    later = last - sig.signed_revision
    problem = byte_range_gap_problem(data, sig.byte_range, sig.pkcs7_content, to_end=later == 0)
    for stamp in stamps:
        problem = problem or byte_range_gap_problem(
            data, stamp.byte_range, stamp.pkcs7_content, to_end=stamp.signed_revision == last
        )
    if problem is None and later:
        problem = later_revision_problem(reader, data, sig.signed_revision, int(sig.byte_range[2] + sig.byte_range[3]))
        problem = f"something was added after signing: {problem}" if problem else None
    ok = report.add(
        "covers whole file",
        problem is None,
        f"every byte but the signature's own hex string is signed (0-{len(data)})"
        if problem is None and not later
        else f"every byte of the signed revision but the signature's hex string is signed; the {later} revision(s) "
        "after it add only validation data and document timestamps"
        if problem is None
        else f"the signature does not cover the whole file: {problem}",
        sub_indication="FORMAT_FAILURE" if problem and "it was cut" in problem else None,
    )
    return sig if ok else None


def check_signature(
    report: Verification, reader: PdfFileReader, data: bytes, trust: Trust
) -> EmbeddedPdfSignature | None:
    """The signature checks; return the signature when every one held, else None (stop there)."""
    sig = _layout(report, reader, data)
    if sig is None:
        return None
    now = trust.moment()
    usage = KeyUsageConstraints(key_usage=set(REQUIRED_KEY_USAGES))
    first = validate_pdf_signature(
        sig, _context(reader, trust, moment=now, mode="soft-fail"), key_usage_settings=usage, skip_diff=True
    )
    ts = first.timestamp_validity
    report.timestamped = ts is not None
    stamped_at = ts.timestamp if ts is not None and _stamp_trusted(ts) else None
    tsa_revocation = _tsa_revocation(reader, sig, trust, stamped_at, usage) if stamped_at else None
    # A timestamp proves the signature existed at its time only when its TSA's certificate is known
    # not to have been revoked then (revocation data for it in the file's DSS or from --crl).
    signed_at = stamped_at if tsa_revocation == "good" else None
    moment = signed_at or now
    status = first
    if signed_at is not None:
        status = validate_pdf_signature(
            sig, _context(reader, trust, moment=moment, mode="soft-fail"), key_usage_settings=usage, skip_diff=True
        )
    report.signer = sig.signer_cert.subject.human_friendly
    report.signed_at = str(first.signer_reported_dt or "")
    report.development_key = is_development_certificate(sig.signer_cert)
    report.level = _level(reader, sig, report.timestamped)
    ok = report.add(
        "signature intact",
        bool(status.intact),
        "the signed bytes hash to the signed digest"
        if status.intact
        else "the signed bytes were changed after signing (digest mismatch)",
    )
    ok &= report.add(
        "signature valid",
        bool(status.valid),
        "the cryptographic signature checks" if status.valid else "the cryptographic signature does not check",
    )
    ok &= _check_signer(report, sig, status, trust, moment, signed_at)
    if ok and status.trusted:
        # Unknown revocation status leaves the answer INDETERMINATE but the signed content is still read
        # and checked (a mismatch there is FAILED); a revoked signer stops here.
        _check_revocation(report, reader, sig, trust, moment, usage)
        ok &= report.checks[-1].ok or report.checks[-1].sub_indication == "TRY_LATER"
    if report.timestamped:
        ok &= _check_timestamp(report, ts, tsa_revocation)
    for stamp in (s for s in reader.embedded_signatures if s.sig_object_type == "/DocTimeStamp"):
        ok &= _check_document_timestamp(report, stamp, reader, trust, now)
    covered = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        reader.xrefs.total_revisions - 1 > sig.signed_revision
        and status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    )
    ok &= report.add(
        "coverage (pyHanko)",
        covered,
        "pyHanko also finds the entire file (or revision) signed"
        if covered
        else f"pyHanko rates the coverage {status.coverage}",
    )
    return sig if ok else None


def _level(reader: PdfFileReader, sig: EmbeddedPdfSignature, timestamped: bool) -> str:
    """The PAdES baseline level the file claims: B-B, B-T, B-LT (a DSS) or B-LTA (and a document timestamp)."""
    if not timestamped:
        return "B-B"
    if "/DSS" not in reader.root:
        return "B-T"
    stamps = [s for s in reader.embedded_signatures if s.sig_object_type == "/DocTimeStamp"]
    return "B-LTA" if stamps else "B-LT"


_PATH_PROBLEMS: dict[str, tuple[Indication, str]] = {
    "NO_CERTIFICATE_CHAIN_FOUND": (Indication.INDETERMINATE, "no chain to a --trust anchor"),
    "OUT_OF_BOUNDS_NO_POE": (
        Indication.INDETERMINATE,
        "a certificate on the path had expired at the validation time, and no timestamp proves the signature older",
    ),
    "OUT_OF_BOUNDS_NOT_REVOKED": (
        Indication.INDETERMINATE,
        "a certificate on the path to the --trust anchor has expired",
    ),
    "NOT_YET_VALID": (Indication.INDETERMINATE, "a certificate on the path to the --trust anchor is not yet valid"),
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": (
        Indication.INDETERMINATE,
        "the path to the --trust anchor does not validate (e.g. a certificate not yet valid)",
    ),
    "CRYPTO_CONSTRAINTS_FAILURE": (Indication.INDETERMINATE, "a weak or disallowed algorithm or key on the path"),
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": (
        Indication.INDETERMINATE,
        "a weak or disallowed algorithm or key on the path",
    ),
    "CHAIN_CONSTRAINTS_FAILURE": (
        Indication.INDETERMINATE,
        "a certificate on the path breaks a constraint (key usage, basic constraints)",
    ),
    "REVOKED_NO_POE": (Indication.FAILED, "the signing certificate is revoked (its CA's CRL lists it)"),
    "REVOKED_CA_NO_POE": (Indication.FAILED, "a CA certificate on the path is revoked"),
}


def _policy_indication(problems: list[str]) -> tuple[Indication, str]:
    first = problems[0]
    if first.startswith("expired"):
        return Indication.INDETERMINATE, "OUT_OF_BOUNDS_NO_POE"
    if first.startswith("not yet valid"):
        return Indication.INDETERMINATE, "NOT_YET_VALID"
    if first.startswith(("weak digest", "weak key")):
        return Indication.INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE"
    return Indication.INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE"


def _check_signer(
    report: Verification,
    sig: EmbeddedPdfSignature,
    status: Any,
    trust: Trust,
    moment: dt.datetime,
    signed_at: dt.datetime | None,
) -> bool:
    """Two checks: une-eval's policy on the signer's own certificate, then pyHanko's path to a --trust anchor."""
    problems = signer_problems(
        sig.signer_cert, digest_algorithm=str(sig.md_algorithm), roots=trust.roots, moment=moment
    )
    when = f"at the timestamp's time {signed_at:%Y-%m-%d %H:%M:%S} UTC" if signed_at else "now"
    indication, sub = _policy_indication(problems) if problems else (Indication.PASSED, "")
    ok = report.add(
        "signer certificate",
        not problems,
        f"valid {when}, digitalSignature+nonRepudiation, a document-signing purpose, not a CA, strong algorithms"
        if not problems
        else "refused as a signer: " + "; ".join(problems),
        indication=indication,
        sub_indication=sub,
    )
    if status.trusted:
        anchor = status.validation_path.trust_anchor.authority.name.human_friendly if status.validation_path else "?"
        return report.add("signer trusted", True, f"chains to the --trust anchor {anchor} ({when})") and ok
    indic = getattr(status.trust_problem_indic, "name", "")
    if status.revoked:
        indic = "REVOKED_NO_POE"
    indication, reason = _PATH_PROBLEMS.get(
        indic, (Indication.INDETERMINATE, f"path validation fails ({indic or '?'})")
    )
    sub = "REVOKED" if indic.startswith("REVOKED") else indic or "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    report.add(
        "signer trusted",
        False,
        f"the signer's certificate is not trusted: {reason}",
        indication=indication,
        sub_indication=sub,
    )
    return False


def _check_revocation(
    report: Verification,
    reader: PdfFileReader,
    sig: EmbeddedPdfSignature,
    trust: Trust,
    moment: dt.datetime,
    usage: KeyUsageConstraints,
) -> bool:
    """The signer's path must have revocation data (the file's DSS or --crl) saying nothing on it is revoked."""
    status = validate_pdf_signature(
        sig, _context(reader, trust, moment=moment, mode="require"), key_usage_settings=usage, skip_diff=True
    )
    if status.trusted:
        source = "embedded in the file (PAdES LT)" if "/DSS" in reader.root else "from --crl"
        return report.add(
            "revocation", True, f"not revoked at {moment:%Y-%m-%d %H:%M:%S} UTC, per revocation data {source}"
        )
    if status.revoked:
        return report.add(
            "revocation",
            False,
            "the signing certificate is revoked: its CA's revocation list names it",
            indication=Indication.FAILED,
            sub_indication="REVOKED",
        )
    return report.add(
        "revocation",
        False,
        "no usable revocation data for the signer's certificate (none embedded, no current --crl from its CA)",
        indication=Indication.INDETERMINATE,
        sub_indication="TRY_LATER",
    )


def _stamp_trusted(ts: Any) -> bool:
    return ts is not None and bool(ts.intact and ts.valid and ts.trusted)


def _revocation_of(status: Any) -> str:
    """``good``, ``revoked`` or ``unknown``: a timestamp's TSA as validated with revocation data required."""
    if status is not None and status.trusted:
        return "good"
    return "revoked" if status is not None and status.revoked else "unknown"


def _tsa_revocation(
    reader: PdfFileReader, sig: EmbeddedPdfSignature, trust: Trust, at: dt.datetime, usage: KeyUsageConstraints
) -> str:
    """The signature timestamp's TSA at the timestamp's time, with revocation data required (none fetched)."""
    strict = validate_pdf_signature(
        sig, _context(reader, trust, moment=at, mode="require"), key_usage_settings=usage, skip_diff=True
    )
    return _revocation_of(strict.timestamp_validity)


def _tsa_revocation_problem(report: Verification, check: str, revocation: str) -> bool:
    """A trusted timestamp whose TSA is revoked (FAILED) or of unknown revocation status (INDETERMINATE)."""
    if revocation == "revoked":
        return report.add(
            check,
            False,
            "the timestamp's TSA certificate is revoked: its CA's revocation list names it",
            indication=Indication.FAILED,
            sub_indication="REVOKED",
        )
    return report.add(
        check,
        False,
        "no usable revocation data for the timestamp's TSA certificate (none embedded, no current --crl from its "
        "CA), so its time proves nothing",
        indication=Indication.INDETERMINATE,
        sub_indication="TRY_LATER",
    )


def _check_timestamp(report: Verification, ts: Any, tsa_revocation: str | None) -> bool:
    """The RFC 3161 signature timestamp: intact, valid, from a TSA that chains to a --trust anchor, not revoked."""
    if ts is None or not (ts.intact and ts.valid):
        return report.add("timestamp", False, "the timestamp does not check (its digest or signature is wrong)")
    if not ts.trusted:
        return report.add(
            "timestamp",
            False,
            "the timestamp's TSA does not chain to a --trust anchor",
            indication=Indication.INDETERMINATE,
            sub_indication="NO_CERTIFICATE_CHAIN_FOUND",
        )
    if tsa_revocation != "good":
        return _tsa_revocation_problem(report, "timestamp", tsa_revocation or "unknown")
    return report.add(
        "timestamp",
        True,
        f"RFC 3161 timestamp of {ts.timestamp:%Y-%m-%d %H:%M:%S} UTC, intact, trusted, its TSA not revoked",
    )


def _check_document_timestamp(
    report: Verification, stamp: EmbeddedPdfSignature, reader: PdfFileReader, trust: Trust, now: dt.datetime
) -> bool:
    """A PAdES B-LTA document timestamp: intact, valid, from a TSA that chains to a --trust anchor."""
    status = validate_pdf_timestamp(stamp, _context(reader, trust, moment=now, mode="soft-fail"))
    if not (status.intact and status.valid):
        return report.add("archive timestamp", False, "the document timestamp does not check (digest or signature)")
    if not status.trusted:
        return report.add(
            "archive timestamp",
            False,
            "the document timestamp's TSA does not chain to a --trust anchor",
            indication=Indication.INDETERMINATE,
            sub_indication="NO_CERTIFICATE_CHAIN_FOUND",
        )
    at = status.timestamp or now  # the TSA's revocation status at the time it stamped
    revocation = _revocation_of(validate_pdf_timestamp(stamp, _context(reader, trust, moment=at, mode="require")))
    if revocation != "good":
        return _tsa_revocation_problem(report, "archive timestamp", revocation)
    return report.add(
        "archive timestamp",
        True,
        f"document timestamp of {status.timestamp:%Y-%m-%d %H:%M:%S} UTC over the signature and its validation data",
    )


__all__ = ["Trust", "byte_range_gap_problem", "check_signature", "der_length"]
