"""Turn a protocol record, the inventory and the auditor's declarations into a submission document.

The auditor declares what cannot be measured (submitter, attestation, model, software framework,
site, workload description) in a small JSON file; the runner fills the hardware, the measurement and,
with :func:`une_eval.results.build_results`, the results: the same arithmetic the validator checks.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from une_eval.errors import InputError
from une_eval.findings import pointer
from une_eval.measure.inventory import NodeInventory
from une_eval.measure.protocol import ProtocolRecord, Window
from une_eval.measure.sensors import DeviceInfo, Unavailable
from une_eval.results import build_results
from une_eval.schemas import SchemaKind, schema_validator, submission_validator
from une_eval.validation.schema_layer import describe_error
from une_eval.vocabulary import energy_key

if TYPE_CHECKING:
    from une_eval.measure.nodes import NodeRecord

_DECLARED_KEYS = ("submitter", "attestation", "system", "workload")


@dataclass(frozen=True, slots=True)
class Setup:
    """Everything about the measurement that does not come from the record."""

    phase: str
    unit: str
    unit_count: float
    profile: str
    submission_id: str
    devices: Sequence[DeviceInfo]
    unavailable: Sequence[Unavailable]
    node: NodeInventory
    driver_version: str | None = None
    node_record: NodeRecord | None = None
    """The node's launcher view and clock offset (``measurement.nodes``; devices get host and index)."""
    full_run_units: float | None = None
    """Training: the full run's size in the unit; the submission then predicts it (``results.prediction``)."""
    replay: Mapping[str, Any] | None = None
    """A replay or rehearsal: the recordings played back (``measurement.replay``, see ``replay_record``)."""


def timestamp(unix_ns: int) -> str:
    """RFC 3339 UTC timestamp with microseconds."""
    moment = dt.datetime.fromtimestamp(unix_ns / 1e9, tz=dt.UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _r(value: float, digits: int = 6) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _accelerators(devices: Sequence[DeviceInfo]) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], int] = {}
    for d in devices:
        if d.component == "gpu":
            key = (d.model, d.memory_gb, d.power_limit_w, d.default_power_limit_w, d.has_energy_counter, d.mig_enabled)
            groups[key] = groups.get(key, 0) + 1
    out = []
    for (model, mem, limit, default, counter, mig), count in groups.items():
        acc: dict[str, Any] = {
            "vendor": "NVIDIA",
            "model": model,
            "count": count,
            "has_energy_counter": counter,
            "mig_enabled": mig,
        }
        # What the driver did not report stays absent: never a placeholder that passes for a figure.
        if mem:
            acc["memory_gb"] = mem
        if limit:
            acc["power_limit_w"] = limit
        if default:
            acc["default_power_limit_w"] = default
        out.append(acc)
    return out


def _methods(setup: Setup) -> list[dict[str, Any]]:
    methods: list[dict[str, Any]] = []
    for component in ("gpu", "cpu", "dram"):
        devs = [d for d in setup.devices if d.component == component]
        if devs:
            method = devs[0].method
            if component == "gpu" and not all(d.has_energy_counter for d in devs):
                method = "nvml-power-integration"
            instrument: dict[str, Any] = {
                "name": devs[0].instrument,
                "sampling_interval_s": 0.1,
                "update_period_s": max(d.update_period_s for d in devs),
            }
            if devs[0].instrument_version:
                instrument["version"] = devs[0].instrument_version
            methods.append({"component": component, "method": method, "instrument": instrument})
    for gap in setup.unavailable:
        methods.append({"component": gap.component, "method": "unavailable", "reason": gap.reason})
    return methods


def _device_entry(d: DeviceInfo, node_id: str, record: NodeRecord | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "device_id": d.device_id,
        "component": d.component,
        "node_id": node_id,
        "model": d.model,
        "has_energy_counter": d.has_energy_counter,
    }
    if d.uuid:
        entry["uuid"] = d.uuid
    if record is not None:
        from une_eval.measure.nodes import device_index

        entry["host"] = record.host[:500] or "unknown"
        index = device_index(d.device_id, d.facts) if d.component == "gpu" else None
        if index is not None:
            entry["index"] = index
    if d.power_limit_w:
        entry["power_limit_w"] = d.power_limit_w
    return entry


def _run_entry(
    run_index: int,
    window: Window,
    devices: Sequence[DeviceInfo],
    work_units: float | None,
    exit_code: int,
    problem: str | None,
) -> dict[str, Any]:
    energy: dict[str, float] = {}
    per_device = []
    duration_s = window.duration_s
    for d in devices:
        e_j = max(window.energy_j(d.device_id), 0.0)
        energy[energy_key(d.component)] = energy.get(energy_key(d.component), 0.0) + e_j
        dev: dict[str, Any] = {"device_id": d.device_id, "energy_j": _r(e_j)}
        if duration_s > 0:
            dev["mean_power_w"] = _r(e_j / duration_s)
        if d.device_id in window.peak_w:
            dev["peak_power_w"] = _r(window.peak_w[d.device_id])
        per_device.append(dev)
    total_j = math.fsum(energy.values())
    run: dict[str, Any] = {
        "index": run_index,
        "start_time": timestamp(window.start.unix_ns),
        "end_time": timestamp(window.end.unix_ns),
        "duration_s": _r(max(duration_s, 1e-9)),
        "work_units": work_units or 0,
        "energy": {k: _r(v) for k, v in energy.items()} | {"total_j": _r(total_j)},
        "devices": per_device,
        "complete": problem is None,
        "exit_code": exit_code,
    }
    if duration_s > 0:
        run["mean_power_w"] = _r(total_j / duration_s)
    if window.peak_total_w > 0:
        run["peak_power_w"] = _r(window.peak_total_w)
    if problem is not None:
        run["reason"] = problem[:500]
    return run


def _measurement(setup: Setup, record: ProtocolRecord, traces: list[dict[str, Any]]) -> dict[str, Any]:
    base = record.baseline
    baseline: dict[str, Any] = {"duration_s": 0.0, "devices": []}
    if base is not None and base.duration_s > 0:
        baseline = {
            "duration_s": _r(base.duration_s),
            "devices": [
                {"device_id": d.device_id, "power_w": _r(max(base.energy_j(d.device_id), 0.0) / base.duration_s)}
                for d in setup.devices
            ],
        }
    warmup: dict[str, Any] = {"performed": record.warmup is not None}
    if record.warmup is not None:
        warmup["duration_s"] = _r(record.warmup.duration_s)
    m: dict[str, Any] = {
        "methods": _methods(setup),
        "devices": [_device_entry(d, setup.node.node_id, setup.node_record) for d in setup.devices],
        "idle_baseline": baseline,
        "warmup": warmup,
        "runs": [
            _run_entry(r.index, r.window, setup.devices, r.work_units, r.exit_code, r.problem) for r in record.runs
        ],
        "traces": traces,
        "complete": record.complete,
    }
    if setup.node_record is not None:
        m["nodes"] = [setup.node_record.entry()]
    if setup.replay is not None:
        m["replay"] = dict(setup.replay)
    if not record.complete:
        m["incomplete_reason"] = (record.incomplete_reason or "the measurement did not finish")[:500]
    return m


def _conditions_on_phase(condition: dict[str, Any]) -> bool:
    """A schema condition ``if phase ... then workload ...``: one the declarations alone can be held to."""
    test = condition.get("if", {})
    then = condition.get("then", {})
    return set(test.get("properties", {})) == {"phase"} and set(then.get("properties", {})) <= {"workload"}


def check_declarations(declared: dict[str, Any], phase: str | None = None) -> None:
    """Refuse a declarations file the submission could not be built from, before anything is measured.

    With ``phase``, the declarations are also held to the submission schema's conditions on the phase
    (an inference submission declares an ``inference`` workload and no ``training`` one).
    """
    errors = sorted(
        schema_validator(SchemaKind.DECLARATIONS).iter_errors(declared), key=lambda e: [str(p) for p in e.absolute_path]
    )
    if not errors and phase is not None:
        submission = submission_validator()
        schema: Any = submission.schema
        conditions = [c for c in schema.get("allOf", []) if _conditions_on_phase(c)]
        by_phase = type(submission)({"allOf": conditions}, format_checker=submission.format_checker)
        instance = {"phase": phase, "workload": declared.get("workload", {})}
        errors = sorted(by_phase.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        shown = "; ".join(f"{pointer(*e.absolute_path) or '/'}: {describe_error(e)}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise InputError(f"the declarations file does not fit the submission schema: {shown}{more}")


def build_submission(
    setup: Setup,
    declared: dict[str, Any],
    record: ProtocolRecord,
    traces: list[dict[str, Any]],
    *,
    created_unix_ns: int,
) -> dict[str, Any]:
    """Build the submission document; ``results`` whenever at least one complete run reported work units."""
    decl = copy.deepcopy({k: declared[k] for k in _DECLARED_KEYS if k in declared})
    system = decl.get("system", {})
    software = system.setdefault("software", {})
    software.setdefault("os", setup.node.os)
    if setup.driver_version:
        software.setdefault("gpu_driver", setup.driver_version)
    node = setup.node
    cpu: dict[str, Any] = {"model": node.cpu_model, "sockets": node.sockets}
    if node.cores_per_socket:
        cpu["cores_per_socket"] = node.cores_per_socket
    system["hardware"] = {
        "nodes": [
            {
                "node_id": node.node_id,
                "accelerators": _accelerators(setup.devices),
                "cpu": cpu,
            }
            | ({"memory_gb": node.memory_gb} if node.memory_gb else {})
        ]
    }
    doc: dict[str, Any] = {
        "schema_version": "1.0",
        "submission_id": setup.submission_id,
        "created_at": timestamp(created_unix_ns),
        "phase": setup.phase,
        "profile": {"name": setup.profile},
        **decl,
        "system": system,
        "measurement": _measurement(setup, record, traces),
    }
    if any(r["complete"] and r["work_units"] > 0 for r in doc["measurement"]["runs"]):
        doc["results"] = build_results(doc, unit=setup.unit, count=setup.unit_count)
    if setup.full_run_units is not None:
        from une_eval.prediction import add_prediction

        add_prediction(doc, setup.full_run_units)  # from the second complete run on
    return doc


def check_setup(setup: Setup, declared: dict[str, Any]) -> None:
    """Refuse, before anything is measured, a submission id the schema would refuse once measured.

    The id (``--submission-id``, or the default built from the node's name) is put in the document an
    empty record builds and checked against the submission schema there, with the schema's own rule.
    """
    doc = build_submission(setup, declared, ProtocolRecord(), [], created_unix_ns=0)
    errors = [e for e in submission_validator().iter_errors(doc) if list(e.absolute_path)[:1] == ["submission_id"]]
    if errors:
        raise InputError(f"the submission id does not fit the submission schema: {describe_error(errors[0])}")
