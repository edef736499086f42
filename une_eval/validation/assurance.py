"""The assurance level of a submission's evidence: how much of it could be recomputed from traces.

``evidence-checked``: every accelerator's energy in every complete run was recomputed from its trace
without an issue (the trace is present, hashes to its declared digest, is readable, covers the run and
its counter neither reset nor decreased in a way that cannot be told from a reset). Anything less is
``declared-only``, with the reasons as sentences. Whether the recomputed energies *agree* with the
declared ones is for the evidence rules; the level says how much of the submission they could check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from une_eval.model import Submission

if TYPE_CHECKING:
    from une_eval.validation.evidence import TraceIssue, WindowEvidence

EVIDENCE_CHECKED = "evidence-checked"
DECLARED_ONLY = "declared-only"
MAX_REASONS = 10


def _window_problem(w: WindowEvidence | None, device_id: str, run_index: int) -> str | None:
    where = f"run {run_index}, {device_id}"
    if w is None or w.recomputed_j is None:
        return f"{where}: no energy could be recomputed from the trace for this run's window"
    if not w.covered:
        return f"{where}: the trace does not cover the run's whole window"
    if w.counter_resets:
        return f"{where}: the energy counter reset inside the run"
    if w.counter_ambiguous_decreases:
        return f"{where}: the counter decreased and the trace declares no wrap range to tell a wrap from a reset"
    return None


def _accelerator_reasons(sub: Submission, issues: Sequence[TraceIssue], windows: Sequence[WindowEvidence]) -> list[str]:
    traced = {t.device_id: k for k, t in enumerate(sub.measurement.traces) if t.device_id is not None}
    broken = {i.trace_index: i.message for i in issues}
    by_window = {(w.run_index, w.device_id): w for w in windows}
    complete = [i for i, r in enumerate(sub.measurement.runs) if r.complete]
    reasons: list[str] = []
    for dev in (d for d in sub.measurement.devices if d.component == "gpu"):
        k = traced.get(dev.device_id)
        if k is None:
            reasons.append(f"{dev.device_id}: no trace is listed for this accelerator")
        elif k in broken:
            reasons.append(f"{dev.device_id}: its trace cannot be used ({broken[k]})")
        else:
            found = (_window_problem(by_window.get((i, dev.device_id)), dev.device_id, i) for i in complete)
            reasons += [r for r in found if r]
    return reasons


def assess(
    sub: Submission, issues: Sequence[TraceIssue], windows: Sequence[WindowEvidence]
) -> tuple[str, tuple[str, ...]]:
    """The assurance level and, below ``evidence-checked``, why (at most :data:`MAX_REASONS` sentences)."""
    accelerators = [d for d in sub.measurement.devices if d.component == "gpu"]
    hardware = sum(a.count for n in sub.system.hardware.nodes for a in n.accelerators)
    reasons: list[str] = []
    if not accelerators:
        reasons.append("the measurement lists no accelerator device")
    elif hardware > len(accelerators):
        reasons.append(f"the hardware has {hardware} accelerators; the measurement lists {len(accelerators)}")
    if not any(r.complete for r in sub.measurement.runs):
        reasons.append("the measurement has no complete run")
    reasons += _accelerator_reasons(sub, issues, windows)
    if not reasons:
        return EVIDENCE_CHECKED, ()
    if len(reasons) > MAX_REASONS:
        reasons = [*reasons[: MAX_REASONS - 1], f"and {len(reasons) - MAX_REASONS + 1} more reason(s)"]
    return DECLARED_ONLY, tuple(reasons)


def without_traces(reason: str) -> tuple[str, tuple[str, ...]]:
    """The level of a submission whose traces were not read at all (none listed, or no folder known)."""
    return DECLARED_ONLY, (reason,)
