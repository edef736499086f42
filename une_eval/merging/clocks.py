"""Which node clocks a merge accepts: offsets within the profile's limit, measured when nodes are aligned.

An offset beyond the limit (400 ms by default, MLPerf Power's bound on node clocks), counting its
uncertainty, is refused; so is an unmeasured one when more than one node is merged. How an accepted
offset moves and widens the job's windows is :mod:`une_eval.nodeclocks`.
"""

from __future__ import annotations

from une_eval.merging.issues import MergeIssue
from une_eval.model import NodeRecord
from une_eval.nodeclocks import ALIGNED, NodeClock

DEFAULT_LIMIT_S = 0.4


def accept(record: NodeRecord | None, node_id: str, limit_s: float, *, alone: bool) -> NodeClock | MergeIssue:
    """The node's accepted clock, or the issue that refuses it."""
    clock = record.clock if record is not None else None
    if clock is None or clock.offset_s is None or clock.uncertainty_s is None:
        if alone:
            return ALIGNED
        why = (clock.reason if clock is not None else None) or "the node's submission records no clock offset"
        return MergeIssue(
            "clock-unmeasured",
            f"node {node_id}: its clock's offset to the job's reference was not measured ({why}); "
            "its windows cannot be aligned with the other nodes' (une-eval measure --clock-reference)",
            node_id,
        )
    bound_s = abs(clock.offset_s) + clock.uncertainty_s
    if bound_s > limit_s:
        return MergeIssue(
            "clock-offset",
            f"node {node_id}: its clock is {clock.offset_s * 1000:+.1f} ms (± {clock.uncertainty_s * 1000:.1f} ms) "
            f"off the job's reference ({clock.reference}), beyond the limit of {limit_s * 1000:g} ms",
            node_id,
        )
    return NodeClock.of(clock.offset_s, clock.uncertainty_s)
