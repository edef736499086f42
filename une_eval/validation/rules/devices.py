"""Devices: declared once and referenced consistently (``devices.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("devices.known")
def devices_known(ctx: RuleContext) -> Iterator[Problem]:
    """Every device named in runs, baseline and traces is declared once in measurement.devices."""
    m = ctx.sub.measurement
    seen: set[str] = set()
    for i, dev in enumerate(m.devices):
        if dev.device_id in seen:
            yield Problem(pointer("measurement", "devices", i, "device_id"), msg("device id declared twice"))
        seen.add(dev.device_id)
    # Where each reference sits, as tokens: the pointer is built only for a device that is not declared.
    refs: list[tuple[tuple[str | int, ...], str]] = [
        (("measurement", "idle_baseline", "devices", i, "device_id"), d.device_id)
        for i, d in enumerate(m.idle_baseline.devices)
    ]
    refs += [
        (("measurement", "runs", i, "devices", j, "device_id"), d.device_id)
        for i, r in enumerate(m.runs)
        for j, d in enumerate(r.devices)
    ]
    refs += [
        (("measurement", "traces", i, "device_id"), t.device_id)
        for i, t in enumerate(m.traces)
        if t.device_id is not None
    ]
    for where, device_id in refs:
        if device_id not in seen:
            yield Problem(pointer(*where), msg("names a device that measurement.devices does not declare"))
