"""The measurement as a whole: complete, not a partial left by an interruption (``measurement.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("measurement.complete")
def measurement_complete(ctx: RuleContext) -> Iterator[Problem]:
    """A partial submission left by an interrupted measurement cannot conform."""
    m = ctx.sub.measurement
    if not m.complete:
        if m.incomplete_reason:
            text = msg("the measurement is marked incomplete: {reason}", reason=m.incomplete_reason)
        else:
            text = msg("the measurement is marked incomplete")
        yield Problem(pointer("measurement", "complete"), text)
