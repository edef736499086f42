"""Power plausibility: power limits and energy above idle (``power.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, fmt, rule


@rule("power.limit")
def power_limit(ctx: RuleContext) -> Iterator[Problem]:
    """A device's mean power in a run is not above its power limit (with tolerance)."""
    tol = ctx.param("tolerance_rel")
    for i, run in enumerate(ctx.sub.measurement.runs):
        for j, dev in enumerate(run.devices):
            declared = ctx.sub.device(dev.device_id)
            if declared is None or declared.power_limit_w is None or run.duration_s <= 0:
                continue
            mean_w = dev.mean_power_w if dev.mean_power_w is not None else dev.energy_j / run.duration_s
            if mean_w > declared.power_limit_w * (1 + tol):
                field = "mean_power_w" if dev.mean_power_w is not None else "energy_j"
                yield Problem(
                    pointer("measurement", "runs", i, "devices", j, field),
                    f"mean power {fmt(mean_w)} W of {dev.device_id} is above its power limit "
                    f"{fmt(declared.power_limit_w)} W",
                )


@rule("power.peak")
def peak_power(ctx: RuleContext) -> Iterator[Problem]:
    """A device's declared peak power is not below the mean power that its energy and the run's duration imply.

    Only per device: a run's own ``peak_power_w`` has no defined scope (devices only, or the whole node).
    """
    tol = ctx.param("tolerance_rel")
    for i, run in enumerate(ctx.sub.measurement.runs):
        if run.duration_s <= 0:
            continue
        items = [
            (pointer("measurement", "runs", i, "devices", j, "peak_power_w"), d.peak_power_w, d.energy_j, d.device_id)
            for j, d in enumerate(run.devices)
        ]
        for where, peak_w, energy_j, who in items:
            mean_w = energy_j / run.duration_s
            if peak_w is not None and peak_w < mean_w * (1 - tol):
                yield Problem(
                    where,
                    f"run {run.index}, {who}: declared peak power {fmt(peak_w)} W is below the mean power "
                    f"{fmt(mean_w)} W that {fmt(energy_j)} J over {fmt(run.duration_s)} s imply",
                )


@rule("power.above-idle")
def above_idle(ctx: RuleContext) -> Iterator[Problem]:
    """A GPU's gross energy in a run is not below its idle power times the run's duration."""
    tol = ctx.param("tolerance_rel")
    idle_w = {d.device_id: d.power_w for d in ctx.sub.measurement.idle_baseline.devices}
    for i, run in enumerate(ctx.sub.measurement.runs):
        for j, dev in enumerate(run.devices):
            if dev.device_id not in idle_w:
                continue
            floor_j = idle_w[dev.device_id] * run.duration_s
            if dev.energy_j < floor_j * (1 - tol):
                yield Problem(
                    pointer("measurement", "runs", i, "devices", j, "energy_j"),
                    f"{dev.device_id} used {fmt(dev.energy_j)} J in {fmt(run.duration_s)} s, below its "
                    f"idle power {fmt(idle_w[dev.device_id])} W x duration = {fmt(floor_j)} J",
                )
