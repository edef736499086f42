"""The merged submission: one document for the whole job, with every node's record and every finding.

What cannot be measured (submitter, attestation, model, software, site, workload) comes from the job's
first node; nodes that declare it differently are a finding. The hardware, devices, idle baseline and
traces are those of the nodes whose windows count; the runs are the job's common windows
(:mod:`une_eval.merging.runs`); ``measurement.nodes`` says, node by node, whether its windows count
and why not; ``measurement.merge`` holds the expected device set and every finding.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

from une_eval.measure.submission import timestamp
from une_eval.merging.issues import MergeIssue, summary
from une_eval.merging.job import NODES_DIR, Included, Plan
from une_eval.merging.runs import node_energy_j, run_entry, work_units
from une_eval.model import Device
from une_eval.results import build_results

_DECLARED = ("submitter", "attestation", "workload")
_DECLARED_SYSTEM = ("model", "site")


def _declared_differences(included: Sequence[Included]) -> list[MergeIssue]:
    if not included:
        return []
    first = included[0].node.doc or {}
    issues = []
    for inc in included[1:]:
        doc = inc.node.doc or {}
        differ = [k for k in _DECLARED if doc.get(k) != first.get(k)]
        differ += [f"system.{k}" for k in _DECLARED_SYSTEM if doc.get("system", {}).get(k) != first["system"].get(k)]
        if differ:
            msg = (
                f"node {inc.node.label} declares {', '.join(differ)} differently from node "
                f"{included[0].node.label}; the merged submission takes node {included[0].node.label}'s"
            )
            issues.append(MergeIssue("declarations-differ", msg, inc.node.label))
    return issues


def _runs(plan: Plan, mode: str) -> list[dict[str, Any]]:
    out = []
    for tally in plan.tallies:
        units, issue = work_units(tally.run, mode)
        if issue is not None:
            plan.issues.append(issue)
        k = tally.run.index
        touching = [i for i in plan.issues if i.touches_run(k)]
        taking_part = all(k < len(inc.sub.measurement.runs) for inc in plan.included)
        everyone = {inc.node.label for inc in plan.included} >= set(plan.expectation.nodes)
        complete = not touching and taking_part and everyone and bool(tally.devices)
        tally.problems = touching
        out.append(run_entry(tally, units, complete))
    return out


def _baseline(included: Sequence[Included], kept: set[str]) -> dict[str, Any]:
    durations = [inc.sub.measurement.idle_baseline.duration_s for inc in included]
    devices = [
        {"device_id": d.device_id, "power_w": d.power_w}
        for inc in included
        for d in inc.sub.measurement.idle_baseline.devices
        if d.device_id in kept
    ]
    return {"duration_s": min(durations, default=0.0), "devices": devices}


def _traces(included: Sequence[Included]) -> list[dict[str, Any]]:
    out = []
    for inc in included:
        for trace, relative, digest in inc.traces:
            entry = trace.model_dump(mode="json", exclude_none=True)
            # The columns' descriptions are the format's (docs/traces.md): left out, once per trace of the job.
            columns = [{k: v for k, v in c.items() if k != "description"} for c in entry["columns"]]
            out.append(entry | {"path": relative, "sha256": digest, "columns": columns})
    return out


def _node_entries(plan: Plan, runs: list[dict[str, Any]], kept: set[str]) -> list[dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    included = {inc.node.label: inc for inc in plan.included}
    for node in plan.inputs:
        if node.label in entries:
            continue
        record = node.record
        entry = record.model_dump(mode="json", exclude_none=True) if record is not None else {}
        entry.get("launcher", {}).pop("nodes", None)  # the job's node list, once, in merge.nodes_expected
        entry |= {"node_id": node.label, "host": entry.get("host", "unknown")}
        if node.sub is not None:
            entry |= {"submission": f"{NODES_DIR}/{node.label}/submission.json", "submission_sha256": node.sha256}
        entries[node.label] = _status(entry, node.label, plan, runs, kept if node.label in included else set())
    for name in plan.expectation.nodes:
        if name not in entries:
            entries[name] = _status({"node_id": name, "host": "unknown"}, name, plan, runs, set())
    return list(entries.values())


def _status(
    entry: dict[str, Any], label: str, plan: Plan, runs: list[dict[str, Any]], kept: set[str]
) -> dict[str, Any]:
    own = [i for i in plan.issues if i.node_id == label and i.blocking]
    inc = next((i for i in plan.included if i.node.label == label), None)
    if inc is None:
        entry["status"] = "excluded"
        entry["reason"] = summary(own, 5000) if own else "its windows do not count"
        return entry
    devices = {d.device_id for d in inc.sub.measurement.devices} & kept
    entry["energy_j"] = round(node_energy_j(runs, devices), 6)
    entry["status"] = "partial" if own else "complete"
    if own:
        entry["reason"] = summary(own, 5000)
    return entry


def _merge_block(plan: Plan, mode: str) -> dict[str, Any]:
    block: dict[str, Any] = {
        "expected_from": plan.expectation.source,
        "nodes_expected": list(plan.expectation.nodes),
    }
    if plan.expectation.gpus_per_node is not None:
        block["gpus_per_node_expected"] = plan.expectation.gpus_per_node
    return block | {
        "clock_limit_s": plan.limit_s,
        "work_units": mode,
        "findings": [i.entry() for i in plan.issues],
    }


def _hardware(included: Sequence[Included]) -> list[dict[str, Any]]:
    return [copy.deepcopy(n) for inc in included for n in (inc.node.doc or {})["system"]["hardware"]["nodes"]]


def build_document(plan: Plan, *, submission_id: str, created_unix_ns: int, mode: str) -> dict[str, Any]:
    """The merged submission (``results`` whenever a complete run did work); needs one included node."""
    first = plan.included[0]
    plan.issues += _declared_differences(plan.included)
    devices = _kept_devices(plan)
    kept = {d.device_id for d in devices}
    runs = _runs(plan, mode)
    doc: dict[str, Any] = copy.deepcopy(
        {k: v for k, v in (first.node.doc or {}).items() if k in (*_DECLARED, "profile")}
    )
    system = copy.deepcopy(first.node.doc["system"]) if first.node.doc else {}
    system["hardware"] = {"nodes": _hardware(plan.included)}
    m = first.sub.measurement
    blocking = [i for i in plan.issues if i.blocking]
    complete = bool(runs) and all(r["complete"] for r in runs) and not blocking
    measurement: dict[str, Any] = {
        "methods": [x.model_dump(mode="json", exclude_none=True) for x in m.methods],
        "devices": [d.model_dump(mode="json", exclude_none=True) for d in devices],
        "idle_baseline": _baseline(plan.included, kept),
        "warmup": _warmup(plan.included),
        "runs": runs,
        "traces": _traces(plan.included),
        "nodes": _node_entries(plan, runs, kept),
        "merge": _merge_block(plan, mode),
        "complete": complete,
    }
    replay = _replay(plan.included)
    if replay is not None:
        measurement["replay"] = replay
    if not complete:
        measurement["incomplete_reason"] = summary(blocking) if blocking else "no run of the job was measured"
    out: dict[str, Any] = {
        "schema_version": "1.0",
        "submission_id": submission_id,
        "created_at": timestamp(created_unix_ns),
    }
    out |= {"phase": first.sub.phase} | doc | {"system": system, "measurement": measurement}
    unit = first.sub.results.functional_unit if first.sub.results is not None else None
    if unit is not None and any(r["complete"] and r["work_units"] > 0 for r in runs):
        out["results"] = build_results(out, unit=unit.unit, count=unit.count)
    return out


def _kept_devices(plan: Plan) -> list[Device]:
    """The included nodes' devices, a device reported twice counted once."""
    dropped = {(i.node_id, i.device_id) for i in plan.issues if i.code == "device-duplicate"}
    return [
        d for inc in plan.included for d in inc.sub.measurement.devices if (inc.node.label, d.device_id) not in dropped
    ]


def _warmup(included: Sequence[Included]) -> dict[str, Any]:
    warmups = [inc.sub.measurement.warmup for inc in included]
    performed = bool(warmups) and all(w.performed for w in warmups)
    out: dict[str, Any] = {"performed": performed}
    durations = [w.duration_s for w in warmups if w.duration_s is not None]
    if performed and durations:
        out["duration_s"] = max(durations)
    return out


def _replay(included: Sequence[Included]) -> dict[str, Any] | None:
    """Every node's replayed recordings: a job with one replayed node is not a measurement either.

    A rehearsal anywhere makes the job a rehearsal (a real command was timed against a recording).
    """
    replays = [inc.sub.measurement.replay for inc in included if inc.sub.measurement.replay is not None]
    if not replays:
        return None
    kind = "rehearsal" if any(r.kind == "rehearsal" for r in replays) else "replay"
    recordings = [rec.model_dump(mode="json", exclude_none=True) for r in replays for rec in r.recordings]
    return {"kind": kind, "recordings": recordings}


def total_energy_j(doc: dict[str, Any]) -> float:
    """The merged submission's energy over its complete runs."""
    return math.fsum(r["energy"]["total_j"] for r in doc["measurement"]["runs"] if r["complete"])
