"""A training run's predicted energy: recomputed from the measured runs, true to the workload (``prediction.*``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from une_eval.energy import relative_difference
from une_eval.errors import InputError
from une_eval.findings import pointer
from une_eval.model import Prediction
from une_eval.prediction import predict_full_run
from une_eval.validation.rules.base import Problem, RuleContext, fmt, rule

_DECLARED_TOTAL = {"step": "steps", "token": "tokens", "sample": "samples"}


def _compare(declared: Prediction, expected: dict[str, Any], tolerance: float) -> Iterator[Problem]:
    for key in ("measured_units", "energy_j", "low_j", "high_j", "n_runs"):
        got = float(getattr(declared, key))
        if relative_difference(got, float(expected[key])) > tolerance:
            yield Problem(
                pointer("results", "prediction", key),
                f"prediction {key} is {fmt(got)}; the measured runs give {fmt(float(expected[key]))}",
            )


def _workload(ctx: RuleContext, p: Prediction, tolerance: float) -> Iterator[Problem]:
    training = ctx.sub.workload.training
    if training is None:
        return
    if training.coverage.kind != "extrapolated":
        yield Problem(
            pointer("workload", "training", "coverage", "kind"),
            f"the workload says the {training.coverage.kind} was measured, but the results predict the full run",
        )
    fraction = p.measured_units / p.full_run_units
    if relative_difference(training.coverage.measured_fraction, fraction) > tolerance:
        yield Problem(
            pointer("workload", "training", "coverage", "measured_fraction"),
            f"measured fraction {fmt(training.coverage.measured_fraction)}; the prediction measured "
            f"{fmt(p.measured_units)} of {fmt(p.full_run_units)} {p.unit}s ({fmt(fraction)})",
        )
    field = _DECLARED_TOTAL[p.unit]
    declared = getattr(training, field)
    if declared is not None and relative_difference(float(declared), p.full_run_units) > tolerance:
        yield Problem(
            pointer("results", "prediction", "full_run_units"),
            f"the prediction is for {fmt(p.full_run_units)} {p.unit}s; "
            f"the workload declares {fmt(float(declared))} {field}",
        )


@rule("prediction.interval")
def interval(ctx: RuleContext) -> Iterator[Problem]:
    """The predicted full-run energy and its interval are what the measured runs give, for the declared run."""
    res = ctx.sub.results
    if res is None or res.prediction is None:
        return
    p = res.prediction
    if ctx.sub.phase != "training":
        yield Problem(pointer("results", "prediction"), "a full run is predicted for training only")
        return
    if p.unit != res.functional_unit.unit:
        yield Problem(
            pointer("results", "prediction", "unit"),
            f"the prediction counts {p.unit}s; the runs' functional unit is {res.functional_unit.unit}",
        )
        return
    tolerance = float(ctx.param("tolerance_rel"))
    runs = ctx.doc.get("measurement", {}).get("runs", [])
    try:
        expected = predict_full_run(runs, p.unit, p.full_run_units)
    except InputError as exc:
        yield Problem(pointer("results", "prediction"), f"the measured runs predict nothing: {exc}")
        return
    yield from _compare(p, expected, tolerance)
    yield from _workload(ctx, p, tolerance)
