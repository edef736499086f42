"""The rule layer: small registered functions that yield problems; parameters come from the profile.

A rule takes a :class:`RuleContext` (the validated model, the raw document, the profile's parameters
for that rule) and yields :class:`Problem` values: a JSON Pointer and one sentence with units. It does
no I/O. The runner turns problems into findings with the rule's id and the profile's severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from une_eval.model import Submission


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
    from une_eval.validate.rules import disclosure, power, runs, site, totals  # noqa: F401

    return dict(REGISTRY)
