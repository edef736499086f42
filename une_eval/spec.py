"""The normative spec shipped in the wheel: JSON Schemas, profiles and the rule catalogue.

Everything is read from the package's ``_spec`` folder (the repository's ``spec/``) through
:mod:`importlib.resources`, once, and cached. One :class:`referencing.Registry` holds every schema so
``$ref`` between files resolves without touching the file system or the network. python-jsonschema
and referencing are imported by the functions that use them (declarations, tests), not by validation,
which compiles the schemas with jsonschema-rs (:mod:`une_eval.validate.schema_layer`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from une_eval.errors import SpecError
from une_eval.findings import Severity

if TYPE_CHECKING:
    import jsonschema
    import referencing
    import referencing._core

SCHEMA_VERSION = "1.0"
DEFAULT_PROFILE = "une-style"
SUBMISSION_SCHEMA_ID = f"https://une-eval.github.io/spec/schemas/{SCHEMA_VERSION}/submission.schema.json"


def spec_root() -> Traversable:
    """The folder holding the bundled spec."""
    return resources.files("une_eval").joinpath("_spec")


def _read_json(node: Traversable) -> Any:
    try:
        return json.loads(node.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read bundled spec file {node.name}: {exc}") from None


@functools.cache
def schema_documents() -> dict[str, dict[str, Any]]:
    """Every bundled schema of the current version, by ``$id``."""
    folder = spec_root().joinpath("schemas", SCHEMA_VERSION)
    docs: dict[str, dict[str, Any]] = {}
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if node.name.endswith(".schema.json"):
            doc = _read_json(node)
            docs[doc["$id"]] = doc
    if SUBMISSION_SCHEMA_ID not in docs:
        raise SpecError(f"the bundled spec has no schema with $id {SUBMISSION_SCHEMA_ID}")
    return docs


@functools.cache
def registry() -> referencing.Registry[Any]:
    """A registry with every bundled schema; unknown references fail instead of being fetched."""
    import referencing  # loaded only where used (not by validation)
    from referencing.jsonschema import DRAFT202012

    resources_ = [(uri, DRAFT202012.create_resource(doc)) for uri, doc in schema_documents().items()]
    return referencing.Registry().with_resources(resources_).crawl()


def submission_schema() -> dict[str, Any]:
    """The submission JSON Schema as a dict (what ``une-eval schema`` prints)."""
    return schema_documents()[SUBMISSION_SCHEMA_ID]


_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})


def inline_references(schema: dict[str, Any]) -> dict[str, Any]:
    """The submission schema with every ``$ref`` replaced by its target (our schemas are not recursive).

    Same meaning, no reference lookups at validation time: this halves the schema layer's cost.
    A ``$ref`` with assertion keywords beside it becomes an ``allOf`` so that both still apply.
    """
    resolver = registry().resolver(base_uri=SUBMISSION_SCHEMA_ID)

    def walk(node: Any, resolver: referencing._core.Resolver[Any], depth: int) -> Any:
        if depth > 64:
            raise SpecError("the bundled schema nests references more than 64 deep (recursive $ref?)")
        if isinstance(node, list):
            return [walk(v, resolver, depth) for v in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            target = walk(resolved.contents, resolved.resolver, depth + 1)
            siblings = {k: walk(v, resolver, depth) for k, v in node.items() if k != "$ref"}
            if set(siblings) <= _ANNOTATIONS:
                return {**target, **siblings}
            return {"allOf": [target, siblings]}
        return {k: (v if k in ("enum", "const") else walk(v, resolver, depth)) for k, v in node.items()}

    inlined: dict[str, Any] = walk(schema, resolver, 0)
    inlined.pop("$defs", None)
    return inlined


@functools.cache
def submission_validator() -> jsonschema.Draft202012Validator:
    """A python-jsonschema validator for submissions, checking formats (date-time, date, email, uri) for real.

    Validation of submissions uses the compiled validator of the schema layer; this one serves the
    declarations check before a measurement and the tests' reference back end.
    """
    import jsonschema  # loaded only where used (not by validation)

    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    missing = {"date-time", "date", "uri", "email"} - set(checker.checkers)
    if missing:
        raise SpecError(
            f"jsonschema cannot check the formats {sorted(missing)}: install rfc3339-validator and rfc3986-validator"
        )
    return jsonschema.Draft202012Validator(inline_references(submission_schema()), format_checker=checker)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One entry of the rule catalogue (``spec/rules.json``)."""

    rule_id: str
    title: str
    severity: Severity
    rationale: str
    source: str
    parameters: dict[str, str] = field(default_factory=dict)


@functools.cache
def rule_catalogue() -> dict[str, RuleInfo]:
    """The rule catalogue, by rule id."""
    raw = _read_json(spec_root().joinpath("rules.json"))
    out: dict[str, RuleInfo] = {}
    for entry in raw["rules"]:
        out[entry["id"]] = RuleInfo(
            rule_id=entry["id"],
            title=entry["title"],
            severity=Severity(entry["severity"]),
            rationale=entry["rationale"],
            source=entry["source"],
            parameters=dict(entry.get("parameters", {})),
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

    def severity_of(self, rule_id: str) -> Severity:
        """The severity this profile gives a rule (the catalogue's default unless overridden)."""
        override = self.rules.get(rule_id, {}).get("severity")
        return Severity(override) if override else rule_catalogue()[rule_id].severity

    def params(self, rule_id: str) -> dict[str, Any]:
        """The parameters this profile sets for a rule (without the severity override)."""
        return {k: v for k, v in self.rules.get(rule_id, {}).items() if k != "severity"}


@functools.cache
def _bundled_profile_names() -> tuple[str, ...]:
    # Listed once per process: the pipeline asks for every file it checks.
    folder = spec_root().joinpath("profiles")
    return tuple(sorted(n.name.removesuffix(".json") for n in folder.iterdir() if n.name.endswith(".json")))


def profile_names() -> list[str]:
    """Names of the bundled profiles."""
    return list(_bundled_profile_names())


@functools.cache
def load_profile(name: str) -> Profile:
    """A bundled profile by name, with the profiles it extends merged in."""
    if name not in profile_names():
        raise SpecError(f"unknown profile {name!r}; bundled profiles: {', '.join(profile_names())}")
    raw = _read_json(spec_root().joinpath("profiles", f"{name}.json"))
    rules: dict[str, dict[str, Any]] = {}
    parent_name = raw.get("extends")
    if parent_name:
        if parent_name == name:
            raise SpecError(f"profile {name!r} extends itself")
        rules = {k: dict(v) for k, v in load_profile(parent_name).rules.items()}
    catalogue = rule_catalogue()
    for rule_id, params in raw.get("rules", {}).items():
        if rule_id not in catalogue:
            raise SpecError(f"profile {name!r} names rule {rule_id!r}, which is not in the rule catalogue")
        if params is False:
            rules.pop(rule_id, None)
        else:
            rules[rule_id] = {**rules.get(rule_id, {}), **params}
    return Profile(
        name=raw["name"],
        version=raw["version"],
        title=raw["title"],
        description=raw["description"],
        sources=tuple(raw.get("sources", [])),
        phases=tuple(raw.get("phases", ["training", "inference"])),
        rules=rules,
        extends=parent_name,
    )
