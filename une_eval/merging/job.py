"""One merge from node folders to the merged folder: which nodes count, each device's windows, the runs.

The steps, in order: read every node folder; establish the expected device set and compare; accept or
refuse each node's clock; take the nodes that remain (one folder per node, one phase); work out the
job's common windows; copy each device's trace beside the merged submission and read its energy over
those windows; decide, run by run, what is complete and why not. Node folders are only read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from une_eval import nodeclocks
from une_eval.merging import clocks, expected
from une_eval.merging.evidence import DeviceWindow, copy_evidence, device_windows
from une_eval.merging.inputs import NodeInput
from une_eval.merging.issues import MergeIssue
from une_eval.merging.runs import CommonRun, RunTally, common_runs
from une_eval.model import MergeCode, Submission, Trace
from une_eval.traces import TraceUnusable

NODES_DIR = "nodes"


@dataclass(slots=True)
class Included:
    """A node whose windows count: its input, accepted clock, and traces copied into the merged folder."""

    node: NodeInput
    clock: nodeclocks.NodeClock
    traces: list[tuple[Trace, str, str]] = field(default_factory=list)
    """(the node's trace entry, the copy's path relative to the merged folder, the copy's SHA-256)."""

    @property
    def sub(self) -> Submission:
        """The node's submission (included nodes always have one)."""
        assert self.node.sub is not None
        return self.node.sub


@dataclass(slots=True)
class Plan:
    """Everything the merged document is built from."""

    inputs: list[NodeInput]
    expectation: expected.Expectation
    included: list[Included]
    runs: list[CommonRun]
    tallies: list[RunTally]
    issues: list[MergeIssue]
    limit_s: float


def _usable(inputs: Sequence[NodeInput], issues: list[MergeIssue]) -> list[NodeInput]:
    usable = []
    for node in inputs:
        if node.sub is None:
            issues.append(MergeIssue("node-unreadable", f"node folder {node.folder}: {node.problem}", node.label))
        else:
            usable.append(node)
    return usable


def _same_job(usable: Sequence[NodeInput], issues: list[MergeIssue]) -> list[NodeInput]:
    """The first folder of each node, of the first node's phase and functional unit; the others are issues."""
    kept: list[NodeInput] = []
    for node in usable:
        assert node.sub is not None
        if any(k.label == node.label for k in kept):
            continue  # reported by node_set_issues as node-duplicate
        differs = _differs(kept[0].sub, node.sub) if kept else None
        if differs is not None:
            issues.append(MergeIssue("declarations-differ", f"node {node.label} {differs}: left out", node.label))
            continue
        kept.append(node)
    return kept


def _differs(first: Submission | None, other: Submission) -> str | None:
    """How a node's phase or functional unit differs from the job's first node (None: it does not)."""
    assert first is not None
    if other.phase != first.phase:
        return f"measured {other.phase}, the job's first node {first.phase}"
    mine, theirs = _unit(other), _unit(first)
    if mine is not None and theirs is not None and mine != theirs:
        return f"counts work in {mine}, the job's first node in {theirs}"
    return None


def _unit(sub: Submission) -> str | None:
    return sub.results.functional_unit.unit if sub.results is not None else None


def _include(nodes: Sequence[NodeInput], limit_s: float, issues: list[MergeIssue]) -> list[Included]:
    included = []
    for node in nodes:
        accepted = clocks.accept(node.record, node.label, limit_s, alone=len(nodes) == 1)
        if isinstance(accepted, MergeIssue):
            issues.append(accepted)
        else:
            included.append(Included(node, accepted))
    return included


def _node_progress(inc: Included, issues: list[MergeIssue]) -> None:
    """A node that did not finish: an issue from its first run that did not complete."""
    m = inc.sub.measurement
    if m.complete:
        return
    first_bad = next((r.index for r in m.runs if not r.complete), len(m.runs))
    reason = m.incomplete_reason or "the node's measurement did not finish"
    issues.append(
        MergeIssue("node-incomplete", f"node {inc.node.label}: {reason} (from run {first_bad})", inc.node.label,
                   run_index=first_bad)
    )  # fmt: skip


def _copy_traces(inc: Included, out_dir: Path, dropped: set[tuple[str, str]], issues: list[MergeIssue]) -> None:
    label = inc.node.label
    for trace in inc.sub.measurement.traces:
        if trace.device_id is None or (label, trace.device_id) in dropped:
            continue
        relative = f"{NODES_DIR}/{label}/{trace.path}"
        try:
            digest, _ = copy_evidence(inc.node.folder, trace.path, out_dir / relative)
        except TraceUnusable as exc:
            issues.append(MergeIssue("trace-unusable", f"node {label}: {exc}", label, trace.device_id))
            continue
        if digest != trace.sha256:
            msg = (
                f"node {label}: trace {trace.path} is not the file its submission declares (SHA-256 "
                f"{digest[:12]}..., declared {trace.sha256[:12]}...): the runner went on after its last "
                "checkpoint (killed?); the copy is what the merge read and declares"
            )
            issues.append(MergeIssue("trace-changed", msg, label, trace.device_id))
        inc.traces.append((trace, relative, digest))


def _window_issue(label: str, device_id: str, k: int, window: DeviceWindow) -> MergeIssue | None:
    problem = window.problem
    if problem is None:
        return None
    code: MergeCode = "counter-reset" if window.resets or window.ambiguous_decreases else "trace-unusable"
    return MergeIssue(code, f"node {label}, {device_id}, run {k}: {problem}", label, device_id, k)


def _read_devices(inc: Included, out_dir: Path, plan: Plan) -> None:
    label, windows = inc.node.label, [(r.start_ns, r.end_ns) for r in plan.runs]
    node_windows = nodeclocks.node_windows(windows, inc.clock)
    touched = {i.run_index for i in plan.issues if i.node_id == label and i.code == "node-incomplete"}
    first_bad = min((k for k in touched if k is not None), default=len(windows))
    devices = {d.device_id: d for d in inc.sub.measurement.devices}
    for trace, relative, _ in inc.traces:
        device = devices.get(trace.device_id or "")
        if device is None:
            continue
        try:
            got = device_windows(out_dir, trace.model_copy(update={"path": relative}), node_windows)
        except TraceUnusable as exc:
            plan.issues.append(MergeIssue("trace-unusable", f"node {label}: {exc}", label, device.device_id))
            continue
        for k, window in enumerate(got):
            plan.tallies[k].devices.append((device, window))
            issue = _window_issue(label, device.device_id, k, window) if k < first_bad else None
            if issue is not None:
                plan.issues.append(issue)


def plan_merge(inputs: list[NodeInput], out_dir: Path, declared: expected.Declared, limit_s: float) -> Plan:
    """Decide what counts and read every device's windows (traces are copied into ``out_dir``)."""
    issues: list[MergeIssue] = []
    usable = _usable(inputs, issues)
    expectation, found = expected.expectation(usable, declared)
    issues += found + expected.node_set_issues(usable, expectation)
    nodes = _same_job(usable, issues)
    for node in nodes:
        issues += expected.device_issues(node, expectation)
    dropped, duplicates = expected.duplicate_devices(nodes)
    issues += duplicates
    included = _include(nodes, limit_s, issues)
    subs = {inc.node.label: inc.sub for inc in included}
    runs = common_runs(subs, {inc.node.label: inc.clock for inc in included})
    plan = Plan(inputs, expectation, included, runs, [RunTally(r) for r in runs], issues, limit_s)
    for inc in included:
        _node_progress(inc, issues)
        _copy_traces(inc, out_dir, dropped, issues)
        _read_devices(inc, out_dir, plan)
    return plan
