"""Findings and verdicts: what a check found, as data.

A :class:`Finding` names a rule by its stable id, carries a severity, an RFC 6901 JSON Pointer into
the submission and one sentence with units. A :class:`Verdict` sums up one file.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result of checking one file against a profile."""

    source: str
    outcome: Outcome
    profile: str
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity error."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity warning."""
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        out: dict[str, Any] = {
            "source": self.source,
            "verdict": str(self.outcome),
            "profile": self.profile,
            "counts": {str(s): sum(1 for f in self.findings if f.severity is s) for s in Severity},
            "findings": [f.to_json() for f in self.findings],
        }
        if self.error is not None:
            out["error"] = self.error
        out.update(self.extras)
        return out


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


def exit_code_for(verdicts: Sequence[Verdict]) -> int:
    """0 when every file conforms, 1 when any does not, 2 when any could not be checked."""
    if any(v.outcome is Outcome.ERROR for v in verdicts):
        return 2
    if any(v.outcome is not Outcome.CONFORMANT for v in verdicts):
        return 1
    return 0
