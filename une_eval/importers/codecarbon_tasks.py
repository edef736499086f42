"""CodeCarbon's task CSV: one row per ``start_task``/``stop_task`` of a tracker, each task as a run.

``EmissionsTracker.start_task(name)`` and ``stop_task()`` (and the ``track_task`` context) measure a
named part of a program; when the tracker stops, ``FileOutput.task_out`` writes every task of the run
to ``emissions_<experiment>_<run_id>.csv``: the columns of ``TaskEmissionsData`` (``task_name`` first,
then the run columns of ``emissions.csv`` without ``experiment_id``, ``pue`` and ``wue``), columns
empty in every row dropped. Each row is the task's own share (the energy and emissions between its
start and its stop, CodeCarbon's ``compute_delta_emission``); ``timestamp`` is when it stopped, local
time without a zone. Units as in ``emissions.csv``: ``duration`` s, ``emissions`` kg CO2eq, energies
kWh.

Every task becomes a run, in the file's order, read like an ``emissions.csv`` row
(:class:`une_eval.importers.codecarbon_runs.Filler`): GPU energy is NVML's counter, CPU and RAM energies are
``estimate``, emissions ``estimated``. The file does not record the tracker's ``pue``: energies a
tracker configured with a PUE multiplied cannot be divided back here (said in a note).
"""

from __future__ import annotations

from une_eval.errors import InputError
from une_eval.findings import msg
from une_eval.importers.codecarbon_rows import REQUIRED, Row, read_rows
from une_eval.importers.codecarbon_runs import Filler
from une_eval.importers.csvtable import header_of
from une_eval.importers.draft import Draft
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile


def recognise(source: Source) -> bool:
    """A CSV whose header starts with ``task_name`` and has CodeCarbon's run columns."""
    if source.is_folder:
        return False
    header = header_of(source.peek(source.name, 8192))
    return bool(header) and header[0] == "task_name" and all(c in header for c in REQUIRED)


def _tasks(rows: list[Row], file: SourceFile, draft: Draft) -> list[Row]:
    seen: dict[tuple[str, ...], int] = {}
    names: dict[str, int] = {}
    kept = []
    for row in rows:
        key = tuple(row.cells.values())
        if key in seen:
            text = msg("{file}, {location}: line {line} repeats line {first}", line=row.line, first=seen[key])
            draft.finding("import.duplicate-rows", file, f"line {row.line}", text)
            continue
        seen[key] = row.line
        name = row.cells.get("task_name", "").strip()
        if name in names:
            draft.finding(
                "import.duplicate-rows",
                file,
                f"line {row.line}",
                msg(
                    "{file}, {location}: task {task} appears again (line {line}); CodeCarbon gives every task its "
                    "own name",
                    task=repr(name[:64]),
                    line=names[name],
                ),
            )
        names.setdefault(name, row.line)
        kept.append(row)
    return kept


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a CodeCarbon task CSV."""
    file = source.read(source.name)
    header, rows = read_rows(file, draft)
    if "task_name" not in header:
        raise InputError(f"{file.path}: not a CodeCarbon task CSV (no column task_name)")
    tasks = _tasks(rows, file, draft)
    last = tasks[-1]
    version = last.cells.get("codecarbon_version", "").strip()
    draft.tool = {"name": "CodeCarbon"} | ({"version": version[:64]} if version else {})
    if options.phase:
        draft.put("/phase", options.phase)
    filler = Filler(draft, file, header, options.timezone)
    if "gpu" in filler.components and not any(
        (r.number("gpu_count") or 0) > 0 or (r.number("gpu_energy") or 0) > 0 for r in tasks
    ):
        filler.components.remove("gpu")
        draft.note("gpu_count is 0 and gpu_energy 0 in every row: the machine had no GPU CodeCarbon could read")
    runs = [[row] for row in tasks]
    filler.devices_and_methods(runs)
    for k, group in enumerate(runs):
        filler.run(k, group)
    filler.results(runs)
    filler.system(last)
    shown = ", ".join(f"{k}: {r.cells.get('task_name', '').strip()[:40]!r}" for k, r in enumerate(tasks[:20]))
    draft.note(f"each task is a run, in the file's order ({shown}); say which runs are the measured workload")
    draft.note("a task's stop time is written to the second: with --timezone, short tasks' windows may overlap")
    draft.note(
        "the task file does not record the tracker's pue: if it was configured with one, every energy here "
        "includes it (emissions.csv of the same run_id says which)"
    )
    filler.notes()
