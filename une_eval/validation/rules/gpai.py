"""EU AI Act Annex XI documentation items for general-purpose AI models (``gpai.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, rule


@rule("gpai.training-compute")
def training_compute(ctx: RuleContext) -> Iterator[Problem]:
    """Training compute (FLOPs) and training time are documented; an estimate says how it was made."""
    tr = ctx.sub.workload.training
    if tr is None:
        return
    if tr.flops is None:
        yield Problem(
            pointer("workload", "training"),
            "training compute (FLOPs) is not documented (Annex XI, section 1, point 2(d))",
        )
    elif tr.flops.method.startswith("estimated") and not tr.flops.details:
        yield Problem(
            pointer("workload", "training", "flops", "details"),
            f"training compute is estimated ({tr.flops.method}) but the estimate is not explained",
        )
    if tr.wall_time_s <= 0:
        yield Problem(pointer("workload", "training", "wall_time_s"), "training time is not documented")


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
            f"training energy is reported in {res.energy_per_unit.unit}; the profile asks for {expected}",
        )


@rule("gpai.methodology")
def methodology(ctx: RuleContext) -> Iterator[Problem]:
    """Each component's method is documented and every estimate or extrapolation is labelled and explained."""
    for i, m in enumerate(ctx.sub.measurement.methods):
        if m.method in ("estimate", "unavailable") and not m.reason:
            yield Problem(
                pointer("measurement", "methods", i, "reason"),
                f"{m.component} energy is {m.method} without a stated reason or estimation method",
            )
        elif m.method not in ("estimate", "unavailable") and m.instrument is None:
            yield Problem(
                pointer("measurement", "methods", i, "instrument"),
                f"{m.component} energy is measured by {m.method} without naming the instrument",
            )
    tr = ctx.sub.workload.training
    if tr is not None and tr.coverage.kind == "extrapolated" and not tr.coverage.method:
        yield Problem(
            pointer("workload", "training", "coverage", "method"),
            f"the energy is extrapolated from {100 * tr.coverage.measured_fraction:.3g}% of the run "
            "without saying how; an estimated value must be labelled with its methodology",
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
            "the parameter count is not declared, so the compute (FLOPs) of the benchmarked task cannot be derived",
        )
    if inf.input_tokens is None or inf.output_tokens is None:
        yield Problem(
            pointer("workload", "inference"),
            "input and output token counts are not both declared, so the compute (FLOPs) of the "
            "benchmarked task cannot be derived",
        )
