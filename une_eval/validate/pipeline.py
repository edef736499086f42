"""Run the three layers over one document: schema, model, rules; return a :class:`Verdict`.

Between the model layer and the rules, the pipeline checks that the profile covers the submission's
phase and recomputes the evidence from the raw traces (the only file reading besides the submission);
after the rules, it adds the submission's identity, the evidence and the efficiency rating to the
verdict's extras.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic

from une_eval.errors import SpecError, UneEvalError
from une_eval.findings import Finding, Outcome, Severity, Verdict, outcome_for, pointer, sort_findings
from une_eval.loading import load_json_document
from une_eval.model import Submission
from une_eval.rating import rate
from une_eval.spec import DEFAULT_PROFILE, Profile, load_profile, profile_names
from une_eval.validate.evidence import Evidence, load_evidence
from une_eval.validate.rules import Problem, RuleContext, registered_rules
from une_eval.validate.schema_layer import schema_findings


def resolve_profile(doc: dict[str, Any], requested: str | None) -> tuple[Profile, list[Finding]]:
    """The profile to check against: the one asked for, else the one claimed, else the default."""
    if requested is not None:
        return load_profile(requested), []
    claimed = doc.get("profile", {}).get("name") if isinstance(doc.get("profile"), dict) else None
    if isinstance(claimed, str) and claimed in profile_names():
        return load_profile(claimed), []
    notes = []
    if isinstance(claimed, str):
        notes.append(
            Finding(
                "profile.known",
                Severity.ERROR,
                pointer("profile", "name"),
                f"claims a profile this tool does not ship; checked against {DEFAULT_PROFILE!r}",
            )
        )
    return load_profile(DEFAULT_PROFILE), notes


def _model_findings(error: pydantic.ValidationError) -> list[Finding]:
    return [
        Finding("model." + str(e["type"]), Severity.ERROR, pointer(*e["loc"]), str(e["msg"])[:200])
        for e in error.errors()
    ]


def phase_findings(sub: Submission, profile: Profile) -> list[Finding]:
    """``profile.phase``: the profile covers the submission's phase (e.g. ai-energy-score is inference only)."""
    if sub.phase in profile.phases:
        return []
    return [
        Finding(
            "profile.phase",
            Severity.ERROR,
            pointer("phase"),
            f"profile {profile.name!r} covers {' and '.join(profile.phases)} only; this is a {sub.phase} submission",
        )
    ]


def audit_extras(sub: Submission, evidence: Evidence | None, rating_scheme: str | None) -> dict[str, Any]:
    """Collect what the verdict carries besides findings: identity, recomputed evidence, efficiency rating."""
    extras: dict[str, Any] = {
        "submission": {
            "submission_id": sub.submission_id,
            "phase": sub.phase,
            "organisation": sub.submitter.organisation,
            "model": sub.system.model.name,
        }
    }
    if evidence is not None:
        extras["evidence"] = evidence.to_json()
    rating = rate(sub, rating_scheme)
    if rating is not None:
        extras["rating"] = rating.to_json()
    return extras


def run_rules(
    sub: Submission,
    doc: dict[str, Any],
    profile: Profile,
    base_dir: Path | None = None,
    evidence: Evidence | None = None,
) -> list[Finding]:
    """Every rule the profile enables, as findings with the profile's severities."""
    rules = registered_rules()
    findings: list[Finding] = []
    for rule_id in profile.rules:
        fn = rules.get(rule_id)
        if fn is None:
            raise SpecError(f"profile {profile.name!r} enables rule {rule_id!r}, which has no implementation")
        ctx = RuleContext(sub=sub, doc=doc, params=profile.params(rule_id), base_dir=base_dir, evidence=evidence)
        try:
            problems = list(fn(ctx))
        except KeyError as exc:
            raise SpecError(f"rule {rule_id!r} in profile {profile.name!r}: {exc.args[0]}") from None
        except (ArithmeticError, ValueError) as exc:
            # Schema-valid but absurd magnitudes (1e308 J, 1e-300 work units) overflow the arithmetic: the
            # rule cannot vouch for the file, so it fails instead of passing or crashing.
            problems = [
                Problem(
                    "",
                    f"the figures this rule checks are out of computable range "
                    f"({type(exc).__name__}); check their magnitudes and units",
                )
            ]
        severity = profile.severity_of(rule_id)
        findings += [Finding(rule_id, severity, p.pointer, p.message) for p in problems]
    return findings


def check_document(
    doc: dict[str, Any],
    *,
    profile: str | None = None,
    source: str = "<document>",
    base_dir: Path | None = None,
    rating_scheme: str | None = None,
) -> Verdict:
    """Check a parsed submission: schema layer, then model layer, then the profile's rules."""
    prof, findings = resolve_profile(doc, profile)
    schema = list(schema_findings(doc))
    if schema:
        return Verdict(source, Outcome.INVALID, prof.name, sort_findings(findings + schema))
    try:
        sub = Submission.model_validate(doc)
    except pydantic.ValidationError as exc:
        return Verdict(source, Outcome.INVALID, prof.name, sort_findings(findings + _model_findings(exc)))
    findings += phase_findings(sub, prof)
    evidence = load_evidence(sub, base_dir) if base_dir is not None and sub.measurement.traces else None
    findings += run_rules(sub, doc, prof, base_dir, evidence)
    return Verdict(
        source,
        outcome_for(findings),
        prof.name,
        sort_findings(findings),
        extras=audit_extras(sub, evidence, rating_scheme),
    )


def check_file(path: Path, *, profile: str | None = None, rating_scheme: str | None = None) -> Verdict:
    """Load and check one file; a file that cannot be checked gives an ERROR verdict, not an exception."""
    try:
        doc = load_json_document(path)
        return check_document(doc, profile=profile, source=str(path), base_dir=path.parent, rating_scheme=rating_scheme)
    except SpecError:
        raise
    except UneEvalError as exc:
        return Verdict(str(path), Outcome.ERROR, profile or DEFAULT_PROFILE, (), error=str(exc))
