"""One measurement from start to finish: preflight, traces, protocol, and the submission on disk.

Outputs in the output folder (locked, empty unless forced: :mod:`une_eval.measure.outdir`):
``submission.json`` (written atomically after every phase, so a killed runner still leaves a readable
partial file), ``traces/<device>.csv``, ``inventory.json`` (everything the sensors read about the
devices) and ``run.log`` (one line per event). A failed or timed-out run, a sensor error, a stop
signal (Ctrl-C, SIGTERM, SIGHUP) or a write error still finishes a submission, marked incomplete
with the reason, whose trace digests match the files. A stop signal first takes one last counter read
of every device (:meth:`Protocol.interrupt`): the traces, and the run cut short, end on a real reading.
Only SIGKILL leaves the last checkpoint as it was (marked in progress; the traces have grown since,
so their digests no longer match).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from une_eval.errors import ProtocolError
from une_eval.measure.interrupts import Interrupted, StopSignals
from une_eval.measure.outdir import OutputError, OutputFolder, output_error
from une_eval.measure.protocol import Progress, Protocol, ProtocolConfig, ProtocolRecord
from une_eval.measure.sampler import COUNTER_INTERVAL_S, Sampler
from une_eval.measure.sensors import Clock, DeviceInfo, EnergySensor
from une_eval.measure.submission import Setup, build_submission, check_declarations, check_setup
from une_eval.measure.work_units import ResultFiles
from une_eval.measure.workload import CommandWorkload, Workload
from une_eval.output import write_atomic
from une_eval.traces import TraceWriter, columns_for


@dataclass(frozen=True, slots=True)
class Policy:
    """What preflight refuses and what it only records as a warning."""

    allow_foreign_processes: bool = False
    allow_mig: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """Where the submission went, whether the measurement finished, and the stop signal that ended it."""

    submission_path: Path
    document: dict[str, Any]
    complete: bool
    reason: str | None
    signal: int | None = None


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
        if d.component == "gpu" and not d.has_instant_power:
            warnings.append(f"{d.device_id}: no instant-power field; the trace has averaged power only")
        if not d.has_energy_counter and d.component == "gpu":
            power = "instant" if d.has_instant_power else "1-second averaged"
            warnings.append(f"{d.device_id}: no energy counter; integrating {power} power (estimate)")
    if refusals:
        raise ProtocolError(
            "preflight refused: "
            + "; ".join(refusals)
            + " (--allow-foreign-processes / --allow-mig measure anyway, recorded as warnings)"
        )
    return warnings


class RunLog:
    """``run.log``: one timestamped line per event, flushed at once."""

    def __init__(self, fh: IO[str], clock: Clock) -> None:
        self._fh = fh
        self._clock = clock

    def __call__(self, message: str) -> None:
        """Append one event (a full disk loses the line, never the measurement)."""
        moment = dt.datetime.fromtimestamp(self._clock.unix_ns() / 1e9, tz=dt.UTC)
        stamp = moment.isoformat(timespec="milliseconds")
        with contextlib.suppress(OSError, ValueError):
            self._fh.write(f"{stamp} {message}\n")
            self._fh.flush()

    def close(self) -> None:
        """Close the file."""
        with contextlib.suppress(OSError):
            self._fh.close()


class Outputs:
    """The output folder of one measurement: traces, run log, inventory, and the submission."""

    def __init__(
        self,
        out_dir: Path,
        setup: Setup,
        declared: dict[str, Any],
        clock: Clock,
        policy: Policy,
        *,
        force: bool = False,
    ) -> None:
        check_declarations(declared, setup.phase)
        check_setup(setup, declared)
        warnings = preflight(setup.devices, policy)
        self.folder = OutputFolder(out_dir, force=force)
        try:
            self._open(setup, declared, clock, warnings)
        except BaseException:
            self.folder.close()
            raise

    def _open(self, setup: Setup, declared: dict[str, Any], clock: Clock, warnings: list[str]) -> None:
        self.out_dir, self._setup, self._declared, self._clock = self.folder.path, setup, declared, clock
        self.results = ResultFiles(self.out_dir.absolute() / "work", self.folder.work_fd)
        self.log = RunLog(self.folder.create_text("run.log"), clock)
        for w in warnings:
            self.log(f"warning: {w}")
        inventory = {
            "node": asdict(setup.node),
            "devices": [asdict(d) for d in setup.devices],
            "unavailable": [asdict(u) for u in setup.unavailable],
            "warnings": warnings,
        }
        self._write(self.out_dir / "inventory.json", json.dumps(inventory, indent=2, default=str))
        self.writers: dict[str, TraceWriter] = {}
        self._saved_sizes: dict[Path, int] = {}
        self._intact = True  # every byte written reached the traces: each must hash as written
        for d in setup.devices:
            path = self.folder.create_trace(f"{d.device_id}.csv")
            try:
                self.writers[d.device_id] = TraceWriter(path, columns_for(d))
            except OSError as exc:
                raise output_error(str(path), exc) from None

    @staticmethod
    def _write(path: Path, text: str) -> None:
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise output_error(str(path), exc) from None

    @property
    def submission_path(self) -> Path:
        """Where the submission goes."""
        return self.out_dir / "submission.json"

    def save(self, record: ProtocolRecord) -> dict[str, Any]:
        """Write the submission for ``record`` atomically and return it (a failed write keeps the last one)."""
        traces, sizes = [], {}
        for dev_id, w in self.writers.items():
            self.folder.check_unchanged(w.path)
            try:
                traces.append(w.reference(self.out_dir, dev_id))
                sizes[w.path] = w.path.stat().st_size
            except OSError as exc:
                raise output_error(str(w.path), exc) from None
            if self._intact and traces[-1]["sha256"] != w.written_sha256:
                raise OutputError(
                    f"{w.path} was changed by another process during the measurement (the workload?): "
                    "its content is not what the runner wrote"
                )
        doc = build_submission(self._setup, self._declared, record, traces, created_unix_ns=self._clock.unix_ns())
        try:
            text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        except ValueError:
            raise ProtocolError("the submission would hold a non-finite number; nothing was written") from None
        self._write(self.submission_path, text)
        self._saved_sizes = sizes  # the trace lengths whose digests the submission on disk declares
        return doc

    def written_unknown(self) -> None:
        """An exception struck at an arbitrary point (between a row's write and its digest): digests as on disk."""
        self._intact = False

    def _close_traces(self, record: ProtocolRecord) -> None:
        """Close every trace; when one cannot be written, cut them all back to what the last save declared.

        A full disk leaves a trace with rows (or half a row) that no saved submission describes; cut back,
        the files match the digests of the submission already on disk, and the final one can only be written
        with those same digests: never a submission claiming more than reached the disk.
        """
        failure: tuple[Path, OSError] | None = None
        for w in self.writers.values():
            try:
                w.close()
            except OSError as exc:
                failure = failure or (w.path, exc)
        if failure is None:
            return
        self._intact = False  # what reached the disk is less than what was written: cut back below
        reason = f"cannot write the outputs ({failure[0]}): {failure[1].strerror or failure[1]}"
        self.log(f"{reason}; the traces are cut back to the last saved submission")
        if record.complete or record.incomplete_reason is None:
            record.complete, record.incomplete_reason = False, reason
        for w in self.writers.values():
            self.folder.check_unchanged(w.path)
            size = self._saved_sizes.get(w.path)
            self.folder.cut_trace(w.path, last_row_end(w.path) if size is None else size)

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

    def finish(self, sensors: Sequence[EnergySensor], record: ProtocolRecord, *, signal: int | None = None) -> Result:
        """Close traces and sensors, write the final (or partial) submission, release the folder."""
        for s in sensors:
            with contextlib.suppress(Exception):
                s.close()
        try:
            self._close_traces(record)
            doc = self.save(record)
            self.log("complete" if record.complete else f"incomplete: {record.incomplete_reason}")
        except ProtocolError as exc:
            self.log(f"could not write the final submission: {exc}")
            raise
        finally:
            self.log.close()
            self.folder.close()
        return Result(self.submission_path, doc, record.complete, record.incomplete_reason, signal)


def last_row_end(path: Path, block: int = 65536) -> int:
    """The length of ``path`` up to and including its last newline (0 when it has none)."""
    with path.open("rb") as fh:
        end = fh.seek(0, 2)
        while end > 0:
            start = max(0, end - block)
            fh.seek(start)
            chunk = fh.read(end - start)
            if (i := chunk.rfind(b"\n")) >= 0:
                return start + i + 1
            end = start
    return 0


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
    force: bool = False,
    interval_s: float = 0.1,
    counter_interval_s: float = COUNTER_INTERVAL_S,
    progress: Progress | None = None,
    on_tick: Callable[[str, dict[str, float]], None] | None = None,
) -> Result:
    """Run the protocol and write the submission into ``out_dir`` (empty, or ``force``).

    SIGINT, SIGTERM and SIGHUP (caught in the main thread) stop the workload's process group and
    finish a partial submission; the result's ``signal`` says which one. A KeyboardInterrupt raised
    otherwise finishes the partial submission and propagates. A write error leaves the last complete
    checkpoint and raises :class:`une_eval.measure.outdir.OutputError`.
    """
    try:
        outputs = Outputs(out_dir, setup, declared, clock, policy, force=force)
    except BaseException:
        for s in sensors:
            with contextlib.suppress(Exception):
                s.close()
        raise
    if isinstance(workload, CommandWorkload) and workload.withheld():
        outputs.log(f"withheld from the workload's environment: {', '.join(workload.withheld())}")
    stop = StopSignals()
    with stop.installed():
        sampler = Sampler(
            sensors,
            clock,
            outputs.writers,
            interval_s=interval_s,
            counter_interval_s=counter_interval_s,
            on_tick=on_tick,
            before_tick=stop.check,
        )

        def logged(phase: str, k: int, n: int) -> None:
            outputs.log(f"phase {phase} ({k}/{n})")
            if progress is not None:
                progress(phase, k, n)

        protocol = Protocol(sampler, workload, config, outputs.results, progress=logged, log=outputs.log)
        return _run(protocol, outputs, sensors, stop)


def _run(protocol: Protocol, outputs: Outputs, sensors: Sequence[EnergySensor], stop: StopSignals) -> Result:
    try:
        record = protocol.run(outputs.checkpoint)
    except Interrupted as exc:
        stop.hold()
        if stop.abrupt:
            outputs.written_unknown()
        outputs.log(f"stopped by {exc}")
        record = protocol.interrupt(f"interrupted by {exc.cause} during {protocol.where()}")
        return outputs.finish(sensors, record, signal=exc.signum)
    except KeyboardInterrupt:
        stop.hold()
        outputs.written_unknown()
        outputs.finish(sensors, protocol.interrupt(f"interrupted by the operator (Ctrl-C) during {protocol.where()}"))
        raise
    except OSError as exc:
        stop.hold()
        where = f" ({exc.filename})" if exc.filename else ""
        record = protocol.stop(f"cannot write the outputs{where}: {exc.strerror or exc}")
        return outputs.finish(sensors, record)
    stop.hold()
    return outputs.finish(sensors, record)
