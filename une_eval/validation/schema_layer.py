"""The schema layer: every JSON Schema error of a document as a finding with its JSON Pointer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema

from une_eval.findings import Finding, Severity, pointer
from une_eval.loading import json_type_name
from une_eval.spec import submission_validator

MAX_SCHEMA_FINDINGS = 500
_MAX_SHOWN = 60


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, dict | list) else json_type_name(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def describe_error(error: jsonschema.ValidationError) -> str:
    """One plain sentence per keyword; vendor values are shortened, never echoed whole."""
    kw, inst = error.validator, error.instance
    val: Any = error.validator_value
    schema: Any = error.schema
    if kw == "required":
        # jsonschema raises one error per missing property, naming it in its message.
        missing = [p for p in val if isinstance(inst, dict) and p not in inst and repr(p) in error.message]
        return f"missing required property {', '.join(repr(m) for m in missing)}"
    if kw == "additionalProperties":
        extra = sorted(k for k in inst if k not in schema.get("properties", {})) if isinstance(inst, dict) else []
        return f"unknown property {', '.join(_short(k) for k in extra[:5])} (not in the schema)"
    if kw == "type":
        wanted = " or ".join(val) if isinstance(val, list) else str(val)
        article = "an" if wanted[:1] in "aeiou" else "a"
        return f"expected {article} {wanted}, found a JSON {json_type_name(inst)}"
    if kw == "enum":
        return f"{_short(inst)} is not one of {', '.join(map(repr, val))}"
    if kw == "const":
        return f"{_short(inst)} must be {val!r}"
    if kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "greater than",
            "exclusiveMaximum": "less than",
        }
        return f"{_short(inst)} must be {words[kw]} {val}"
    if kw == "format":
        return f"{_short(inst)} is not a valid {val}"
    if kw == "pattern":
        shown = f" (pattern {val})" if len(str(val)) <= 40 else ""
        return f"{_short(inst)} does not have the required form{shown}"
    if kw in ("minLength", "maxLength"):
        return f"text must be {'at least' if kw == 'minLength' else 'at most'} {val} characters long"
    if kw in ("minItems", "maxItems"):
        return f"list must have {'at least' if kw == 'minItems' else 'at most'} {val} items"
    if kw == "not":
        return f"must not contain {', '.join(repr(k) for k in val.get('required', []))} for this phase"
    text = error.message
    return text if len(text) <= 200 else text[:197] + "..."


def schema_findings(doc: dict[str, Any]) -> Iterator[Finding]:
    """Yield one finding per schema error (capped at :data:`MAX_SCHEMA_FINDINGS`)."""
    errors = sorted(submission_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors[:MAX_SCHEMA_FINDINGS]:
        yield Finding(
            rule_id=f"schema.{error.validator}",
            severity=Severity.ERROR,
            pointer=pointer(*error.absolute_path),
            message=describe_error(error),
        )
    if len(errors) > MAX_SCHEMA_FINDINGS:
        yield Finding(
            "schema.too-many", Severity.ERROR, "", f"{len(errors) - MAX_SCHEMA_FINDINGS} more schema errors not listed"
        )
