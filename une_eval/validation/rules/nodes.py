"""Many-node submissions: node clocks within the limit, every device once, the cross-checks (``nodes.*``)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("nodes.clock-offset")
def clock_offset(ctx: RuleContext) -> Iterator[Problem]:
    """Where more than one node's windows count, each node's clock is measured and within the limit."""
    records = [(i, r) for i, r in enumerate(ctx.sub.measurement.nodes) if r.status != "excluded"]
    if len(records) < 2:
        return
    limit_s = float(ctx.param("max_offset_s"))
    for i, record in records:
        clock = record.clock
        if clock is None or clock.offset_s is None or clock.uncertainty_s is None:
            yield Problem(
                pointer("measurement", "nodes", i, "clock"),
                msg(
                    "node {node}: its clock's offset to the job's reference was not measured, so its windows "
                    "cannot be aligned with the other nodes'",
                    node=record.node_id,
                ),
            )
            continue
        if abs(clock.offset_s) + clock.uncertainty_s > limit_s:
            yield Problem(
                pointer("measurement", "nodes", i, "clock", "offset_s"),
                msg(
                    "node {node}: clock offset {offset_ms} ms (± {uncertainty_ms} ms) "
                    "exceeds the limit of {limit_ms} ms",
                    node=record.node_id,
                    offset_ms=clock.offset_s * 1000,
                    uncertainty_ms=clock.uncertainty_s * 1000,
                    limit_ms=limit_s * 1000,
                ),
            )


@rule("nodes.devices")
def devices(ctx: RuleContext) -> Iterator[Problem]:
    """Each GPU is listed once (by UUID, and by index on its node), on a node the submission lists."""
    m = ctx.sub.measurement
    listed = {r.node_id for r in m.nodes}
    by_uuid: dict[str, str] = {}
    by_index: dict[tuple[str, int], str] = {}
    for i, d in enumerate(m.devices):
        if listed and d.node_id not in listed:
            yield Problem(
                pointer("measurement", "devices", i, "node_id"),
                msg(
                    "{device} is on node {node}, which measurement.nodes does not list",
                    device=d.device_id,
                    node=d.node_id,
                ),
            )
        if d.component != "gpu":
            continue
        if d.uuid is not None and d.uuid in by_uuid:
            yield Problem(
                pointer("measurement", "devices", i, "uuid"),
                msg(
                    "{device} has the UUID of {other}: one GPU counted twice "
                    "(MIG instances report their whole GPU's energy)",
                    device=d.device_id,
                    other=by_uuid[d.uuid],
                ),
            )
        if d.index is not None and (d.node_id, d.index) in by_index:
            yield Problem(
                pointer("measurement", "devices", i, "index"),
                msg(
                    "{device} has the index of {other} on node {node}",
                    device=d.device_id,
                    other=by_index[(d.node_id, d.index)],
                    node=d.node_id,
                ),
            )
        if d.uuid is not None:
            by_uuid.setdefault(d.uuid, d.device_id)
        if d.index is not None:
            by_index.setdefault((d.node_id, d.index), d.device_id)


@rule("nodes.cross-check")
def cross_check(ctx: RuleContext) -> Iterator[Problem]:
    """An external total of the job (sacct, DCGM) is not below the measured runs' energy beyond the tolerance.

    The external figure covers the whole job, which holds the measured runs: it can be higher (idle,
    warm-up, pauses, whole nodes), but lower by more than the tolerance means one of the two is wrong.
    The measured total is recomputed here from the runs, not taken from the cross-check's own record.
    """
    m = ctx.sub.measurement
    if not m.cross_checks:
        return
    tolerance_pct = float(ctx.param("tolerance_pct"))
    measured_j = math.fsum(r.energy.total_j for r in m.runs if r.complete)
    for i, check in enumerate(m.cross_checks):
        if check.status != "recorded" or check.energy_j is None or measured_j <= 0:
            continue
        short_pct = (measured_j - check.energy_j) / measured_j * 100
        if short_pct > tolerance_pct:
            yield Problem(
                pointer("measurement", "cross_checks", i, "energy_j"),
                msg(
                    "{source} reports {external_j} J for the job, {short_pct} % less than the {measured_j} J "
                    "measured in its complete runs alone (tolerance {tolerance_pct} %): the job's accounting "
                    "and the counters disagree",
                    source=check.source,
                    external_j=check.energy_j,
                    short_pct=short_pct,
                    measured_j=measured_j,
                    tolerance_pct=tolerance_pct,
                ),
            )
