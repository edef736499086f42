"""Findings and verdicts: what a check found, as data.

A :class:`Finding` names a rule by its stable id, carries a severity, an RFC 6901 JSON Pointer into
the submission and one sentence with units. An :class:`Outcome` sums up one file; the whole result of
checking it is an :class:`une_eval.audit.Audit`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.StrEnum):
    """How much a finding weighs: only errors make a submission non-conformant."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Outcome(enum.StrEnum):
    """The verdict on one file."""

    CONFORMANT = "conformant"
    NON_CONFORMANT = "non-conformant"
    INVALID = "invalid"  # fails the JSON Schema: the rules were not run
    ERROR = "error"  # could not be checked at all (unreadable, unsafe, too large)


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token for a JSON Pointer (RFC 6901: '~' -> '~0', '/' -> '~1')."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build an RFC 6901 JSON Pointer from reference tokens; ``pointer()`` is the whole document."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a submission."""

    rule_id: str
    severity: Severity
    pointer: str
    message: str

    def to_json(self) -> dict[str, str]:
        """Plain JSON-ready dict."""
        return {
            "rule_id": self.rule_id,
            "severity": str(self.severity),
            "pointer": self.pointer,
            "message": self.message,
        }


def outcome_for(findings: Iterable[Finding], *, schema_valid: bool = True) -> Outcome:
    """The outcome implied by a list of findings."""
    if not schema_valid:
        return Outcome.INVALID
    if any(f.severity is Severity.ERROR for f in findings):
        return Outcome.NON_CONFORMANT
    return Outcome.CONFORMANT


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Errors first, then by pointer and rule id, so output is stable."""
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return tuple(sorted(findings, key=lambda f: (order[f.severity], f.pointer, f.rule_id, f.message)))


def exit_code_for(outcomes: Iterable[Outcome]) -> int:
    """0 when every file conforms, 1 when any does not, 2 when any could not be checked."""
    seen = set(outcomes)
    if Outcome.ERROR in seen:
        return 2
    if seen - {Outcome.CONFORMANT}:
        return 1
    return 0
