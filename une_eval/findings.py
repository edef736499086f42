"""Findings and verdicts: what a check found, as data.

A :class:`Finding` names a rule by its stable id, carries a severity, an RFC 6901 JSON Pointer into
the submission and one sentence with units. A rule's sentence is a :class:`Message`: an English
template (the message catalogues' id, see ``reports/locale``) with named parameters, so a certificate
can print it in its own language; ``Finding.message`` is always the English text. An :class:`Outcome`
sums up one file; the whole result of checking it is an :class:`une_eval.audit.Audit`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
    out = ""
    for token in tokens:  # a plain loop: rules build thousands of pointers a file
        text = str(token)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        out += "/" + text
    return out


class Term(str):
    """A parameter that is a vocabulary word (a phase, a functional unit): translated, not printed as is."""

    __slots__ = ()


def english_number(value: float) -> str:
    """A number in an English message: 4 significant figures, whole numbers with separators, no exponent between."""
    magnitude = abs(value)
    if not math.isfinite(value):
        return str(value)
    if magnitude == 0 or 1e-3 <= magnitude < 1e4:
        return f"{value:.4g}"
    if 1e4 <= magnitude < 1e12:
        return f"{value:,.0f}"
    return f"{value:.4e}"


def _english(value: Param) -> str:
    if isinstance(value, Message):
        return str(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return english_number(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Message:
    """A finding's sentence: an English template with ``{named}`` fields and its parameters.

    The template is the message catalogues' id; numbers stay numbers until a document formats them
    for its language. ``str(message)`` is the English text.
    """

    template: str
    params: tuple[tuple[str, Param], ...] = ()

    def __str__(self) -> str:
        return self.template.format_map({k: _english(v) for k, v in self.params})

    def params_json(self) -> dict[str, Any]:
        """The parameters as JSON: a number or text as is, a word as ``{"term": w}``, a phrase as its template."""
        return {k: _param_json(v) for k, v in self.params}

    @classmethod
    def from_json(cls, template: str, params: Mapping[str, Any], *, nested: bool = True) -> Message:
        """Inverse of :meth:`params_json` (anything else than a number, text, term or one-level phrase becomes text)."""
        out: list[tuple[str, Param]] = []
        for key, value in params.items():
            if nested and isinstance(value, dict) and isinstance(value.get("template"), str):
                inner = value.get("params")
                out.append(
                    (str(key), cls.from_json(value["template"], inner if isinstance(inner, dict) else {}, nested=False))
                )
            elif isinstance(value, dict) and isinstance(value.get("term"), str):
                out.append((str(key), Term(value["term"])))
            elif isinstance(value, int | float | str) and not isinstance(value, bool):
                out.append((str(key), value))
            else:
                out.append((str(key), str(value)))
        return cls(template, tuple(out))


# A message's parameter: a number or a text as it is, a vocabulary word, or a phrase worded on its own.
Param = str | int | float | Term | Message


def _param_json(value: Param) -> Any:
    if isinstance(value, Term):
        return {"term": str(value)}
    if isinstance(value, Message):
        return {"template": value.template, "params": value.params_json()}
    return value


def msg(template: str, /, **params: Param) -> Message:
    """A finding's message: ``msg("run {run} did not complete", run=3)`` (the template is extracted for translation)."""
    return Message(template, tuple(params.items()))


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a submission: ``message`` is English; ``wording`` its template and parameters when known."""

    rule_id: str
    severity: Severity
    pointer: str
    message: str
    wording: Message | None = None  # the template and parameters of a rule's message (None: a plain sentence)

    @classmethod
    def of(cls, rule_id: str, severity: Severity, where: str, message: str | Message) -> Finding:
        """A finding from a rule's plain sentence or :class:`Message`."""
        if isinstance(message, Message):
            return cls(rule_id, severity, where, str(message), message)
        return cls(rule_id, severity, where, message)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``template`` and ``params`` only when the message has them)."""
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "severity": str(self.severity),
            "pointer": self.pointer,
            "message": self.message,
        }
        if self.wording is not None:
            out["template"] = self.wording.template
            out["params"] = self.wording.params_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """Inverse of :meth:`to_json`."""
        template, params = data.get("template"), data.get("params")
        wording = (
            Message.from_json(template, params) if isinstance(template, str) and isinstance(params, dict) else None
        )
        return cls(
            str(data["rule_id"]), Severity(data["severity"]), str(data["pointer"]), str(data["message"]), wording
        )


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
