"""The AI Energy Score runner's own ``benchmark_report.json`` (``ai_energy_benchmarks``), one run in a draft.

Newer AI Energy Score releases run the benchmark with their ``ai_energy_benchmarks`` package instead of
optimum-benchmark and save its result as ``benchmark_report.json``: ``summary`` (``total_prompts``,
``successful_prompts``, ``failed_prompts``, ``total_duration_seconds``, token counts) and ``energy``
(``gpu_energy_wh``, the GPU energy of the whole run in Wh from CodeCarbon's NVML reading, and
``emissions_g_co2eq``). The AI Energy Score figure is ``gpu_energy_wh / successful_prompts x 1000``.
Failed prompts did no work but drew energy: they are noted, and the run's work is its successful prompts.
"""

from __future__ import annotations

from typing import Any

from une_eval.errors import InputError
from une_eval.findings import msg
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.source import SourceFile
from une_eval.importers.tables import number, written
from une_eval.units import grams_co2e, joules

RUN = "/measurement/runs/0"


def is_runner_report(doc: dict[str, Any]) -> bool:
    """Whether the report is the runner's (an ``energy`` object with ``gpu_energy_wh``)."""
    energy = doc.get("energy")
    return isinstance(energy, dict) and "gpu_energy_wh" in energy


def _section(doc: dict[str, Any], key: str) -> dict[str, Any]:
    node = doc.get(key)
    return node if isinstance(node, dict) else {}


def convert_runner(file: SourceFile, doc: dict[str, Any], draft: Draft) -> None:
    """Fill the draft from the runner's report."""
    energy, summary = _section(doc, "energy"), _section(doc, "summary")

    def value(node: dict[str, Any], key: str, section: str) -> float | None:
        return number(node.get(key), f"{file.path}, {section}.{key}")

    def origin(section: str, key: str, node: dict[str, Any], unit: str | None, basis: str) -> Origin:
        return Origin(file, f"{section}.{key}", written(node[key]), unit, basis)

    draft.tool = {"name": "AI Energy Score (ai_energy_benchmarks)"}
    draft.put("/measurement/methods/0", {"component": "gpu", "method": "nvml-energy-counter"})
    draft.put("/measurement/methods/0/instrument", {"name": "NVML via CodeCarbon in ai_energy_benchmarks"})
    draft.put("/measurement/devices/0", {"device_id": "host-gpu", "component": "gpu", "node_id": "host"})
    draft.put(f"{RUN}/index", 0)
    wh = value(energy, "gpu_energy_wh", "energy")
    if wh is None:
        raise InputError(f"{file.path}, energy.gpu_energy_wh: empty")
    if wh < 0:
        text = msg("{file}, {location}: {energy_wh} Wh; left out", energy_wh=wh)
        draft.finding("import.negative-values", file, "energy.gpu_energy_wh", text)
    else:
        if wh == 0:
            text = msg("{file}, {location}: 0 Wh for the whole run")
            draft.finding("import.zero-values", file, "energy.gpu_energy_wh", text)
        draft.put(f"{RUN}/energy/gpu_j", joules(wh, "Wh"), origin("energy", "gpu_energy_wh", energy, "Wh", "measured"))
        note = "GPU energy is the only energy the report holds"
        total = Origin(file, "energy.gpu_energy_wh", written(energy["gpu_energy_wh"]), None, "derived", note)
        draft.put(f"{RUN}/energy/total_j", joules(wh, "Wh"), total)
        draft.put(f"{RUN}/devices/0", {"device_id": "host-gpu"})
        draft.put(
            f"{RUN}/devices/0/energy_j", joules(wh, "Wh"), origin("energy", "gpu_energy_wh", energy, "Wh", "measured")
        )
    duration = value(summary, "total_duration_seconds", "summary")
    if duration is not None and duration > 0:
        draft.put(f"{RUN}/duration_s", duration, origin("summary", "total_duration_seconds", summary, "s", "measured"))
    done = value(summary, "successful_prompts", "summary")
    if done is not None and done >= 0 and done == int(done):
        draft.put(f"{RUN}/work_units", done, origin("summary", "successful_prompts", summary, None, "declared"))
        if done >= 1:
            draft.put("/workload/inference/queries", int(done))
    failed = value(summary, "failed_prompts", "summary")
    if failed:
        draft.note(f"{failed:g} prompt(s) failed: their energy is in the run, their work is not")
    grams = value(energy, "emissions_g_co2eq", "energy")
    if grams is not None and grams >= 0:
        origin_g = origin("energy", "emissions_g_co2eq", energy, "g", "estimated")
        draft.put("/results/emissions_g_co2e", grams_co2e(grams, "g"), origin_g)
    draft.note("the report holds the run's duration but not its start and end: supply them, and the idle baseline")
