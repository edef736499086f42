"""What a rule is: a function of a :class:`RuleContext` that yields :class:`Problem` values.

A rule looks at the validated model, the raw document, the recomputed evidence and the profile's
parameters for it, and yields problems: an RFC 6901 JSON Pointer and one sentence with units, written
with :func:`msg` (an English template with named parameters, so that documents can print it in their
own language; ``python -m une_eval.report.language`` extracts the templates for the catalogues). It does
no I/O. :func:`rule` marks a function with its catalogue id at the place it is defined; the one
table that decides which functions run is :data:`une_eval.validation.rules.RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from une_eval.audit import Assurance
from une_eval.findings import Message, Param, Term, english_number, msg
from une_eval.model import Submission

if TYPE_CHECKING:
    from une_eval.spec import Profile
    from une_eval.validation.evidence import Evidence


class Problem(NamedTuple):
    """What a rule found: where (RFC 6901 pointer) and what (one sentence with units, a :func:`msg`)."""

    pointer: str
    message: str | Message


class RuleContext(NamedTuple):
    """Everything a rule may look at (immutable; a named tuple, made once per rule and file, is quick to make)."""

    sub: Submission
    doc: Mapping[str, Any]
    params: Mapping[str, Any]
    base_dir: Path | None = None
    evidence: Evidence | None = None  # recomputed from the traces before the rules run (rules do no I/O)
    profile: Profile | None = None  # the profile applied
    known_profiles: frozenset[str] = frozenset()  # profile names this tool can load
    assurance: Assurance = Assurance.DECLARED_ONLY  # how far the evidence reaches (computed before the rules)
    assurance_reasons: tuple[str, ...] = ()  # why it is not evidence-checked

    def param(self, name: str) -> Any:
        """A parameter the profile must set for this rule (the spec loader guarantees it is there)."""
        try:
            return self.params[name]
        except KeyError:
            raise KeyError(f"profile parameter {name!r} is missing") from None


RuleFn = Callable[[RuleContext], Iterator[Problem]]


def rule(rule_id: str) -> Callable[[RuleFn], RuleFn]:
    """Mark a rule function with its catalogue id (no registration: the table in ``rules`` lists it)."""

    def mark(fn: RuleFn) -> RuleFn:
        fn.rule_id = rule_id  # type: ignore[attr-defined]
        return fn

    return mark


def template(text: str) -> str:
    """Mark a message template kept in a table (``msg(TABLE[key], ...)``) for the catalogues' extraction."""
    return text


def fmt(value: float) -> str:
    """A number for an English sentence: 4 significant figures, whole numbers with separators."""
    return english_number(value)


__all__ = ["Message", "Param", "Problem", "RuleContext", "RuleFn", "Term", "fmt", "msg", "rule", "template"]
