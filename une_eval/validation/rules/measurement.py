"""The measurement as a whole: complete, not a partial left by an interruption (``measurement.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, rule


@rule("measurement.complete")
def measurement_complete(ctx: RuleContext) -> Iterator[Problem]:
    """A partial submission left by an interrupted measurement cannot conform."""
    m = ctx.sub.measurement
    if not m.complete:
        why = f": {m.incomplete_reason}" if m.incomplete_reason else ""
        yield Problem(pointer("measurement", "complete"), f"the measurement is marked incomplete{why}")
