"""The measured runs: timing, count, length, completeness and repeatability (``runs.*``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, Term, msg, rule

DEFAULT_UPDATE_PERIOD_S = {
    "nvml-energy-counter": 0.1,
    "nvml-power-integration": 0.1,
    "rapl": 0.001,
    "external-meter": 1.0,
}


@rule("runs.complete")
def runs_complete(ctx: RuleContext) -> Iterator[Problem]:
    """Every measured run finished; a failed run is reported, not hidden."""
    for i, run in enumerate(ctx.sub.measurement.runs):
        if not run.complete:
            if run.reason:
                text = msg("run {run} did not complete ({reason})", run=run.index, reason=run.reason)
            else:
                text = msg("run {run} did not complete", run=run.index)
            yield Problem(pointer("measurement", "runs", i, "complete"), text)


@rule("runs.count")
def runs_count(ctx: RuleContext) -> Iterator[Problem]:
    """Enough complete measured runs for the phase."""
    minimum = ctx.param(f"min_runs_{ctx.sub.phase}")
    n = sum(1 for r in ctx.sub.measurement.runs if r.complete)
    if n < minimum:
        yield Problem(
            pointer("measurement", "runs"),
            msg(
                "{n} complete measured runs, the profile requires at least {minimum} for {phase}",
                n=n,
                minimum=minimum,
                phase=Term(ctx.sub.phase),
            ),
        )


@rule("runs.duration")
def runs_duration(ctx: RuleContext) -> Iterator[Problem]:
    """Each run's declared duration agrees with its start and end timestamps."""
    tol_s = ctx.param("tolerance_s")
    for i, run in enumerate(ctx.sub.measurement.runs):
        span_s = (run.end_time - run.start_time).total_seconds()
        if span_s <= 0:
            yield Problem(
                pointer("measurement", "runs", i, "end_time"),
                msg("run {run} ends {seconds} s before (or when) it starts", run=run.index, seconds=abs(span_s)),
            )
        elif abs(span_s - run.duration_s) > tol_s:
            yield Problem(
                pointer("measurement", "runs", i, "duration_s"),
                msg(
                    "declared duration {declared_s} s, the timestamps span {span_s} s",
                    declared_s=run.duration_s,
                    span_s=span_s,
                ),
            )


@rule("runs.overlap")
def runs_overlap(ctx: RuleContext) -> Iterator[Problem]:
    """Runs do not overlap in time (each measured window is the workload's alone)."""
    order = sorted(enumerate(ctx.sub.measurement.runs), key=lambda p: p[1].start_time)
    for (_, prev), (i, run) in itertools.pairwise(order):
        if run.start_time < prev.end_time:
            overlap_s = (prev.end_time - run.start_time).total_seconds()
            yield Problem(
                pointer("measurement", "runs", i, "start_time"),
                msg(
                    "run {run} starts {seconds} s before run {previous} ends",
                    run=run.index,
                    seconds=overlap_s,
                    previous=prev.index,
                ),
            )


def _update_period_s(ctx: RuleContext) -> float:
    periods = []
    for m in ctx.sub.measurement.methods:
        if m.instrument is not None and m.instrument.update_period_s is not None:
            periods.append(m.instrument.update_period_s)
        elif m.method in DEFAULT_UPDATE_PERIOD_S:
            periods.append(DEFAULT_UPDATE_PERIOD_S[m.method])
    return max(periods, default=0.0)


@rule("runs.long-enough")
def runs_long_enough(ctx: RuleContext) -> Iterator[Problem]:
    """Each run lasts at least 10 sensor update periods and the profile's minimum."""
    periods = ctx.param("min_update_periods")
    minimum_s = max(ctx.param("min_duration_s"), periods * _update_period_s(ctx))
    for i, run in enumerate(ctx.sub.measurement.runs):
        if run.duration_s < minimum_s:
            yield Problem(
                pointer("measurement", "runs", i, "duration_s"),
                msg(
                    "run {run} lasts {duration_s} s, under the minimum of {minimum_s} s (profile minimum "
                    "{profile_s} s, {periods} sensor update periods)",
                    run=run.index,
                    duration_s=run.duration_s,
                    minimum_s=minimum_s,
                    profile_s=ctx.param("min_duration_s"),
                    periods=periods,
                ),
            )


@rule("runs.cv")
def runs_cv(ctx: RuleContext) -> Iterator[Problem]:
    """Runs repeat: the coefficient of variation of energy per unit is under the profile's limit."""
    res = ctx.sub.results
    if res is None or res.statistics.n_runs < 2:
        return
    limit = ctx.param("max_cv_pct")
    if res.statistics.cv_pct > limit:
        yield Problem(
            pointer("results", "statistics", "cv_pct"),
            msg(
                "coefficient of variation {cv_pct} % across runs is over the limit of {limit_pct} %",
                cv_pct=res.statistics.cv_pct,
                limit_pct=limit,
            ),
        )
