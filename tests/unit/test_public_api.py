"""The library face: what ``import une_eval`` exports, pinned (as httpx's export test does)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import une_eval

REPO = Path(__file__).resolve().parents[2]
PUBLIC = {
    "Assurance", "Audit", "Figure", "Finding", "Identity", "InputError", "InternalError", "Outcome",
    "ProtocolError", "Provenance", "ReportError", "SensorError", "Session", "Severity", "SigningError",
    "SpecError", "UneEvalError", "__version__", "certify", "validate", "verify",
}  # fmt: skip


def test_all_is_pinned_and_every_name_resolves() -> None:
    assert set(une_eval.__all__) == PUBLIC
    for name in une_eval.__all__:
        assert getattr(une_eval, name) is not None


def test_errors_form_one_tree_with_exit_codes() -> None:
    for name in ("InputError", "InternalError", "ProtocolError", "ReportError", "SensorError", "SigningError"):
        error = getattr(une_eval, name)
        assert issubclass(error, une_eval.UneEvalError)
        assert error.exit_code == 2


def test_validate_returns_an_audit_whose_verdict_names_the_outcome() -> None:
    good = une_eval.validate(REPO / "fixtures" / "valid" / "llm-inference-h100.json")
    assert isinstance(good, une_eval.Audit)
    assert good.verdict == "conformant"
    bad = une_eval.validate(REPO / "fixtures" / "invalid" / "runs.cv.json")
    assert bad.verdict == "non-conformant"
    invalid = une_eval.validate(REPO / "fixtures" / "invalid" / "schema-unknown-property.json")
    assert invalid.verdict == "invalid"
    # The name is the verb, not the subpackage, even after the subpackage was imported.
    importlib.import_module("une_eval.validation.pipeline")
    assert inspect.isfunction(une_eval.validate)


def test_every_public_callable_is_documented() -> None:
    for name in une_eval.__all__:
        obj = getattr(une_eval, name)
        if callable(obj):
            assert inspect.getdoc(obj), name
