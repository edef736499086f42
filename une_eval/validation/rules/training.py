"""Training submissions: figures reported with enough precision (``training.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.energy import significant_figures
from une_eval.findings import pointer
from une_eval.loading import JsonNumber
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("training.significant-figures")
def training_significant_figures(ctx: RuleContext) -> Iterator[Problem]:
    """Training energy is reported to at least the profile's number of significant figures."""
    if ctx.sub.phase != "training":
        return
    raw = ctx.doc.get("results", {}).get("energy_per_unit", {}).get("value")
    minimum = ctx.param("min_significant_figures")
    literal = raw.literal if isinstance(raw, JsonNumber) else (str(raw) if isinstance(raw, int) else None)
    if literal is not None and significant_figures(literal) < minimum:
        yield Problem(
            pointer("results", "energy_per_unit", "value"),
            msg(
                "training energy {literal} is written to {figures} significant figure(s); at least {minimum} are "
                "required",
                literal=literal,
                figures=significant_figures(literal),
                minimum=minimum,
            ),
        )
