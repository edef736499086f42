"""The rule layer: small registered functions that yield problems; parameters come from the profile.

A rule takes a :class:`RuleContext` (the validated model, the raw document, the profile's parameters
for that rule) and yields :class:`Problem` values: a JSON Pointer and one sentence with units. It does
no I/O. The runner turns problems into findings with the rule's id and the profile's severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from une_eval.model import Submission

if TYPE_CHECKING:
    from une_eval.validate.evidence import Evidence


class Problem(NamedTuple):
    """What a rule found: where (RFC 6901 pointer) and what (one sentence with units)."""

    pointer: str
    message: str


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Everything a rule may look at."""

    sub: Submission
    doc: dict[str, Any]
    params: dict[str, Any]
    base_dir: Path | None = None
    evidence: Evidence | None = None  # recomputed from the traces before the rules run (rules do no I/O)

    def param(self, name: str) -> Any:
        """A parameter the profile must set for this rule."""
        try:
            return self.params[name]
        except KeyError:
            raise KeyError(f"profile parameter {name!r} is missing") from None


RuleFn = Callable[[RuleContext], Iterator[Problem]]
REGISTRY: dict[str, RuleFn] = {}


def rule(rule_id: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under its catalogue id."""

    def register(fn: RuleFn) -> RuleFn:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id} registered twice")
        REGISTRY[rule_id] = fn
        return fn

    return register


def registered_rules() -> dict[str, RuleFn]:
    """All rules, importing the modules that define them."""
    from une_eval.validate.rules import (  # noqa: F401
        disclosure,
        evidence,
        gpai,
        inference,
        power,
        runs,
        sci,
        site,
        totals,
    )

    return dict(REGISTRY)
