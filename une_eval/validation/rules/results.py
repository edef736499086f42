"""Results: per-unit energy, statistics, power and throughput follow from the runs (``results.*``)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from une_eval.energy import energy_per_unit_j, from_joules, relative_difference, run_statistics
from une_eval.findings import pointer
from une_eval.validation.rules.base import Message, Problem, RuleContext, Term, msg, rule, template

_PER_UNIT = {
    (False, False): template(
        "declared {declared} {unit} per {count} {fu}, expected {expected} {unit} from the mean of the runs' "
        "per-unit energies"
    ),
    (True, False): template(
        "declared {declared} {unit} per {count} {fu} net of idle, expected {expected} {unit} from the mean of the "
        "runs' per-unit energies"
    ),
    (False, True): template(
        "declared {declared} {unit} per {count} {fu}, expected {expected} {unit} from {total_j} J over "
        "{work_units} work units (pooled)"
    ),
    (True, True): template(
        "declared {declared} {unit} per {count} {fu} net of idle, expected {expected} {unit} from {total_j} J "
        "over {work_units} work units (pooled)"
    ),
}


def _per_unit_expected(ctx: RuleContext, net: bool) -> tuple[float, dict[str, float]] | None:
    """The per-unit energy the declared definition implies, in the declared unit, and the pooled sums (if pooled)."""
    res = ctx.sub.results
    assert res is not None
    quantity = res.net_energy_per_unit if net else res.energy_per_unit
    if quantity is None:
        return None
    runs = [r for r in ctx.sub.measurement.runs if r.complete and r.work_units > 0]
    idle_w = math.fsum(d.power_w for d in ctx.sub.measurement.idle_baseline.devices)

    def energy_j(total_j: float, duration_s: float) -> float:
        return max(total_j - idle_w * duration_s, 0.0) if net else total_j

    count = res.functional_unit.count
    if quantity.definition == "mean-of-runs":
        if not runs:
            return None
        per_run = [energy_per_unit_j(energy_j(r.energy.total_j, r.duration_s), r.work_units, count) for r in runs]
        return from_joules(math.fsum(per_run) / len(per_run), quantity.unit), {}
    if res.work_units_total <= 0:
        return None
    duration_s = math.fsum(r.duration_s for r in ctx.sub.measurement.runs if r.complete)
    total_j = energy_j(res.energy_total.total_j, duration_s)
    pooled = {"total_j": total_j, "work_units": res.work_units_total}
    return from_joules(energy_per_unit_j(total_j, res.work_units_total, count), quantity.unit), pooled


@rule("results.per-unit")
def per_unit(ctx: RuleContext) -> Iterator[Problem]:
    """The energy per functional unit (gross, and net of idle when declared) follows its declared definition.

    ``pooled`` (the default) is the complete runs' total energy over their total work units;
    ``mean-of-runs`` is the mean of each run's energy per unit. Net energy subtracts the idle baseline's
    power times the run time.
    """
    res = ctx.sub.results
    if res is None:
        return
    fu = res.functional_unit
    for field, net in (("energy_per_unit", False), ("net_energy_per_unit", True)):
        quantity = getattr(res, field)
        got = _per_unit_expected(ctx, net)
        if quantity is None or got is None:
            continue
        expected, pooled = got
        if relative_difference(quantity.value, expected) > ctx.param("tolerance_rel"):
            text = msg(
                _PER_UNIT[(net, bool(pooled))],
                declared=quantity.value,
                unit=quantity.unit,
                count=fu.count,
                fu=Term(fu.unit),
                expected=expected,
                **pooled,
            )
            yield Problem(pointer("results", field, "value"), text)


def _close(got: float, want: float, tol_rel: float, floor: float = 0.0) -> bool:
    """``got`` agrees with ``want`` within ``tol_rel`` of ``want`` (plus an absolute ``floor`` for rounding)."""
    return abs(got - want) <= tol_rel * abs(want) + floor


@rule("results.statistics")
def statistics(ctx: RuleContext) -> Iterator[Problem]:
    """Mean, sample standard deviation (n - 1), CV and the Student-t 95 % CI agree with the per-run figures.

    Each figure is compared with its own recomputed value (a standard deviation 10 % off is 10 % off,
    however small it is against the mean); the interval's bounds are compared against its half-width,
    with room for the six significant figures a file keeps of a bound.
    """
    res = ctx.sub.results
    if res is None:
        return
    runs = [r for r in ctx.sub.measurement.runs if r.complete and r.work_units > 0]
    unit = res.energy_per_unit.unit
    values = [
        from_joules(energy_per_unit_j(r.energy.total_j, r.work_units, res.functional_unit.count), unit) for r in runs
    ]
    want = run_statistics(values)
    tol = ctx.param("tolerance_rel")
    got = res.statistics
    if got.n_runs != want.n_runs:
        yield Problem(
            pointer("results", "statistics", "n_runs"),
            msg(
                "declared {declared} runs, the submission has {complete} complete runs",
                declared=got.n_runs,
                complete=want.n_runs,
            ),
        )
        return
    rounding = 1e-5 * abs(want.mean)  # six significant figures of a value of the mean's size
    half = (want.ci95_high - want.ci95_low) / 2
    checks = (
        ("mean", got.mean, want.mean, tol * abs(want.mean) + rounding, unit),
        ("std", got.std, want.std, tol * want.std + 1e-6 * want.std + 1e-12 * abs(want.mean), unit),
        ("ci95_low", got.ci95_low, want.ci95_low, tol * half + rounding, unit),
        ("ci95_high", got.ci95_high, want.ci95_high, tol * half + rounding, unit),
        ("cv_pct", got.cv_pct, want.cv_pct, tol * want.cv_pct + 1e-6, "%"),
    )
    for name, declared, expected, allowed, u in checks:
        if abs(declared - expected) > allowed:
            yield Problem(
                pointer("results", "statistics", name), _statistic_message(name, declared, expected, u, want.n_runs)
            )


_STATISTIC = {
    "std": template(
        "declared sample standard deviation (n - 1) {declared} {unit}, recomputed {expected} {unit} from {n} runs"
    ),
    "cv_pct": template(
        "declared coefficient of variation {declared} {unit}, recomputed {expected} {unit} from {n} runs"
    ),
    "ci95_low": template(
        "declared 95 % interval's lower bound (Student's t) {declared} {unit}, recomputed {expected} {unit} "
        "from {n} runs"
    ),
    "ci95_high": template(
        "declared 95 % interval's upper bound (Student's t) {declared} {unit}, recomputed {expected} {unit} "
        "from {n} runs"
    ),
    "mean": template("declared mean {declared} {unit}, recomputed {expected} {unit} from {n} runs"),
}


def _statistic_message(name: str, declared: float, expected: float, unit: str, n: int) -> Message:
    return msg(_STATISTIC[name], declared=declared, expected=expected, unit=unit, n=n)


@rule("results.mean-power")
def mean_power(ctx: RuleContext) -> Iterator[Problem]:
    """Every declared mean power equals energy / duration: per device and per run, and over all complete runs."""
    tol = ctx.param("tolerance_rel")
    for i, run in enumerate(ctx.sub.measurement.runs):
        if run.duration_s <= 0:
            continue
        if run.mean_power_w is not None and not _close(run.mean_power_w, run.energy.total_j / run.duration_s, tol):
            yield Problem(
                pointer("measurement", "runs", i, "mean_power_w"),
                msg(
                    "run {run}: declared mean power {declared_w} W, its energy {energy_j} J over {duration_s} s "
                    "gives {implied_w} W",
                    run=run.index,
                    declared_w=run.mean_power_w,
                    energy_j=run.energy.total_j,
                    duration_s=run.duration_s,
                    implied_w=run.energy.total_j / run.duration_s,
                ),
            )
        for j, dev in enumerate(run.devices):
            implied_w = dev.energy_j / run.duration_s
            if dev.mean_power_w is not None and not _close(dev.mean_power_w, implied_w, tol):
                yield Problem(
                    pointer("measurement", "runs", i, "devices", j, "mean_power_w"),
                    msg(
                        "run {run}, {device}: declared mean power {declared_w} W, its energy {energy_j} J over "
                        "{duration_s} s gives {implied_w} W",
                        run=run.index,
                        device=dev.device_id,
                        declared_w=dev.mean_power_w,
                        energy_j=dev.energy_j,
                        duration_s=run.duration_s,
                        implied_w=implied_w,
                    ),
                )
    res = ctx.sub.results
    complete = [r for r in ctx.sub.measurement.runs if r.complete]
    duration_s = math.fsum(r.duration_s for r in complete)
    if res is not None and res.mean_power_w is not None and duration_s > 0:
        implied_w = math.fsum(r.energy.total_j for r in complete) / duration_s
        if not _close(res.mean_power_w, implied_w, tol):
            yield Problem(
                pointer("results", "mean_power_w"),
                msg(
                    "declared mean power {declared_w} W, the complete runs' energy over their {duration_s} s gives "
                    "{implied_w} W",
                    declared_w=res.mean_power_w,
                    duration_s=duration_s,
                    implied_w=implied_w,
                ),
            )


@rule("results.throughput")
def throughput(ctx: RuleContext) -> Iterator[Problem]:
    """The declared throughput equals the complete runs' work units over their total duration."""
    res = ctx.sub.results
    complete = [r for r in ctx.sub.measurement.runs if r.complete]
    duration_s = math.fsum(r.duration_s for r in complete)
    if res is None or res.throughput_per_s is None or duration_s <= 0:
        return
    implied = math.fsum(r.work_units for r in complete) / duration_s
    if not _close(res.throughput_per_s, implied, ctx.param("tolerance_rel")):
        yield Problem(
            pointer("results", "throughput_per_s"),
            msg(
                "declared throughput {declared} work units/s, the complete runs give {implied} work units/s",
                declared=res.throughput_per_s,
                implied=implied,
            ),
        )


@rule("results.functional-unit")
def functional_unit(ctx: RuleContext) -> Iterator[Problem]:
    """Check that results are per the profile's functional and energy units (e.g. Wh per 1000 queries)."""
    if ctx.sub.phase != ctx.param("phase"):
        return
    res = ctx.sub.results
    unit, count, energy_unit = ctx.param("unit"), ctx.param("count"), ctx.param("energy_unit")
    if res is None:
        yield Problem(
            pointer("results"),
            msg(
                "no results; the profile requires {energy_unit} per {count} {unit}",
                energy_unit=energy_unit,
                count=count,
                unit=Term(unit),
            ),
        )
        return
    fu = res.functional_unit
    if fu.unit != unit or fu.count != count:
        yield Problem(
            pointer("results", "functional_unit"),
            msg(
                "results are per {count} {unit}; the profile requires per {required_count} {required_unit}",
                count=fu.count,
                unit=Term(fu.unit),
                required_count=count,
                required_unit=Term(unit),
            ),
        )
    if res.energy_per_unit.unit != energy_unit:
        yield Problem(
            pointer("results", "energy_per_unit", "unit"),
            msg(
                "energy per unit is in {unit}; the profile requires {required}",
                unit=res.energy_per_unit.unit,
                required=energy_unit,
            ),
        )
