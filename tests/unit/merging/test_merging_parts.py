"""The merge's parts on their own: node clocks and windows, the expected set, issue wording."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.merging.clocks import accept
from une_eval.merging.expected import Declared, device_issues, expectation, node_set_issues
from une_eval.merging.inputs import NodeInput
from une_eval.merging.issues import MergeIssue, summary
from une_eval.model import NodeRecord, Submission
from une_eval.nodeclocks import NodeClock, combine, node_windows
from une_eval.validation.windows import WindowEnergy


def test_windows_move_by_the_offset_and_widen_by_the_whole_accepted_offset() -> None:
    clock = NodeClock.of(0.25, 0.001)
    assert clock == NodeClock(250_000_000, 251_000_000)
    moved = node_windows([(1_000_000_000, 3_000_000_000)], clock)
    assert moved.point == [(1_250_000_000, 3_250_000_000)]
    assert moved.wide == [(999_000_000, 3_501_000_000)]
    assert moved.narrow == [(1_501_000_000, 2_999_000_000)]
    short = node_windows([(0, 100_000_000)], clock)  # shorter than twice the margin: nothing is certain
    assert short.narrow[0][0] == short.narrow[0][1]


def _energy(point: float, low: float, high: float) -> WindowEnergy:
    return WindowEnergy(point, low, high, 0, 0, 0.1, 0, 0, 0, 0, 0)


def test_combine_takes_the_point_the_narrow_lower_and_the_wide_upper_bound() -> None:
    got = [
        _energy(10, 9.9, 10.1),
        _energy(20, 19, 21),
        _energy(12, 11, 13.5),
        _energy(22, 21, 25),
        _energy(8, 7, 8.5),
        _energy(18, 17, 18.5),
    ]
    assert [(w.energy_j, w.min_j, w.max_j) for w in combine(got, 2)] == [(10, 7, 13.5), (20, 17, 25)]
    with pytest.raises(ValueError, match="together"):
        combine(got[:5], 2)


def _record(offset_s: float | None, uncertainty_s: float | None = 0.001) -> NodeRecord:
    clock: dict[str, Any] = {"method": "round-trip", "reference": "h:1"}
    if offset_s is not None:
        clock |= {"offset_s": offset_s, "uncertainty_s": uncertainty_s}
    return NodeRecord.model_validate({"node_id": "n1", "host": "h", "clock": clock})


def test_clock_acceptance() -> None:
    assert accept(_record(0.39, 0.005), "n1", 0.4, alone=False) == NodeClock.of(0.39, 0.005)
    refused = accept(_record(0.398, 0.005), "n1", 0.4, alone=False)  # the uncertainty counts
    assert isinstance(refused, MergeIssue)
    assert refused.code == "clock-offset"
    unmeasured = accept(_record(None), "n1", 0.4, alone=False)
    assert isinstance(unmeasured, MergeIssue)
    assert unmeasured.code == "clock-unmeasured"
    assert accept(_record(None), "n1", 0.4, alone=True) == NodeClock(0, 0)  # one node aligns with itself


def _node(label: str, launcher: dict[str, Any] | None, gpus: int = 2) -> NodeInput:
    doc = json.loads((FIXTURES / "valid" / "llm-inference-h100.json").read_text())
    m = doc["measurement"]
    m["devices"] = [
        {"device_id": f"{label}-gpu{g}", "component": "gpu", "node_id": label, "uuid": f"GPU-{label}-{g}", "index": g}
        for g in range(gpus)
    ]
    m["nodes"] = [{"node_id": label, "host": "h"} | ({"launcher": launcher} if launcher else {})]
    sub = Submission.model_validate(doc)
    return NodeInput(Path(label), label, doc, sub)


def test_torchrun_expects_every_group_rank() -> None:
    world = {"kind": "torchrun", "job_id": "j", "node_count": 3, "gpus_per_node": 2}
    nodes = [_node("a", world | {"node_rank": 0}), _node("c", world | {"node_rank": 2})]
    exp, issues = expectation(nodes, Declared())
    assert issues == []
    assert (exp.source, exp.nodes, exp.gpus_per_node) == ("torchrun", ("a", "rank-1", "c"), 2)
    missing = node_set_issues(nodes, exp)
    assert [(i.code, i.node_id) for i in missing] == [("node-missing", "rank-1")]


def test_nodes_from_two_jobs_are_an_issue() -> None:
    one = {"kind": "slurm", "job_id": "1", "nodes": ["a", "b"], "gpus": ["0", "1"]}
    two = one | {"job_id": "2"}
    _, issues = expectation([_node("a", one), _node("b", two)], Declared())
    assert [i.code for i in issues] == ["launcher-differs"]


def test_a_slurm_allocation_by_index_finds_missing_and_extra_gpus() -> None:
    launcher = {"kind": "slurm", "job_id": "1", "nodes": ["a"], "gpus": ["0", "2"]}
    node = _node("a", launcher, gpus=2)
    exp, _ = expectation([node], Declared())
    issues = device_issues(node, exp)
    assert sorted(i.code for i in issues) == ["device-extra", "device-missing"]
    assert any("GPU 2 (slurm allocation)" in i.message for i in issues)


def test_summary_fits_the_schema_text_and_says_how_many_more() -> None:
    issues = [MergeIssue("node-missing", f"node n{k} left no measurement (never started?)", f"n{k}") for k in range(40)]
    text = summary(issues)
    assert len(text) <= 500
    assert text.startswith("node n0 left no measurement")
    assert text.endswith("more (measurement.merge.findings)")
    assert summary(issues[:1]) == issues[0].message
    long = [MergeIssue("node-missing", "x" * 900)]
    assert len(summary(long)) <= 500
