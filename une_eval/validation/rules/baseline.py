"""The idle baseline: long enough, with an idle power for every GPU (``baseline.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("baseline.duration")
def baseline_duration(ctx: RuleContext) -> Iterator[Problem]:
    """The idle baseline lasted long enough to average out the sensor's noise."""
    minimum_s = ctx.param("min_duration_s")
    base = ctx.sub.measurement.idle_baseline
    if base.duration_s < minimum_s:
        yield Problem(
            pointer("measurement", "idle_baseline", "duration_s"),
            msg(
                "idle baseline lasted {duration_s} s, the profile requires at least {minimum_s} s",
                duration_s=base.duration_s,
                minimum_s=minimum_s,
            ),
        )
    gpus = {d.device_id for d in ctx.sub.measurement.devices if d.component == "gpu"}
    missing = sorted(gpus - {d.device_id for d in base.devices})
    if missing:
        yield Problem(
            pointer("measurement", "idle_baseline", "devices"),
            msg("no idle power for GPU {devices}", devices=", ".join(missing[:5])),
        )
