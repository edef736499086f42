"""A training run's predicted energy: recomputed from the measured runs, true to the workload (``prediction.*``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from une_eval.energy import relative_difference
from une_eval.errors import InputError
from une_eval.findings import pointer
from une_eval.model import Prediction
from une_eval.prediction import predict_full_run
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule

_DECLARED_TOTAL = {"step": "steps", "token": "tokens", "sample": "samples"}


def _compare(declared: Prediction, expected: dict[str, Any], tolerance: float) -> Iterator[Problem]:
    for key in ("measured_units", "energy_j", "low_j", "high_j", "n_runs"):
        got = float(getattr(declared, key))
        if relative_difference(got, float(expected[key])) > tolerance:
            yield Problem(
                pointer("results", "prediction", key),
                msg(
                    "prediction {key} is {declared}; the measured runs give {expected}",
                    key=key,
                    declared=got,
                    expected=float(expected[key]),
                ),
            )


def _workload(ctx: RuleContext, p: Prediction, tolerance: float) -> Iterator[Problem]:
    training = ctx.sub.workload.training
    if training is None:
        return
    if training.coverage.kind != "extrapolated":
        yield Problem(
            pointer("workload", "training", "coverage", "kind"),
            msg(
                "the workload says the {kind} was measured, but the results predict the full run",
                kind=training.coverage.kind,
            ),
        )
    fraction = p.measured_units / p.full_run_units
    if relative_difference(training.coverage.measured_fraction, fraction) > tolerance:
        yield Problem(
            pointer("workload", "training", "coverage", "measured_fraction"),
            msg(
                "measured fraction {declared}; the prediction measured {measured} of {full} {unit}s ({fraction})",
                declared=training.coverage.measured_fraction,
                measured=p.measured_units,
                full=p.full_run_units,
                unit=p.unit,
                fraction=fraction,
            ),
        )
    field = _DECLARED_TOTAL[p.unit]
    declared = getattr(training, field)
    if declared is not None and relative_difference(float(declared), p.full_run_units) > tolerance:
        yield Problem(
            pointer("results", "prediction", "full_run_units"),
            msg(
                "the prediction is for {full} {unit}s; the workload declares {declared} {field}",
                full=p.full_run_units,
                unit=p.unit,
                declared=float(declared),
                field=field,
            ),
        )


@rule("prediction.interval")
def interval(ctx: RuleContext) -> Iterator[Problem]:
    """The predicted full-run energy and its interval are what the measured runs give, for the declared run."""
    res = ctx.sub.results
    if res is None or res.prediction is None:
        return
    p = res.prediction
    if ctx.sub.phase != "training":
        yield Problem(pointer("results", "prediction"), msg("a full run is predicted for training only"))
        return
    if p.unit != res.functional_unit.unit:
        yield Problem(
            pointer("results", "prediction", "unit"),
            msg(
                "the prediction counts {unit}s; the runs' functional unit is {runs_unit}",
                unit=p.unit,
                runs_unit=res.functional_unit.unit,
            ),
        )
        return
    tolerance = float(ctx.param("tolerance_rel"))
    runs = ctx.doc.get("measurement", {}).get("runs", [])
    try:
        expected = predict_full_run(runs, p.unit, p.full_run_units)
    except InputError as exc:
        yield Problem(pointer("results", "prediction"), msg("the measured runs predict nothing: {why}", why=str(exc)))
        return
    yield from _compare(p, expected, tolerance)
    yield from _workload(ctx, p, tolerance)
