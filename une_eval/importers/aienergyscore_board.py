"""The AI Energy Score leaderboard's per-task CSV: one model's published GPU energy per 1,000 queries.

The leaderboard keeps one CSV per task (``text_generation.csv``, ``image_generation.csv``, ...) with a
row per model: ``model``, ``total_gpu_energy`` (the GPU energy of the benchmark's 1,000 queries, in
kWh; the leaderboard shows it x 1000 as Wh per 1,000 queries), ``energy_score`` (its 1 to 5 stars)
and, in later versions, ``class`` (the model-size class) and a test date. A row is a published
figure, not a measurement of the vendor's system: it is imported as ``sourced`` into ``results``,
never as runs, with ``import.aggregate-figures``. A file of many models needs ``--select MODEL``.
"""

from __future__ import annotations

from une_eval.errors import InputError
from une_eval.findings import msg
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile
from une_eval.importers.tables import Row, csv_rows, number, select_row
from une_eval.units import Kind
from une_eval.units import convert as convert_unit

REQUIRED = ("model", "total_gpu_energy")
QUERIES = 1000
MAX_KWH_PER_1000 = 100.0  # 100 kWh for 1,000 queries: a value in Wh written as kWh
TASKS = {
    "text_generation": "text-generation",
    "text-generation": "text-generation",
    "reasoning": "reasoning",
    "summarization": "summarization",
    "extractive_qa": "extractive-qa",
    "text_classification": "text-classification",
    "sentence_similarity": "sentence-similarity",
    "image_classification": "image-classification",
    "object_detection": "object-detection",
    "image_generation": "image-generation",
    "text_to_image": "image-generation",
    "image_captioning": "image-captioning",
    "asr": "automatic-speech-recognition",
    "automatic_speech_recognition": "automatic-speech-recognition",
}


def _header(data: bytes) -> list[str]:
    first = data.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    return [h.strip() for h in first.split(",")]


def recognise(source: Source) -> bool:
    """A CSV whose header has ``model`` and ``total_gpu_energy``."""
    if source.is_folder:
        return False
    header = _header(source.peek(source.name, 8192))
    return all(c in header for c in REQUIRED)


def _rows(file: SourceFile, draft: Draft) -> list[Row]:
    rows: list[Row] = []
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    for row in csv_rows(file):
        key = tuple(sorted((k, str(v)) for k, v in row.cells.items()))
        if key in seen:
            text = msg("{file}, {location}: the same row as {first_location}; left out", first_location=seen[key])
            draft.finding("import.duplicate-rows", file, row.location, text)
            continue
        seen[key] = row.location
        rows.append(row)
    return rows


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from one row of an AI Energy Score leaderboard CSV."""
    file = source.read(source.name)
    rows = _rows(file, draft)
    row = select_row(rows, options.select, "model", file.path)
    draft.tool = {"name": "AI Energy Score leaderboard"}
    draft.put("/phase", options.phase or "inference")
    where = f"{row.location}, total_gpu_energy"
    kwh = number(row.cells["total_gpu_energy"], f"{file.path}, {where}")
    if kwh is None:
        raise InputError(f"{file.path}, {where}: empty")

    def origin(column: str, unit: str | None, basis: str = "sourced", note: str | None = None) -> Origin:
        return Origin(file, f"{row.location}, {column}", str(row.cells[column])[:500], unit, basis, note)

    if kwh < 0:
        text = msg("{file}, {location}: total_gpu_energy is {energy_kwh} kWh; left out", energy_kwh=kwh)
        draft.finding("import.negative-values", file, where, text)
    else:
        if kwh == 0:
            text = msg("{file}, {location}: total_gpu_energy is 0 kWh for {queries} queries", queries=QUERIES)
            draft.finding("import.zero-values", file, where, text)
        if kwh > MAX_KWH_PER_1000:
            text = msg(
                "{file}, {location}: {energy_kwh} kWh for {queries} queries: written in Wh?",
                energy_kwh=kwh,
                queries=QUERIES,
            )
            draft.finding("import.unit-magnitude", file, where, text)
        draft.put("/results/functional_unit", {"unit": "query", "count": QUERIES})
        note = "the leaderboard's GPU energy for its 1,000 queries, in Wh"
        draft.put(
            "/results/energy_per_unit/value",
            convert_unit(kwh, "kWh", "Wh", Kind.ENERGY),
            origin("total_gpu_energy", "kWh", note=note),
        )
        draft.put("/results/energy_per_unit/unit", "Wh")
    model = row.cells.get("model", "")
    if model:
        draft.put("/system/model/name", model[:500], origin("model", None, "declared"))
    task = TASKS.get(file.path.rsplit("/", 1)[-1].removesuffix(".csv").lower())
    if task:
        draft.put("/workload/inference/task", task)
        draft.note(f"the task ({task}) is taken from the file's name, {file.path}")
    draft.put("/workload/inference/queries", QUERIES)
    stars, size_class = row.cells.get("energy_score", ""), row.cells.get("class", "")
    if stars:
        draft.note(f"{row.location}: the leaderboard rates the model {stars} star(s) of 5 (energy_score)")
    if size_class:
        draft.note(f"{row.location}: model-size class {size_class} on the leaderboard")
    draft.finding(
        "import.aggregate-figures",
        file,
        row.location,
        msg(
            "{file}, {location}: the AI Energy Score leaderboard's published GPU energy for {model}: a figure to "
            "compare with, not a measurement of the submitted system (no runs, no samples)",
            model=model[:200],
        ),
        "/results/energy_per_unit/value",
    )
    draft.note("the leaderboard gives GPU energy only, on its reference H100 setup: supply the vendor's own runs")
