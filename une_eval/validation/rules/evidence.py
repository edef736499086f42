"""Evidence rules: declared energies against the energy recomputed from the submission's raw traces.

The traces are read and recomputed before the rules run (:mod:`une_eval.validation.evidence`); these
rules only compare. When the submission lists no traces, or no folder is known to find them in, they
find nothing (the evidence's assurance level says so instead). A recomputed energy is an interval
[min, max] and a point; a declared value is wrong only when it lies outside the interval widened by the
profile's tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from une_eval.audit import Assurance
from une_eval.findings import pointer
from une_eval.model import Device, Submission
from une_eval.validation.rules import declared_only
from une_eval.validation.rules.base import Message, Param, Problem, RuleContext, msg, rule, template

if TYPE_CHECKING:
    from une_eval.validation.evidence import WindowEvidence

# The label une_eval.validation.evidence gives energy integrated from instant power (a test holds them equal;
# that module loads numpy, which a submission without traces never needs).
METHOD_INSTANT = "instant-power-integration"

_KEY_OF_COMPONENT = {"gpu": "gpu_j", "cpu": "cpu_j", "dram": "dram_j", "system": "system_j"}


def _window_pointer(sub: Submission, w: WindowEvidence) -> str:
    """The declared value a window checks: the run's device entry, else the run's component energy."""
    if w.device_index is not None:
        return pointer("measurement", "runs", w.run_index, "devices", w.device_index, "energy_j")
    dev = sub.device(w.device_id)
    key = _KEY_OF_COMPONENT[dev.component] if dev is not None else "total_j"
    run = sub.measurement.runs[w.run_index]
    return pointer("measurement", "runs", w.run_index, "energy", key if key in run.energy.components() else "total_j")


def _at(w: WindowEvidence, text: str, /, **params: Param) -> Message:
    """A message about one run window: ``text`` starts ``run {run}, {device} (trace {trace}): ``."""
    return msg(text, run=w.run_index, device=w.device_id, trace=w.trace_index, **params)


# evidence.gaps, by (counter reads or instant-power samples, spacing too wide, boundary too far).
_GAPS = {
    (True, True, False): template(
        "run {run}, {device} (trace {trace}): the counter reads its energy comes from are up to {gap_s} s apart "
        "(at most {limit_s} s)"
    ),
    (False, True, False): template(
        "run {run}, {device} (trace {trace}): the instant-power samples its energy comes from are up to {gap_s} s "
        "apart (at most {limit_s} s)"
    ),
    (True, False, True): template(
        "run {run}, {device} (trace {trace}): the nearest of the counter reads its energy comes from lies "
        "{start_s} s from the run's start and {end_s} s from its end (at most {edge_limit_s} s)"
    ),
    (False, False, True): template(
        "run {run}, {device} (trace {trace}): the nearest of the instant-power samples its energy comes from "
        "lies {start_s} s from the run's start and {end_s} s from its end (at most {edge_limit_s} s)"
    ),
    (True, True, True): template(
        "run {run}, {device} (trace {trace}): the counter reads its energy comes from are up to {gap_s} s apart "
        "(at most {limit_s} s); the nearest of them lies {start_s} s from the run's start and {end_s} s from its "
        "end (at most {edge_limit_s} s)"
    ),
    (False, True, True): template(
        "run {run}, {device} (trace {trace}): the instant-power samples its energy comes from are up to {gap_s} s "
        "apart (at most {limit_s} s); the nearest of them lies {start_s} s from the run's start and {end_s} s "
        "from its end (at most {edge_limit_s} s)"
    ),
}
# evidence.run-energy, by (every device traced, the recomputed sum has an upper bound).
_RUN_ENERGY = {
    (True, True): template(
        "run {run}: declared {key} {declared_j} J, the devices' traces sum to [{low_j}, {high_j}] J; at most "
        "{limit_pct}% outside is allowed"
    ),
    (True, False): template(
        "run {run}: declared {key} {declared_j} J, the devices' traces sum to [{low_j}, unbounded] J; at most "
        "{limit_pct}% outside is allowed"
    ),
    (False, True): template(
        "run {run}: declared {key} {declared_j} J, the devices' traces sum to [{low_j}, {high_j}] J (traced: "
        "{traced} of {devices} devices, a lower bound); at most {limit_pct}% outside is allowed"
    ),
    (False, False): template(
        "run {run}: declared {key} {declared_j} J, the devices' traces sum to [{low_j}, unbounded] J (traced: "
        "{traced} of {devices} devices, a lower bound); at most {limit_pct}% outside is allowed"
    ),
}


def _trace_issues(ctx: RuleContext, kind: str, field: str) -> Iterator[Problem]:
    """The evidence step's whole-file issues of one kind, each pointing at the trace entry's ``field``."""
    issues = ctx.evidence.issues if ctx.evidence is not None else ()
    for issue in issues:
        if issue.kind == kind:
            yield Problem(pointer("measurement", "traces", issue.trace_index, field), issue.message)


@rule("evidence.trace-file")
def trace_file(ctx: RuleContext) -> Iterator[Problem]:
    """Every listed trace exists beside the submission, inside its folder, and is a readable trace."""
    return _trace_issues(ctx, "file", "path")


@rule("evidence.trace-hash")
def trace_hash(ctx: RuleContext) -> Iterator[Problem]:
    """Every trace's SHA-256 matches the digest the submission declares."""
    return _trace_issues(ctx, "hash", "sha256")


@rule("evidence.coverage")
def coverage(ctx: RuleContext) -> Iterator[Problem]:
    """Check that a device's trace covers each run's whole time window."""
    if ctx.evidence is None:
        return
    margin_s = ctx.param("max_uncovered_s")
    for w in ctx.evidence.windows:
        if w.start_uncovered_s > margin_s or w.end_uncovered_s > margin_s:
            yield Problem(
                _window_pointer(ctx.sub, w),
                _at(
                    w,
                    "run {run}, {device} (trace {trace}): the trace misses {start_s} s at the run's start and "
                    "{end_s} s at its end",
                    start_s=w.start_uncovered_s,
                    end_s=w.end_uncovered_s,
                ),
            )


@rule("evidence.gaps")
def gaps(ctx: RuleContext) -> Iterator[Problem]:
    """The samples a run's energy comes from are close together and close to the run's boundaries."""
    if ctx.evidence is None:
        return
    edge_limit_s = ctx.param("max_boundary_distance_s")
    for w in ctx.evidence.windows:
        if not w.covered or w.recomputed_j is None:
            continue
        counter = w.method != METHOD_INSTANT
        limit_s = ctx.param("max_counter_gap_s") if counter else ctx.param("max_gap_s")
        spaced = w.max_gap_s > limit_s
        far = max(w.start_read_distance_s, w.end_read_distance_s) > edge_limit_s
        if spaced or far:
            text = _at(
                w,
                _GAPS[(counter, spaced, far)],
                gap_s=w.max_gap_s,
                limit_s=limit_s,
                start_s=w.start_read_distance_s,
                end_s=w.end_read_distance_s,
                edge_limit_s=edge_limit_s,
            )
            yield Problem(_window_pointer(ctx.sub, w), text)


@rule("evidence.counter-reset")
def counter_reset(ctx: RuleContext) -> Iterator[Problem]:
    """The energy counter never goes backwards in a run, except as a wrap of a counter with a known range."""
    if ctx.evidence is None:
        return
    for w in ctx.evidence.windows:
        if w.counter_resets:
            yield Problem(
                _window_pointer(ctx.sub, w),
                _at(
                    w,
                    "run {run}, {device} (trace {trace}): the energy counter went backwards {count} time(s) inside "
                    "the run (a driver reload or device reset); the run's energy cannot be trusted",
                    count=w.counter_resets,
                ),
            )
        elif w.counter_ambiguous_decreases:
            yield Problem(
                _window_pointer(ctx.sub, w),
                _at(
                    w,
                    "run {run}, {device} (trace {trace}): the counter decreased {count} time(s) inside the run and "
                    "the trace declares no wrap_range (RAPL max_energy_range_uj), so a wrap cannot be told from a "
                    "reset",
                    count=w.counter_ambiguous_decreases,
                ),
            )


@rule("evidence.energy")
def energy(ctx: RuleContext) -> Iterator[Problem]:
    """Each declared device energy lies in the interval recomputed from its trace, widened by the tolerance."""
    if ctx.evidence is None:
        return
    tol = ctx.param("tolerance_rel")
    for w in ctx.evidence.windows:
        if w.declared_j is None or w.recomputed_j is None or w.recomputed_min_j is None or not w.counter_trusted:
            continue
        # An edge the trace misses leaves no upper bound: only the lower one is tested (evidence.coverage
        # reports the edge).
        high = w.recomputed_max_j if w.recomputed_max_j is not None else math.inf
        if w.recomputed_min_j * (1 - tol) <= w.declared_j <= high * (1 + tol):
            continue
        if w.method == METHOD_INSTANT:
            text = template(
                "run {run}, {device} (trace {trace}): declared {declared_j} J, the trace gives {recomputed_j} J from "
                "integrating instant power (the trace has no energy counter; a point, no interval); at most "
                "{limit_pct}% outside is allowed"
            )
        elif w.recomputed_max_j is not None:
            text = template(
                "run {run}, {device} (trace {trace}): declared {declared_j} J, the trace gives {recomputed_j} J from "
                "the energy counter, which bounds it to [{low_j}, {high_j}] J; at most {limit_pct}% outside is "
                "allowed"
            )
        else:
            text = template(
                "run {run}, {device} (trace {trace}): declared {declared_j} J, the trace gives {recomputed_j} J from "
                "the energy counter, which bounds it to [{low_j}, unbounded] J; at most {limit_pct}% outside is "
                "allowed"
            )
        bounds: dict[str, Param] = {"low_j": w.recomputed_min_j}
        if w.recomputed_max_j is not None:
            bounds["high_j"] = w.recomputed_max_j
        yield Problem(
            _window_pointer(ctx.sub, w),
            _at(w, text, declared_j=w.declared_j, recomputed_j=w.recomputed_j, limit_pct=100 * tol, **bounds),
        )


def _devices_with_energy(sub: Submission) -> dict[str, str]:
    """Every device with energy in some run, and where that energy is declared (a JSON Pointer)."""
    found: dict[str, str] = {}
    for i, run in enumerate(sub.measurement.runs):
        for j, d in enumerate(run.devices):
            if d.device_id not in found:
                found[d.device_id] = pointer("measurement", "runs", i, "devices", j, "device_id")
    for k, dev in enumerate(sub.measurement.devices):
        key = _KEY_OF_COMPONENT[dev.component]
        if any(run.energy.components().get(key) for run in sub.measurement.runs):
            found.setdefault(dev.device_id, pointer("measurement", "devices", k, "device_id"))
    return found


@rule("evidence.device-trace")
def device_trace(ctx: RuleContext) -> Iterator[Problem]:
    """When some devices have traces, every device with energy in a run has one."""
    if ctx.evidence is None:
        return
    traced = {t.device_id for t in ctx.sub.measurement.traces if t.device_id is not None}
    if not traced:
        return
    for device_id, where in _devices_with_energy(ctx.sub).items():
        if device_id not in traced:
            yield Problem(
                where,
                msg(
                    "{device} has energy in the runs but no trace, while {traced} other device(s) have traces; its "
                    "energy cannot be recomputed",
                    device=device_id,
                    traced=len(traced),
                ),
            )


@rule("evidence.accelerator-windows")
def accelerator_windows(ctx: RuleContext) -> Iterator[Problem]:
    """Every accelerator's energy in every complete run was recomputed from a trace."""
    if ctx.evidence is None:
        return
    sub = ctx.sub
    gpus = [d.device_id for d in sub.measurement.devices if d.component == "gpu"]
    hardware = sum(a.count for n in sub.system.hardware.nodes for a in n.accelerators)
    if hardware > len(gpus):
        yield Problem(
            pointer("measurement", "devices"),
            msg(
                "the hardware has {hardware} accelerators but the measurement lists {listed}; the energy of the "
                "others cannot be recomputed",
                hardware=hardware,
                listed=len(gpus),
            ),
        )
    traced = {t.device_id: k for k, t in enumerate(sub.measurement.traces)}
    unusable = {i.trace_index for i in ctx.evidence.issues}
    done = {(w.run_index, w.device_id) for w in ctx.evidence.windows if w.recomputed_j is not None}
    for i, run in enumerate(sub.measurement.runs):
        # Accelerators without a usable trace are reported by evidence.device-trace and evidence.trace-*.
        missing = [g for g in gpus if g in traced and traced[g] not in unusable and (i, g) not in done and run.complete]
        if missing:
            yield Problem(
                pointer("measurement", "runs", i),
                msg(
                    "run {run}: no energy could be recomputed for {devices}: the trace has no sample in or around the "
                    "run's window",
                    run=i,
                    devices=", ".join(missing[:5]),
                ),
            )


def _sum_bound(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else math.fsum(v for v in values if v is not None)


def _run_devices(sub: Submission, key: str) -> list[Device]:
    """The devices whose energy a run's component ``key`` (or ``total_j``) sums."""
    devices = sub.measurement.devices
    if key != "total_j":
        return [d for d in devices if _KEY_OF_COMPONENT[d.component] == key]
    return [d for d in devices if d.component != "system"] or list(devices)


@rule("evidence.run-energy")
def run_energy(ctx: RuleContext) -> Iterator[Problem]:
    """A run's component energies and total agree with the sum of its devices' recomputed energies."""
    if ctx.evidence is None:
        return
    tol = ctx.param("tolerance_rel")
    windows = {(w.run_index, w.device_id): w for w in ctx.evidence.windows if w.recomputed_j is not None}
    for i, run in enumerate(ctx.sub.measurement.runs):
        for key, declared in (run.energy.components() | {"total_j": run.energy.total_j}).items():
            devices = _run_devices(ctx.sub, key)
            got = [windows[(i, d.device_id)] for d in devices if (i, d.device_id) in windows]
            got = [w for w in got if w.counter_trusted]
            if not got:
                continue
            low = math.fsum(w.recomputed_min_j or 0.0 for w in got)
            high = _sum_bound([w.recomputed_max_j for w in got]) if len(got) == len(devices) else None
            if declared < low * (1 - tol) or (high is not None and declared > high * (1 + tol)):
                params: dict[str, Param] = {"low_j": low, "traced": len(got), "devices": len(devices)}
                if high is not None:
                    params["high_j"] = high
                text = msg(
                    _RUN_ENERGY[(len(got) == len(devices), high is not None)],
                    run=i,
                    key=key,
                    declared_j=declared,
                    limit_pct=100 * tol,
                    **params,
                )
                yield Problem(pointer("measurement", "runs", i, "energy", key), text)


def _power_limit_w(sub: Submission, device_id: str) -> float | None:
    dev = sub.device(device_id)
    if dev is None:
        return None
    if dev.power_limit_w is not None:
        return dev.power_limit_w
    if dev.component != "gpu":
        return None
    limits = [
        a.power_limit_w
        for n in sub.system.hardware.nodes
        if n.node_id == dev.node_id
        for a in n.accelerators
        if a.power_limit_w is not None
    ]
    return max(limits) if limits else None


@rule("evidence.power-limit")
def power_limit(ctx: RuleContext) -> Iterator[Problem]:
    """The mean power a trace implies over a run (its lowest possible energy) is within the device's limit."""
    if ctx.evidence is None:
        return
    tol = ctx.param("tolerance_rel")
    for w in ctx.evidence.windows:
        limit_w = _power_limit_w(ctx.sub, w.device_id)
        if limit_w is None or w.recomputed_min_j is None or w.duration_s <= 0 or not w.counter_trusted:
            continue
        mean_w = w.recomputed_min_j / w.duration_s
        if mean_w > limit_w * (1 + tol):
            yield Problem(
                _window_pointer(ctx.sub, w),
                _at(
                    w,
                    "run {run}, {device} (trace {trace}): the trace implies at least {mean_w} W on average over the "
                    "run, above the device's power limit {limit_w} W; the trace (or its units) cannot be right",
                    mean_w=mean_w,
                    limit_w=limit_w,
                ),
            )


@rule("evidence.assurance")
def assurance(ctx: RuleContext) -> Iterator[Problem]:
    """The evidence reaches the assurance level the profile needs (``required_assurance``) for conformance.

    One finding per reason it does not, each worded with the profile (:mod:`.declared_only`), so that a
    document can print it in its language; reasons without a known wording make one plain sentence.
    """
    if ctx.profile is None or not ctx.profile.needs_evidence() or ctx.assurance is Assurance.EVIDENCE_CHECKED:
        return
    where, name = pointer("measurement", "traces"), ctx.profile.name
    wording = declared_only.worded(ctx, name)
    if wording:
        yield from (Problem(where, m) for m in wording)
        return
    why = "; ".join(ctx.assurance_reasons) or "not every accelerator's energy was recomputed"
    yield Problem(
        where,
        f"profile {name} needs every accelerator's energy in every complete run recomputed from its "
        f"raw trace (evidence-checked); the evidence is declared-only: {why}",
    )
