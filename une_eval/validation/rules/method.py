"""Measurement methods: the energy counter is preferred where the device has one (``method.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


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
                msg(
                    "GPU energy from integrated power although the GPU has an energy counter; integrating "
                    "NVML's averaged power was 1.7% low on steady load and 33% high across a load-to-idle "
                    "edge on an H200"
                ),
            )
