"""Totals: run components add up, and result totals equal the sums over runs (``totals.*``)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from une_eval.energy import relative_difference
from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, Term, msg, rule

_COMPONENT_OF_KEY = {"gpu_j": "gpu", "cpu_j": "cpu", "dram_j": "dram", "system_j": "system"}


@rule("totals.run-components")
def run_components(ctx: RuleContext) -> Iterator[Problem]:
    """Each run's total equals the sum of its components, and each component the sum of its devices."""
    tol = ctx.param("tolerance_rel")
    for i, run in enumerate(ctx.sub.measurement.runs):
        comps = run.energy.components()
        parts = {k: v for k, v in comps.items() if k != "system_j"} or comps
        if parts and relative_difference(run.energy.total_j, math.fsum(parts.values())) > tol:
            yield Problem(
                pointer("measurement", "runs", i, "energy", "total_j"),
                msg(
                    "run total {total_j} J differs from the sum of its components {sum_j} J",
                    total_j=run.energy.total_j,
                    sum_j=math.fsum(parts.values()),
                ),
            )
        by_component: dict[str, float] = {}
        for dev in run.devices:
            declared = ctx.sub.device(dev.device_id)
            if declared is not None:
                by_component[declared.component] = by_component.get(declared.component, 0.0) + dev.energy_j
        for key, value in comps.items():
            summed = by_component.get(_COMPONENT_OF_KEY[key])
            if summed is not None and relative_difference(value, summed) > tol:
                yield Problem(
                    pointer("measurement", "runs", i, "energy", key),
                    msg(
                        "{component} energy {energy_j} J differs from the sum over its devices {sum_j} J",
                        component=Term(_COMPONENT_OF_KEY[key].upper()),
                        energy_j=value,
                        sum_j=summed,
                    ),
                )


@rule("totals.runs-sum")
def runs_sum(ctx: RuleContext) -> Iterator[Problem]:
    """Result totals equal the sums over the complete measured runs, component by component."""
    res = ctx.sub.results
    if res is None:
        return
    tol = ctx.param("tolerance_rel")
    runs = [r for r in ctx.sub.measurement.runs if r.complete]
    declared = res.energy_total.components() | {"total_j": res.energy_total.total_j}
    for key, value in declared.items():
        summed = math.fsum(getattr(r.energy, key) or 0.0 for r in runs)
        if relative_difference(value, summed) > tol:
            yield Problem(
                pointer("results", "energy_total", key),
                msg(
                    "declared total {total_j} J differs from the sum over complete runs {sum_j} J",
                    total_j=value,
                    sum_j=summed,
                ),
            )
    units = math.fsum(r.work_units for r in runs)
    if relative_difference(res.work_units_total, units) > tol:
        yield Problem(
            pointer("results", "work_units_total"),
            msg(
                "declared {declared} work units, the complete runs add up to {summed}",
                declared=res.work_units_total,
                summed=units,
            ),
        )
