"""Inline the bundled schemas into one document (hypothesis-jsonschema resolves only local refs)."""

from __future__ import annotations

import copy
from typing import Any

from une_eval.spec import schema_documents, submission_schema


def bundled_submission_schema() -> dict[str, Any]:
    common = next(d for uri, d in schema_documents().items() if uri.endswith("common.schema.json"))
    schema = copy.deepcopy(submission_schema())

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items()}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref.startswith("common.schema.json#/$defs/"):
                out["$ref"] = "#/$defs/common_" + ref.rsplit("/", 1)[1]
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    schema = rewrite(schema)
    for name, sub in common["$defs"].items():
        schema["$defs"]["common_" + name] = rewrite(sub)

    # common's internal refs point at its own $defs: rename them too
    def local(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: local(v) for k, v in node.items()}
            ref = out.get("$ref")
            if (
                isinstance(ref, str)
                and ref.startswith("#/$defs/")
                and ref[8:] in common["$defs"]
                and ref[8:] not in schema["$defs"]
            ):
                out["$ref"] = "#/$defs/common_" + ref[8:]
            return out
        if isinstance(node, list):
            return [local(v) for v in node]
        return node

    bundled: dict[str, Any] = local(schema)
    bundled.pop("$id", None)
    return bundled
