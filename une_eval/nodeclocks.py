"""Node clocks in a many-node submission: how a job's windows move and widen on each node's clock.

Every node stamps its trace with its own clock, and records its offset to the job's common reference
(``offset = node - reference``, positive when the node is ahead) with the uncertainty of that figure.
A window of the job, ``[s, e]`` in reference time, lies on the node's clock at ``[s + offset,
e + offset]``: that is where the node's energy is read for the point estimate. The interval the energy
is reported in does not rely on the correction: it is read over the window widened (upper bound) and
narrowed (lower bound) by the whole offset accepted, ``|offset| + uncertainty``.

``une-eval merge`` declares energies read this way, and the validator recomputes them the same way
(:func:`device_clocks`, :func:`node_windows`, :func:`combine`), so both read exactly the same samples.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from une_eval.model import Submission

if TYPE_CHECKING:
    from une_eval.validation.windows import WindowEnergy  # numpy loads only once a trace is read


@dataclass(frozen=True, slots=True)
class NodeClock:
    """An accepted offset: the correction applied (ns) and the margin the interval is widened by (ns)."""

    offset_ns: int
    margin_ns: int

    @classmethod
    def of(cls, offset_s: float, uncertainty_s: float) -> NodeClock:
        """From seconds."""
        return cls(round(offset_s * 1e9), round((abs(offset_s) + uncertainty_s) * 1e9))


ALIGNED = NodeClock(0, 0)


@dataclass(frozen=True, slots=True)
class NodeWindows:
    """A node's windows on its own clock: the point windows, and the widened and narrowed ones."""

    point: list[tuple[int, int]]
    wide: list[tuple[int, int]]
    narrow: list[tuple[int, int]]

    def all(self) -> list[tuple[int, int]]:
        """All three lists in one (one pass over a trace computes them together)."""
        return [*self.point, *self.wide, *self.narrow]


def node_windows(windows: Sequence[tuple[int, int]], clock: NodeClock) -> NodeWindows:
    """The reference windows moved onto a node's clock, and widened and narrowed by its margin."""
    o, m = clock.offset_ns, clock.margin_ns
    point = [(s + o, e + o) for s, e in windows]
    wide = [(s - m, e + m) for s, e in point]
    narrow = [(s + m, e - m) if e - s > 2 * m else ((s + e) // 2, (s + e) // 2) for s, e in point]
    return NodeWindows(point, wide, narrow)


def combine(got: Sequence[WindowEnergy], n: int) -> list[WindowEnergy]:
    """Fold the energies of :meth:`NodeWindows.all` back into one per window.

    Each point keeps its own energy, with the narrowed window's lower bound and the widened one's upper.
    """
    if len(got) != 3 * n:
        raise ValueError("expected the point, widened and narrowed windows together")
    return [dataclasses.replace(got[k], min_j=got[2 * n + k].min_j, max_j=got[n + k].max_j) for k in range(n)]


def device_clocks(sub: Submission) -> dict[str, NodeClock]:
    """Each device's accepted node clock in a merged submission (none for devices of nodes without one)."""
    if sub.measurement.merge is None:
        return {}
    clocks: dict[str, NodeClock] = {}
    for record in sub.measurement.nodes:
        clock = record.clock
        if clock is not None and clock.offset_s is not None and clock.uncertainty_s is not None:
            clocks[record.node_id] = NodeClock.of(clock.offset_s, clock.uncertainty_s)
    return {d.device_id: clocks[d.node_id] for d in sub.measurement.devices if d.node_id in clocks}
