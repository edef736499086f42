"""Power plausibility: idle baseline, power limits, energy above idle, the right sensor method."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validate.rules import Problem, RuleContext, rule
from une_eval.validate.rules.totals import fmt


@rule("baseline.duration")
def baseline_duration(ctx: RuleContext) -> Iterator[Problem]:
    """The idle baseline lasted long enough to average out the sensor's noise."""
    minimum_s = ctx.param("min_duration_s")
    base = ctx.sub.measurement.idle_baseline
    if base.duration_s < minimum_s:
        yield Problem(
            pointer("measurement", "idle_baseline", "duration_s"),
            f"idle baseline lasted {fmt(base.duration_s)} s, the profile requires at least {fmt(minimum_s)} s",
        )
    gpus = {d.device_id for d in ctx.sub.measurement.devices if d.component == "gpu"}
    missing = sorted(gpus - {d.device_id for d in base.devices})
    if missing:
        yield Problem(
            pointer("measurement", "idle_baseline", "devices"), f"no idle power for GPU {', '.join(missing[:5])}"
        )


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


@rule("method.counter-preferred")
def counter_preferred(ctx: RuleContext) -> Iterator[Problem]:
    """Power integration declared on a GPU that has an energy counter (the counter is more accurate)."""
    has_counter = any(d.has_energy_counter for d in ctx.sub.measurement.devices if d.component == "gpu") or any(
        a.has_energy_counter for n in ctx.sub.system.hardware.nodes for a in n.accelerators
    )
    if not has_counter:
        return
    for i, m in enumerate(ctx.sub.measurement.methods):
        if m.component == "gpu" and m.method == "nvml-power-integration":
            yield Problem(
                pointer("measurement", "methods", i, "method"),
                "GPU energy from integrated power although the GPU has an energy counter; integrating "
                "NVML's averaged power was 1.7% low on steady load and 33% high across a load-to-idle "
                "edge on an H200",
            )
