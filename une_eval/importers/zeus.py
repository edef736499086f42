"""Zeus (``zeus.monitor.ZeusMonitor``) measurement windows, as its CSV log or as ``Measurement`` objects in JSON.

``ZeusMonitor(log_file=...)`` writes one CSV line per ``end_window(name)``: the header
``start_time,window_name,elapsed_time,gpu<i>_energy,...`` (one column per monitored GPU, indices as the
framework sees them after ``CUDA_VISIBLE_DEVICES``), then ``<start_time>,<name>,<elapsed>,<J>,...``:
``start_time`` is ``time.time()`` at ``begin_window`` (Unix seconds), ``elapsed_time`` in s, energies in
J. The name is written as given, unquoted, so a name holding commas spreads over several cells: the
time is always the first cell and the energies the last ones, and the name is what lies between.
``end_window`` returns a ``Measurement``: ``time`` (s), ``gpu_energy`` (J by GPU index), ``cpu_energy`` and
``dram_energy`` (J by RAPL package, or null); Zeus before 0.8 called the GPU map ``energy``. Such objects
dumped as JSON (one, a list, or an object of them by window name) are read too.

What the source is, read honestly: GPU energy is NVML's energy counter on Volta and newer, power
samples integrated by Zeus on older GPUs, or instant power x time when ``approx_instant_energy`` is
set; the log does not say which, and it has no samples (no trace). A window of zero energy is one
shorter than the counter's update period (Zeus warns about it). Windows may nest or overlap, and then
their energies are not additive.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from une_eval.errors import InputError
from une_eval.findings import msg
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile
from une_eval.importers.tables import json_object, number, written
from une_eval.units import joules, seconds

HEADER = "start_time,window_name,elapsed_time"
NODE = "host"
MAX_WINDOWS = 100_000
MAX_POWER_PER_GPU_W = 3000.0  # above it, the energy was most likely written in mJ (NVML's unit)
COMPONENTS = (("gpu", "gpu_energy"), ("cpu", "cpu_energy"), ("dram", "dram_energy"))


@dataclass(slots=True)
class Window:
    """One measurement window: where it was written, its name, start, duration and energies (J) by device."""

    location: str
    name: str
    start_s: float | None
    elapsed_s: float
    energy: dict[str, dict[str, float]] = field(default_factory=dict)  # component -> index -> J
    written: dict[str, str] = field(default_factory=dict)  # "gpu:0" -> the text as written


def recognise(source: Source) -> bool:
    """A CSV starting with Zeus's log header, or JSON holding a ``Measurement``'s fields."""
    if source.is_folder:
        return False
    head = source.peek(source.name, 65536).removeprefix(b"\xef\xbb\xbf")
    if head.startswith(HEADER.encode()):
        return True
    return head.lstrip()[:1] in (b"{", b"[") and b'"gpu_energy"' in head and b'"time"' in head


def _csv_windows(file: SourceFile, draft: Draft) -> list[Window]:
    lines = io.StringIO(file.text())
    header = [c.strip() for c in lines.readline().rstrip("\r\n").split(",")]
    if header[:3] != HEADER.split(","):
        raise InputError(f"{file.path}: not a Zeus log (the header does not start with {HEADER})")
    gpus = [c for c in header[3:] if c]
    indices = [c.removeprefix("gpu").removesuffix("_energy") for c in gpus]
    if any(
        not (c.startswith("gpu") and c.endswith("_energy") and i.isdigit()) for c, i in zip(gpus, indices, strict=True)
    ):
        raise InputError(f"{file.path}, line 1: GPU columns must be gpu<index>_energy")
    windows: list[Window] = []
    for n, raw in enumerate(lines, start=2):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if len(windows) >= MAX_WINDOWS:
            raise InputError(f"{file.path}: more than {MAX_WINDOWS:,} windows")
        cells = line.split(",")
        if not gpus and cells[-1] == "":
            cells = cells[:-1]
        if len(cells) < 3 + len(gpus):
            draft.note(f"{file.path} line {n} has {len(cells)} cells for {3 + len(gpus)} columns: not imported")
            continue
        where = f"line {n}"
        tail = len(cells) - len(gpus)
        window = Window(
            where,
            ",".join(cells[1 : tail - 1]),
            number(cells[0], f"{file.path}, {where}, start_time"),
            number(cells[tail - 1], f"{file.path}, {where}, elapsed_time") or 0.0,
        )
        for index, cell in zip(indices, cells[tail:], strict=True):
            value = number(cell, f"{file.path}, {where}, gpu{index}_energy")
            if value is not None:
                window.energy.setdefault("gpu", {})[index] = value
                window.written[f"gpu:{index}"] = cell.strip()
        windows.append(window)
    return windows


def _measurement(item: Any, name: str, where: str, path: str) -> Window:
    if not isinstance(item, dict):
        raise InputError(f"{path}, {where}: not a Zeus Measurement object")
    elapsed = number(item.get("time"), f"{path}, {where}, time")
    if elapsed is None:
        raise InputError(f"{path}, {where}: no time (s)")
    start = item.get("start_time")
    window = Window(where, str(item.get("window_name", item.get("name", name))), None, elapsed)
    if start is not None:
        window.start_s = number(start, f"{path}, {where}, start_time")
    for comp, key in COMPONENTS:
        by_index = item.get(key, item.get("energy") if comp == "gpu" else None)
        if by_index is None:
            continue
        if not isinstance(by_index, dict):
            raise InputError(f"{path}, {where}, {key}: not an object of energies by index")
        for index, value in by_index.items():
            if not str(index).isdigit():
                raise InputError(f"{path}, {where}, {key}: index {str(index)[:20]!r} is not a number")
            joule = number(value, f"{path}, {where}, {key}.{index}")
            if joule is not None:
                window.energy.setdefault(comp, {})[str(index)] = joule
                window.written[f"{comp}:{index}"] = written(value)
    return window


def _json_windows(file: SourceFile) -> list[Window]:
    from une_eval.loading import parse_json_bytes

    try:
        doc = parse_json_bytes(file.data)
    except InputError as exc:
        raise InputError(f"{file.path}: {exc}") from None
    if isinstance(doc, list):
        items = [(f"item {i}", "", x) for i, x in enumerate(doc)]
    elif isinstance(doc, dict) and "time" in doc:
        items = [("top level", "", doc)]
    elif isinstance(doc, dict):
        items = [(f"key {k[:60]!r}", k, x) for k, x in json_object(file).items()]
    else:
        raise InputError(f"{file.path}: not a Zeus Measurement, a list of them or an object of them by window")
    if len(items) > MAX_WINDOWS:
        raise InputError(f"{file.path}: more than {MAX_WINDOWS:,} windows")
    return [_measurement(x, name, where, file.path) for where, name, x in items]


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a Zeus log or Measurement JSON."""
    file = source.read(source.name)
    data = file.data.removeprefix(b"\xef\xbb\xbf")
    is_csv = data.startswith(HEADER.encode())
    if not is_csv and data.lstrip()[:1] not in (b"{", b"["):
        raise InputError(f"{file.path}: {_not_a_log(data)}")
    windows = _csv_windows(file, draft) if is_csv else _json_windows(file)
    if not windows:
        raise InputError(f"{file.path}: no measurement window")
    draft.tool = {"name": "Zeus"}
    if options.phase:
        draft.put("/phase", options.phase)
    filler = _Filler(draft, file, windows)
    filler.devices()
    kept = filler.check()
    for k, window in enumerate(kept):
        filler.run(k, window)
    filler.notes(is_csv)


def _not_a_log(data: bytes) -> str:
    """Why a file that is neither Zeus's CSV log nor JSON is not read."""
    if data[:16].replace(b"\r", b"").startswith(b"Time,Power\n"):
        return (
            "samples of Zeus's GPU power monitor (Time,Power: NVML power in mW, no measurement windows) "
            f"are not a Zeus log; give the log ZeusMonitor(log_file=...) writes ({HEADER},gpu<i>_energy,...)"
        )
    return f"not a Zeus log: neither its CSV header ({HEADER},gpu<i>_energy,...) nor a Measurement in JSON"


class _Filler:
    def __init__(self, draft: Draft, file: SourceFile, windows: list[Window]) -> None:
        self.draft, self.file, self.windows = draft, file, windows
        self.components = [c for c, _ in COMPONENTS if any(c in w.energy for w in windows)]

    def device_ids(self, comp: str) -> list[str]:
        indices = sorted({i for w in self.windows for i in w.energy.get(comp, {})}, key=int)
        return [f"{comp}{i}" for i in indices]

    def devices(self) -> None:
        d, n = self.draft, 0
        for m, comp in enumerate(self.components):
            for device_id in self.device_ids(comp):
                index = int(device_id.removeprefix(comp))
                d.put(f"/measurement/devices/{n}", {"device_id": device_id, "component": comp, "node_id": NODE})
                d.put(f"/measurement/devices/{n}/index", index)
                n += 1
            method = "nvml-energy-counter" if comp == "gpu" else "rapl"
            name = "NVML via Zeus ZeusMonitor" if comp == "gpu" else "RAPL via Zeus ZeusMonitor"
            d.put(f"/measurement/methods/{m}", {"component": comp, "method": method, "instrument": {"name": name}})

    def check(self) -> list[Window]:
        """Findings on the windows; the windows kept (duplicates and windows with a negative energy are not)."""
        d, kept = self.draft, []
        seen: dict[tuple[Any, ...], str] = {}
        for w in self.windows:
            key = (w.name, w.start_s, w.elapsed_s, tuple(sorted(w.written.items())))
            if key in seen:
                text = msg(
                    "{file}, {location}: the same window as {first_location}; left out", first_location=seen[key]
                )
                d.finding("import.duplicate-rows", self.file, w.location, text)
                continue
            seen[key] = w.location
            values = {f"{c}:{i}": e for c, by in w.energy.items() for i, e in by.items()}
            negative = [k for k, e in values.items() if e < 0]
            if negative or w.elapsed_s <= 0:
                text = (
                    msg(
                        "{file}, {location}: window '{window}': negative {keys}; left out",
                        window=w.name,
                        keys=", ".join(negative),
                    )
                    if negative
                    else msg(
                        "{file}, {location}: window '{window}': elapsed_time {elapsed_s} s; left out",
                        window=w.name,
                        elapsed_s=w.elapsed_s,
                    )
                )
                d.finding("import.negative-values", self.file, w.location, text)
                continue
            if values and all(e == 0 for e in values.values()):
                d.finding(
                    "import.zero-values",
                    self.file,
                    w.location,
                    msg(
                        "{file}, {location}: window '{window}' of {elapsed_s} s measured 0 J on every device: shorter "
                        "than the energy counter's update period, or a counter that did not move",
                        window=w.name,
                        elapsed_s=w.elapsed_s,
                    ),
                )
            self.magnitude(w)
            kept.append(w)
        self.overlaps(kept)
        return kept

    def magnitude(self, w: Window) -> None:
        for index, energy in w.energy.get("gpu", {}).items():
            if energy / w.elapsed_s > MAX_POWER_PER_GPU_W:
                self.draft.finding(
                    "import.unit-magnitude",
                    self.file,
                    f"{w.location}, gpu{index}_energy",
                    msg(
                        "{file}, {location}: {energy_j} J in {elapsed_s} s is {power_w} W for one GPU: written in mJ "
                        "rather than J?",
                        energy_j=energy,
                        elapsed_s=w.elapsed_s,
                        power_w=round(energy / w.elapsed_s),
                    ),
                )

    def overlaps(self, kept: list[Window]) -> None:
        timed = sorted((w for w in kept if w.start_s is not None), key=lambda w: w.start_s or 0.0)
        for a, b in itertools.pairwise(timed):
            if a.start_s is not None and b.start_s is not None and b.start_s < a.start_s + a.elapsed_s:
                self.draft.finding(
                    "import.overlapping-windows",
                    self.file,
                    b.location,
                    msg(
                        "{file}, {location}: window '{window}' starts inside window '{other}' ({other_location}): the "
                        "windows overlap, so their energies count the same joules more than once if summed",
                        window=b.name,
                        other=a.name,
                        other_location=a.location,
                    ),
                )

    def origin(self, w: Window, what: str, value: str, unit: str | None, basis: str = "measured") -> Origin:
        return Origin(self.file, f"{w.location}, {what}", value, unit, basis)

    def run(self, k: int, w: Window) -> None:
        d, at = self.draft, f"/measurement/runs/{k}"
        d.put(f"{at}/index", k)
        d.put(f"{at}/duration_s", seconds(w.elapsed_s, "s"), self.origin(w, "elapsed_time", repr(w.elapsed_s), "s"))
        if w.start_s is not None:
            start = dt.datetime.fromtimestamp(w.start_s, dt.UTC)
            d.put(f"{at}/start_time", _iso(start), self.origin(w, "start_time", repr(w.start_s), None))
            derived = self.origin(w, "start_time + elapsed_time", f"{w.start_s!r} + {w.elapsed_s!r} s", None, "derived")
            d.put(f"{at}/end_time", _iso(start + dt.timedelta(seconds=w.elapsed_s)), derived)
        devices: list[str] = []
        totals: dict[str, float] = {}
        for comp in self.components:
            by = w.energy.get(comp, {})
            for index in sorted(by, key=int):
                n = len(devices)
                devices.append(f"{comp}{index}")
                what = f"gpu{index}_energy" if w.location.startswith("line") else f"{comp}_energy.{index}"
                origin = self.origin(w, what, w.written[f"{comp}:{index}"], "J")
                d.put(f"{at}/devices/{n}", {"device_id": f"{comp}{index}"})
                d.put(f"{at}/devices/{n}/energy_j", joules(by[index], "J"), origin)
            if by:
                totals[comp] = math.fsum(joules(v, "J") for v in by.values())
        for comp, total in totals.items():
            note = f"sum of the {comp} devices' energies in this window"
            d.put(
                f"{at}/energy/{comp}_j", total, Origin(self.file, w.location, _sum_text(w, comp), None, "derived", note)
            )
        if totals:
            note = "sum of the components Zeus measured (" + ", ".join(totals) + ")"
            total_j = math.fsum(totals.values())
            d.put(
                f"{at}/energy/total_j",
                total_j,
                Origin(self.file, w.location, _sum_text(w, None), None, "derived", note),
            )

    def notes(self, is_csv: bool) -> None:
        d = self.draft
        d.note(
            "Zeus measures GPU energy with NVML's energy counter on Volta and newer GPUs, integrates power "
            "samples on older ones, or multiplies instant power by time for windows shorter than the counter's "
            "update period (approx_instant_energy); the source does not say which: state the GPU models"
        )
        if is_csv:
            d.note("Zeus's CSV log holds GPU energy only: CPU and DRAM energy (RAPL) are not in it")
        d.note("Zeus counts no work and writes no samples: supply each run's work units and the workload")


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _sum_text(w: Window, comp: str | None) -> str:
    parts = [v for k, v in w.written.items() if comp is None or k.startswith(comp + ":")]
    return " + ".join(parts) + " J"
