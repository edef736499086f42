"""Verify a signed certificate: signature, trust, revocation, coverage, attachments, re-validation.

Every check is a :class:`Check` (name, ok, reason, and when it fails an indication and sub-indication
from :mod:`une_eval.report.indication`); the answer is PASSED only when all hold, else the worst
failing check's FAILED or INDETERMINATE. The signature checks live in :mod:`une_eval.report.pades_checks`
(the signature covers its revision byte for byte; only a DSS and document timestamps may follow it).
Checks stop at the first failure of the signature or its coverage, and what the certificate claims is
read only from the signed revision.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import PdfHandler

from une_eval.errors import InputError, SpecError
from une_eval.findings import Outcome
from une_eval.loading import parse_json_bytes, read_bounded
from une_eval.report.attachments import AttachmentError, read_attachments
from une_eval.report.content import FINDINGS_ATTACHMENT, PROFILE_ATTACHMENT, SUBMISSION_ATTACHMENT, sha256_hex
from une_eval.report.indication import Indication, default_failure, worst
from une_eval.report.pades_checks import Trust, byte_range_gap_problem, check_signature
from une_eval.report.xref_bounds import xref_entries_problem
from une_eval.spec import Profile, load_profile, profile_from_document, profile_names
from une_eval.validation import check_document

MAX_PDF_BYTES = 64 * 1024 * 1024
TRACE_RULE_PREFIX = "evidence."
MAX_TRUST_BYTES = 4 * 1024 * 1024
# What pyHanko may decode (cross-reference and object streams, validation data) for one file, in all:
# a certificate needs a few megabytes; a Flate bomb stops at this bound instead of filling memory.
DECODE_LIMITS = DecodeLimits(document_budget=DocumentDecodeBudget(base_allowance=128 * 1024 * 1024, max_ratio=8))
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
    indication: Indication = Indication.PASSED
    sub_indication: str = ""


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
    level: str = ""  # the PAdES baseline level of the signature: B-B, B-T, B-LT or B-LTA

    @property
    def ok(self) -> bool:
        """True only when there was at least one check and every check held."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def indication(self) -> Indication:
        """PASSED when every check held; else FAILED or INDETERMINATE, the worst of the failed checks."""
        if not self.checks:
            return Indication.INDETERMINATE
        return worst([c.indication for c in self.checks])

    @property
    def deciding(self) -> Check | None:
        """The first failed check with the overall indication (None when PASSED)."""
        return next((c for c in self.checks if not c.ok and c.indication is self.indication), None)

    @property
    def sub_indication(self) -> str:
        """The deciding check's sub-indication ("" when PASSED)."""
        return self.deciding.sub_indication if self.deciding else ""

    @property
    def sentence(self) -> str:
        """One sentence for the headline."""
        if self.deciding is not None:
            return f"{self.deciding.name}: {self.deciding.detail}"
        if not self.checks:
            return "nothing could be checked"
        dev = " with a development key (it certifies nothing)" if self.development_key else ""
        return f"signed by {self.signer or '?'} ({self.level or 'PAdES'}){dev}; every check holds"

    def add(
        self,
        name: str,
        ok: bool,
        detail: str,
        *,
        indication: Indication | None = None,
        sub_indication: str | None = None,
    ) -> bool:
        """Record a check (a failure gets its name's default indication unless given); return ``ok``."""
        if ok:
            self.checks.append(Check(name, True, detail))
            return True
        default, default_sub = default_failure(name)
        if indication is None or indication is Indication.PASSED:
            indication = default
        self.checks.append(Check(name, False, detail, indication, sub_indication or default_sub))
        return False

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "file": self.path,
            "indication": str(self.indication),
            "sub_indication": self.sub_indication,
            "sentence": self.sentence,
            "ok": self.ok,
            "level": self.level,
            "certificate": self.printed,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "timestamped": self.timestamped,
            "development_key": self.development_key,
            "checks": [
                {"name": c.name, "ok": c.ok, "detail": c.detail}
                | ({} if c.ok else {"indication": str(c.indication), "sub_indication": c.sub_indication})
                for c in self.checks
            ],
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


def verify_bytes(
    data: bytes,
    roots: list[asn1_x509.Certificate],
    *,
    path: str = "<pdf>",
    crls: list[Any] | None = None,
    now: dt.datetime | None = None,
) -> Verification:
    """Run every check on a certificate's bytes; stop at the first signature or coverage failure.

    What the certificate claims (its metadata and attachments) is read only once the signature holds,
    and from the signed revision itself, so nothing outside the signed bytes can speak for the file.
    ``crls``: revocation lists the verifier brings (``--crl``); ``now``: the time of verification.
    """
    report = Verification(path)
    if (problem := xref_entries_problem(data)) is not None:  # before a parser builds what they declare
        report.add("readable PDF", False, f"not a readable signed PDF: {problem}")
        return report
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False, decode_limits=DECODE_LIMITS)
        sig = check_signature(report, reader, data, Trust(roots, list(crls or []), now))
        if sig is None:
            return report
        signed = reader.get_historical_resolver(sig.signed_revision)
        report.printed = _printed(signed)
    except Exception as exc:  # truncated or mangled files fail deep inside the PDF parser
        said = " ".join(str(exc).split())  # one line, whatever the parser's message holds
        reason = f"not a readable signed PDF ({exc.__class__.__name__}{': ' + said if said else ''})"
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


def verify_file(
    path: Path, roots: list[asn1_x509.Certificate], *, crls: list[Any] | None = None, now: dt.datetime | None = None
) -> Verification:
    """Read ``path`` (size-limited) and verify it (see :func:`verify_bytes`)."""
    try:
        data = read_bounded(path, MAX_PDF_BYTES)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    return verify_bytes(data, roots, path=str(path), crls=crls, now=now)


__all__ = [
    "Check",
    "Indication",
    "Verification",
    "byte_range_gap_problem",
    "load_trust_roots",
    "verify_bytes",
    "verify_file",
]
