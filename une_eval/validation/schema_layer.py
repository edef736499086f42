"""The schema layer: every JSON Schema error of a document as a finding with its JSON Pointer.

Validation is compiled (jsonschema-rs, draft 2020-12): the bundled schemas are loaded into one
registry, references resolve only there (never over the network), and the formats the schema names
(date-time, date, email, uri) are checked to their RFCs; a format the validator does not know is a
spec error, not a pass. Each error becomes one finding whose rule id is ``schema.<keyword>`` and whose
message is one plain sentence written here, so it does not change with the validator's wording.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import jsonschema_rs
import msgspec

from une_eval.errors import InputError, SpecError
from une_eval.findings import Finding, Severity, pointer
from une_eval.loading import json_type_name
from une_eval.spec import SUBMISSION_SCHEMA_ID, schema_documents

if TYPE_CHECKING:
    import jsonschema

MAX_SCHEMA_FINDINGS = 500
_MAX_SHOWN = 60
_BOUND_WORDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}
_COUNT_WORDS = {
    "minLength": ("text", "at least", "characters long"),
    "maxLength": ("text", "at most", "characters long"),
    "minItems": ("list", "at least", "items"),
    "maxItems": ("list", "at most", "items"),
    "minProperties": ("object", "at least", "properties"),
    "maxProperties": ("object", "at most", "properties"),
}
# Keywords with a sentence of their own below; tests hold the bundled schema to this set.
DESCRIBED_KEYWORDS = frozenset(
    {"required", "additionalProperties", "type", "enum", "const", "format", "pattern", "not", "multipleOf"}
    | set(_BOUND_WORDS)
    | set(_COUNT_WORDS)
    | {"uniqueItems", "anyOf", "oneOf", "falseSchema"}
)


def short_value(value: Any) -> str:
    """A vendor value for a message: scalars as written in Python, containers by their JSON type, cut at 60."""
    text = repr(value) if not isinstance(value, dict | list) else json_type_name(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def describe(keyword: str, instance: Any, detail: dict[str, Any]) -> str:
    """One plain sentence for a schema error; vendor values are shortened, never echoed whole.

    ``detail`` holds what the keyword demanded: ``missing`` (required), ``unexpected`` (additional
    properties), ``types``, ``options`` (enum), ``expected`` (const), ``limit``, ``format``, ``pattern``,
    ``forbidden`` (the properties a ``not`` keeps out).
    """
    inst = short_value(instance)
    if keyword == "required":
        return f"missing required property {detail['missing']!r}"
    if keyword == "additionalProperties":
        extra = sorted(detail["unexpected"])[:5]
        return f"unknown property {', '.join(short_value(k) for k in extra)} (not in the schema)"
    if keyword == "type":
        wanted = " or ".join(sorted(detail["types"]))
        article = "an" if wanted[:1] in "aeiou" else "a"
        return f"expected {article} {wanted}, found a JSON {json_type_name(instance)}"
    if keyword == "enum":
        return f"{inst} is not one of {', '.join(map(repr, detail['options']))}"
    if keyword == "const":
        return f"{inst} must be {detail['expected']!r}"
    if keyword in _BOUND_WORDS:
        return f"{inst} must be {_BOUND_WORDS[keyword]} {detail['limit']}"
    if keyword == "multipleOf":
        return f"{inst} must be a multiple of {detail['limit']}"
    if keyword in _COUNT_WORDS:
        what, bound, unit = _COUNT_WORDS[keyword]
        return f"{what} must have {bound} {detail['limit']} {unit}"
    if keyword == "format":
        return f"{inst} is not a valid {detail['format']}"
    if keyword == "pattern":
        shown = f" (pattern {detail['pattern']})" if len(detail["pattern"]) <= 40 else ""
        return f"{inst} does not have the required form{shown}"
    if keyword == "not":
        return f"must not contain {', '.join(repr(k) for k in detail['forbidden'])} for this phase"
    if keyword == "uniqueItems":
        return "list items must all be different"
    if keyword == "anyOf":
        return f"{inst} matches none of the allowed forms"
    if keyword == "oneOf":
        return f"{inst} must match exactly one of the allowed forms"
    return f"{inst} is not allowed here ({keyword})"


def _detail(kind: jsonschema_rs.ValidationErrorKind) -> dict[str, Any]:
    fields: dict[str, Any] = kind.as_dict()
    if kind.name == "required":
        return {"missing": fields["property"]}
    if kind.name == "const":
        return {"expected": fields["expected_value"]}
    if kind.name == "multipleOf":
        return {"limit": fields["multiple_of"]}
    if kind.name == "not":
        schema = fields["schema"]
        return {"forbidden": schema.get("required", []) if isinstance(schema, dict) else []}
    return fields


def describe_error(error: jsonschema.ValidationError) -> str:
    """The same sentence for an error of python-jsonschema (the declarations check, the tests' reference)."""
    keyword = str(error.validator)
    inst: Any = error.instance
    value: Any = error.validator_value
    schema: Any = error.schema
    detail: dict[str, Any] = {"limit": value}
    if keyword == "required":
        # python-jsonschema raises one error per missing property, naming it in its message.
        detail = {"missing": next((p for p in value if error.message == f"{p!r} is a required property"), "?")}
    elif keyword == "additionalProperties":
        detail = {"unexpected": [k for k in inst if k not in schema.get("properties", {})]}
    elif keyword == "type":
        detail = {"types": value if isinstance(value, list) else [value]}
    elif keyword in ("enum", "const"):
        detail = {"options": value, "expected": value}
    elif keyword in ("format", "pattern"):
        detail = {keyword: value}
    elif keyword == "not":
        detail = {"forbidden": value.get("required", []) if isinstance(value, dict) else []}
    return describe(keyword, inst, detail)


@functools.cache
def compiled_validator() -> jsonschema_rs.Validator:
    """The submission schema compiled once: bundled references only, formats checked, none unknown."""
    try:
        return jsonschema_rs.Draft202012Validator(
            schema_documents()[SUBMISSION_SCHEMA_ID],
            validate_formats=True,
            ignore_unknown_formats=False,
            registry=jsonschema_rs.Registry(list(schema_documents().items())),
            base_uri=SUBMISSION_SCHEMA_ID,
            offline=True,
            # An address, not a display form ("Name <a@b.example>").
            email_options=jsonschema_rs.EmailOptions(allow_display_text=False),
        )
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
        raise SpecError(f"the bundled submission schema does not compile: {str(exc).splitlines()[0]}") from None


def _float_of(value: Any) -> float:
    """A float subclass as a plain float: the loader's literal-keeping numbers, or numpy's in a built document."""
    if isinstance(value, float):
        return float(value)
    raise TypeError(type(value).__name__)


_PLAIN_ENCODER = msgspec.json.Encoder(enc_hook=_float_of)


def plain_json(doc: Any) -> Any:
    """The document with plain JSON types only (the compiled validator refuses float subclasses).

    A round trip through compiled JSON encoding is about twice as fast as a Python walk. Floats that
    JSON cannot hold (NaN, infinity: only an in-memory document can have them) become null, which the
    schema then rejects, instead of passing unchecked.
    """
    try:
        return msgspec.json.decode(_PLAIN_ENCODER.encode(doc))
    except (TypeError, msgspec.EncodeError) as exc:
        raise InputError(f"the document holds a value JSON cannot represent ({exc})") from None


def schema_findings(doc: dict[str, Any]) -> Iterator[Finding]:
    """Yield one finding per schema error (capped at :data:`MAX_SCHEMA_FINDINGS`)."""
    found = [
        Finding(
            rule_id=f"schema.{error.kind.name}",
            severity=Severity.ERROR,
            pointer=pointer(*error.instance_path),
            message=describe(error.kind.name, error.instance, _detail(error.kind)),
        )
        for error in compiled_validator().iter_errors(plain_json(doc))
    ]
    found.sort(key=lambda f: (f.pointer, f.rule_id, f.message))
    yield from found[:MAX_SCHEMA_FINDINGS]
    if len(found) > MAX_SCHEMA_FINDINGS:
        yield Finding(
            "schema.too-many", Severity.ERROR, "", f"{len(found) - MAX_SCHEMA_FINDINGS} more schema errors not listed"
        )
