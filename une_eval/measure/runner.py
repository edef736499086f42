"""One measurement from start to finish: preflight, traces, protocol, and the submission on disk.

Outputs in the output folder: ``submission.json`` (written atomically after every phase, so a killed
runner still leaves a readable partial file), ``traces/<device>.csv``, ``inventory.json`` (everything
the sensors read about the devices) and ``run.log`` (one line per event). A failed run, a sensor error
or Ctrl-C still writes a submission, marked incomplete with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from une_eval.errors import ProtocolError
from une_eval.measure.protocol import Progress, Protocol, ProtocolConfig, ProtocolRecord
from une_eval.measure.sampler import Sampler
from une_eval.measure.sensors import Clock, DeviceInfo, EnergySensor
from une_eval.measure.submission import Setup, build_submission, check_declarations
from une_eval.measure.workload import Workload
from une_eval.output import write_atomic
from une_eval.traces import TraceWriter, columns_for


@dataclass(frozen=True, slots=True)
class Policy:
    """What preflight refuses and what it only records as a warning."""

    allow_foreign_processes: bool = False
    allow_mig: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """Where the submission went and whether the measurement finished."""

    submission_path: Path
    document: dict[str, Any]
    complete: bool
    reason: str | None


def preflight(devices: Sequence[DeviceInfo], policy: Policy) -> list[str]:
    """Refuse what would make the measurement meaningless; return warnings for what is only recorded."""
    refusals: list[str] = []
    warnings: list[str] = []
    for d in devices:
        foreign = d.facts.get("foreign_processes") or []
        if foreign:
            msg = f"{d.device_id}: {len(foreign)} other process(es) use the GPU (pids {foreign[:5]})"
            (warnings if policy.allow_foreign_processes else refusals).append(msg)
        if d.mig_enabled:
            msg = f"{d.device_id}: MIG is enabled; NVML energy is whole-GPU, not attributable to one instance"
            (warnings if policy.allow_mig else refusals).append(msg)
        limit_w, default_w = d.power_limit_w, d.default_power_limit_w
        if limit_w and default_w and abs(limit_w - default_w) > 0.5:
            warnings.append(
                f"{d.device_id}: power limit {d.power_limit_w:g} W differs from the default "
                f"{d.default_power_limit_w:g} W (recorded in the submission)"
            )
        if not d.has_energy_counter and d.component == "gpu":
            warnings.append(f"{d.device_id}: no energy counter; integrating instant power (estimate)")
    if refusals:
        raise ProtocolError(
            "preflight refused: "
            + "; ".join(refusals)
            + " (--allow-foreign-processes / --allow-mig measure anyway, recorded as warnings)"
        )
    return warnings


class RunLog:
    """``run.log``: one timestamped line per event, flushed at once."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self._fh: IO[str] = path.open("a", encoding="utf-8")
        self._clock = clock

    def __call__(self, message: str) -> None:
        """Append one event."""
        moment = dt.datetime.fromtimestamp(self._clock.unix_ns() / 1e9, tz=dt.UTC)
        stamp = moment.isoformat(timespec="milliseconds")
        self._fh.write(f"{stamp} {message}\n")
        self._fh.flush()

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


class Outputs:
    """The output folder of one measurement: traces, run log, inventory, and the submission."""

    def __init__(self, out_dir: Path, setup: Setup, declared: dict[str, Any], clock: Clock, policy: Policy) -> None:
        check_declarations(declared)
        (out_dir / "traces").mkdir(parents=True, exist_ok=True)
        (out_dir / "work").mkdir(exist_ok=True)
        self.out_dir, self._setup, self._declared, self._clock = out_dir, setup, declared, clock
        warnings = preflight(setup.devices, policy)
        self.log = RunLog(out_dir / "run.log", clock)
        for w in warnings:
            self.log(f"warning: {w}")
        inventory = {
            "node": asdict(setup.node),
            "devices": [asdict(d) for d in setup.devices],
            "unavailable": [asdict(u) for u in setup.unavailable],
            "warnings": warnings,
        }
        write_atomic(out_dir / "inventory.json", json.dumps(inventory, indent=2, default=str))
        self.writers = {
            d.device_id: TraceWriter(out_dir / "traces" / f"{d.device_id}.csv", columns_for(d)) for d in setup.devices
        }

    @property
    def submission_path(self) -> Path:
        """Where the submission goes."""
        return self.out_dir / "submission.json"

    def save(self, record: ProtocolRecord) -> dict[str, Any]:
        """Write the submission for ``record`` atomically and return it."""
        traces = [w.reference(self.out_dir, dev_id) for dev_id, w in self.writers.items()]
        doc = build_submission(self._setup, self._declared, record, traces, created_unix_ns=self._clock.unix_ns())
        write_atomic(self.submission_path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return doc

    def checkpoint(self, record: ProtocolRecord) -> None:
        """Save what is known so far as a partial submission (a killed runner leaves this behind)."""
        self.save(
            ProtocolRecord(
                record.baseline,
                record.warmup,
                list(record.runs),
                False,
                "measurement in progress (the runner was stopped before it finished)",
            )
        )
        self.log(f"checkpoint: baseline done, {len(record.runs)} run(s) recorded")

    def finish(self, sensors: Sequence[EnergySensor], record: ProtocolRecord) -> Result:
        """Close traces and sensors, write the final (or partial) submission."""
        for w in self.writers.values():
            w.close()
        for s in sensors:
            s.close()
        doc = self.save(record)
        self.log("complete" if record.complete else f"incomplete: {record.incomplete_reason}")
        self.log.close()
        return Result(self.submission_path, doc, record.complete, record.incomplete_reason)


def measure(
    sensors: Sequence[EnergySensor],
    clock: Clock,
    workload: Workload,
    setup: Setup,
    declared: dict[str, Any],
    config: ProtocolConfig,
    out_dir: Path,
    *,
    policy: Policy = Policy(),
    interval_s: float = 0.1,
    counter_interval_s: float = 0.5,
    progress: Progress | None = None,
    on_tick: Callable[[str, dict[str, float]], None] | None = None,
) -> Result:
    """Run the protocol and write the submission; Ctrl-C writes a partial one and propagates."""
    outputs = Outputs(out_dir, setup, declared, clock, policy)
    sampler = Sampler(
        sensors, clock, outputs.writers, interval_s=interval_s, counter_interval_s=counter_interval_s, on_tick=on_tick
    )

    def logged(phase: str, k: int, n: int) -> None:
        outputs.log(f"phase {phase} ({k}/{n})")
        if progress is not None:
            progress(phase, k, n)

    protocol = Protocol(sampler, workload, config, out_dir / "work", progress=logged)
    try:
        record = protocol.run(outputs.checkpoint)
    except KeyboardInterrupt:
        protocol.record.complete = False
        protocol.record.incomplete_reason = "interrupted by the operator (Ctrl-C)"
        outputs.finish(sensors, protocol.record)
        raise
    return outputs.finish(sensors, record)
