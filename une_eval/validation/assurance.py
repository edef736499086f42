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

from une_eval.findings import Message, Param
from une_eval.model import Submission

if TYPE_CHECKING:
    from une_eval.validation.evidence import TraceIssue, WindowEvidence

EVIDENCE_CHECKED = "evidence-checked"
DECLARED_ONLY = "declared-only"
MAX_REASONS = 10

# The reasons' English templates (the evidence.assurance rule words each in a document's language).
NO_WINDOW_ENERGY = "run {run}, {device}: no energy could be recomputed from the trace for this run's window"
NOT_COVERED = "run {run}, {device}: the trace does not cover the run's whole window"
COUNTER_RESET = "run {run}, {device}: the energy counter reset inside the run"
AMBIGUOUS_DECREASE = (
    "run {run}, {device}: the counter decreased and the trace declares no wrap range to tell a wrap from a reset"
)
NO_TRACE = "{device}: no trace is listed for this accelerator"
TRACE_UNUSABLE = "{device}: its trace cannot be used ({issue})"
NO_ACCELERATOR = "the measurement lists no accelerator device"
FEWER_LISTED = "the hardware has {hardware} accelerators; the measurement lists {listed}"
NO_COMPLETE_RUN = "the measurement has no complete run"
MORE_REASONS = "and {count} more reason(s)"
NO_TRACES_READ = "no raw traces were read (none listed, or no folder to find them in)"


def _window_problem(w: WindowEvidence | None, device_id: str, run_index: int) -> Message | None:
    at: tuple[tuple[str, Param], ...] = (("run", run_index), ("device", device_id))
    if w is None or w.recomputed_j is None:
        return Message(NO_WINDOW_ENERGY, at)
    if not w.covered:
        return Message(NOT_COVERED, at)
    if w.counter_resets:
        return Message(COUNTER_RESET, at)
    if w.counter_ambiguous_decreases:
        return Message(AMBIGUOUS_DECREASE, at)
    return None


def _accelerator_reasons(
    sub: Submission, issues: Sequence[TraceIssue], windows: Sequence[WindowEvidence]
) -> list[Message]:
    traced = {t.device_id: k for k, t in enumerate(sub.measurement.traces) if t.device_id is not None}
    broken = {i.trace_index: i.message for i in issues}
    by_window = {(w.run_index, w.device_id): w for w in windows}
    complete = [i for i, r in enumerate(sub.measurement.runs) if r.complete]
    reasons: list[Message] = []
    for dev in (d for d in sub.measurement.devices if d.component == "gpu"):
        k = traced.get(dev.device_id)
        if k is None:
            reasons.append(Message(NO_TRACE, (("device", dev.device_id),)))
        elif k in broken:
            reasons.append(Message(TRACE_UNUSABLE, (("device", dev.device_id), ("issue", broken[k]))))
        else:
            found = (_window_problem(by_window.get((i, dev.device_id)), dev.device_id, i) for i in complete)
            reasons += [r for r in found if r]
    return reasons


def assess_wording(
    sub: Submission, issues: Sequence[TraceIssue], windows: Sequence[WindowEvidence]
) -> tuple[str, tuple[Message, ...]]:
    """The assurance level and, below ``evidence-checked``, why, as messages (at most :data:`MAX_REASONS`)."""
    accelerators = [d for d in sub.measurement.devices if d.component == "gpu"]
    hardware = sum(a.count for n in sub.system.hardware.nodes for a in n.accelerators)
    reasons: list[Message] = []
    if not accelerators:
        reasons.append(Message(NO_ACCELERATOR))
    elif hardware > len(accelerators):
        reasons.append(Message(FEWER_LISTED, (("hardware", hardware), ("listed", len(accelerators)))))
    if not any(r.complete for r in sub.measurement.runs):
        reasons.append(Message(NO_COMPLETE_RUN))
    reasons += _accelerator_reasons(sub, issues, windows)
    if not reasons:
        return EVIDENCE_CHECKED, ()
    if len(reasons) > MAX_REASONS:
        more = Message(MORE_REASONS, (("count", len(reasons) - MAX_REASONS + 1),))
        reasons = [*reasons[: MAX_REASONS - 1], more]
    return DECLARED_ONLY, tuple(reasons)


def assess(
    sub: Submission, issues: Sequence[TraceIssue], windows: Sequence[WindowEvidence]
) -> tuple[str, tuple[str, ...]]:
    """The assurance level and, below ``evidence-checked``, why (at most :data:`MAX_REASONS` sentences)."""
    level, reasons = assess_wording(sub, issues, windows)
    return level, tuple(str(r) for r in reasons)


def without_traces(reason: str) -> tuple[str, tuple[str, ...]]:
    """The level of a submission whose traces were not read at all (none listed, or no folder known)."""
    return DECLARED_ONLY, (reason,)
