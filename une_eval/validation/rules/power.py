"""Power plausibility: power limits and energy above idle (``power.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


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
                    msg(
                        "mean power {mean_w} W of {device} is above its power limit {limit_w} W",
                        mean_w=mean_w,
                        device=dev.device_id,
                        limit_w=declared.power_limit_w,
                    ),
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
        items = [(j, d.peak_power_w, d.energy_j, d.device_id) for j, d in enumerate(run.devices)]
        for j, peak_w, energy_j, who in items:
            mean_w = energy_j / run.duration_s
            if peak_w is not None and peak_w < mean_w * (1 - tol):
                yield Problem(
                    pointer("measurement", "runs", i, "devices", j, "peak_power_w"),
                    msg(
                        "run {run}, {device}: declared peak power {peak_w} W is below the mean power {mean_w} W "
                        "that {energy_j} J over {duration_s} s imply",
                        run=run.index,
                        device=who,
                        peak_w=peak_w,
                        mean_w=mean_w,
                        energy_j=energy_j,
                        duration_s=run.duration_s,
                    ),
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
                    msg(
                        "{device} used {energy_j} J in {duration_s} s, below its idle power {idle_w} W x duration "
                        "= {floor_j} J",
                        device=dev.device_id,
                        energy_j=dev.energy_j,
                        duration_s=run.duration_s,
                        idle_w=idle_w[dev.device_id],
                        floor_j=floor_j,
                    ),
                )
