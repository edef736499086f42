"""The bundled submission schema for hypothesis-jsonschema, which resolves only local references."""

from __future__ import annotations

from typing import Any

from une_eval.spec import SchemaKind, bundled_schema


def bundled_submission_schema() -> dict[str, Any]:
    bundled = bundled_schema(SchemaKind.SUBMISSION)
    bundled.pop("$id", None)  # every reference is local: nothing to resolve against the $id
    return bundled
