"""The exception tree: every error une-eval raises on purpose, each mapped to one exit code.

An exception means "could not check" (or "could not do"); problems *found* in a submission are
:class:`une_eval.findings.Finding` values, never exceptions.
"""

from __future__ import annotations


class UneEvalError(Exception):
    """Base of all une-eval errors; ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class SpecError(UneEvalError):
    """The bundled or user-supplied spec (schema, profile, rating scheme) is missing or inconsistent."""


class InputError(UneEvalError):
    """A file given to une-eval cannot be read or parsed safely (not a finding: it cannot be checked)."""


class SensorError(UneEvalError):
    """A sensor (NVML, RAPL, replay) cannot be opened or read."""


class ProtocolError(UneEvalError):
    """The measurement protocol cannot proceed (refused preflight, failed workload, interruption)."""


class ReportError(UneEvalError):
    """A certificate cannot be rendered."""


class SigningError(UneEvalError):
    """A certificate cannot be signed, or a key or certificate cannot be loaded."""


class InternalError(UneEvalError):
    """A bug in une-eval (a rule or step failed unexpectedly): reported with its cause, never as a finding."""
