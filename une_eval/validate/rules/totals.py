"""Arithmetic consistency: totals, per-unit results and statistics agree with the runs."""

from __future__ import annotations

import math
from collections.abc import Iterator

from une_eval.energy import energy_per_unit_j, from_joules, relative_difference, run_statistics
from une_eval.findings import pointer
from une_eval.validate.rules import Problem, RuleContext, rule

_COMPONENT_OF_KEY = {"gpu_j": "gpu", "cpu_j": "cpu", "dram_j": "dram", "system_j": "system"}


def fmt(value: float) -> str:
    """A number for a message: 4 significant figures, whole numbers with separators, no exponent in between."""
    magnitude = abs(value)
    if magnitude == 0 or 1e-3 <= magnitude < 1e4:
        return f"{value:.4g}"
    if 1e4 <= magnitude < 1e12:
        return f"{value:,.0f}"
    return f"{value:.4e}"


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
                f"run total {fmt(run.energy.total_j)} J differs from the sum of its components "
                f"{fmt(math.fsum(parts.values()))} J",
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
                    f"{_COMPONENT_OF_KEY[key].upper()} energy {fmt(value)} J differs from the sum "
                    f"over its devices {fmt(summed)} J",
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
                f"declared total {fmt(value)} J differs from the sum over complete runs {fmt(summed)} J",
            )
    units = math.fsum(r.work_units for r in runs)
    if relative_difference(res.work_units_total, units) > tol:
        yield Problem(
            pointer("results", "work_units_total"),
            f"declared {fmt(res.work_units_total)} work units, the complete runs add up to {fmt(units)}",
        )


@rule("results.per-unit")
def per_unit(ctx: RuleContext) -> Iterator[Problem]:
    """The energy per functional unit agrees with the total energy and the work units."""
    res = ctx.sub.results
    if res is None or res.work_units_total <= 0:
        return
    expected_j = energy_per_unit_j(res.energy_total.total_j, res.work_units_total, res.functional_unit.count)
    expected = from_joules(expected_j, res.energy_per_unit.unit)
    if relative_difference(res.energy_per_unit.value, expected) > ctx.param("tolerance_rel"):
        fu = res.functional_unit
        yield Problem(
            pointer("results", "energy_per_unit", "value"),
            f"declared {fmt(res.energy_per_unit.value)} {res.energy_per_unit.unit} per {fmt(fu.count)} "
            f"{fu.unit}, expected {fmt(expected)} {res.energy_per_unit.unit} from "
            f"{fmt(res.energy_total.total_j)} J over {fmt(res.work_units_total)} work units",
        )


@rule("results.statistics")
def statistics(ctx: RuleContext) -> Iterator[Problem]:
    """Mean, standard deviation, CV and 95% CI agree with the per-run energy per unit."""
    res = ctx.sub.results
    if res is None:
        return
    runs = [r for r in ctx.sub.measurement.runs if r.complete and r.work_units > 0]
    unit = res.energy_per_unit.unit
    values = [
        from_joules(energy_per_unit_j(r.energy.total_j, r.work_units, res.functional_unit.count), unit) for r in runs
    ]
    expected = run_statistics(values)
    tol = ctx.param("tolerance_rel")
    declared = res.statistics
    if declared.n_runs != expected.n_runs:
        yield Problem(
            pointer("results", "statistics", "n_runs"),
            f"declared {declared.n_runs} runs, the submission has {expected.n_runs} complete runs",
        )
        return
    scale = max(abs(expected.mean), 1e-300)
    for name in ("mean", "std", "ci95_low", "ci95_high"):
        got, want = getattr(declared, name), getattr(expected, name)
        if abs(got - want) / scale > tol:
            yield Problem(
                pointer("results", "statistics", name),
                f"declared {name} {fmt(got)} {unit}, recomputed {fmt(want)} {unit} from {expected.n_runs} runs",
            )
    if abs(declared.cv_pct - expected.cv_pct) > max(tol * 100, 0.01):
        yield Problem(
            pointer("results", "statistics", "cv_pct"),
            f"declared CV {fmt(declared.cv_pct)} %, recomputed {fmt(expected.cv_pct)} %",
        )
