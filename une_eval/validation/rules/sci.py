"""ISO/IEC 21031 SCI reporting: the score and its embodied emissions are reported (``sci.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("sci.reported")
def reported(ctx: RuleContext) -> Iterator[Problem]:
    """Check that the SCI score is reported with E, I, M, R, the software boundary and the method."""
    res = ctx.sub.results
    if res is None or res.sci is None:
        yield Problem(pointer("results"), msg("no SCI score (results.sci with E, I, M, R, boundary and method)"))


@rule("sci.embodied")
def embodied(ctx: RuleContext) -> Iterator[Problem]:
    """Embodied emissions M are counted (ISO/IEC 21031 includes hardware's embodied share)."""
    res = ctx.sub.results
    if res is not None and res.sci is not None and res.sci.embodied_g_co2e <= 0:
        yield Problem(
            pointer("results", "sci", "embodied_g_co2e"),
            msg("embodied emissions M are 0 gCO2e; the SCI counts the hardware's embodied share"),
        )
