"""What the merge found about nodes, devices, clocks and runs, as data (``measurement.merge.findings``).

Each issue names what it touches: a node, a device, a run. :func:`touches_run` decides which runs of
the merged submission an issue invalidates: an issue without a run (a missing node, a missing GPU, a
refused clock) touches every run; a died node or a counter reset only the runs it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from une_eval.model import MergeCode

# Issues recorded for the auditor that do not make the job's energy incomplete by themselves.
INFORMATIVE: frozenset[str] = frozenset({"trace-changed", "declarations-differ"})


@dataclass(frozen=True, slots=True)
class MergeIssue:
    """One finding of the merge: its code, a sentence, and what it touches."""

    code: MergeCode
    message: str
    node_id: str | None = None
    device_id: str | None = None
    run_index: int | None = None

    def entry(self) -> dict[str, Any]:
        """The ``measurement.merge.findings`` item."""
        out: dict[str, Any] = {"code": self.code}
        if self.node_id is not None:
            out["node_id"] = self.node_id
        if self.device_id is not None:
            out["device_id"] = self.device_id
        if self.run_index is not None:
            out["run_index"] = self.run_index
        out["message"] = self.message[:5000]
        return out

    @property
    def blocking(self) -> bool:
        """Whether the issue makes what it touches incomplete."""
        return self.code not in INFORMATIVE

    def touches_run(self, run_index: int) -> bool:
        """Whether the issue invalidates this run (a node that stopped: that run and every later one)."""
        if not self.blocking:
            return False
        if self.run_index is None:
            return True
        return self.run_index <= run_index if self.code == "node-incomplete" else self.run_index == run_index


def summary(issues: list[MergeIssue], limit: int = 500) -> str:
    """The issues as one sentence of at most ``limit`` characters (the rest is in the findings)."""
    parts: list[str] = []
    for k, issue in enumerate(issues):
        more = f"; and {len(issues) - k} more (measurement.merge.findings)"
        candidate = "; ".join([*parts, issue.message])
        if (len(candidate) + len(more) > limit and k < len(issues) - 1) or len(candidate) > limit:
            return ("; ".join(parts) + more if parts else issue.message[: limit - len(more) - 1] + "…" + more)[:limit]
        parts.append(issue.message)
    return "; ".join(parts)[:limit]
