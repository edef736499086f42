"""Per-GPU power and energy samples (DCGM field exports, a Slurm job's per-GPU power CSV) as a draft.

Both sources are tables of samples: a time, the host, the GPU's index and UUID, a MIG instance where
DCGM writes one, and a power (W) and/or NVML's cumulative energy counter (mJ). This module owns what
is common once the rows are read:

- **one device per GPU** (host and UUID, else host and index); DCGM repeats the whole GPU's power and
  counter for every MIG instance of it: those repeats are kept once (``import.duplicate-rows``),
  never summed;
- **suspicious samples**: a repeated timestamp (``import.duplicate-rows``), a negative value
  (``import.negative-values``), a zero power (``import.zero-values``: a GPU that draws power reads
  above 0 W; a zero is a failed read) and a missing reading are left out; a gap of more than three
  times the typical interval (``import.invalid-samples``) and a counter that goes back (a driver
  reload: the counter is not used) are reported;
- **one run** from the first to the last sample, each GPU's energy from its counter (last - first)
  when it has one, else its power integrated (trapezoids);
- **one trace per GPU** in the trace format: the counter as ``energy_mj``, instant power
  (``DCGM_FI_DEV_POWER_USAGE_INSTANT``, nvidia-smi's ``power.draw.instant``) as ``power_instant_mw``,
  averaged power (``DCGM_FI_DEV_POWER_USAGE``, ``power.draw``: a 1-second average on Ampere and
  newer) as ``power_average_mw``, which ``validate`` does not accept as evidence (it lags the load).
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import math
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field

from une_eval.errors import InputError
from une_eval.findings import Message, msg
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.source import SourceFile
from une_eval.traces import INSTANT_POWER, TIME_COLUMN, TraceColumn, column

AVERAGE_POWER = "power_average_mw"
COUNTER = "energy_mj"
GAP_FACTOR = 3.0
MAX_TIME_NS = 2**63 - 1
MAX_GPU_W = 10_000.0  # no GPU draws 10 kW: a reading above is in another unit or corrupt
MAX_COUNTER_MJ = 2.0**62  # NVML's counter is 64-bit; the trace format's columns are int64
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SMI_TIME = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$")
_NOT_ID = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class Sample:
    """One row: where it is, the GPU it is of, and its readings in W and mJ (None: not read)."""

    line: int
    time_ns: int
    host: str
    index: int | None
    uuid: str | None
    instance: str | None  # MIG GPU instance (DCGM's GPU_I_ID), None for a whole GPU
    power_w: float | None
    energy_mj: float | None
    model: str | None = None

    def device_key(self) -> tuple[str, str]:
        """The GPU the sample is of: host and UUID, else host and index."""
        return self.host, self.uuid or f"index {self.index}"


@dataclass(frozen=True, slots=True)
class Instrument:
    """What the samples are: the power kind (``instant`` or ``average``), the instrument and field names."""

    name: str
    power_kind: str
    power_field: str
    energy_field: str | None = None


@dataclass(slots=True)
class Device:
    """One GPU's kept samples."""

    device_id: str
    samples: list[Sample] = field(default_factory=list)


def parse_time(text: str, tz: dt.tzinfo | None, where: str) -> int:
    """A sample time as ns since 1970 UTC: Unix time (s, ms, us or ns by magnitude) or an ISO or nvidia-smi date."""
    text = text.strip()
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return _date_ns(text, tz, where)
    if not number.is_finite() or number <= 0:
        raise InputError(f"{where}: {text[:40]!r} is not a time")
    for low, scale in ((10**9, 10**9), (10**12, 10**6), (10**15, 10**3), (10**18, 1)):
        if low <= number < low * 10 and number * scale < MAX_TIME_NS:
            return int(number * scale)
    raise InputError(f"{where}: {text[:40]!r} is not a Unix time in s, ms, us or ns of this century")


def _date_ns(text: str, tz: dt.tzinfo | None, where: str) -> int:
    smi = _SMI_TIME.match(text)
    iso = f"{smi[1]}-{smi[2]}-{smi[3]}T{smi[4]}" if smi else text.replace("Z", "+00:00")
    try:
        stamp = dt.datetime.fromisoformat(iso)
    except ValueError:
        raise InputError(f"{where}: {text[:40]!r} is not a date and time") from None
    if stamp.tzinfo is None:
        if tz is None:
            raise InputError(f"{where}: {text[:40]!r} has no time zone; give --timezone")
        stamp = stamp.replace(tzinfo=tz)
    ns = (stamp - _EPOCH) // dt.timedelta(microseconds=1) * 1000
    if not 0 < ns < MAX_TIME_NS:
        raise InputError(f"{where}: {text[:40]!r} lies outside 1970 to 2262 (the trace format's time range)")
    return ns


def device_id(host: str, key: str, index: int | None) -> str:
    """A schema identifier for a GPU: ``<host>-gpu<index>`` (the UUID's tail when there is no index)."""
    tail = f"gpu{index}" if index is not None else "gpu-" + key[-12:]
    return f"{node_id(host)[:110]}-{_NOT_ID.sub('_', tail)}"


def node_id(host: str) -> str:
    """A schema identifier for a host."""
    ident = _NOT_ID.sub("_", host)[:128]
    return ident if ident and ident[0].isalnum() else ("h" + ident)[:128] if ident else "host"


def _iso(ns: int) -> str:
    return (_EPOCH + dt.timedelta(microseconds=ns // 1000)).isoformat(timespec="microseconds").replace("+00:00", "Z")


class SampleSet:
    """Samples of one file being sorted into GPUs, checked and put into the draft."""

    def __init__(self, draft: Draft, file: SourceFile, instrument: Instrument) -> None:
        self.draft, self.file, self.instrument = draft, file, instrument
        self.devices: dict[tuple[str, str], Device] = {}
        self.missing_power = 0

    def finding(self, rule_id: str, lines: list[int], text: Message, pointer: str | None = None) -> None:
        """Record a finding on some rows."""
        where = f"line {lines[0]}" if len(lines) == 1 else f"lines {lines[0]}..{lines[-1]} ({len(lines)} rows)"
        self.draft.finding(rule_id, self.file, where, text, pointer)

    def add_all(self, samples: list[Sample]) -> None:
        """Sort the samples into GPUs, keeping one per GPU and time and only valid readings."""
        kept: dict[tuple[str, str], dict[int, Sample]] = {}
        mig, dup, clash = [], [], []
        for s in samples:
            per_time = kept.setdefault(s.device_key(), {})
            before = per_time.get(s.time_ns)
            if before is None:
                per_time[s.time_ns] = s
            elif (before.power_w, before.energy_mj) != (s.power_w, s.energy_mj):
                clash.append(s.line)
            elif before.instance != s.instance:
                mig.append(s.line)
            else:
                dup.append(s.line)
        self._report_repeats(mig, dup, clash)
        for key, per_time in kept.items():
            ordered = [per_time[t] for t in sorted(per_time)]
            first = ordered[0]
            dev = Device(device_id(first.host, key[1], first.index))
            dev.samples = self._valid(ordered)
            self.devices[key] = dev

    def _report_repeats(self, mig: list[int], dup: list[int], clash: list[int]) -> None:
        if mig:
            self.finding(
                "import.duplicate-rows",
                mig,
                msg(
                    "{file}, {location}: DCGM repeats the whole GPU's power and energy for every MIG instance on it: "
                    "{count} repeated row(s) kept once per GPU, not summed",
                    count=len(mig),
                ),
            )
        if dup:
            text = msg("{file}, {location}: {count} row(s) repeat a GPU's sample at the same time", count=len(dup))
            self.finding("import.duplicate-rows", dup, text)
        if clash:
            self.finding(
                "import.duplicate-rows",
                clash,
                msg(
                    "{file}, {location}: {count} row(s) give a GPU other readings at a time it already has; "
                    "the first is kept",
                    count=len(clash),
                ),
            )

    def _valid(self, ordered: list[Sample]) -> list[Sample]:
        negative = [s.line for s in ordered if (s.power_w or 0) < 0 or (s.energy_mj or 0) < 0]
        zero = [s.line for s in ordered if s.power_w == 0]
        if negative:
            text = msg("{file}, {location}: {count} negative reading(s); left out", count=len(negative))
            self.finding("import.negative-values", negative, text)
        if zero:
            text = msg("{file}, {location}: {count} power reading(s) of 0 W (a failed read); left out", count=len(zero))
            self.finding("import.zero-values", zero, text)
        high = [s.line for s in ordered if (s.power_w or 0) > MAX_GPU_W or (s.energy_mj or 0) > MAX_COUNTER_MJ]
        if high:
            text = msg(
                "{file}, {location}: {count} reading(s) above {max_w} W or a counter above 2^62 mJ, impossible for "
                "one GPU (another unit?); left out",
                count=len(high),
                max_w=MAX_GPU_W,
            )
            self.finding("import.unit-magnitude", high, text)
        bad = set(negative) | set(zero) | set(high)
        return [s for s in ordered if s.line not in bad and (s.power_w is not None or s.energy_mj is not None)]

    def fill(self) -> None:
        """The run, the devices, their energies and traces, and the method, into the draft."""
        devices = [d for d in self.devices.values() if len(d.samples) >= 2]
        for dev in self.devices.values():
            if len(dev.samples) < 2:
                self.draft.note(f"{dev.device_id}: fewer than 2 valid samples; not imported")
        if not devices:
            raise InputError(f"{self.file.path}: no GPU has two valid samples")
        self._report_missing()
        d, run = self.draft, "/measurement/runs/0"
        start = min(dev.samples[0].time_ns for dev in devices)
        end = max(dev.samples[-1].time_ns for dev in devices)
        if end <= start:
            raise InputError(f"{self.file.path}: every sample has the same time")
        first_line = min(dev.samples[0].line for dev in devices)
        last_line = max(dev.samples[-1].line for dev in devices)
        d.put(f"{run}/index", 0)
        d.put(f"{run}/start_time", _iso(start), Origin(self.file, "first sample", _iso(start), None, "measured"))
        d.put(f"{run}/end_time", _iso(end), Origin(self.file, "last sample", _iso(end), None, "measured"))
        span = Origin(self.file, f"lines {first_line}..{last_line}", "last sample - first sample", None, "derived")
        d.put(f"{run}/duration_s", (end - start) / 1e9, span)
        counters = all(self._counter_ok(dev) for dev in devices)
        energies = [(dev, self._energy(dev, run, k)) for k, dev in enumerate(devices)]
        d.put(f"{run}/devices", [{"device_id": dev.device_id, "energy_j": e} for dev, e in energies])
        total = math.fsum(e for _, e in energies)
        d.put(f"{run}/energy", {"gpu_j": total, "total_j": total})
        for k, dev in enumerate(devices):
            self._device(k, dev)
            self._gaps(dev)
            self._trace(dev)
        self._method(counters, devices)

    def _report_missing(self) -> None:
        if self.missing_power:
            self.draft.finding(
                "import.invalid-samples",
                self.file,
                "power column",
                msg(
                    "{file}, {location}: {count} row(s) without a power reading (empty or N/A); left out",
                    count=self.missing_power,
                ),
            )

    def _counter_ok(self, dev: Device) -> bool:
        reads = [(s.line, s.energy_mj) for s in dev.samples if s.energy_mj is not None]
        if len(reads) < 2:
            return False
        back = [b[0] for a, b in itertools.pairwise(reads) if b[1] < a[1]]
        if back:
            self.finding(
                "import.invalid-samples",
                back,
                msg(
                    "{file}, {location}: {device}: the energy counter goes back {count} time(s) (a driver reload); "
                    "the counter is not used, the energy comes from power",
                    device=dev.device_id,
                    count=len(back),
                ),
            )
            return False
        return True

    def _energy(self, dev: Device, run: str, k: int) -> float:
        at = f"{run}/devices/{k}/energy_j"
        if self._counter_ok_quiet(dev):
            reads = [s for s in dev.samples if s.energy_mj is not None]
            first, last = reads[0], reads[-1]
            joules = ((last.energy_mj or 0.0) - (first.energy_mj or 0.0)) / 1000
            written = f"{_num(last.energy_mj)} - {_num(first.energy_mj)}"
            note = f"{self.instrument.energy_field}: counter at the last sample - counter at the first"
            origin = Origin(self.file, f"lines {first.line} and {last.line}", written, None, "derived", note)
            self.draft.values.append(origin.entry(at))
            return joules
        powered = [s for s in dev.samples if s.power_w is not None]
        if len(powered) < 2:
            raise InputError(f"{self.file.path}: {dev.device_id} has neither two counter reads nor two power readings")
        joules = math.fsum(
            (b.time_ns - a.time_ns) / 1e9 * ((a.power_w or 0.0) + (b.power_w or 0.0)) / 2
            for a, b in itertools.pairwise(powered)
        )
        basis = "derived" if self.instrument.power_kind == "instant" else "estimated"
        note = f"{self.instrument.power_field} integrated over time (trapezoids)" + (
            "; averaged power lags the load by about a second" if basis == "estimated" else ""
        )
        origin = Origin(
            self.file, f"lines {powered[0].line}..{powered[-1].line}", f"{len(powered)} samples", None, basis, note
        )
        self.draft.values.append(origin.entry(at))
        return joules

    def _counter_ok_quiet(self, dev: Device) -> bool:
        reads = [s.energy_mj for s in dev.samples if s.energy_mj is not None]
        return len(reads) >= 2 and all(b >= a for a, b in itertools.pairwise(reads))

    def _device(self, k: int, dev: Device) -> None:
        s = dev.samples[0]
        entry: dict[str, object] = {"device_id": dev.device_id, "component": "gpu", "node_id": node_id(s.host)}
        if s.host:
            entry["host"] = s.host[:500]
        if s.index is not None:
            entry["index"] = s.index
        if s.uuid:
            entry["uuid"] = s.uuid[:500]
        if s.model:
            entry["model"] = s.model[:500]
        entry["has_energy_counter"] = self._counter_ok_quiet(dev)
        self.draft.put(f"/measurement/devices/{k}", entry)

    def _gaps(self, dev: Device) -> None:
        steps = [b.time_ns - a.time_ns for a, b in itertools.pairwise(dev.samples)]
        typical = statistics.median(steps)
        late = [b.line for a, b in itertools.pairwise(dev.samples) if b.time_ns - a.time_ns > GAP_FACTOR * typical]
        if late:
            longest = max(steps) / 1e9
            self.finding(
                "import.invalid-samples",
                late,
                msg(
                    "{file}, {location}: {device}: {count} gap(s) longer than {factor} times the typical interval "
                    "of {typical_s} s, the longest {longest_s} s",
                    device=dev.device_id,
                    count=len(late),
                    factor=GAP_FACTOR,
                    typical_s=typical / 1e9,
                    longest_s=longest,
                ),
            )

    def _trace(self, dev: Device) -> None:
        power_column = INSTANT_POWER if self.instrument.power_kind == "instant" else AVERAGE_POWER
        has_counter = self._counter_ok_quiet(dev)
        has_power = any(s.power_w is not None for s in dev.samples)
        columns = [column(TIME_COLUMN)]
        if has_counter:
            columns.append(TraceColumn(COUNTER, "mJ", f"{self.instrument.energy_field} (NVML's counter, mJ)"))
        if has_power:
            columns.append(TraceColumn(power_column, "mW", f"{self.instrument.power_field} (W), in mW"))
        self.draft.trace(dev.device_id, columns, _rows(dev.samples, has_counter, has_power and power_column))

    def _method(self, counters: bool, devices: list[Device]) -> None:
        steps = [b.time_ns - a.time_ns for dev in devices for a, b in itertools.pairwise(dev.samples)]
        instrument: dict[str, object] = {"name": self.instrument.name}
        interval = statistics.median(steps) / 1e9
        if interval > 0:
            instrument["sampling_interval_s"] = interval
        method = "nvml-energy-counter" if counters else "nvml-power-integration"
        self.draft.put("/measurement/methods/0", {"component": "gpu", "method": method, "instrument": instrument})
        if not counters and self.instrument.power_kind != "instant":
            self.draft.note(
                f"{self.instrument.power_field} is NVML's averaged power (a 1-second average on Ampere and newer): "
                "the energies integrate it and are estimates; validate does not accept averaged power as evidence"
            )


def _rows(samples: list[Sample], counter: bool, power: str | bool) -> Iterator[dict[str, int | None]]:
    """The trace rows of a GPU's samples, made as they are written."""
    for s in samples:
        row: dict[str, int | None] = {TIME_COLUMN: s.time_ns}
        if counter:
            row[COUNTER] = None if s.energy_mj is None else round(s.energy_mj)
        if power:
            row[str(power)] = None if s.power_w is None else round(s.power_w * 1000)
        yield row


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.17g}"
