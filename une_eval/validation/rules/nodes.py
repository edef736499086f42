"""Many-node submissions: node clocks within the profile's limit, every device once (``nodes.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, fmt, rule


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
                f"node {record.node_id}: its clock's offset to the job's reference was not measured, so its "
                "windows cannot be aligned with the other nodes'",
            )
            continue
        bound_s = abs(clock.offset_s) + clock.uncertainty_s
        if bound_s > limit_s:
            yield Problem(
                pointer("measurement", "nodes", i, "clock", "offset_s"),
                f"node {record.node_id}: clock offset {fmt(clock.offset_s * 1000)} ms "
                f"(± {fmt(clock.uncertainty_s * 1000)} ms) exceeds the limit of {fmt(limit_s * 1000)} ms",
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
                f"{d.device_id} is on node {d.node_id}, which measurement.nodes does not list",
            )
        if d.component != "gpu":
            continue
        if d.uuid is not None and d.uuid in by_uuid:
            yield Problem(
                pointer("measurement", "devices", i, "uuid"),
                f"{d.device_id} has the UUID of {by_uuid[d.uuid]}: one GPU counted twice "
                "(MIG instances report their whole GPU's energy)",
            )
        if d.index is not None and (d.node_id, d.index) in by_index:
            yield Problem(
                pointer("measurement", "devices", i, "index"),
                f"{d.device_id} has the index of {by_index[(d.node_id, d.index)]} on node {d.node_id}",
            )
        if d.uuid is not None:
            by_uuid.setdefault(d.uuid, d.device_id)
        if d.index is not None:
            by_index.setdefault((d.node_id, d.index), d.device_id)
