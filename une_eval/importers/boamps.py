"""BoAmps JSON reports (Boavizta's format for the energy of an AI task; CodeCarbon's ``BoAmpsOutput``).

A report (``model/report_schema.json`` of the BoAmps repository) has ``header``, ``task``
(``taskStage``, ``taskFamily``, ``nbRequest``, ``algorithms``, ``dataset``), ``measures``,
``system``, ``software``, ``infrastructure`` (``components`` of type cpu, gpu, ram, ...),
``environment`` (``country`` in words, ``powerSourceCarbonIntensity`` in gCO2eq/kWh) and ``quality``.
A measure (``measure_schema.json``) holds, despite its name, an **energy**: ``powerConsumption`` in
kWh (``powerCalibrationMeasurement`` likewise, the idle calibration), ``measurementDuration`` and
``durationCalibrationMeasurement`` in s, ``measurementDateTime`` as ``YYYY-MM-DD HH:MM:SS`` with no
zone and no word on whether it is the start or the end. Reports of the earlier format give the energy's
``unit`` in each measure (``Wh``, ``kWh``, ``kJoule``, ...): it is honoured; a unit that is not an
energy (``teraFLOPS``) or that the tables do not know is an error.

Measures with the same ``measurementMethod`` are runs of the task; measures of another method measure
the same task with another instrument and are not summed: only the first method's become runs.
CodeCarbon's CPU power may be a TDP estimate: a CodeCarbon measure whose ``cpuTrackingMode`` is not
RAPL makes the CPU an ``estimate`` and the energy ``estimated``.

A report names no node count, so a measure is taken as one machine's: a measure whose energy over its
duration means a mean power no single machine draws (:data:`MAX_MACHINE_W`) is ``import.unit-magnitude``
(most likely an energy written in Wh but labelled kWh); the value is imported as written. A report whose
``infrastructure`` lists more GPUs than one machine holds (``nbComponent`` of its ``gpu`` components)
is allowed :data:`MAX_W_PER_GPU` for each of them, hosts included, so a genuine job on many machines
is not flagged while a unit error (a factor of 1,000) still is.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from une_eval import units
from une_eval.errors import InputError
from une_eval.findings import msg
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile

MAX_BYTES = 16 * 1024 * 1024
NODE = "host"
# Earlier BoAmps measures named the unit of powerConsumption; their spellings onto the tables' symbols.
UNIT_NAMES = {"kJoule": "kJ", "MJoule": "MJ", "Joule": "J", "J": "J", "mWh": "mWh", "Wh": "Wh", "kWh": "kWh"}
UNIT_NAMES |= {"MWh": "MWh", "GWh": "GWh", "kJ": "kJ", "MJ": "MJ"}
PHASES = {"training": "training", "finetuning": "training", "retraining": "training", "inference": "inference"}
COMPONENTS = {"cpu": "cpu", "gpu": "gpu", "ram": "dram"}
# Above this mean power a measure cannot be one machine's (an 8-GPU server peaks near 15 kW): another unit.
MAX_MACHINE_W = 25_000.0
# A GPU with its share of the host, at most: an 8-GPU H100 server draws up to about 10.2 kW (NVIDIA DGX
# H100 datasheet), 1.3 kW a GPU; the bound leaves room for denser and hungrier systems.
MAX_W_PER_GPU = 2_500.0
MAX_GPU_COUNT = 1_000_000  # a larger count is not a real one: the report's infrastructure is ignored


def recognise(source: Source) -> bool:
    """A JSON object with ``measures`` holding a ``powerConsumption``."""
    if source.is_folder:
        return False
    head = source.peek(source.name, 65536).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"measures"' in head and b'"powerConsumption"' in head


def _load(file: SourceFile) -> dict[str, Any]:
    try:  # NaN and Infinity parse here; _number refuses a value that is not finite where one is read
        doc = json.loads(file.text())
    except (ValueError, RecursionError) as exc:  # ValueError: malformed, or an integer of over 4,300 digits
        raise InputError(f"{file.path}: not a readable JSON document ({str(exc)[:80]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("measures"), list) or not doc["measures"]:
        raise InputError(f"{file.path}: not a BoAmps report (no list of measures)")
    return doc


def _obj(node: Any, key: str) -> dict[str, Any]:
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, dict) else {}


def _text(node: dict[str, Any], key: str) -> str | None:
    value = node.get(key)
    return value.strip()[:500] if isinstance(value, str) and value.strip() else None


# Reports made with BoAmps' own form tools write some numbers as JSON strings ("0.3595"): a plain decimal
# in a string is read as that number; anything else in a string (nan, inf, 1_000, 1,5) is not a number.
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _number(node: dict[str, Any], key: str, where: str) -> float | None:
    value = node.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):  # the form tools leave "" for unset
        return None
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = float(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{where}.{key}: {str(value)[:40]!r} is not a finite number")
    return float(value)


def _gpu_count(doc: dict[str, Any]) -> int:
    """The GPUs the report's infrastructure lists (0 when it lists none, or a count that is not one).

    A component is a GPU by its ``componentType`` or, in reports of the earlier format, which have
    none, by its ``componentName``; ``nbComponent`` is a whole number, in reports of the form tool
    written as text.
    """
    total = 0
    for comp in _obj(doc, "infrastructure").get("components", []) or []:
        if not isinstance(comp, dict):
            continue
        kind = comp.get("componentType", comp.get("componentName"))
        if not isinstance(kind, str) or kind.strip().lower() != "gpu":
            continue
        count = comp.get("nbComponent")
        if isinstance(count, str):  # the form tool writes numbers as text
            text = count.strip()
            count = int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else None
        if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= MAX_GPU_COUNT:
            return 0  # a count that is not one: allow one machine only
        total += count
    return total if total <= MAX_GPU_COUNT else 0


def _energy_unit(measure: dict[str, Any], where: str) -> str:
    written = measure.get("unit")
    if written is None:
        return "kWh"
    if not isinstance(written, str):
        raise InputError(f"{where}.unit: not a unit")
    symbol = UNIT_NAMES.get(written.strip())
    if symbol is None:
        raise units.UnitError(f"{where}.unit: {written[:40]!r} is not an energy unit the tables know")
    return symbol


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a BoAmps report."""
    file = source.read(source.name, MAX_BYTES)
    doc = _load(file)
    measures = [m for m in doc["measures"] if isinstance(m, dict)]
    method = _text(measures[0], "measurementMethod") or "unknown"
    runs = [(i, m) for i, m in enumerate(measures) if (_text(m, "measurementMethod") or "unknown") == method]
    others = sorted({_text(m, "measurementMethod") or "unknown" for m in measures} - {method})
    if others:
        draft.note(
            f"measures by {', '.join(others)} measure the same task with another instrument: not imported as runs"
        )
    version = _text(runs[0][1], "version")
    draft.tool = {"name": f"BoAmps report ({method})"[:500]} | ({"version": version[:64]} if version else {})
    filler = _Filler(draft, file, doc, method)
    filler.phase(options)
    filler.devices(runs[0][1])
    for k, (i, measure) in enumerate(runs):
        filler.run(k, i, measure)
    filler.context()


class _Filler:
    """Puts one report into the draft."""

    def __init__(self, draft: Draft, file: SourceFile, doc: dict[str, Any], method: str) -> None:
        self.draft, self.file, self.doc, self.method = draft, file, doc, method
        self.codecarbon = method.lower() == "codecarbon"
        self.estimated = False

    def origin(self, where: str, value: Any, unit: str | None, basis: str, note: str | None = None) -> Origin:
        return Origin(self.file, where, value if isinstance(value, str) else json.dumps(value), unit, basis, note)

    def phase(self, options: Options) -> None:
        stage = _text(_obj(self.doc, "task"), "taskStage")
        phase = PHASES.get((stage or "").lower())
        if options.phase:
            self.draft.put("/phase", options.phase)
        elif phase is not None:
            self.draft.put("/phase", phase, self.origin("task.taskStage", stage, None, "declared"))
        elif stage:
            self.draft.note(f"task.taskStage {stage[:40]!r} is neither training nor inference: give --phase")

    def devices(self, measure: dict[str, Any]) -> None:
        comps = [c for c in _obj(self.doc, "infrastructure").get("components", []) or [] if isinstance(c, dict)]
        kinds = [
            COMPONENTS[c]
            for c in dict.fromkeys(str(x.get("componentType", "")).lower() for x in comps)
            if c in COMPONENTS
        ]
        if not self.codecarbon or not kinds:
            self._system_device(measure)
            return
        cpu_mode = (_text(measure, "cpuTrackingMode") or "").lower()
        for k, kind in enumerate(kinds):
            self.draft.put(
                f"/measurement/devices/{k}", {"device_id": f"{NODE}-{kind}", "component": kind, "node_id": NODE}
            )
            self.draft.put(f"/measurement/methods/{k}", self._method(kind, cpu_mode, measure))

    def _method(self, kind: str, cpu_mode: str, measure: dict[str, Any]) -> dict[str, Any]:
        tool = f"CodeCarbon {_text(measure, 'version') or ''}".strip()
        if kind == "gpu":
            return {"component": "gpu", "method": "nvml-energy-counter", "instrument": {"name": f"NVML via {tool}"}}
        if kind == "cpu" and "rapl" in cpu_mode:
            return {"component": "cpu", "method": "rapl", "instrument": {"name": f"RAPL via {tool}"}}
        self.estimated = True
        reason = (
            "CodeCarbon models RAM power from the RAM size"
            if kind == "dram"
            else f"the report's cpuTrackingMode is {cpu_mode or 'not given'}: CodeCarbon's CPU power may be a TDP "
            "estimate"
        )
        return {"component": kind, "method": "estimate", "reason": reason}

    def _system_device(self, measure: dict[str, Any]) -> None:
        self.draft.put(
            "/measurement/devices/0", {"device_id": f"{NODE}-system", "component": "system", "node_id": NODE}
        )
        name = " ".join(t for t in (_text(measure, "manufacturer"), self.method) if t)
        if self.method.lower() in ("wattmeter", "power meter", "powermeter"):
            method = {"component": "system", "method": "external-meter", "instrument": {"name": name[:500]}}
        else:
            self.estimated = True
            method = {
                "component": "system",
                "method": "estimate",
                "reason": f"the report's measurementMethod {self.method[:80]!r} is not a meter une-eval knows",
            }
        self.draft.put("/measurement/methods/0", method)

    def run(self, k: int, i: int, measure: dict[str, Any]) -> None:
        at, where = f"/measurement/runs/{k}", f"measures[{i}]"
        unit = _energy_unit(measure, where)
        self.draft.put(f"{at}/index", k)
        energy = _number(measure, "powerConsumption", where)
        duration = _number(measure, "measurementDuration", where)
        if duration is not None and duration > 0:
            origin = self.origin(f"{where}.measurementDuration", measure["measurementDuration"], "s", "measured")
            self.draft.put(f"{at}/duration_s", duration, origin)
        if energy is None:
            self.draft.note(f"{where} has no powerConsumption")
        elif energy < 0:
            self.draft.finding(
                "import.negative-values",
                self.file,
                f"{where}.powerConsumption",
                msg("{file}, {location}: negative energy {energy} {unit}; left out", energy=energy, unit=unit),
                f"{at}/energy/total_j",
            )
        else:
            if energy == 0 and (duration or 0) > 0:
                self.draft.finding(
                    "import.zero-values",
                    self.file,
                    f"{where}.powerConsumption",
                    msg(
                        "{file}, {location}: energy 0 {unit} for a measure of {duration_s} s",
                        unit=unit,
                        duration_s=duration or 0.0,
                    ),
                    f"{at}/energy/total_j",
                )
            basis = "estimated" if self.estimated else "measured"
            note = "BoAmps' powerConsumption is an energy" + ("" if "unit" in measure else ", in kWh")
            origin = self.origin(f"{where}.powerConsumption", measure["powerConsumption"], unit, basis, note)
            self.draft.put(f"{at}/energy/total_j", units.joules(energy, unit), origin)
            self._magnitude(at, where, energy, unit, duration)
        self._requests(at, measure)
        self._calibration(where, measure, unit)

    def _magnitude(self, at: str, where: str, energy: float, unit: str, duration: float | None) -> None:
        """A finding when the measure's mean power (energy over duration) is more than its machines draw."""
        if duration is None or duration <= 0:
            return
        power_w = units.joules(energy, unit) / duration
        gpus = _gpu_count(self.doc)
        if power_w <= max(MAX_MACHINE_W, gpus * MAX_W_PER_GPU):
            return
        if gpus * MAX_W_PER_GPU > MAX_MACHINE_W:
            text = msg(
                "{file}, {location}: {energy} {unit} in {duration_s} s is a mean of {power_w} W, more than "
                "{gpus} GPUs and their hosts draw: an energy written in another unit than {unit}?",
                energy=energy,
                unit=unit,
                duration_s=duration,
                power_w=round(power_w),
                gpus=gpus,
            )
        else:
            text = msg(
                "{file}, {location}: {energy} {unit} in {duration_s} s is a mean of {power_w} W for one machine, "
                "more than any draws: an energy written in another unit than {unit}?",
                energy=energy,
                unit=unit,
                duration_s=duration,
                power_w=round(power_w),
            )
        pointer = f"{at}/energy/total_j"
        self.draft.finding("import.unit-magnitude", self.file, f"{where}.powerConsumption", text, pointer)

    def _requests(self, at: str, measure: dict[str, Any]) -> None:
        requests = _number(_obj(self.doc, "task"), "nbRequest", "task")
        if requests is not None and requests > 0 and requests == int(requests):
            origin = self.origin("task.nbRequest", _obj(self.doc, "task")["nbRequest"], None, "declared")
            self.draft.put(f"{at}/work_units", int(requests), origin)

    def _calibration(self, where: str, measure: dict[str, Any], unit: str) -> None:
        energy = _number(measure, "powerCalibrationMeasurement", where)
        duration = _number(measure, "durationCalibrationMeasurement", where)
        if energy is not None and duration is not None and duration > 0 and energy >= 0:
            watts = units.joules(energy, unit) / duration
            self.draft.note(
                f"{where}: idle calibration {energy:g} {unit} over {duration:g} s ({watts:.4g} W on average); "
                "supply measurement.idle_baseline per device"
            )

    def context(self) -> None:
        d = self.draft
        algorithms = [a for a in _obj(self.doc, "task").get("algorithms", []) or [] if isinstance(a, dict)]
        name = next((_text(a, "foundationModelName") or _text(a, "algorithmName") for a in algorithms), None)
        if name:
            d.put("/system/model/name", name, self.origin("task.algorithms[0]", name, None, "declared"))
        os_name = _text(_obj(self.doc, "system"), "os")
        if os_name:
            d.put("/system/software/os", os_name, self.origin("system.os", os_name, None, "declared"))
        env = _obj(self.doc, "environment")
        intensity = env.get("powerSourceCarbonIntensity")
        country = _text(env, "country")
        d.note(
            f"environment.country is {country or 'absent'!r} (a name, not an ISO code)"
            + (f", powerSourceCarbonIntensity {intensity!r} gCO2eq/kWh without source or year" if intensity else "")
            + ": supply system.site (country, PUE, location-based grid intensity with its source and year)"
        )
        d.note(
            "a measure's measurementDateTime has no zone and BoAmps does not say if it is the start or the end: "
            "run start and end times are left out"
        )
        if self.codecarbon:
            d.note("CodeCarbon's BoAmps report does not record its pue: energies include it if one was configured")
        quality = _text(self.doc, "quality")
        if quality:
            d.note(f"the report rates its own quality {quality!r} (BoAmps: high +/-10 %, medium +/-25 %, low +/-50 %)")
