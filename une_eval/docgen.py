"""Generate the reference docs from ``spec/`` so they cannot drift: ``python -m une_eval.docgen [DOCS_DIR]``.

Writes ``schema.md`` (every property of the submission schema, its type, constraints and meaning)
and ``rules.md`` (the rule catalogue). A test regenerates both and fails when the committed files differ.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import referencing._core

from une_eval.schemas import lookup
from une_eval.spec import (
    SUBMISSION_SCHEMA_ID,
    SchemaKind,
    load_profile,
    profile_names,
    registry,
    rule_catalogue,
    submission_schema,
)

_CONSTRAINTS = (
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "format",
    "const",
)


Resolver = referencing._core.Resolver[Any]


def _resolve(node: dict[str, Any], resolver: Resolver) -> tuple[dict[str, Any], Resolver]:
    """Follow ``$ref`` chains through the one registry; keywords beside a ``$ref`` add to its target."""
    while "$ref" in node:
        resolved = lookup(resolver, node["$ref"])
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        merged = {**resolved.contents, **siblings}
        if "required" in siblings and "required" in resolved.contents:
            merged["required"] = [*resolved.contents["required"], *siblings["required"]]
        node, resolver = merged, resolved.resolver
    return node, resolver


def _type_of(node: dict[str, Any]) -> str:
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type", "")
    if kind == "array":
        return "array"
    return str(kind) if kind else "object"


def _constraints(node: dict[str, Any]) -> str:
    parts = []
    for key in _CONSTRAINTS:
        if key in node and key != "const":
            value = node[key]
            parts.append(f"{key} `{value}`" if key == "pattern" else f"{key} {value}")
    return "; ".join(parts)


def _walk(
    node: dict[str, Any], path: str, resolver: Resolver, depth: int = 0
) -> Iterator[tuple[str, str, bool, str, str]]:
    node, resolver = _resolve(node, resolver)
    if depth > 12:
        return
    if node.get("type") == "array" and "items" in node:
        yield from _walk(node["items"], path + "[]", resolver, depth + 1)
        return
    required = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        target, where = _resolve(sub, resolver)
        child = f"{path}.{name}" if path else name
        desc = " ".join(str(target.get("description", "")).split())
        items = target.get("items")
        kind = _type_of(target)
        if items is not None:
            item_node, _ = _resolve(items, where)
            kind = f"array of {_type_of(item_node)}"
        yield child, kind, name in required, _constraints(target), desc
        if target.get("type") == "object" or "properties" in target or items is not None:
            yield from _walk(target, child, where, depth + 1)


def schema_markdown() -> str:
    """The schema reference as Markdown."""
    schema = submission_schema()
    lines = [
        "# Submission schema reference (version 1.0)",
        "",
        "Generated from `spec/schemas/1.0/` by `python -m une_eval.docgen`; do not edit by hand.",
        f"The normative schema is `{schema['$id']}` (JSON Schema draft 2020-12); print it with `une-eval schema`.",
        "",
        " ".join(schema["description"].split()),
        "",
        "Conditional requirements: an `inference` submission has `workload.inference` and no `workload.training`,",
        "a `training` submission the reverse; a submission whose `measurement.complete` is true has `results`;",
        "a measurement method `unavailable` or `estimate` needs a `reason`, any other method an `instrument`.",
        "",
        "Contents: [the submission's properties](#properties), [the schemas of the spec's own files]"
        "(#the-schemas-of-the-specs-own-files), [using the schema in an editor or another validator]"
        "(#using-the-schema-in-an-editor-or-another-validator).",
        "",
        "## Properties",
        "",
        "| property | type | required | constraints | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    resolver = registry().resolver(base_uri=SUBMISSION_SCHEMA_ID)
    for path, kind, required, constraints, desc in _walk(schema, "", resolver):
        cells = [
            f"`{path}`",
            kind,
            "yes" if required else "",
            constraints.replace("|", "\\|"),
            desc.replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", *_spec_files_section(), "", *_editor_section()]) + "\n"


_SPEC_FILES = {
    SchemaKind.SUBMISSION: "a vendor's or an auditor's submission (this page)",
    SchemaKind.DECLARATIONS: "what `une-eval measure --declarations` reads: the parts of a submission that "
    "cannot be measured (`submitter`, `attestation`, `system.model`, `system.software` without `os`, "
    "`system.site`, `workload`), in the shapes above",
    SchemaKind.PROFILE: "a conformance profile (`spec/profiles/`, or a body's own file: [profiles.md](profiles.md))",
    SchemaKind.RULES: "the rule catalogue `spec/rules.json`, with the JSON Schema of each rule's parameters",
    SchemaKind.RATING_SCHEME: "an efficiency rating scheme (`spec/ratings/`, or a body's own file)",
}


def _spec_files_section() -> list[str]:
    lines = [
        "## The schemas of the spec's own files",
        "",
        "Every file in `spec/` meets a schema in `spec/schemas/1.0/`, checked whenever une-eval loads it; a "
        "profile, rating scheme or declarations file a user passes is checked the same way, and refused "
        "with exit code 2 and the JSON Pointer of its first problem. `$ref` between the files resolve "
        "through one registry inside une-eval, never over the network; `common.schema.json` holds the "
        "definitions and vocabularies (phases, components, units) the others share. Print one with "
        "`une-eval schema KIND`.",
        "",
        "| KIND | `$id` | describes |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{kind.value}` | `{kind.schema_id}` | {text} |" for kind, text in _SPEC_FILES.items()]
    return lines


def _editor_section() -> list[str]:
    return [
        "## Using the schema in an editor or another validator",
        "",
        "The schemas' `$id` addresses are names, which une-eval never fetches. A validator given "
        "`submission.schema.json` as written would try to download `common.schema.json` from that host, which "
        "fails offline and need not match your installed version. `--bundle` prints one self-contained "
        "document instead, with the same `$id` and the other files' definitions moved into its `$defs` "
        "(`#/$defs/common.text`, ...), which any draft 2020-12 validator uses offline:",
        "",
        "    une-eval schema --bundle > une-eval-submission.schema.json",
        "    une-eval schema profile --bundle > une-eval-profile.schema.json",
        "    check-jsonschema --schemafile une-eval-submission.schema.json submissions/*.json",
        "",
        "VS Code: map files to the bundle in the workspace's `.vscode/settings.json` (the `url` may be a path "
        "relative to the workspace folder),",
        "",
        "    {",
        '      "json.schemas": [',
        '        {"fileMatch": ["/submissions/*.json"], "url": "./une-eval-submission.schema.json"},',
        '        {"fileMatch": ["/profiles/*.json"], "url": "./une-eval-profile.schema.json"}',
        "      ]",
        "    }",
        "",
        "or name the schema in the file itself, as a path relative to the file (starting with `./` or `../`): "
        '`"$schema": "../une-eval-submission.schema.json"`. Submissions, declarations, profiles and rating '
        "schemes may carry a `$schema` property; une-eval ignores its value. Editors then complete property "
        "names, show each property's meaning and flag schema errors as you type; the profile's rules and "
        "parameters are checked against the rule catalogue by une-eval itself (`une-eval profiles --show "
        "FILE`).",
    ]


def _value_type(schema: dict[str, Any]) -> str:
    """A parameter's value type in a few words, e.g. ``number; minimum 0``."""
    node, resolver = _resolve(schema, registry().resolver(base_uri=SUBMISSION_SCHEMA_ID))
    kind = _type_of(node)
    if "items" in node:
        kind = f"array of {_type_of(_resolve(node['items'], resolver)[0])}"
    constraints = _constraints(node)
    return f"{kind}; {constraints}" if constraints else kind


def rules_markdown() -> str:
    """The rule catalogue as Markdown, with each bundled profile's parameters."""
    profiles = [load_profile(n) for n in profile_names()]
    lines = [
        "# Rule catalogue",
        "",
        "Generated from `spec/rules.json` and `spec/profiles/` by `python -m une_eval.docgen`; do not edit by hand.",
        "Every finding names one of these rule ids (schema errors are `schema.<keyword>`). Severity is the default;",
        "a profile may override it. `une-eval rules` prints the same list.",
        "",
    ]
    for info in rule_catalogue().values():
        lines += [
            f"## `{info.rule_id}`: {info.title}",
            "",
            f"- default severity: **{info.severity.value}**",
            f"- why: {info.rationale}",
            f"- source: {info.source}",
        ]
        for name, meaning in info.parameters.items():
            lines.append(f"- parameter `{name}` ({_value_type(info.parameter_schemas[name])}): {meaning}")
        enabled = [p for p in profiles if info.rule_id in p.rules]
        for p in enabled:
            params = ", ".join(f"{k} = {v}" for k, v in p.params(info.rule_id).items())
            suffix = f"; {params}" if params else ""
            lines.append(f"- in profile `{p.name}`: {p.severity_of(info.rule_id).value}{suffix}")
        lines.append("")
    return "\n".join(lines)


def generated_docs() -> dict[str, str]:
    """File name -> content of every generated doc."""
    return {"schema.md": schema_markdown(), "rules.md": rules_markdown()}


def main(argv: list[str]) -> int:
    """Write the generated docs into the given folder (default ``docs``)."""
    out = Path(argv[0]) if argv else Path("docs")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in generated_docs().items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
