"""The device set a job should have been measured on, and every difference from the one it was.

The expected set comes from the launcher, as each node recorded it: Slurm's node list and each node's
GPU allocation (``SLURM_STEP_GPUS``, ``CUDA_VISIBLE_DEVICES``, ``SLURM_GPUS_ON_NODE``), or torchrun's
world (``GROUP_WORLD_SIZE`` nodes of ``LOCAL_WORLD_SIZE`` GPUs). The auditor can declare it instead
(``--expect-nodes``, ``--expect-gpus-per-node``, ``--expect-devices``). Devices are told apart by UUID
(fake nodes of a test cluster share one host, so a host and an index alone do not identify a GPU); a
UUID seen twice is one device counted once, and said so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from une_eval.merging.inputs import NodeInput
from une_eval.merging.issues import MergeIssue
from une_eval.model import Device, Launcher

Source = Literal["slurm", "torchrun", "declared", "none"]
# How a message names where the job's node list came from.
SOURCE_WORDS: dict[str, str] = {
    "slurm": "the Slurm job's node list",
    "torchrun": "torchrun's node count",
    "declared": "--expect-nodes",
}
_UUID = re.compile(r"^(GPU|MIG)-", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Declared:
    """What the auditor declares about the job, overriding the launcher where given."""

    nodes: tuple[str, ...] = ()
    gpus_per_node: int | None = None
    devices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per node, the GPU UUIDs in index order."""


@dataclass(frozen=True, slots=True)
class Expectation:
    """The nodes the job ran on, and how many GPUs each should have had (None: not known)."""

    source: Source
    nodes: tuple[str, ...]
    gpus_per_node: int | None
    declared: Declared


def _launcher(node: NodeInput) -> Launcher | None:
    record = node.record
    return record.launcher if record is not None else None


def _job(launcher: Launcher) -> tuple[str, str | None, tuple[str, ...], int | None]:
    return launcher.kind, launcher.job_id, tuple(launcher.nodes or ()), launcher.node_count


def _launcher_issues(usable: Sequence[NodeInput]) -> tuple[Launcher | None, list[MergeIssue]]:
    seen = [(n, lau) for n in usable if (lau := _launcher(n)) is not None and lau.kind != "none"]
    if not seen:
        return None, []
    first_node, first = seen[0]
    issues = [
        MergeIssue(
            "launcher-differs",
            f"node {n.label} was launched as {lau.kind} job {lau.job_id} of {len(lau.nodes or ())} node(s); "
            f"node {first_node.label} as {first.kind} job {first.job_id} of {len(first.nodes or ())}: "
            "these folders are not from one job",
            node_id=n.label,
        )
        for n, lau in seen[1:]
        if _job(lau) != _job(first)
    ]
    return first, issues


def _torchrun_nodes(usable: Sequence[NodeInput], count: int) -> tuple[str, ...]:
    by_rank = {lau.node_rank: n.label for n in usable if (lau := _launcher(n)) is not None}
    return tuple(by_rank.get(k, f"rank-{k}") for k in range(count))


def expectation(usable: Sequence[NodeInput], declared: Declared) -> tuple[Expectation, list[MergeIssue]]:
    """The expected nodes and GPUs per node, from the declaration or the launcher, with their disagreements."""
    launcher, issues = _launcher_issues(usable)
    gpus = declared.gpus_per_node
    if gpus is None and launcher is not None:
        gpus = launcher.gpus_per_node
    if declared.nodes:
        return Expectation("declared", declared.nodes, gpus, declared), issues
    if launcher is not None and launcher.kind == "slurm" and launcher.nodes:
        return Expectation("slurm", tuple(launcher.nodes), gpus, declared), issues
    if launcher is not None and launcher.kind == "torchrun" and launcher.node_count:
        return Expectation("torchrun", _torchrun_nodes(usable, launcher.node_count), gpus, declared), issues
    issues.append(
        MergeIssue(
            "devices-unknown",
            "no launcher recorded the job's node list and none was declared (--expect-nodes): "
            "a node that never started could not be noticed",
        )
    )
    return Expectation("none", tuple(n.label for n in usable), gpus, declared), issues


def node_set_issues(nodes: Sequence[NodeInput], expected: Expectation) -> list[MergeIssue]:
    """Expected nodes without a folder, folders of unexpected nodes, and nodes given twice."""
    issues: list[MergeIssue] = []
    labels = [n.label for n in nodes]
    for name in dict.fromkeys(labels):
        if labels.count(name) > 1:
            issues.append(MergeIssue("node-duplicate", f"node {name} is given {labels.count(name)} times", name))
    for name in expected.nodes:
        if name not in labels:
            why = f"expected by {SOURCE_WORDS[expected.source]}" if expected.source != "none" else "expected"
            issues.append(MergeIssue("node-missing", f"node {name} ({why}) left no measurement (never started?)", name))
    if expected.source != "none":
        for name in dict.fromkeys(labels):
            if name not in expected.nodes:
                issues.append(
                    MergeIssue(
                        "node-unexpected",
                        f"node {name} is not one of the job's nodes ({SOURCE_WORDS[expected.source]})",
                        name,
                    )
                )
    return issues


def _gpus(node: NodeInput) -> list[Device]:
    assert node.sub is not None
    return [d for d in node.sub.measurement.devices if d.component == "gpu"]


def _allocation(node: NodeInput, expected: Expectation) -> tuple[list[str] | None, int | None, str]:
    """The GPUs this node should have: UUIDs or indices in order (or None), a count, and who says so."""
    if node.label in expected.declared.devices:
        listed = list(expected.declared.devices[node.label])
        return listed, len(listed), "declared"
    launcher = _launcher(node)
    if launcher is not None and launcher.gpus is not None:
        return list(launcher.gpus), len(launcher.gpus), f"{launcher.kind} allocation"
    return None, expected.gpus_per_node, "declared count" if expected.declared.gpus_per_node else "launcher"


def _by_position(node: NodeInput, allocation: list[str], who: str) -> list[MergeIssue]:
    measured = _gpus(node)
    issues: list[MergeIssue] = []
    for position, want in enumerate(allocation):
        by_uuid = _UUID.match(want) is not None
        match = [d for d in measured if (d.uuid == want if by_uuid else str(d.index) == want)]
        at_index = [d for d in measured if d.index == position]
        if match:
            continue
        if by_uuid and who == "declared" and at_index:
            d = at_index[0]
            msg = f"node {node.label}: the GPU at index {position} is {d.uuid}, the declared set names {want}"
            issues.append(MergeIssue("device-changed", msg, node.label, d.device_id))
        else:
            issues.append(
                MergeIssue("device-missing", f"node {node.label}: GPU {want} ({who}) was not measured", node.label)
            )
    for d in measured:
        known = d.uuid in allocation or str(d.index) in allocation
        if not known and not any(i.device_id == d.device_id for i in issues):
            msg = f"node {node.label}: GPU {d.device_id} ({d.uuid or 'no UUID'}) is not in the {who}"
            issues.append(MergeIssue("device-extra", msg, node.label, d.device_id))
    return issues


def device_issues(node: NodeInput, expected: Expectation) -> list[MergeIssue]:
    """How the node's measured GPUs differ from its allocation (or count); unknown allocation is an issue."""
    allocation, count, who = _allocation(node, expected)
    if allocation is not None:
        return _by_position(node, allocation, who)
    measured = len(_gpus(node))
    if count is None:
        return [
            MergeIssue(
                "devices-unknown",
                f"node {node.label}: no launcher recorded its GPU allocation and none was declared "
                "(--expect-gpus-per-node): a missing GPU could not be noticed",
                node.label,
            )
        ]
    if measured < count:
        return [
            MergeIssue("device-missing", f"node {node.label}: {measured} GPU(s) measured, {count} expected", node.label)
        ]
    if measured > count:
        return [
            MergeIssue("device-extra", f"node {node.label}: {measured} GPU(s) measured, {count} expected", node.label)
        ]
    return []


def duplicate_devices(nodes: Sequence[NodeInput]) -> tuple[set[tuple[str, str]], list[MergeIssue]]:
    """Devices listed twice (one UUID, or one index on a node): (node, device id) pairs to leave out, and why."""
    seen_uuid: dict[str, tuple[str, str]] = {}
    seen_index: dict[tuple[str, int], str] = {}
    dropped: set[tuple[str, str]] = set()
    issues: list[MergeIssue] = []
    for node in nodes:
        for d in _gpus(node):
            first = seen_uuid.get(d.uuid) if d.uuid else None
            same_index = seen_index.get((node.label, d.index)) if d.index is not None else None
            if first is None and same_index is None:
                if d.uuid:
                    seen_uuid[d.uuid] = (node.label, d.device_id)
                if d.index is not None:
                    seen_index[(node.label, d.index)] = d.device_id
                continue
            other = f"{first[1]} on node {first[0]}" if first else f"{same_index} on the same node"
            what = f"UUID {d.uuid}" if first else f"index {d.index}"
            msg = (
                f"node {node.label}: {d.device_id} has the {what} of {other}: one GPU reported twice "
                "(MIG instances report their whole GPU's energy); counted once"
            )
            issues.append(MergeIssue("device-duplicate", msg, node.label, d.device_id))
            dropped.add((node.label, d.device_id))
    return dropped, issues
