"""AI Energy Score / optimum-benchmark ``benchmark_report.json``: energy per phase, per run, as a draft.

optimum-benchmark's ``energy_star`` scenario (the AI Energy Score benchmark) writes a report whose top
level names phases (``load_dataset``, ``preprocess_dataset`` or ``preprocess``, ``load_model``,
``prefill``, ``decode``, ``call``, ``forward``, ``per_token``), each with
``energy: {"unit": "kWh", "cpu", "gpu", "ram", "total"}`` (its ``EnergyTracker``, CodeCarbon underneath)
and ``efficiency: {"unit", "value"}``. ``benchmark.json`` wraps it as ``report`` beside its ``config``
(model, task, ``num_samples``). A phase's ``energy`` may also be a list: one measure per run.

What the report is, read honestly: ``decode`` is not measured but computed, ``generate - prefill``,
so it can come out negative; a run whose measures are all zero measured nothing. Neither is averaged
in: such a run becomes an ``import.negative-values`` or ``import.zero-values`` finding and is left out.
GPU energy is NVML's (measured); CPU and RAM come from CodeCarbon and may be estimates. The AI Energy
Score figure is the GPU energy of the inference phases (preprocess, prefill, decode or call/forward);
loading the model and the dataset are one-off and are not counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from une_eval.errors import InputError
from une_eval.findings import msg
from une_eval.importers.aienergyscore_runner import convert_runner, is_runner_report
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile
from une_eval.importers.tables import json_object, number, written
from une_eval.units import joules

INFERENCE_PHASES = ("preprocess_dataset", "preprocess", "prefill", "decode", "call", "forward")
ONE_OFF_PHASES = ("load_dataset", "load_model", "load")
PARTS = (("gpu", "gpu"), ("cpu", "cpu"), ("ram", "dram"))
MAX_RUNS = 10_000
MAX_PHASE_KWH = 100.0  # one benchmark phase of a few thousand queries: more means Wh written as kWh


@dataclass(frozen=True, slots=True)
class Measure:
    """One phase's energy in one run: its place in the file, unit, and values by part (in that unit)."""

    phase: str
    location: str
    unit: str
    values: dict[str, float]
    text: dict[str, str]


def recognise(source: Source) -> bool:
    """JSON whose phases hold optimum-benchmark energy objects (``"prefill"``/``"call"``/``"forward"``)."""
    if source.is_folder:
        return False
    head = source.peek(source.name, 65536).removeprefix(b"\xef\xbb\xbf")
    if head.lstrip()[:1] != b"{" or b'"energy"' not in head:
        return False
    if b'"gpu_energy_wh"' in head:
        return True
    if b'"total"' not in head:
        return False
    return any(f'"{p}"'.encode() in head for p in ("prefill", "decode", "call", "forward", "preprocess_dataset"))


def _measure(phase: str, node: Any, where: str, path: str) -> Measure:
    if not isinstance(node, dict):
        raise InputError(f"{path}, {where}: not an energy object")
    unit = node.get("unit")
    if not isinstance(unit, str):
        raise InputError(f"{path}, {where}: no energy unit")
    joules(0.0, unit)  # an unknown unit is an error, never a guess
    values, text = {}, {}
    for part in ("cpu", "gpu", "ram", "total"):
        value = number(node.get(part), f"{path}, {where}.{part}")
        if value is not None:
            values[part], text[part] = value, written(node[part])
    return Measure(phase, where, unit, values, text)


def _phase_energies(report: dict[str, Any], prefix: str) -> dict[str, tuple[Any, str]]:
    """Each inference phase's per-run energies and where they are.

    A phase's ``measures`` list when it has one (optimum-benchmark's per-run measures; its ``energy`` is
    then their mean, left-out runs included), else its ``energy``.
    """
    found: dict[str, tuple[Any, str]] = {}
    for phase in INFERENCE_PHASES:
        node = report.get(phase)
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("measures"), list):
            found[phase] = (node["measures"], f"{prefix}{phase}.measures")
        elif node.get("energy") is not None:
            found[phase] = (node["energy"], f"{prefix}{phase}.energy")
    return found


def read_runs(report: dict[str, Any], path: str, prefix: str) -> tuple[list[list[Measure]], list[str]]:
    """The runs (each a list of phase measures) and the one-off phases present.

    When some phases hold per-run measures, a phase with only an aggregate energy (a ``preprocess`` done
    once) is one-off: it is not in any run.
    """
    by_phase: dict[str, list[Measure]] = {}
    energies = _phase_energies(report, prefix)
    per_run = any(where.endswith(".measures") for _, where in energies.values())
    once = [p for p, (_, where) in energies.items() if per_run and not where.endswith(".measures")]
    for phase, (energy, where) in energies.items():
        if phase in once:
            continue
        items = energy if isinstance(energy, list) else [energy]
        if len(items) > MAX_RUNS:
            raise InputError(f"{path}, {where}: more than {MAX_RUNS:,} runs")
        by_phase[phase] = [
            _measure(phase, x, f"{where}[{i}]" if isinstance(energy, list) else where, path)
            for i, x in enumerate(items)
        ]
    if not by_phase:
        raise InputError(f"{path}: no inference phase with an energy (prefill, decode, call, forward)")
    counts = {len(v) for v in by_phase.values()}
    if len(counts) > 1:
        raise InputError(f"{path}: the phases hold different numbers of runs ({', '.join(map(str, sorted(counts)))})")
    runs = [[measures[k] for measures in by_phase.values()] for k in range(counts.pop())]
    one_off = [p for p in ONE_OFF_PHASES if isinstance(report.get(p), dict) and report[p].get("energy") is not None]
    return runs, one_off + once


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a benchmark_report.json (or benchmark.json)."""
    file = source.read(source.name)
    doc = json_object(file)
    if is_runner_report(doc):
        draft.put("/phase", options.phase or "inference")
        convert_runner(file, doc, draft)
        return
    config = doc.get("config") if isinstance(doc.get("config"), dict) else None
    report, prefix = (doc["report"], "report.") if isinstance(doc.get("report"), dict) else (doc, "")
    runs, one_off = read_runs(report, file.path, prefix)
    draft.tool = {"name": "optimum-benchmark (AI Energy Score)"}
    version = config.get("environment", {}).get("optimum_benchmark_version") if config else None
    if isinstance(version, str) and version:
        draft.tool["version"] = version[:64]
    draft.put("/phase", options.phase or "inference")
    filler = _Filler(draft, file)
    filler.methods()
    kept = [run for k, run in enumerate(runs) if filler.usable(k, run)]
    for k, run in enumerate(kept):
        filler.run(k, run)
    filler.config(config, len(kept))
    if one_off:
        draft.note(f"one-off phases not counted in the runs' energy: {', '.join(one_off)}")
    draft.note(
        "the report holds energies, not times: supply each run's start and end, and the idle baseline; "
        "decode is optimum-benchmark's generate energy minus its prefill energy, not a measurement of its own"
    )


class _Filler:
    def __init__(self, draft: Draft, file: SourceFile) -> None:
        self.draft, self.file = draft, file
        self.seen: dict[tuple[Any, ...], int] = {}

    def methods(self) -> None:
        d = self.draft
        d.put("/measurement/methods/0", {"component": "gpu", "method": "nvml-energy-counter"})
        d.put("/measurement/methods/0/instrument", {"name": "NVML via CodeCarbon in optimum-benchmark"})
        reason = "optimum-benchmark tracks CPU and RAM with CodeCarbon, which may estimate them from TDP and RAM size"
        d.put("/measurement/methods/1", {"component": "cpu", "method": "estimate", "reason": reason})
        d.put("/measurement/methods/2", {"component": "dram", "method": "estimate", "reason": reason})
        for i, comp in enumerate(("gpu", "cpu", "dram")):
            d.put(f"/measurement/devices/{i}", {"device_id": f"host-{comp}", "component": comp, "node_id": "host"})

    def usable(self, k: int, run: list[Measure]) -> bool:
        """Whether run ``k`` can be counted; findings for those that cannot."""
        d, where = self.draft, ", ".join(m.location for m in run)
        key = tuple((m.phase, tuple(sorted(m.values.items()))) for m in run)
        if key in self.seen:
            text = msg("{file}, {location}: run {run} repeats run {first}; left out", run=k, first=self.seen[key])
            d.finding("import.duplicate-rows", self.file, where, text)
            return False
        self.seen[key] = k
        negative = [(f"{m.phase}.{part}", v, m.unit) for m in run for part, v in m.values.items() if v < 0]
        if negative:
            name, value, unit = negative[0]
            text = msg(
                "{file}, {location}: run {run}: {count} negative value(s), the first {key} {value} {unit}; the run is "
                "left out, not averaged",
                run=k,
                count=len(negative),
                key=name,
                value=value,
                unit=unit,
            )
            d.finding("import.negative-values", self.file, where, text)
            return False
        if all(v == 0 for m in run for v in m.values.values()):
            text = msg("{file}, {location}: run {run}: every measure is 0; the run is left out", run=k)
            d.finding("import.zero-values", self.file, where, text)
            return False
        for m in run:
            self.check_measure(m)
        return True

    def check_measure(self, m: Measure) -> None:
        d = self.draft
        parts = [m.values[p] for p in ("cpu", "gpu", "ram") if p in m.values]
        total = m.values.get("total")
        if (
            total is not None
            and len(parts) == 3
            and not math.isclose(math.fsum(parts), total, rel_tol=1e-6, abs_tol=1e-15)
        ):
            d.finding(
                "import.parts-sum",
                self.file,
                m.location,
                msg(
                    "{file}, {location}: total {total} {unit} is not cpu + gpu + ram, {summed} {unit}",
                    total=total,
                    summed=math.fsum(parts),
                    unit=m.unit,
                ),
            )
        if total is not None and joules(total, m.unit) > joules(MAX_PHASE_KWH, "kWh"):
            text = msg(
                "{file}, {location}: {phase} total {total} {unit}: written in Wh?",
                phase=m.phase,
                total=total,
                unit=m.unit,
            )
            d.finding("import.unit-magnitude", self.file, m.location, text)

    def run(self, k: int, run: list[Measure]) -> None:
        d, at = self.draft, f"/measurement/runs/{k}"
        d.put(f"{at}/index", k)
        totals: dict[str, float] = {}
        for part, comp in (*PARTS, ("total", "total")):
            measures = [m for m in run if part in m.values]
            if not measures:
                continue
            value = math.fsum(joules(m.values[part], m.unit) for m in measures)
            text = " + ".join(f"{m.phase} {m.text[part]} {m.unit}" for m in measures)
            note = f"sum over the phases of the {part} energy, converted to J"
            origin = Origin(self.file, ", ".join(f"{m.location}.{part}" for m in measures), text, None, "derived", note)
            d.put(f"{at}/energy/{comp}_j", value, origin)
            totals[comp] = value
        devices = [{"device_id": f"host-{comp}", "energy_j": v} for comp, v in totals.items() if comp != "total"]
        if devices:
            d.put(f"{at}/devices", devices)

    def config(self, config: dict[str, Any] | None, runs: int) -> None:
        if config is None:
            self.draft.note("a bare benchmark_report.json names no model, task or number of queries: supply them")
            return
        d, where = self.draft, "config"
        backend = _object(config, "backend")
        scenario = _object(config, "scenario")
        model = backend.get("model")
        if isinstance(model, str) and model.strip():
            d.put(
                "/system/model/name",
                model.strip()[:500],
                Origin(self.file, f"{where}.backend.model", model[:500], None, "declared"),
            )
        samples = number(scenario.get("num_samples"), f"{self.file.path}, config.scenario.num_samples")
        if samples is not None and samples == int(samples) and samples >= 1:
            origin = Origin(
                self.file, f"{where}.scenario.num_samples", written(scenario["num_samples"]), None, "declared"
            )
            d.put("/workload/inference/queries", int(samples), origin)
            for k in range(runs):
                d.put(f"/measurement/runs/{k}/work_units", float(samples), origin)
        shapes = _object(scenario, "input_shapes")
        batch = number(shapes.get("batch_size"), f"{self.file.path}, config.scenario.input_shapes.batch_size")
        if batch is not None and batch == int(batch) and batch >= 1:
            origin = Origin(
                self.file, f"{where}.scenario.input_shapes.batch_size", written(shapes["batch_size"]), None, "declared"
            )
            d.put("/workload/inference/batch_size", int(batch), origin)


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    node = parent.get(key)
    return node if isinstance(node, dict) else {}
