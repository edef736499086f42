"""The measurement as a whole: complete, and a measurement of the system at all, not a replay (``measurement.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, Term, msg, rule


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


REPLAYED_INSTRUMENT = "replayed recording"  # how une-eval measure names the instrument of a replayed GPU


@rule("measurement.replay")
def measurement_replay(ctx: RuleContext) -> Iterator[Problem]:
    """A replayed or rehearsed measurement played back a recording: it measured nothing of the system under test."""
    m = ctx.sub.measurement
    if m.replay is not None:
        count, first = len(m.replay.recordings), m.replay.recordings[0].sha256
        if m.replay.kind == "rehearsal":
            text = msg(
                "a rehearsal: a workload command was timed against {count} recording(s) (the first SHA-256 "
                "{sha256}); the energy figures are the recording's, not measured on the system under test",
                count=count,
                sha256=first,
            )
        else:
            text = msg(
                "the energy figures were played back from {count} recording(s) (the first SHA-256 {sha256}), "
                "not measured on the system under test: this is not a real measurement",
                count=count,
                sha256=first,
            )
        yield Problem(pointer("measurement", "replay"), text)
        return
    for k, method in enumerate(m.methods):
        name = method.instrument.name if method.instrument is not None else ""
        if REPLAYED_INSTRUMENT in name.lower():
            yield Problem(
                pointer("measurement", "methods", k, "instrument", "name"),
                msg(
                    "the {component} instrument is a replayed recording but the submission does not say so "
                    "(measurement.replay is absent): this is not a real measurement",
                    component=Term(method.component),
                ),
            )
