"""The normative spec: the rule catalogue and the conformance profiles, bundled or a certification body's own.

Every spec file is checked against its schema in ``spec/schemas`` when it is loaded (see
:mod:`une_eval.schemas`, which also owns the schemas, the one reference registry and the validators,
re-exported here). Then a profile is checked against the catalogue: it enables only catalogued rules
and sets exactly the parameters the catalogue declares for each, with values of the declared types.
A profile may extend a bundled profile or, in a profile file, another file (relative path; no cycles;
at most :data:`MAX_EXTENDS_DEPTH` levels): rules, parameters, phases and the required assurance are
inherited, the child's entries override them. Bundled files are read once and cached.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from une_eval.audit import Assurance
from une_eval.errors import SpecError
from une_eval.findings import Severity, pointer
from une_eval.schemas import (
    SCHEMA_VERSION,
    SUBMISSION_SCHEMA_ID,
    SchemaKind,
    SpecFileError,
    SpecProblem,
    bundled_schema,
    check_spec_document,
    compiled_check,
    file_version,
    inline_references,
    looks_like_path,
    passes_compiled,
    problems_against,
    read_bundled,
    read_spec_file,
    registry,
    schema_documents,
    schema_of,
    schema_validator,
    spec_root,
    submission_schema,
    submission_validator,
    validator_for,
)
from une_eval.vocabulary import phases

if TYPE_CHECKING:
    import jsonschema
    import jsonschema_rs

__all__ = [
    "DEFAULT_PROFILE",
    "DEFAULT_VALIDITY_DAYS",
    "MAX_EXTENDS_DEPTH",
    "SCHEMA_VERSION",
    "SUBMISSION_SCHEMA_ID",
    "Assurance",
    "Profile",
    "RuleInfo",
    "SchemaKind",
    "SpecFileError",
    "SpecProblem",
    "bundled_schema",
    "inline_references",
    "load_profile",
    "profile_from_document",
    "profile_names",
    "registry",
    "rule_catalogue",
    "schema_documents",
    "schema_of",
    "schema_validator",
    "spec_root",
    "submission_schema",
    "submission_validator",
]

DEFAULT_PROFILE = "une-style"
# How long a certificate issued under a profile stays valid when the profile (and those it extends) say nothing.
DEFAULT_VALIDITY_DAYS = 365
MAX_EXTENDS_DEPTH = 8


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One entry of the rule catalogue (``spec/rules.json``)."""

    rule_id: str
    title: str
    severity: Severity
    rationale: str
    source: str
    parameters: dict[str, str] = field(default_factory=dict)  # name -> meaning
    parameter_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> JSON Schema of its value


@functools.cache
def rule_catalogue() -> dict[str, RuleInfo]:
    """The rule catalogue, by rule id, checked against ``rules.schema.json``."""
    raw = check_spec_document(SchemaKind.RULES, read_bundled("rules.json"), "spec/rules.json", bundled=True)
    out: dict[str, RuleInfo] = {}
    for index, entry in enumerate(raw["rules"]):
        if entry["id"] in out:
            raise SpecFileError("spec/rules.json", [SpecProblem(pointer("rules", index, "id"), "duplicate rule id")])
        params = entry.get("parameters", {})
        out[entry["id"]] = RuleInfo(
            rule_id=entry["id"],
            title=entry["title"],
            severity=Severity(entry["severity"]),
            rationale=entry["rationale"],
            source=entry["source"],
            parameters={k: v["description"] for k, v in params.items()},
            parameter_schemas={k: v["schema"] for k, v in params.items()},
        )
    return out


@dataclass(frozen=True, slots=True)
class Profile:
    """A conformance profile: which rules run, with which parameters and severities."""

    name: str
    version: str
    title: str
    description: str
    sources: tuple[str, ...]
    phases: tuple[str, ...]
    rules: dict[str, dict[str, Any]]
    extends: str | None = None
    required_assurance: Assurance = Assurance.EVIDENCE_CHECKED
    validity_days: int = DEFAULT_VALIDITY_DAYS  # a certificate's validity period (printed on it, kept in the register)
    path: str | None = None  # the file it was read from; None for a bundled profile

    def severity_of(self, rule_id: str) -> Severity:
        """The severity this profile gives a rule (the catalogue's default unless overridden)."""
        override = self.rules.get(rule_id, {}).get("severity")
        return Severity(override) if override else rule_catalogue()[rule_id].severity

    def params(self, rule_id: str) -> dict[str, Any]:
        """The parameters this profile sets for a rule (without the severity override)."""
        return {k: v for k, v in self.rules.get(rule_id, {}).items() if k != "severity"}

    def needs_evidence(self) -> bool:
        """Whether a conformant verdict needs the declared energies recomputed from raw traces."""
        return self.required_assurance is Assurance.EVIDENCE_CHECKED

    def to_document(self) -> dict[str, Any]:
        """Return the profile as one self-contained document (rules merged, no ``extends``).

        It meets ``profile.schema.json``, and :func:`profile_from_document` reads it back with the same
        rules, parameters, severities, phases and required assurance: what a certificate can carry so
        that the profile it was checked against travels with it.
        """
        return {
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "sources": list(self.sources),
            "phases": list(self.phases),
            "required_assurance": self.required_assurance.value,
            "validity_days": self.validity_days,
            "rules": {rule_id: dict(settings) for rule_id, settings in self.rules.items()},
        }


@functools.cache
def _bundled_profile_names() -> tuple[str, ...]:
    # Listed once per process: the pipeline asks for every file it checks.
    folder = spec_root().joinpath("profiles")
    return tuple(sorted(n.name.removesuffix(".json") for n in folder.iterdir() if n.name.endswith(".json")))


def profile_names() -> list[str]:
    """Names of the bundled profiles."""
    return list(_bundled_profile_names())


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a profile comes from: a bundled name, or a file."""

    key: str  # the bundled name, or the file's absolute path
    origin: str  # how messages name it
    path: Path | None = None  # a file; None for a bundled profile or a document given in memory


def _locate(reference: str, relative_to: Path | None, bundled_only: bool) -> _Source:
    if reference in profile_names() and not (relative_to is not None and looks_like_path(reference)):
        return _Source(reference, f"spec/profiles/{reference}.json")
    if bundled_only or not looks_like_path(reference):
        files = "" if bundled_only else "; or give a profile file (a path ending in .json)"
        raise SpecError(f"unknown profile {reference!r}; bundled profiles: {', '.join(profile_names())}{files}")
    path = Path(reference) if relative_to is None else relative_to / reference
    return _Source(str(path.resolve()), reference if relative_to is None else str(path), path)


def load_profile(name: str) -> Profile:
    """A bundled profile by name, or a profile file by path (ends in .json or holds a '/'), merged with its parents.

    Read once and cached; a profile file is read again when its modification time or size changes.
    """
    return _load_cached(name, file_version(name))


@functools.cache
def _load_cached(name: str, _version: tuple[int, int] | None) -> Profile:
    return _load(_locate(name, None, bundled_only=False), ())


def profile_from_document(doc: Any, origin: str) -> Profile:
    """A profile from a parsed document (e.g. one a certificate carries), checked like a profile file.

    It may extend a bundled profile only (nothing is read from the file system) and may carry a bundled
    profile's name (as :meth:`Profile.to_document` of a bundled profile does).
    """
    return _build(doc, _Source(f"<{origin}>", origin), ())


def _load(source: _Source, chain: tuple[str, ...]) -> Profile:
    if source.path is not None:
        return _build(read_spec_file(source.path), source, chain)
    return _build(read_bundled("profiles", f"{source.key}.json"), source, chain, bundled=True)


def _build(doc: Any, source: _Source, chain: tuple[str, ...], *, bundled: bool = False) -> Profile:
    raw = check_spec_document(SchemaKind.PROFILE, doc, source.origin, bundled=bundled)
    problems = _own_problems(raw, source, bundled)
    parent = None
    if "extends" in raw:
        parent_source = _locate(raw["extends"], source.path.parent if source.path else None, source.path is None)
        if parent_source.key in (*chain, source.key):
            problems.append(
                SpecProblem("/extends", f"extends {raw['extends']!r}, which extends this profile (a cycle)")
            )
        elif len(chain) + 1 >= MAX_EXTENDS_DEPTH:
            problems.append(SpecProblem("/extends", f"profiles extend each other more than {MAX_EXTENDS_DEPTH} deep"))
        else:
            parent = _load(parent_source, (*chain, source.key))
    rules = _merged_rules(parent, raw["rules"])
    problems += _missing_parameters(rules)
    if problems:
        raise SpecFileError(source.origin, problems)
    return Profile(
        name=raw["name"],
        version=raw["version"],
        title=raw["title"],
        description=raw["description"],
        sources=tuple(raw["sources"]),
        phases=tuple(raw.get("phases", parent.phases if parent else phases())),
        rules=rules,
        extends=raw.get("extends"),
        required_assurance=Assurance(
            raw.get("required_assurance", parent.required_assurance if parent else Assurance.EVIDENCE_CHECKED)
        ),
        validity_days=int(raw.get("validity_days", parent.validity_days if parent else DEFAULT_VALIDITY_DAYS)),
        path=str(source.path) if source.path else None,
    )


def _own_problems(raw: dict[str, Any], source: _Source, bundled: bool) -> list[SpecProblem]:
    """What a profile file's own entries get wrong against the catalogue (and a borrowed bundled name)."""
    problems: list[SpecProblem] = []
    if source.path is not None and raw["name"] in profile_names():  # a file; a document may carry one
        problems.append(SpecProblem("/name", f"{raw['name']!r} is a bundled profile's name; give the file its own"))
    catalogue = rule_catalogue()
    for rule_id, settings in raw["rules"].items():
        info = catalogue.get(rule_id)
        if info is None:
            problems.append(SpecProblem(pointer("rules", rule_id), f"{rule_id!r} is not in the rule catalogue"))
        elif settings is not False:
            problems += _parameter_problems(info, settings, bundled)
    return problems


def _parameter_problems(info: RuleInfo, settings: dict[str, Any], bundled: bool) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    for name, value in settings.items():
        if name == "severity":
            continue
        if name not in info.parameter_schemas:
            takes = ", ".join(info.parameters) or "no parameters"
            message = f"rule {info.rule_id} has no parameter {name!r} (it takes: {takes})"
            problems.append(SpecProblem(pointer("rules", info.rule_id, name), message))
        elif not (bundled and passes_compiled(_compiled_parameter_check(info.rule_id, name), value)):
            problems += problems_against(_parameter_validator(info.rule_id, name), value, "rules", info.rule_id, name)
    return problems


@functools.cache
def _parameter_validator(rule_id: str, name: str) -> jsonschema.Draft202012Validator:
    return validator_for(rule_catalogue()[rule_id].parameter_schemas[name])


@functools.cache
def _compiled_parameter_check(rule_id: str, name: str) -> jsonschema_rs.Validator | None:
    """A bundled profile's parameter values pass this quick check; anything it refuses goes to the validator above."""
    return compiled_check(rule_catalogue()[rule_id].parameter_schemas[name])


def _merged_rules(parent: Profile | None, own: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rules = {k: dict(v) for k, v in parent.rules.items()} if parent else {}
    for rule_id, settings in own.items():
        if settings is False:
            rules.pop(rule_id, None)
        else:
            rules[rule_id] = {**rules.get(rule_id, {}), **settings}
    return rules


def _missing_parameters(rules: dict[str, dict[str, Any]]) -> list[SpecProblem]:
    problems = []
    catalogue = rule_catalogue()
    for rule_id, settings in rules.items():
        info = catalogue.get(rule_id)
        missing = [p for p in info.parameters if p not in settings] if info else []
        if missing:
            needs = ", ".join(repr(m) for m in missing)
            problems.append(SpecProblem(pointer("rules", rule_id), f"rule {rule_id} needs the parameter(s) {needs}"))
    return problems
