"""ML.ENERGY leaderboard data, three generations of its schema, as a draft of published figures.

- **2023** (``data/<GPU>_<task>_benchmark.csv``): ``model,throughput,response_length,latency,energy``
  (later also ``gpu``, ``task``, ``parameters`` and NLP scores); ``energy`` is the average GPU energy
  per response in J (Zeus), ``throughput`` token/s, ``latency`` s, ``response_length`` tokens.
- **2024** (one JSON object per configuration, ``<task>/<GPU>/<org>/<model>/bs..+tp..+pp...json``):
  ``Model``, ``GPU``, ``TP``, ``PP``, ``Energy/req (J)``, ``Avg Output Tokens``, ``Max BS (reqs)``...;
  diffusion files hold ``Energy/image (J)`` or ``Energy/video (J)``, ``Batch size``.
- **2025** (``tasks/<task>.json`` or ``models/<org>__<model>__<task>.json``): ``task`` and
  ``configurations``, each with ``model_id``, ``gpu_model``, ``num_gpus``,
  ``energy_per_request_joules`` and ``energy_per_token_joules`` (LLMs), ``energy_per_image_joules`` or
  ``energy_per_video_joules`` (diffusion), ``avg_power_watts``, ``max_num_seqs`` or ``batch_size``.

A leaderboard row is an average the leaderboard published, not a measurement of the vendor's system:
its figures are imported as ``sourced`` into ``results``, never as runs or evidence, and the draft
carries ``import.aggregate-figures`` saying so. A file of many rows needs ``--select``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from une_eval.errors import InputError
from une_eval.findings import Term, msg
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile
from une_eval.importers.tables import MAX_ROWS, Row, csv_rows, json_object, number, select_row, written
from une_eval.units import joules

V1_COLUMNS = ("model", "energy", "throughput", "response_length", "latency")
# generation -> (energy key, functional unit, model key, GPU key)
V2_ENERGY = {"Energy/req (J)": "query", "Energy/image (J)": "image", "Energy/video (J)": "query"}
V3_ENERGY = {
    "energy_per_request_joules": "query",
    "energy_per_image_joules": "image",
    "energy_per_video_joules": "query",
}
_V1_NAME = re.compile(r"^([A-Za-z0-9]+)_([a-z-]+)_benchmark\.csv$")
MAX_J_PER_TOKEN = 100.0  # far above any published LLM: a larger figure was written in another unit
MIN_J_PER_UNIT = 1e-4


@dataclass(frozen=True, slots=True)
class Picked:
    """The chosen row and how to read it."""

    generation: str
    file: SourceFile
    row: Row
    energy_key: str
    unit_name: str
    model_key: str
    gpu_key: str | None


def recognise(source: Source) -> bool:
    """A CSV with the 2023 columns, or JSON with the 2024 keys or the 2025 ``configurations``."""
    if source.is_folder:
        return False
    head = source.peek(source.name, 65536).removeprefix(b"\xef\xbb\xbf")
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    if all(c in [h.strip() for h in first.split(",")] for c in V1_COLUMNS):
        return True
    if head.lstrip()[:1] != b"{":
        return False
    if b'"Model"' in head and b'"GPU"' in head and any(k.encode() in head for k in V2_ENERGY):
        return True
    return b'"configurations"' in head and any(k.encode() in head for k in V3_ENERGY)


def _v1(file: SourceFile, select: str | None) -> Picked:
    rows = csv_rows(file)
    row = select_row(rows, select, "model", file.path)
    return Picked("2023", file, row, "energy", "query", "model", "gpu" if "gpu" in row.cells else None)


def _v3_rows(doc: dict[str, Any], file: SourceFile) -> list[Row]:
    configs = doc.get("configurations")
    if not isinstance(configs, list) or len(configs) > MAX_ROWS:
        raise InputError(f"{file.path}: configurations is not a list of at most {MAX_ROWS:,} objects")
    rows = []
    for i, config in enumerate(configs):
        if not isinstance(config, dict):
            raise InputError(f"{file.path}, configurations[{i}]: not an object")
        cells = {k: v for k, v in doc.items() if k != "configurations" and not isinstance(v, dict | list)}
        rows.append(Row(f"configurations[{i}]", cells | config | _nested_settings(config)))
    return rows


def _nested_settings(config: dict[str, Any]) -> dict[str, Any]:
    """A configuration's settings nested one level down, under their own names.

    The model files nest ``parallelization`` (``ring_degree``, ``ulysses_degree``) where the task files
    have its settings as columns: flattened, ``--select`` tells apart rows that differ only there. Only
    plain values are taken (a distribution's lists are not), and a name the row already has is left alone.
    """
    nested: dict[str, Any] = {}
    for value in config.values():
        if isinstance(value, dict):
            for name, setting in value.items():
                if isinstance(setting, str | int | float) and name not in config and name not in nested:
                    nested[name] = setting
    return nested


def pick(source: Source, select: str | None) -> Picked:
    """The row to import, and which generation of the schema it is in."""
    file = source.read(source.name)
    if file.data.lstrip()[:1] != b"{":
        return _v1(file, select)
    doc = json_object(file)
    if "configurations" in doc:
        rows = _v3_rows(doc, file)
        row = select_row(rows, select, "model_id", file.path)
        key = next((k for k in V3_ENERGY if k in row.cells), None)
        if key is None:
            raise InputError(f"{file.path}, {row.location}: no energy_per_request/image/video_joules")
        return Picked("2025", file, row, key, V3_ENERGY[key], "model_id", "gpu_model")
    key = next((k for k in V2_ENERGY if k in doc), None)
    if key is None:
        raise InputError(f"{file.path}: not ML.ENERGY leaderboard data (no Energy/req (J), image or video)")
    return Picked("2024", file, Row("top level", doc), key, V2_ENERGY[key], "Model", "GPU")


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from one ML.ENERGY leaderboard row."""
    picked = pick(source, options.select)
    draft.tool = {"name": "ML.ENERGY Leaderboard", "version": picked.generation}
    draft.put("/phase", options.phase or "inference")
    _Filler(draft, picked).fill()


class _Filler:
    def __init__(self, draft: Draft, picked: Picked) -> None:
        self.draft, self.p, self.cells = draft, picked, picked.row.cells

    def origin(self, key: str, unit: str | None, basis: str = "sourced", note: str | None = None) -> Origin:
        return Origin(self.p.file, f"{self.p.row.location}, {key}", written(self.cells[key]), unit, basis, note)

    def value(self, key: str) -> float | None:
        return number(self.cells.get(key), f"{self.p.file.path}, {self.p.row.location}, {key}")

    def fill(self) -> None:
        self.energy()
        self.system()
        self.from_file_name()
        self.workload()
        self.finding_aggregate()
        self.notes()

    def energy(self) -> None:
        d, p = self.draft, self.p
        energy = self.value(p.energy_key)
        where = f"{p.row.location}, {p.energy_key}"
        if energy is None:
            raise InputError(f"{p.file.path}, {where}: no energy")
        if energy < 0:
            text = msg("{file}, {location}: {key} is {energy_j} J; left out", key=p.energy_key, energy_j=energy)
            d.finding("import.negative-values", p.file, where, text)
            return
        if energy == 0:
            text = msg("{file}, {location}: {key} is 0 J for work that was done", key=p.energy_key)
            d.finding("import.zero-values", p.file, where, text)
        elif energy < MIN_J_PER_UNIT:
            text = msg(
                "{file}, {location}: {energy_j} J per functional unit ({unit}): written in kWh?",
                energy_j=energy,
                unit=Term(p.unit_name),
            )
            d.finding("import.unit-magnitude", p.file, where, text)
        d.put("/results/functional_unit", {"unit": p.unit_name, "count": 1})
        d.put("/results/energy_per_unit/value", joules(energy, "J"), self.origin(p.energy_key, "J"))
        d.put("/results/energy_per_unit/unit", "J")
        self.per_token(energy)
        power = self.value("avg_power_watts")
        if power is not None and power >= 0:
            d.put("/results/mean_power_w", power, self.origin("avg_power_watts", "W"))

    def per_token(self, per_request_j: float) -> None:
        """The per-token figure against the per-request one and the mean output length (a parts check)."""
        p, d = self.p, self.draft
        per_token = self.value("energy_per_token_joules")
        tokens = self.value("avg_output_len") if "avg_output_len" in self.cells else self.value("Avg Output Tokens")
        if per_token is None:
            return
        where = f"{p.row.location}, energy_per_token_joules"
        if per_token > MAX_J_PER_TOKEN:
            text = msg("{file}, {location}: {energy_j} J per output token: not in J?", energy_j=per_token)
            d.finding("import.unit-magnitude", p.file, where, text)
        if tokens and per_token > 0 and abs(per_token * tokens - per_request_j) > 0.01 * per_request_j:
            d.finding(
                "import.parts-sum",
                p.file,
                where,
                msg(
                    "{file}, {location}: {per_token_j} J per token x {tokens} output tokens is {product_j} J, not the "
                    "{per_request_j} J per request the row gives",
                    per_token_j=per_token,
                    tokens=tokens,
                    product_j=per_token * tokens,
                    per_request_j=per_request_j,
                ),
            )
        d.note(f"{p.row.location}: {per_token:g} J per output token (energy_per_token_joules), as published")

    def system(self) -> None:
        d, p = self.draft, self.p
        model = self.cells.get(p.model_key)
        if isinstance(model, str) and model.strip():
            d.put("/system/model/name", model.strip()[:500], self.origin(p.model_key, None, "declared"))
        gpu = self.cells.get(p.gpu_key) if p.gpu_key else None
        if isinstance(gpu, str) and gpu.strip():
            d.put("/system/hardware/nodes/0/node_id", "node0")
            at = "/system/hardware/nodes/0/accelerators/0"
            d.put(f"{at}/model", gpu.strip()[:500], self.origin(p.gpu_key or "", None, "declared"))
            if gpu.strip().upper().startswith("NVIDIA"):
                d.put(f"{at}/vendor", "NVIDIA", self.origin(p.gpu_key or "", None, "declared"))
            count = self.gpu_count()
            if count is not None:
                d.put(f"{at}/count", count[0], count[1])

    def from_file_name(self) -> None:
        """A 2023 file without a gpu column names its GPU and task: ``<GPU>_<task>_benchmark.csv``."""
        name = self.p.file.path.rsplit("/", 1)[-1]
        match = _V1_NAME.match(name)
        if self.p.generation != "2023" or "gpu" in self.cells or match is None:
            return
        gpu, task = match.groups()
        at = "/system/hardware/nodes/0/accelerators/0"
        self.draft.put("/system/hardware/nodes/0/node_id", "node0")
        self.draft.put(f"{at}/model", gpu, Origin(self.p.file, "the file's name", name, None, "declared"))
        if task.startswith(("chat", "instruct")):
            self.draft.put("/workload/inference/task", "text-generation")
        self.draft.note(f"the GPU ({gpu}) and the task ({task}) are taken from the file's name, {name}")

    def gpu_count(self) -> tuple[int, Origin] | None:
        if "num_gpus" in self.cells:
            n = self.value("num_gpus")
            return (int(n), self.origin("num_gpus", None, "declared")) if n and n == int(n) and n > 0 else None
        tp, pp = self.value("TP") if "TP" in self.cells else None, self.value("PP") if "PP" in self.cells else None
        if tp and pp and tp == int(tp) and pp == int(pp) and tp > 0 and pp > 0:
            text = f"TP {written(self.cells['TP'])} x PP {written(self.cells['PP'])}"
            return int(tp * pp), Origin(self.p.file, f"{self.p.row.location}, TP x PP", text, None, "derived")
        return None

    def workload(self) -> None:
        d = self.draft
        for key in ("max_num_seqs", "batch_size", "Max BS (reqs)", "Batch size"):
            n = self.value(key) if key in self.cells else None
            if n is not None and n == int(n) and n >= 1:
                d.put("/workload/inference/batch_size", int(n), self.origin(key, None, "declared"))
                break
        task = self.cells.get("task")
        if task == "text-to-image" or self.p.unit_name == "image":
            d.put("/workload/inference/task", "image-generation")
        elif isinstance(task, str) and task in ("lm-arena-chat", "chat", "gpqa"):
            d.put("/workload/inference/task", "reasoning" if task == "gpqa" else "text-generation")

    def finding_aggregate(self) -> None:
        p = self.p
        self.draft.finding(
            "import.aggregate-figures",
            p.file,
            p.row.location,
            msg(
                "{file}, {location}: the ML.ENERGY leaderboard's published average ({key}) for {model}: a figure to "
                "compare with, not a measurement of the submitted system (no runs, no samples)",
                key=p.energy_key,
                model=str(self.cells.get(p.model_key))[:200],
            ),
            "/results/energy_per_unit/value",
        )

    def notes(self) -> None:
        d = self.draft
        d.note(
            "the leaderboard publishes averages over its own benchmark runs on its own hardware: supply the "
            "vendor's own runs (times, energies, work units) and the instruments that measured them"
        )
        d.note("ML.ENERGY measures GPU energy only (Zeus, NVML): CPU, memory and the rest of the node are not in it")
