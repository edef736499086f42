"""What a certificate says: the submission, its verdict and evidence, gathered before rendering.

:func:`prepare` reads and checks one submission file and refuses (``InputError``) one that cannot
be certified (unreadable, unsafe, schema-invalid). The result is plain data; the templates in
``reports/`` decide how it looks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from une_eval.audit import Audit, Figure, Provenance
from une_eval.errors import InputError, SpecError
from une_eval.findings import Outcome, pointer
from une_eval.loading import MAX_FILE_BYTES, parse_json_bytes, read_bounded
from une_eval.model import Submission
from une_eval.rating import Rating
from une_eval.report.charts import MAX_POINTS
from une_eval.results import build_results
from une_eval.spec import load_profile, profile_from_document
from une_eval.validation.figures import figures_of
from une_eval.validation.pipeline import check_bytes

if TYPE_CHECKING:  # the trace readers (numpy) load only when a submission lists traces
    from une_eval.traces import PowerSeries

NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SUBMISSION_ATTACHMENT = "submission.json"
FINDINGS_ATTACHMENT = "findings.json"
PROFILE_ATTACHMENT = "profile.json"  # attached only when checked against a profile file (a bundled one goes by name)


@dataclass(frozen=True, slots=True)
class TraceEvidence:
    """One raw trace: its declared and actual hash, and its power samples when readable."""

    path: str
    device_id: str
    sha256_declared: str
    sha256_actual: str | None
    note: str  # match, mismatch, missing or outside (the catalogue words it)
    power: PowerSeries | None


# What each rating metric measures: its energy unit, per how many of which work unit.
METRIC_UNITS = {"gpu_wh_per_1000_queries": ("Wh", 1000.0, "query")}
RATED_FIGURE = "rating.value"


@dataclass(frozen=True, slots=True)
class LeadFigure:
    """The one figure page 1 leads with.

    With an efficiency class (a certificate of conformity with a rating), the figure the class is
    computed on, so that the class and the headline cannot disagree; otherwise the energy per functional
    unit as the results declare it.
    """

    figure: Figure
    energy_unit: str
    count: float
    unit_name: str
    rated: bool


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked submission, ready to be rendered."""

    source_name: str
    submission_bytes: bytes
    submission_sha256: str
    doc: dict[str, Any]
    submission: Submission
    audit: Audit
    results: dict[str, Any]
    results_recomputed: bool
    traces: tuple[TraceEvidence, ...]
    figures: tuple[Figure, ...]
    lead: LeadFigure
    validity_days: int | None = None  # the profile's validity period for a certificate of conformity
    profile_document: bytes | None = None  # a profile file's merged document, attached (None: a bundled profile)
    profile_sha256: str | None = None  # its SHA-256, recorded in the signed metadata
    profile_version: str | None = None  # the version of the profile checked against, recorded there too

    @property
    def verdict(self) -> Audit:
        """The audit (the template's name for it)."""
        return self.audit

    @property
    def rating(self) -> Rating | None:
        """The efficiency class, when the rating scheme covers the submission."""
        return self.audit.rating

    @property
    def conformant(self) -> bool:
        """Whether the certificate is a certificate of conformity (else a non-conformity report)."""
        return self.audit.verdict is Outcome.CONFORMANT

    def figure_map(self) -> dict[str, Figure]:
        """The figures by key, for the template."""
        return {f.key: f for f in self.figures}

    def accelerator_groups(self) -> tuple[AcceleratorGroup, ...]:
        """The accelerators grouped by vendor and model (the template's one-line hardware summary)."""
        return accelerator_groups(self.submission)

    def listed_traces(self, limit: int) -> tuple[TraceEvidence, ...]:
        """The traces the annex lists: every one whose hash does not match, then matching ones up to ``limit``.

        A job of a thousand nodes has thousands of traces; the attached submission lists them all.
        """
        problems = tuple(t for t in self.traces if t.note != "match")
        matching = tuple(t for t in self.traces if t.note == "match")
        return problems + matching[: max(limit - len(problems), 0)]

    def node_total_provenance(self) -> Provenance | None:
        """How une-eval knows the node table's total: the sum of the energies ``measurement.nodes`` declares.

        No rule checks those node records against the runs, so the sum takes the provenance of the
        total energy figure only when it is that figure's value; otherwise it is as declared.
        """
        table = self.audit.nodes
        if table is None:
            return None
        total = next((f for f in self.figures if f.key == "energy_total.total_j"), None)
        if total is not None and math.isclose(table.total_energy_j, total.value, rel_tol=1e-9, abs_tol=1e-6):
            return total.provenance
        return Provenance.DECLARED

    def figure_keys(self, prefix: str) -> list[str]:
        """The keys of the figures whose key starts with ``prefix``, for the template."""
        return [f.key for f in self.figures if f.key.startswith(prefix)]


@dataclass(frozen=True, slots=True)
class AcceleratorGroup:
    """Accelerators of one vendor and model across every node, for the one-line hardware summary."""

    count: int
    vendor: str
    model: str
    nodes: int


def accelerator_groups(sub: Submission) -> tuple[AcceleratorGroup, ...]:
    """The system's accelerators grouped by vendor and model, in the order they first appear."""
    counts: dict[tuple[str, str], tuple[int, set[str]]] = {}
    for node in sub.system.hardware.nodes:
        for acc in node.accelerators:
            count, nodes = counts.get((acc.vendor, acc.model), (0, set()))
            counts[(acc.vendor, acc.model)] = (count + acc.count, nodes | {node.node_id})
    return tuple(AcceleratorGroup(n, vendor, model, len(nodes)) for (vendor, model), (n, nodes) in counts.items())


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # base 32 without I, L, O, U: no letter reads as a digit


def new_certificate_number(issued_at: dt.datetime) -> str:
    """Make a unique certificate number: issue date and 128 random bits (``UEC-20261126-`` + 26 characters).

    128 bits from the system's CSPRNG make two equal numbers as unlikely as guessing a random AES
    key, however many certificates are issued in the same second, by however many auditors.
    """
    bits = secrets.randbits(128)
    digits = "".join(_CROCKFORD[(bits >> shift) & 31] for shift in range(125, -1, -5))
    return f"UEC-{issued_at:%Y%m%d}-{digits}"


def check_number(number: str) -> str:
    """Accept an auditor-chosen certificate number only in a safe, printable pattern."""
    if not NUMBER_PATTERN.fullmatch(number):
        raise InputError(
            "a certificate number is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return number


def read_submission(path: Path) -> bytes:
    """Read the submission file's bytes, within the loader's size limit."""
    return read_bounded(path, MAX_FILE_BYTES)


def findings_document(verdict: Audit, number: str, submission_sha256: str) -> bytes:
    """Build the findings attachment: the verdict as ``validate --format json`` prints it, plus the number."""
    body = {"certificate_number": number, "submission_sha256": submission_sha256} | verdict.to_json()
    return (json.dumps(body, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def _refusal(verdict: Audit) -> str:
    if verdict.error:
        return verdict.error
    first = "; ".join(f"{f.pointer or '/'}: {f.message}" for f in verdict.findings[:3])
    more = f" (and {len(verdict.findings) - 3} more)" if len(verdict.findings) > 3 else ""
    return f"the submission does not follow the schema, so no certificate can be issued: {first}{more}"


def _default_unit(phase: str) -> tuple[str, float]:
    return ("training-run", 1.0) if phase == "training" else ("query", 1000.0)


def prepare_bytes(
    data: bytes,
    *,
    source_name: str,
    base_dir: Path | None,
    profile: str | None = None,
    rating_scheme: str | None = None,
) -> Prepared:
    """Check a submission given as bytes; refuse what cannot be certified."""
    audit = check_bytes(
        data, source=source_name, base_dir=base_dir, profile=profile, rating_scheme=rating_scheme, keep_series=True
    )
    return prepare_audit(audit, base_dir=base_dir)


def prepare_audit(audit: Audit, *, base_dir: Path | None) -> Prepared:
    """Gather what a certificate needs from an audit; refuse one that cannot be certified."""
    if audit.verdict in (Outcome.INVALID, Outcome.ERROR) or audit.submission is None or audit.document is None:
        raise InputError(_refusal(audit))
    sub = audit.submission
    doc = parse_json_bytes(audit.document)
    declared = doc.get("results")
    recomputed = not isinstance(declared, dict)
    figures = audit.figures
    if isinstance(declared, dict):
        results = declared
    else:
        unit, count = _default_unit(sub.phase)
        results = build_results(doc, unit=unit, count=count)
        completed = Submission.model_validate(doc | {"results": results})
        profile = (
            profile_from_document(audit.profile_document, PROFILE_ATTACHMENT)
            if audit.profile_document is not None
            else load_profile(audit.profile)
        )
        figures = figures_of(completed, audit.findings, profile, audit.assurance, computed=True)
    traces = tuple(
        _recorded(audit, k, t.path, t.device_id or "", t.sha256)
        or _trace_evidence(t.path, t.device_id or "", t.sha256, t.format, base_dir)
        for k, t in enumerate(sub.measurement.traces)
    )
    lead = lead_figure(audit, sub, results, figures)
    if lead.rated:
        figures = (*figures, lead.figure)
    profile_doc = audit.profile_document
    profile_bytes = profile_document_bytes(profile_doc) if profile_doc is not None else None
    validity_days, version = _profile_terms(audit)
    return Prepared(
        audit.source,
        audit.document,
        sha256_hex(audit.document),
        doc,
        sub,
        audit,
        results,
        recomputed,
        traces,
        figures,
        lead,
        validity_days,
        profile_bytes,
        sha256_hex(profile_bytes) if profile_bytes is not None else None,
        version,
    )


def _profile_terms(audit: Audit) -> tuple[int | None, str | None]:
    """The validity period and version of the profile the audit used (a file's from its document)."""
    if audit.profile_document is not None:
        days, version = audit.profile_document.get("validity_days"), audit.profile_document.get("version")
        return (days if isinstance(days, int) else None), (version if isinstance(version, str) else None)
    try:
        profile = load_profile(audit.profile)
    except (SpecError, InputError):
        return None, None
    return profile.validity_days, profile.version


def profile_document_bytes(doc: dict[str, Any]) -> bytes:
    """The profile document as attached: UTF-8 JSON, keys sorted, so the same profile gives the same bytes."""
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def _rated_provenance(sub: Submission, figures: tuple[Figure, ...]) -> tuple[Provenance, str]:
    """How une-eval knows the rated figure, which it computes itself from the runs' GPU energy.

    As well as the GPU energy total is known (its figure, else the total energy's: the same rules check
    both): recomputed only when that figure is, checked when it is, otherwise taken as declared.
    """
    if any(m.method == "estimate" for m in sub.measurement.methods if m.component == "gpu"):
        return Provenance.ESTIMATED, "computed by une-eval from GPU energy the submission estimates"
    energy = next((f for f in figures if f.key == "energy_total.gpu_j"), None) or next(
        (f for f in figures if f.key == "energy_total.total_j"), None
    )
    if energy is not None and energy.provenance is Provenance.RECOMPUTED:
        return Provenance.RECOMPUTED, "computed by une-eval from the runs' GPU energy, recomputed from the raw traces"
    if energy is not None and energy.provenance is Provenance.CHECKED:
        held = f", consistent by {', '.join(energy.rules)}" if energy.rules else ""
        return Provenance.CHECKED, f"computed by une-eval from the runs' declared GPU energy{held}"
    return Provenance.DECLARED, "computed by une-eval from the runs' GPU energy as declared; no enabled rule checks it"


def lead_figure(audit: Audit, sub: Submission, results: dict[str, Any], figures: tuple[Figure, ...]) -> LeadFigure:
    """The figure page 1 leads with (see :class:`LeadFigure`)."""
    rating = audit.rating
    if audit.verdict is Outcome.CONFORMANT and rating is not None and rating.metric in METRIC_UNITS:
        energy_unit, count, unit_name = METRIC_UNITS[rating.metric]
        provenance, basis = _rated_provenance(sub, figures)
        figure = Figure(RATED_FIGURE, pointer("measurement", "runs"), rating.value, energy_unit, provenance, basis)
        return LeadFigure(figure, energy_unit, count, unit_name, True)
    fu, epu = results["functional_unit"], results["energy_per_unit"]
    declared = next((f for f in figures if f.key == "energy_per_unit"), None)
    figure = declared or Figure(
        "energy_per_unit",
        pointer("results", "energy_per_unit", "value"),
        float(epu["value"]),
        str(epu["unit"]),
        Provenance.DECLARED,
        "taken as declared",
    )
    return LeadFigure(figure, str(epu["unit"]), float(fu["count"]), str(fu["unit"]), False)


def prepare(path: Path, *, profile: str | None = None, rating_scheme: str | None = None) -> Prepared:
    """Read and check one submission file (traces are looked up beside it, never outside its folder)."""
    try:
        data = read_submission(path)
        return prepare_bytes(
            data, source_name=path.name, base_dir=path.parent, profile=profile, rating_scheme=rating_scheme
        )
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def _recorded(audit: Audit, k: int, rel: str, device_id: str, declared: str) -> TraceEvidence | None:
    """The trace as the audit's evidence pass already read it (hash and chart series), if it kept it."""
    if audit.evidence is None:
        return None
    record = next((r for r in audit.evidence.records if r.trace_index == k), None)
    if record is None or (record.power is None and not _no_power_expected(audit, k)):
        return None
    note = "match" if record.sha256 == declared.lower() else "mismatch"
    return TraceEvidence(rel, device_id, declared, record.sha256, note, record.power)


def _no_power_expected(audit: Audit, k: int) -> bool:
    """Whether trace ``k`` lists no instant-power column (so no series is the right answer, not a gap)."""
    sub = audit.submission
    return sub is not None and all(c.name != "power_instant_mw" for c in sub.measurement.traces[k].columns)


def _trace_evidence(rel: str, device_id: str, declared: str, fmt: str, base_dir: Path | None) -> TraceEvidence:
    """Hash and chart one trace, with the validator's path rules (never outside the submission's folder)."""
    from une_eval.traces import TraceUnusable, summarize_trace

    if base_dir is None:
        return TraceEvidence(rel, device_id, declared, None, "missing", None)
    try:
        summary = summarize_trace(base_dir, rel, fmt, max_points=MAX_POINTS)
    except TraceUnusable as exc:
        return TraceEvidence(rel, device_id, declared, None, "outside" if exc.kind == "outside" else "missing", None)
    note = "match" if summary.sha256 == declared.lower() else "mismatch"
    return TraceEvidence(rel, device_id, declared, summary.sha256, note, summary.power)
