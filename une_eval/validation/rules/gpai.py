"""EU AI Act Annex XI documentation items for general-purpose AI models (``gpai.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, Term, msg, rule


@rule("gpai.training-compute")
def training_compute(ctx: RuleContext) -> Iterator[Problem]:
    """Training compute (FLOPs) and training time are documented; an estimate says how it was made."""
    tr = ctx.sub.workload.training
    if tr is None:
        return
    if tr.flops is None:
        yield Problem(
            pointer("workload", "training"),
            msg("training compute (FLOPs) is not documented (Annex XI, section 1, point 2(d))"),
        )
    elif tr.flops.method.startswith("estimated") and not tr.flops.details:
        yield Problem(
            pointer("workload", "training", "flops", "details"),
            msg("training compute is estimated ({method}) but the estimate is not explained", method=tr.flops.method),
        )
    if tr.wall_time_s <= 0:
        yield Problem(pointer("workload", "training", "wall_time_s"), msg("training time is not documented"))


@rule("gpai.energy-unit")
def energy_unit(ctx: RuleContext) -> Iterator[Problem]:
    """Training energy is reported in the unit the GPAI Code of Practice's form asks for (MWh)."""
    res = ctx.sub.results
    if ctx.sub.phase != "training" or res is None:
        return
    expected = ctx.param("energy_unit")
    if res.energy_per_unit.unit != expected:
        yield Problem(
            pointer("results", "energy_per_unit", "unit"),
            msg(
                "training energy is reported in {unit}; the profile asks for {expected}",
                unit=res.energy_per_unit.unit,
                expected=expected,
            ),
        )


@rule("gpai.methodology")
def methodology(ctx: RuleContext) -> Iterator[Problem]:
    """Each component's method is documented and every estimate or extrapolation is labelled and explained."""
    for i, m in enumerate(ctx.sub.measurement.methods):
        if m.method in ("estimate", "unavailable") and not m.reason:
            yield Problem(
                pointer("measurement", "methods", i, "reason"),
                msg(
                    "{component} energy is {method} without a stated reason or estimation method",
                    component=Term(m.component),
                    method=m.method,
                ),
            )
        elif m.method not in ("estimate", "unavailable") and m.instrument is None:
            yield Problem(
                pointer("measurement", "methods", i, "instrument"),
                msg(
                    "{component} energy is measured by {method} without naming the instrument",
                    component=Term(m.component),
                    method=m.method,
                ),
            )
    tr = ctx.sub.workload.training
    if tr is not None and tr.coverage.kind == "extrapolated" and not tr.coverage.method:
        yield Problem(
            pointer("workload", "training", "coverage", "method"),
            msg(
                "the energy is extrapolated from {percent}% of the run without saying how; an estimated value "
                "must be labelled with its methodology",
                percent=float(f"{100 * tr.coverage.measured_fraction:.3g}"),
            ),
        )


@rule("gpai.inference-compute")
def inference_compute(ctx: RuleContext) -> Iterator[Problem]:
    """For inference, the benchmarked task's compute can be derived: parameter count and tokens processed."""
    inf = ctx.sub.workload.inference
    if inf is None or inf.task not in ctx.param("token_tasks"):
        return
    if ctx.sub.system.model.parameter_count is None:
        yield Problem(
            pointer("system", "model"),
            msg(
                "the parameter count is not declared, so the compute (FLOPs) of the benchmarked task cannot be derived"
            ),
        )
    if inf.input_tokens is None or inf.output_tokens is None:
        yield Problem(
            pointer("workload", "inference"),
            msg(
                "input and output token counts are not both declared, so the compute (FLOPs) of the "
                "benchmarked task cannot be derived"
            ),
        )
