"""Run the layers over one document: schema, model, evidence, rules; return one :class:`~une_eval.audit.Audit`.

Order: the schema layer (a schema-invalid file gets no rules), the model layer, the evidence step
(the raw traces read and recomputed: the only file reading besides the submission), the assurance level
that evidence reaches, then the profile's rules from the one rule table, then the figures' provenance
and the efficiency rating. A rule that fails with anything but an arithmetic overflow is a bug in
une-eval and surfaces as :class:`~une_eval.errors.InternalError`, never as a finding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pydantic

from une_eval.audit import Assurance, Audit, Identity
from une_eval.errors import InputError, InternalError, SpecError
from une_eval.findings import Finding, Outcome, Severity, msg, outcome_for, pointer, sort_findings
from une_eval.import_provenance import imported_from
from une_eval.loading import MAX_FILE_BYTES, json_type_name, parse_json_bytes, read_bounded
from une_eval.model import Submission
from une_eval.nodetable import node_table
from une_eval.rating import rate
from une_eval.spec import DEFAULT_PROFILE, Profile, load_profile, profile_names
from une_eval.validation.assurance import NO_TRACES_READ
from une_eval.validation.figures import figures_of
from une_eval.validation.rules import RULES, Problem, RuleContext, RuleFn
from une_eval.validation.schema_layer import schema_findings

if TYPE_CHECKING:
    from une_eval.validation.evidence import Evidence


def resolve_profile(doc: Mapping[str, Any], requested: str | Profile | None) -> Profile:
    """The profile to check against: the one asked for, else the one claimed when known, else the default.

    ``requested`` is a bundled name, a profile file's path, or a :class:`Profile` already built (the one a
    certificate carries, which ``verify`` re-validates against).
    """
    if isinstance(requested, Profile):
        return requested
    if requested is not None:
        return load_profile(requested)
    claimed = doc.get("profile", {}).get("name") if isinstance(doc.get("profile"), dict) else None
    if isinstance(claimed, str) and claimed in profile_names():
        return load_profile(claimed)
    return load_profile(DEFAULT_PROFILE)


def identity_of(doc: Mapping[str, Any]) -> Identity:
    """Who and what the document is about, read loosely (it may have failed the schema)."""

    def text(*path: str) -> str | None:
        node: Any = doc
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node if isinstance(node, str) else None

    unit = doc.get("results", {}).get("functional_unit") if isinstance(doc.get("results"), dict) else None
    count = unit.get("count") if isinstance(unit, dict) else None
    return Identity(
        text("submission_id"),
        text("phase"),
        text("submitter", "organisation"),
        text("system", "model", "name"),
        text("results", "functional_unit", "unit"),
        float(count) if isinstance(count, int | float) and not isinstance(count, bool) else None,
    )


def _model_findings(error: pydantic.ValidationError) -> list[Finding]:
    return [
        Finding("model." + str(e["type"]), Severity.ERROR, pointer(*e["loc"]), str(e["msg"])[:200])
        for e in error.errors()
    ]


def assurance_of(evidence: Evidence | None) -> tuple[Assurance, tuple[str, ...]]:
    """``evidence-checked`` when every accelerator's energy in every complete run was recomputed from its trace."""
    if evidence is None:
        return Assurance.DECLARED_ONLY, (NO_TRACES_READ,)
    return Assurance(evidence.assurance), tuple(evidence.assurance_reasons)


_RulePlan = tuple[tuple[str, RuleFn, Mapping[str, Any], Severity], ...]
_PLANS: dict[int, tuple[Profile, _RulePlan]] = {}  # by the profile object's id; the profile is kept, so ids stay unique


def _rule_plan(profile: Profile) -> _RulePlan:
    """Each rule the profile enables with its function, parameters and severity, worked out once per profile."""
    cached = _PLANS.get(id(profile))
    if cached is not None and cached[0] is profile:
        return cached[1]
    plan = []
    for rule_id in profile.rules:
        fn = RULES.get(rule_id)
        if fn is None:
            raise SpecError(f"profile {profile.name!r} enables rule {rule_id!r}, which has no implementation")
        params = MappingProxyType(profile.params(rule_id))  # read-only: shared by every file's context
        plan.append((rule_id, fn, params, profile.severity_of(rule_id)))
    if len(_PLANS) >= 64:
        _PLANS.clear()
    _PLANS[id(profile)] = (profile, tuple(plan))
    return tuple(plan)


def run_rules(
    sub: Submission,
    doc: Mapping[str, Any],
    profile: Profile,
    base_dir: Path | None = None,
    evidence: Evidence | None = None,
    assurance: tuple[Assurance, tuple[str, ...]] = (Assurance.DECLARED_ONLY, ()),
) -> list[Finding]:
    """Every rule the profile enables, as findings with the profile's severities."""
    findings: list[Finding] = []
    known = frozenset(profile_names())
    for rule_id, fn, params, severity in _rule_plan(profile):
        ctx = RuleContext(sub, doc, params, base_dir, evidence, profile, known, *assurance)
        try:
            problems = list(fn(ctx))
        except OverflowError:
            # Schema-valid but absurd magnitudes (1e308 J) overflow the arithmetic: the rule cannot vouch
            # for the file, so it fails with a finding instead of passing or crashing.
            problems = [
                Problem(
                    "",
                    msg(
                        "the figures this rule checks are out of computable range (OverflowError); "
                        "check their magnitudes and units"
                    ),
                )
            ]
        except Exception as exc:
            raise InternalError(
                f"rule {rule_id} failed ({type(exc).__name__}: {exc}); this is a bug in une-eval"
            ) from exc
        findings += [Finding.of(rule_id, severity, p.pointer, p.message) for p in problems]
    return findings


def _finite_results(sub: Submission) -> bool:
    res = sub.results
    return res is None or all(math.isfinite(v) for v in (res.energy_per_unit.value, res.energy_total.total_j))


def check_document(
    doc: Mapping[str, Any],
    *,
    profile: str | Profile | None = None,
    source: str = "<document>",
    base_dir: Path | None = None,
    rating_scheme: str | None = None,
    document: bytes | None = None,
    keep_series: bool = False,
) -> Audit:
    """Check a parsed submission: schema layer, model layer, evidence, then the profile's rules."""
    prof = resolve_profile(doc, profile)
    identity = identity_of(doc)
    base = {
        "source": source,
        "profile": prof.name,
        "identity": identity,
        "document": document,
        "imported": imported_from(doc),
        "profile_document": None if prof.name in profile_names() else prof.to_document(),
    }
    schema = list(schema_findings(dict(doc)))
    if schema:
        return Audit(verdict=Outcome.INVALID, findings=sort_findings(schema), **base)  # type: ignore[arg-type]
    try:
        sub = Submission.model_validate(doc)
    except pydantic.ValidationError as exc:
        return Audit(verdict=Outcome.INVALID, findings=sort_findings(_model_findings(exc)), **base)  # type: ignore[arg-type]
    evidence = None
    if base_dir is not None and sub.measurement.traces:
        from une_eval.validation.evidence import load_evidence  # numpy and the trace readers: only for traces

        evidence = load_evidence(sub, base_dir, series=keep_series)
    assurance, reasons = assurance_of(evidence)
    findings = run_rules(sub, doc, prof, base_dir, evidence, (assurance, reasons))
    rating = rate(sub, rating_scheme) if _finite_results(sub) else None
    return Audit(
        verdict=outcome_for(findings),
        findings=sort_findings(findings),
        assurance=assurance,
        assurance_reasons=reasons,
        required_assurance=prof.required_assurance,
        figures=figures_of(sub, findings, prof, assurance),
        evidence=evidence,
        rating=rating,
        submission=sub,
        nodes=node_table(sub),
        **base,  # type: ignore[arg-type]
    )


def check_bytes(
    data: bytes,
    *,
    source: str,
    base_dir: Path | None,
    profile: str | None = None,
    rating_scheme: str | None = None,
    keep_series: bool = False,
) -> Audit:
    """Parse (safely) and check a submission given as bytes; unreadable input gives an ERROR audit.

    ``keep_series``: also keep each trace's chart series (for a certificate, which then reads no trace again).
    """
    try:
        doc = parse_json_bytes(data)
        if not isinstance(doc, dict):
            raise InputError(f"the top level is a JSON {json_type_name(doc)}, not an object")
    except InputError as exc:
        return Audit(source, Outcome.ERROR, profile or DEFAULT_PROFILE, error=str(exc), document=data)
    return check_document(
        doc,
        profile=profile,
        source=source,
        base_dir=base_dir,
        rating_scheme=rating_scheme,
        document=data,
        keep_series=keep_series,
    )


def check_file(path: Path, *, profile: str | None = None, rating_scheme: str | None = None) -> Audit:
    """Load and check one file; a file that cannot be checked gives an ERROR audit, not an exception."""
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
    except InputError as exc:
        return Audit(str(path), Outcome.ERROR, profile or DEFAULT_PROFILE, error=str(exc))
    return check_bytes(data, source=str(path), base_dir=path.parent, profile=profile, rating_scheme=rating_scheme)
