"""Verify a signed certificate: signature, trust, whole-file coverage, attachments, re-validation.

Every check is a :class:`Check` (name, ok, reason); the certificate verifies only when all hold.
The signature must cover the whole file, byte for byte: the only unsigned bytes allowed are the hex
digits of the signature's own ``/Contents`` (see :func:`byte_range_gap_problem`), and no revision may
follow the signed one. Any incremental update after signing fails, whatever pyHanko's modification
analysis would tolerate, because a certificate is never legitimately edited. Checks stop at the first
failure of the signature or its coverage, and what the certificate claims is read only from the
signed revision.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import PdfHandler
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from une_eval.errors import InputError, SpecError
from une_eval.findings import Outcome
from une_eval.loading import parse_json_bytes, read_bounded
from une_eval.report.attachments import AttachmentError, read_attachments
from une_eval.report.content import FINDINGS_ATTACHMENT, PROFILE_ATTACHMENT, SUBMISSION_ATTACHMENT, sha256_hex
from une_eval.report.sign import is_development_certificate
from une_eval.report.signer_policy import REQUIRED_KEY_USAGES, signer_problems
from une_eval.spec import Profile, load_profile, profile_from_document, profile_names
from une_eval.validation import check_document

MAX_PDF_BYTES = 64 * 1024 * 1024
TRACE_RULE_PREFIX = "evidence."
MAX_TRUST_BYTES = 4 * 1024 * 1024
# The template's <meta name="une-eval-..."> tags: WeasyPrint lower-cases them, keeps letters and digits.
_INFO_KEYS = {
    "number": "/uneevalcertificatenumber",
    "verdict": "/uneevalverdict",
    "profile": "/uneevalprofile",
    "submission_sha256": "/uneevalsubmissionsha256",
    "findings_sha256": "/uneevalfindingssha256",
    "profile_sha256": "/uneevalprofilesha256",
    "profile_version": "/uneevalprofileversion",
}


@dataclass(frozen=True, slots=True)
class Check:
    """One verification step."""

    name: str
    ok: bool
    detail: str


@dataclass(slots=True)
class Verification:
    """Everything ``une-eval verify`` found about one file."""

    path: str
    checks: list[Check] = field(default_factory=list)
    printed: dict[str, str] = field(default_factory=dict)
    signer: str = ""
    signed_at: str = ""
    timestamped: bool = False
    development_key: bool = False  # the signer's certificate is a development one (une-eval keys init)

    @property
    def ok(self) -> bool:
        """True only when there was at least one check and every check held."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        """Record a check; return ``ok`` so callers can stop early."""
        self.checks.append(Check(name, ok, detail))
        return ok

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "file": self.path,
            "ok": self.ok,
            "certificate": self.printed,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "timestamped": self.timestamped,
            "development_key": self.development_key,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
        }


def load_trust_roots(paths: list[Path]) -> list[asn1_x509.Certificate]:
    """Every certificate in the given PEM or DER files."""
    roots: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            data = read_bounded(path, MAX_TRUST_BYTES)
        except InputError as exc:
            raise InputError(f"{path}: cannot read the trust anchor: {exc}") from None
        try:
            if pem.detect(data):
                roots += [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
            else:
                roots.append(asn1_x509.Certificate.load(data))
            for cert in roots:
                _ = cert.subject.human_friendly  # force parsing now, so a bad file fails here
        except Exception:  # asn1crypto raises ValueError/TypeError variants on garbage
            raise InputError(f"{path}: not a PEM or DER certificate") from None
    if not roots:
        raise InputError("no trust anchor given (use --trust ca.pem)")
    return roots


def _printed(reader: PdfHandler) -> dict[str, str]:
    info = reader.trailer_view.get("/Info")
    if info is None:
        return {}
    info = info.get_object()
    return {key: str(info[pdf_key]) for key, pdf_key in _INFO_KEYS.items() if pdf_key in info}


_HEX_CONTENTS = re.compile(rb"<[0-9A-Fa-f]*>")


def byte_range_gap_problem(data: bytes, byte_range: Any, contents: bytes) -> str | None:
    """Why the signed ranges leave more unsigned than this signature's own ``/Contents`` hex string, or None.

    A certificate is never edited after signing, so the only bytes of the whole file that the signature
    may leave uncovered are the hex digits of its ``/Contents``: the first range starts at byte 0, the gap
    begins exactly where it ends, holds ``<hex>`` and nothing else, the second range starts where the gap
    ends and runs to the last byte of the file, and the gap's hex decodes to the very signature that was
    validated. Signature-wrapping attacks keep the signed bytes but move them, or shorten ``/Contents`` to
    free room for new objects inside the gap; comparing lengths alone does not see that.
    """
    values = list(byte_range) if isinstance(byte_range, list | tuple) else None
    if values is None or len(values) != 4 or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "its /ByteRange is not four integers"
    start1, len1, start2, len2 = (int(v) for v in values)
    if start1 != 0 or len1 <= 0 or len2 <= 0 or start2 <= len1:
        return f"its /ByteRange [{start1} {len1} {start2} {len2}] is not two ranges around one gap from byte 0"
    if start2 + len2 != len(data):
        if start2 + len2 < len(data):
            return f"{len(data) - start2 - len2} byte(s) after the signed ranges: something was added after signing"
        return f"the signed ranges end at byte {start2 + len2}, past the file's {len(data)} bytes: it was cut"
    gap = data[len1:start2]
    if _HEX_CONTENTS.fullmatch(gap) is None or len(gap) % 2:
        return (
            f"the {len(gap)} unsigned bytes between the signed ranges (from byte {len1}) are not only the "
            "signature's hex string: content was placed outside the signature"
        )
    if bytes.fromhex(gap[1:-1].decode("ascii")) != contents:
        return "the unsigned hex string between the signed ranges is not the signature that was validated"
    der_len = _der_length(contents)
    if der_len is None or any(contents[der_len:]):
        return "the signature's hex string holds bytes after the signature itself (only zero padding may follow)"
    return None


def _der_length(blob: bytes) -> int | None:
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


def _check_signature(
    report: Verification, reader: PdfFileReader, data: bytes, roots: list[asn1_x509.Certificate]
) -> EmbeddedPdfSignature | None:
    """The signature checks; return the signature when every one held, else None (stop there)."""
    sigs = reader.embedded_signatures
    if not report.add("one signature", len(sigs) == 1, f"{len(sigs)} signature(s) in the file"):
        return None
    sig = sigs[0]
    # Layout first: cheap, and a file whose unsigned bytes hold anything but the signature is not looked
    # at further (its page, metadata and attachments are the attacker's to choose).
    problem = byte_range_gap_problem(data, sig.byte_range, sig.pkcs7_content)
    last = reader.xrefs.total_revisions - 1
    if problem is None and sig.signed_revision != last:
        problem = f"the file has {last - sig.signed_revision} revision(s) after the signed one"
    if not report.add(
        "covers whole file",
        problem is None,
        f"every byte but the signature's own hex string is signed (0-{len(data)})"
        if problem is None
        else f"the signature does not cover the whole file: {problem}",
    ):
        return None
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    status = validate_pdf_signature(
        sig, context, key_usage_settings=KeyUsageConstraints(key_usage=set(REQUIRED_KEY_USAGES))
    )
    report.signer = sig.signer_cert.subject.human_friendly
    report.signed_at = str(status.signer_reported_dt or "")
    report.timestamped = status.timestamp_validity is not None
    report.development_key = is_development_certificate(sig.signer_cert)
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
    ok &= _check_signer(report, sig, status, roots)
    if report.timestamped:
        ok &= _check_timestamp(report, status.timestamp_validity)
    covered = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    ok &= report.add(
        "coverage (pyHanko)",
        covered,
        "pyHanko also finds the entire file signed" if covered else f"pyHanko rates the coverage {status.coverage}",
    )
    return sig if ok else None


_PATH_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "no chain to a --trust anchor",
    "OUT_OF_BOUNDS_NO_POE": "a certificate on the path to the --trust anchor has expired",
    "OUT_OF_BOUNDS_NOT_REVOKED": "a certificate on the path to the --trust anchor has expired",
    "EXPIRED": "a certificate on the path to the --trust anchor has expired",
    "NOT_YET_VALID": "a certificate on the path to the --trust anchor is not yet valid",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "the path to the --trust anchor does not validate (e.g. a certificate "
    "not yet valid)",
    "CRYPTO_CONSTRAINTS_FAILURE": "a weak or disallowed algorithm or key size in the signature or on the path",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "a weak or disallowed algorithm or key size in the signature or on the path",
    "CHAIN_CONSTRAINTS_FAILURE": "a certificate on the path breaks a constraint (key usage, basic constraints)",
    "REVOKED": "a certificate on the path is revoked",
    "REVOKED_NO_POE": "a certificate on the path is revoked",
    "REVOKED_CA_NO_POE": "a CA certificate on the path is revoked",
}


def _check_signer(
    report: Verification, sig: EmbeddedPdfSignature, status: Any, roots: list[asn1_x509.Certificate]
) -> bool:
    """Two checks: une-eval's policy on the signer's own certificate, then pyHanko's path to a --trust anchor."""
    problems = signer_problems(
        sig.signer_cert, digest_algorithm=str(sig.md_algorithm), roots=roots, moment=dt.datetime.now(dt.UTC)
    )
    ok = report.add(
        "signer certificate",
        not problems,
        "valid now, digitalSignature+nonRepudiation, a document-signing purpose, not a CA, strong algorithms"
        if not problems
        else "refused as a signer: " + "; ".join(problems),
    )
    if status.trusted:
        anchor = status.validation_path.trust_anchor.authority.name.human_friendly if status.validation_path else "?"
        return report.add("signer trusted", True, f"chains to the --trust anchor {anchor}") and ok
    indic = getattr(status.trust_problem_indic, "name", "")
    reason = _PATH_PROBLEMS.get(indic, f"path validation fails ({indic or 'no reason given'})")
    report.add("signer trusted", False, f"the signer's certificate is not trusted: {reason}")
    return False


def _check_timestamp(report: Verification, ts: Any) -> bool:
    """The RFC 3161 signature timestamp must be intact, valid and from a TSA that chains to a --trust anchor."""
    if ts is None or not (ts.intact and ts.valid):
        return report.add("timestamp", False, "the timestamp does not check (its digest or signature is wrong)")
    if not ts.trusted:
        return report.add("timestamp", False, "the timestamp's TSA does not chain to a --trust anchor")
    return report.add(
        "timestamp", True, f"RFC 3161 timestamp of {ts.timestamp:%Y-%m-%d %H:%M:%S} UTC, intact and trusted"
    )


def _check_evidence(report: Verification, reader: PdfHandler) -> None:
    printed = report.printed
    try:
        files = read_attachments(reader, (SUBMISSION_ATTACHMENT, FINDINGS_ATTACHMENT))
    except AttachmentError as exc:
        report.add("attachments readable", False, f"cannot read the attachments: {exc}")
        return
    for name, key in ((SUBMISSION_ATTACHMENT, "submission_sha256"), (FINDINGS_ATTACHMENT, "findings_sha256")):
        blob = files.get(name)
        if blob is None:
            report.add(f"attachment {name}", False, "missing from the PDF")
            continue
        digest = sha256_hex(blob)
        ok = digest == printed.get(key)
        report.add(
            f"attachment {name}",
            ok,
            f"SHA-256 {digest} matches the printed one"
            if ok
            else f"SHA-256 {digest} differs from the printed {printed.get(key, '(none)')}",
        )
    if SUBMISSION_ATTACHMENT in files and FINDINGS_ATTACHMENT in files:
        _check_revalidation(report, files[SUBMISSION_ATTACHMENT], files[FINDINGS_ATTACHMENT], reader)


def _revalidation_profile(report: Verification, reader: PdfHandler) -> str | Profile | None:
    """The profile to re-validate against, chosen only by what the signed metadata records, or None.

    A profile file travels as the ``profile.json`` attachment, and is used only when its SHA-256 is the
    one the metadata records and it carries the printed name; a bundled profile goes by its name, and
    must still have the recorded version. Anything else fails the check (None): the file never chooses.
    """
    printed = report.printed
    name, digest, version = printed.get("profile", ""), printed.get("profile_sha256"), printed.get("profile_version")
    if digest is None:
        if name not in profile_names():
            report.add("re-validation", False, f"profile {name!r} is not bundled and the certificate records no digest")
            return None
        if version is not None and load_profile(name).version != version:
            report.add(
                "re-validation",
                False,
                f"profile {name} {version} is no longer bundled (this une-eval has {load_profile(name).version})",
            )
            return None
        return name
    try:
        blob = read_attachments(reader, (PROFILE_ATTACHMENT,)).get(PROFILE_ATTACHMENT)
        if blob is None or sha256_hex(blob) != digest:
            raise InputError(f"the attached {PROFILE_ATTACHMENT} is missing or differs from the recorded SHA-256")
        profile = profile_from_document(parse_json_bytes(blob), PROFILE_ATTACHMENT)
        if profile.name != name or (version is not None and profile.version != version):
            raise InputError(f"the attached profile is {profile.name} {profile.version}, not the printed {name}")
    except (AttachmentError, InputError, SpecError) as exc:
        report.add("re-validation", False, f"the certificate's profile cannot be used: {exc}")
        return None
    return profile


def _check_revalidation(report: Verification, submission: bytes, findings: bytes, reader: PdfHandler) -> None:
    profile = _revalidation_profile(report, reader)
    if profile is None:
        return
    try:
        doc = parse_json_bytes(submission)
        recorded = json.loads(findings)
        verdict = check_document(doc, profile=profile, source=str(recorded.get("source", "")))
    except Exception as exc:  # a tampered attachment can be anything; say so instead of failing
        report.add("re-validation", False, f"the embedded evidence cannot be re-checked: {exc}")
        return
    # The raw traces are not inside the PDF, so the findings only they can raise (evidence.*) are taken
    # as recorded; everything else is recomputed from the embedded submission and must match exactly.
    recorded_findings = recorded.get("findings")
    if not isinstance(recorded_findings, list):
        report.add("re-validation", False, "the attached findings hold no list of findings")
        return
    from_traces = [
        f for f in recorded_findings if isinstance(f, dict) and str(f.get("rule_id", "")).startswith(TRACE_RULE_PREFIX)
    ]
    expected = [f for f in recorded_findings if f not in from_traces]
    # Without the traces, the evidence rules see no evidence at all: their findings here say nothing.
    got = [f.to_json() for f in verdict.findings if not f.rule_id.startswith(TRACE_RULE_PREFIX)]
    errors = any(f["severity"] == "error" for f in got) or any(f.get("severity") == "error" for f in from_traces)
    outcome = Outcome.NON_CONFORMANT if errors else Outcome.CONFORMANT
    ok = str(outcome) == report.printed.get("verdict") == recorded.get("verdict") and got == expected
    kept = f" ({len(from_traces)} trace finding(s) as recorded: traces are not embedded)" if from_traces else ""
    report.add(
        "re-validation",
        ok,
        f"the embedded submission re-validates to {outcome} with {len(recorded_findings)} finding(s), as printed{kept}"
        if ok
        else f"the embedded submission now validates to {outcome} with {len(got) + len(from_traces)} "
        f"finding(s); printed: {report.printed.get('verdict')}",
    )


def verify_bytes(data: bytes, roots: list[asn1_x509.Certificate], *, path: str = "<pdf>") -> Verification:
    """Run every check on a certificate's bytes; stop at the first signature or coverage failure.

    What the certificate claims (its metadata and attachments) is read only once the signature holds,
    and from the signed revision itself, so nothing outside the signed bytes can speak for the file.
    """
    report = Verification(path)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sig = _check_signature(report, reader, data, roots)
        if sig is None:
            return report
        signed = reader.get_historical_resolver(sig.signed_revision)
        report.printed = _printed(signed)
    except Exception as exc:  # truncated or mangled files fail deep inside the PDF parser
        reason = f"not a readable signed PDF ({exc.__class__.__name__}: {exc})"
        report.add("readable PDF", False, reason[:300])
        return report
    report.add(
        "certificate number",
        bool(report.printed.get("number")),
        report.printed.get("number", "no une-eval certificate number in the metadata"),
    )
    try:
        _check_evidence(report, signed)
    except Exception as exc:  # a mangled name tree or stream in a tampered file
        report.add("attachments readable", False, f"cannot read the attachments ({exc.__class__.__name__})")
    return report


def verify_file(path: Path, roots: list[asn1_x509.Certificate]) -> Verification:
    """Read ``path`` (size-limited) and verify it."""
    try:
        data = read_bounded(path, MAX_PDF_BYTES)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    return verify_bytes(data, roots, path=str(path))


__all__ = ["Check", "Verification", "load_trust_roots", "verify_bytes", "verify_file"]
