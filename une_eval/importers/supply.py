"""What an imported draft still lacks, per profile: derived by validating the draft, never from a hand list.

Two sources of need, both read off the validator:

- **Missing fields**: every ``required`` error the JSON Schema raises on the draft, as the pointer of
  the absent field (the same for every profile: the schema does not depend on the profile).
- **Profile rules**: the draft is completed twice with placeholder values generated from the schema
  (two different sets: small and large numbers, different texts, first and last enum members; booleans
  true in both, as the vendor's most favourable answer), the
  profile's rules are run on both, and a finding counts only when both runs raise it with the same
  pointer and the same message. A finding that a placeholder caused changes with the placeholder and
  drops out; what remains holds whatever the vendor supplies for the missing fields (too few runs, no
  SCI block, no training FLOPs, traces a profile needs). Findings at a placeholder's own place are
  left out: the field is already listed as missing.

Placeholders are only a probe: they are never written to the draft.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pydantic

from une_eval.errors import UneEvalError
from une_eval.findings import Finding, pointer
from une_eval.model import Submission
from une_eval.schemas import inline_references, submission_schema
from une_eval.spec import load_profile, profile_names, submission_validator
from une_eval.validation.evidence import load_evidence
from une_eval.validation.pipeline import assurance_of, run_rules

MAX_FILL_ROUNDS = 16
_STRINGS = (
    ("x", "X", "XA", "x0", "a" * 64, "0" * 64, "placeholder"),
    ("y", "Y", "YB", "y1", "b" * 64, "1" * 64, "other-placeholder"),
)


@dataclass(frozen=True, slots=True)
class ProfileNeeds:
    """What one profile still needs from a draft."""

    profile: str
    missing: tuple[str, ...]
    rules: tuple[Finding, ...] = ()
    probe_problem: str | None = None  # why the profile's rules could not be run on the completed draft

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        out: dict[str, Any] = {
            "profile": self.profile,
            "missing": list(self.missing),
            "rules": [f.to_json() for f in self.rules],
        }
        if self.probe_problem:
            out["probe_problem"] = self.probe_problem
        return out


@dataclass(frozen=True, slots=True)
class DraftCheck:
    """The schema's view of a draft: missing fields, and any other schema error (an importer bug)."""

    missing: tuple[str, ...]
    other_errors: tuple[str, ...] = field(default=())


def _errors(doc: dict[str, Any]) -> list[jsonschema.ValidationError]:
    return list(submission_validator().iter_errors(doc))


def _missing(error: jsonschema.ValidationError) -> Iterator[tuple[list[str | int], str]]:
    inst = error.instance
    wanted = error.validator_value
    if error.validator == "required" and isinstance(inst, dict) and isinstance(wanted, list):
        for name in wanted:
            if name not in inst:
                yield list(error.absolute_path), str(name)


def check_draft(doc: dict[str, Any]) -> DraftCheck:
    """The fields the schema requires that the draft lacks, and the draft's other schema errors."""
    missing: set[str] = set()
    other: list[str] = []
    for error in _errors(doc):
        gaps = list(_missing(error))
        for path, name in gaps:
            missing.add(pointer(*path, name))
        if not gaps:
            other.append(f"{pointer(*error.absolute_path) or '/'}: {error.message[:200]}")
    return DraftCheck(tuple(sorted(missing)), tuple(other))


def _combine(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two schema nodes for one place, combined enough to generate an instance meeting both."""
    out = dict(first)
    for key, value in second.items():
        if key == "required":
            out["required"] = [*out.get("required", []), *value]
        elif key == "properties":
            props = dict(out.get("properties", {}))
            for name, sub in value.items():
                props[name] = _combine(props[name], sub) if name in props else sub
            out["properties"] = props
        else:
            out.setdefault(key, value)
    return out


def _properties(node: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = dict(node.get("properties", {}))
    # Conditional branches (if/then) are left to the next fill round: the schema says when they apply.
    parts = [*node.get("allOf", []), *node.get("anyOf", []), *node.get("oneOf", [])]
    for part in parts:
        for name, sub in _properties(part).items():
            props[name] = _combine(props[name], sub) if name in props else sub
    return props


def _schema_at(root: dict[str, Any], path: list[str | int]) -> dict[str, Any]:
    node = root
    for token in path:
        if isinstance(token, int) or node.get("type") == "array":
            node = node.get("items", {})
            for part in node.get("allOf", []):
                if "items" in part:
                    node = part["items"]
        else:
            node = _properties(node).get(token, {})
    return node


def _merged(node: dict[str, Any]) -> dict[str, Any]:
    """A node with its allOf parts merged in (enough to generate an instance)."""
    out = {k: v for k, v in node.items() if k != "allOf"}
    for part in node.get("allOf", []):
        out = _combine(out, _merged(part))
    return out


def _string(node: dict[str, Any], variant: int) -> str:
    fmt = node.get("format")
    if fmt == "date-time":
        return ("2000-01-01T00:00:00Z", "2001-02-03T04:05:06Z")[variant]
    if fmt == "date":
        return ("2000-01-01", "2001-02-03")[variant]
    if fmt == "email":
        return ("x@example.com", "y@example.org")[variant]
    if fmt == "uri":
        return ("https://example.com/x", "https://example.org/y")[variant]
    pattern = node.get("pattern")
    for candidate in _STRINGS[variant]:
        fits = pattern is None or re.search(pattern, candidate) is not None
        if fits and node.get("minLength", 0) <= len(candidate) <= node.get("maxLength", 10**6):
            return candidate
    raise ValueError(f"no placeholder fits the pattern {pattern!r}")


def _number(node: dict[str, Any], variant: int, integer: bool) -> float | int:
    low = node.get("minimum", node.get("exclusiveMinimum", 0))
    if "exclusiveMinimum" in node and "minimum" not in node:
        low = low + 1
    value = max(low, 1) if variant == 0 else max(low, 1) + 1000
    high = node.get("maximum", node.get("exclusiveMaximum"))
    if high is not None and value >= high:
        value = high if "maximum" in node else (low + high) / 2
    return int(value) if integer else float(value)


def placeholder(node: dict[str, Any], variant: int) -> Any:
    """A minimal instance of a schema node (its required properties only), in one of two variants."""
    node = _merged(node)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0 if variant == 0 else -1]
    for key in ("anyOf", "oneOf"):
        if key in node:
            return placeholder(node[key][0], variant)
    kind = node.get("type", "object" if "properties" in node else "string")
    if kind == "object":
        props = _properties(node)
        return {name: placeholder(props.get(name, {}), variant) for name in node.get("required", [])}
    if kind == "array":
        return [placeholder(node.get("items", {}), variant) for _ in range(node.get("minItems", 0))]
    if kind in ("number", "integer"):
        return _number(node, variant, kind == "integer")
    if kind == "boolean":
        return True  # the vendor's answer assumed favourable (complete, affirmed), so what remains is needed anyway
    return _string(node, variant)


def complete(doc: dict[str, Any], variant: int) -> tuple[dict[str, Any], set[str]] | None:
    """The draft with every missing required field filled by a placeholder, and the filled pointers.

    None when the filled document still fails the schema (a placeholder the schema refuses).
    """
    root = inline_references(submission_schema())
    filled = copy.deepcopy(doc)
    placed: set[str] = set()
    for _ in range(MAX_FILL_ROUNDS):
        errors = _errors(filled)
        if not errors:
            return filled, placed
        gaps = [gap for e in errors for gap in _missing(e)]
        if len(gaps) < len(errors):
            return None
        for path, name in gaps:
            container: Any = filled
            for token in path:
                container = container[token]
            if name in container:
                continue
            try:
                container[name] = placeholder(_schema_at(root, [*path, name]), variant)
            except ValueError:
                return None
            placed.add(pointer(*path, name))
    return None


def _under(ptr: str, roots: set[str]) -> bool:
    return any(ptr == r or ptr.startswith(r + "/") for r in roots)


def _probe(filled: dict[str, Any], profile: str, base_dir: Path | None) -> set[tuple[str, str, str]]:
    sub = Submission.model_validate(filled)
    prof = load_profile(profile)
    evidence = load_evidence(sub, base_dir) if base_dir is not None and sub.measurement.traces else None
    findings = run_rules(sub, filled, prof, base_dir, evidence, assurance_of(evidence))
    return {(f.rule_id, f.pointer, f.message) for f in findings}


def profile_needs(doc: dict[str, Any], profile: str, base_dir: Path | None, missing: tuple[str, ...]) -> ProfileNeeds:
    """What ``profile`` needs beyond the missing fields: the rule findings no placeholder changes."""
    completed = [complete(doc, v) for v in (0, 1)]
    if completed[0] is None or completed[1] is None:
        return ProfileNeeds(profile, missing, (), "the draft could not be completed with placeholders")
    try:
        seen = [_probe(filled, profile, base_dir) for filled, _ in completed]  # type: ignore[misc]
    except (pydantic.ValidationError, UneEvalError) as exc:
        return ProfileNeeds(profile, missing, (), f"the profile's rules could not be run ({type(exc).__name__})")
    placed = completed[0][1] | completed[1][1]
    prof = load_profile(profile)
    robust = sorted(
        f for f in seen[0] & seen[1] if not f[0].startswith("import.") and not _under(f[1], placed) and f[1] != ""
    )
    found = tuple(Finding(rule_id, prof.severity_of(rule_id), ptr, message) for rule_id, ptr, message in robust)
    return ProfileNeeds(profile, missing, found)


def still_to_supply(
    doc: dict[str, Any], base_dir: Path | None = None, profiles: list[str] | None = None
) -> list[ProfileNeeds]:
    """For each profile (default: every bundled one), what the draft still lacks."""
    missing = check_draft(doc).missing
    return [profile_needs(doc, name, base_dir, missing) for name in (profiles or profile_names())]
