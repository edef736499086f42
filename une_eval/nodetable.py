"""The per-node view of a many-node submission, as a certificate, the audit summary and ``validate`` show it.

A merged submission (``une-eval merge``) records in ``measurement.nodes[]`` whether each node's windows
count (``complete``, ``partial``, ``excluded``), why not, its energy over the complete runs and its
clock offset. :func:`node_table` turns that into rows to print, with the total and the cross-checks
recorded beside it (:mod:`une_eval.merging.crosscheck`).

Up to :data:`MAX_LISTED` nodes, every node is a row. Beyond, a thousand rows would fill forty pages and
hide what matters, so the table is a digest: every node that is not complete, with its reason (at
most :data:`MAX_PROBLEMS`, then a count), the :data:`EXTREMES` nodes of highest and lowest energy,
and the count and energy range (lowest, median, highest) of the complete nodes not listed. The full
list stays in the submission (attached to a certificate).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the typed model (pydantic) loads only where a submission is checked
    from une_eval.model import NodeRecord, Submission

MAX_LISTED = 32
EXTREMES = 5
MAX_PROBLEMS = 50
STATUSES = ("complete", "partial", "excluded")


@dataclass(frozen=True, slots=True)
class NodeLine:
    """One node's row: its status and why, its GPUs, its energy over the complete runs, its clock offset."""

    node_id: str
    status: str  # complete, partial, excluded, or "" when the submission does not say
    reason: str
    gpus: int
    energy_j: float | None
    clock_offset_ms: float | None
    group: str = "all"  # all (every node listed), problem, highest or lowest (a digest's sections)

    def to_json(self) -> dict[str, Any]:
        """The row as plain data."""
        return {
            "node_id": self.node_id,
            "status": self.status,
            "reason": self.reason,
            "gpus": self.gpus,
            "energy_j": self.energy_j,
            "clock_offset_ms": self.clock_offset_ms,
            "group": self.group,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NodeLine:
        """Rebuild a row from :meth:`to_json`."""
        return cls(
            node_id=str(data.get("node_id", "")),
            status=str(data.get("status", "")),
            reason=str(data.get("reason", "")),
            gpus=int(data.get("gpus", 0)),
            energy_j=_number(data.get("energy_j")),
            clock_offset_ms=_number(data.get("clock_offset_ms")),
            group=str(data.get("group", "all")),
        )


@dataclass(frozen=True, slots=True)
class CrossCheckLine:
    """An independent total recorded beside the merged one (Slurm accounting, DCGM job statistics)."""

    source: str  # slurm-sacct or dcgm-stats
    status: str  # recorded, or unavailable
    energy_j: float | None
    difference_pct: float | None
    tolerance_pct: float | None
    note: str

    def to_json(self) -> dict[str, Any]:
        """The line as plain data."""
        return {
            "source": self.source,
            "status": self.status,
            "energy_j": self.energy_j,
            "difference_pct": self.difference_pct,
            "tolerance_pct": self.tolerance_pct,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CrossCheckLine:
        """Rebuild a line from :meth:`to_json`."""
        return cls(
            source=str(data.get("source", "")),
            status=str(data.get("status", "")),
            energy_j=_number(data.get("energy_j")),
            difference_pct=_number(data.get("difference_pct")),
            tolerance_pct=_number(data.get("tolerance_pct")),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True, slots=True)
class NodeTable:
    """What is shown of the nodes: the rows, the counts by status, the total and what the digest left out."""

    node_count: int
    status_counts: dict[str, int]
    total_energy_j: float
    rows: tuple[NodeLine, ...]
    condensed: bool = False
    problems_not_listed: int = 0
    others: int = 0  # complete nodes a digest does not list
    others_low_j: float | None = None
    others_median_j: float | None = None
    others_high_j: float | None = None
    cross_checks: tuple[CrossCheckLine, ...] = field(default_factory=tuple)

    def group(self, name: str) -> tuple[NodeLine, ...]:
        """The rows of one section: all, problem, highest or lowest."""
        return tuple(r for r in self.rows if r.group == name)

    def to_json(self) -> dict[str, Any]:
        """The table as plain data (``validate --format json``'s ``nodes``)."""
        return {
            "node_count": self.node_count,
            "status_counts": dict(self.status_counts),
            "total_energy_j": self.total_energy_j,
            "rows": [r.to_json() for r in self.rows],
            "condensed": self.condensed,
            "problems_not_listed": self.problems_not_listed,
            "others": self.others,
            "others_low_j": self.others_low_j,
            "others_median_j": self.others_median_j,
            "others_high_j": self.others_high_j,
            "cross_checks": [c.to_json() for c in self.cross_checks],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NodeTable:
        """Rebuild a table from :meth:`to_json`."""
        counts = data.get("status_counts") or {}
        return cls(
            node_count=int(data.get("node_count", 0)),
            status_counts={str(k): int(v) for k, v in counts.items()},
            total_energy_j=_number(data.get("total_energy_j")) or 0.0,
            rows=tuple(NodeLine.from_json(r) for r in data.get("rows", ())),
            condensed=bool(data.get("condensed", False)),
            problems_not_listed=int(data.get("problems_not_listed", 0)),
            others=int(data.get("others", 0)),
            others_low_j=_number(data.get("others_low_j")),
            others_median_j=_number(data.get("others_median_j")),
            others_high_j=_number(data.get("others_high_j")),
            cross_checks=tuple(CrossCheckLine.from_json(c) for c in data.get("cross_checks", ())),
        )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _line(record: NodeRecord, gpus: Mapping[str, int], group: str = "all") -> NodeLine:
    offset = record.clock.offset_s if record.clock is not None else None
    return NodeLine(
        node_id=record.node_id,
        status=record.status or "",
        reason=record.reason or "",
        gpus=gpus.get(record.node_id, 0),
        energy_j=_number(record.energy_j),
        clock_offset_ms=offset * 1000 if offset is not None and math.isfinite(offset) else None,
        group=group,
    )


def _digest(lines: Sequence[NodeLine]) -> dict[str, Any]:
    """The digest of many nodes: the problems, the extremes, and the count and range of the rest."""
    problems = [ln for ln in lines if ln.status != "complete"]
    ranked = sorted((ln for ln in lines if ln.status == "complete"), key=lambda ln: -(ln.energy_j or 0.0))
    highest, lowest = ranked[:EXTREMES], ranked[EXTREMES:][-EXTREMES:]
    rest = [ln.energy_j for ln in ranked[EXTREMES : len(ranked) - len(lowest)] if ln.energy_j is not None]
    rows = [_regroup(ln, "problem") for ln in problems[:MAX_PROBLEMS]]
    rows += [_regroup(ln, "highest") for ln in highest] + [_regroup(ln, "lowest") for ln in lowest]
    return {
        "rows": tuple(rows),
        "condensed": True,
        "problems_not_listed": max(len(problems) - MAX_PROBLEMS, 0),
        "others": len(ranked) - len(highest) - len(lowest),
        "others_low_j": min(rest) if rest else None,
        "others_median_j": statistics.median(rest) if rest else None,
        "others_high_j": max(rest) if rest else None,
    }


def _regroup(line: NodeLine, group: str) -> NodeLine:
    return NodeLine(line.node_id, line.status, line.reason, line.gpus, line.energy_j, line.clock_offset_ms, group)


def node_table(sub: Submission) -> NodeTable | None:
    """The node table of a merged or many-node submission; None for a single node's own submission."""
    m = sub.measurement
    if m.merge is None and len(m.nodes) < 2:
        return None
    gpus = Counter(d.node_id for d in m.devices if d.component == "gpu")
    lines = [_line(r, gpus) for r in m.nodes]
    counts = Counter(ln.status or "unknown" for ln in lines)
    total = math.fsum(ln.energy_j for ln in lines if ln.energy_j is not None)
    shape: dict[str, Any] = {"rows": tuple(lines)} if len(lines) <= MAX_LISTED else _digest(lines)
    return NodeTable(
        node_count=len(lines),
        status_counts={s: counts[s] for s in (*STATUSES, "unknown") if counts[s]},
        total_energy_j=total,
        cross_checks=_cross_checks(sub),
        **shape,
    )


def _cross_checks(sub: Submission) -> tuple[CrossCheckLine, ...]:
    return tuple(
        CrossCheckLine(
            source=c.source,
            status=c.status,
            energy_j=_number(c.energy_j),
            difference_pct=_number(c.difference_pct),
            tolerance_pct=_number(c.tolerance_pct),
            note=c.reason or c.scope or "",
        )
        for c in sub.measurement.cross_checks
    )


def _kwh(energy_j: float | None) -> str:
    return "-" if energy_j is None else f"{energy_j / 3.6e6:.6g} kWh"


def _row_text(line: NodeLine) -> str:
    offset = line.clock_offset_ms
    clock = f", clock {round(offset, 1) + 0.0:+.1f} ms" if offset is not None else ""
    why = f": {line.reason}" if line.reason and line.status != "complete" else ""
    return f"{line.node_id}  {line.status or 'unknown'}  {line.gpus} GPU  {_kwh(line.energy_j)}{clock}{why}"


def text_lines(table: NodeTable) -> list[str]:
    """The table as plain lines (``validate``'s text output): the counts and total, the rows, the cross-checks."""
    counts = ", ".join(f"{n} {status}" for status, n in table.status_counts.items())
    out = [f"nodes: {table.node_count} ({counts}); {_kwh(table.total_energy_j)} measured in the complete runs"]
    sections = (("all", ""), ("problem", "not complete"), ("highest", "highest energy"), ("lowest", "lowest energy"))
    for group, title in sections:
        rows = table.group(group)
        if rows and title:
            out.append(f"  {title}:")
        out += [f"    {_row_text(r)}" if title else f"  {_row_text(r)}" for r in rows]
    if table.problems_not_listed:
        out.append(f"  and {table.problems_not_listed} more nodes not complete (measurement.nodes)")
    if table.others:
        out.append(
            f"  {table.others} other complete nodes: {_kwh(table.others_low_j)} to {_kwh(table.others_high_j)} "
            f"(median {_kwh(table.others_median_j)})"
        )
    for c in table.cross_checks:
        if c.status != "recorded":
            out.append(f"cross-check {c.source} (sourced): unavailable: {c.note}")
            continue
        pct = f" ({c.difference_pct:+.2f} % of the measured)" if c.difference_pct is not None else ""
        out.append(f"cross-check {c.source} (sourced): {_kwh(c.energy_j)}{pct}; {c.note}")
    return out


__all__ = [
    "EXTREMES",
    "MAX_LISTED",
    "MAX_PROBLEMS",
    "CrossCheckLine",
    "NodeLine",
    "NodeTable",
    "node_table",
    "text_lines",
]
