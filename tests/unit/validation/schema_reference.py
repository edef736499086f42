"""The reference schema back end for tests: python-jsonschema, its errors put in the layer's normal form.

The schema layer validates with jsonschema-rs; this module runs the same schema through
python-jsonschema (``une_eval.spec.submission_validator``) and turns each error into the same
(rule id, pointer, message) triple, the message written by the layer's own sentences from what
python-jsonschema reports: equal triples mean both back ends found the same keyword failing at the
same place, on the same value, for the same demanded bound, format, pattern or property.
"""

from __future__ import annotations

from typing import Any

from une_eval.findings import pointer
from une_eval.spec import submission_validator
from une_eval.validation.schema_layer import describe_error

Triple = tuple[str, str, str]


def reference_findings(doc: dict[str, Any]) -> list[Triple]:
    """Every python-jsonschema error of ``doc`` as (rule id, pointer, message), sorted."""
    return sorted(
        (f"schema.{error.validator}", pointer(*error.absolute_path), describe_error(error))
        for error in submission_validator().iter_errors(doc)
    )
