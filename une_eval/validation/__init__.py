"""Validation of submissions: safe loading, then the schema layer, the model layer and the rule layer."""

from une_eval.validation.pipeline import check_document, check_file, resolve_profile

__all__ = ["check_document", "check_file", "resolve_profile"]
