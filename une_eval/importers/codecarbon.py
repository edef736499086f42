"""CodeCarbon's ``emissions.csv``: every column set it has written since 2021, as a submission draft.

CodeCarbon (``codecarbon.output_methods.emissions_data.EmissionsData`` and ``FileOutput``) writes one
row per ``stop()`` or ``flush()``: a run's cumulative totals, with ``run_id`` (since 2021-08),
per-component powers and energies (2021-07), ``codecarbon_version`` (2022), ``pue`` (2023),
``experiment_id`` (2024), ``water_consumed``/``wue`` (2025) and utilisation columns (2025). Units, as its
source defines them: ``duration`` s, ``emissions`` kg CO2eq, ``*_power`` W, ``*_energy`` and
``energy_consumed`` kWh, ``ram_total_size`` GB, ``water_consumed`` L. Its ``timestamp`` is local time
without a zone (``datetime.now()``): it is used only with ``--timezone``.

What the file is, read honestly:

- CodeCarbon multiplies every energy by its ``pue`` before writing: the importer divides it out
  (recorded as the origin's ``scale``) and raises ``import.pue-applied``.
- GPU energy comes from NVML's energy counter; CPU power may be RAPL or a TDP-based estimate, and the
  file does not say which, so CPU is imported as ``estimate``; RAM power is always modelled from the
  RAM size: ``estimate``. Emissions use CodeCarbon's own grid intensity: ``estimated``.
- Rows sharing a ``run_id`` with growing totals are one run's snapshots (``flush()``): the last is the
  run, and the snapshots become each component's cumulative-energy trace.

This module owns the file and its runs: recognising it, grouping its rows into runs and telling runs
written on different machines apart. Reading the rows is :mod:`une_eval.importers.codecarbon_rows`;
filling the draft from them is :mod:`une_eval.importers.codecarbon_runs`.
"""

from __future__ import annotations

from une_eval.findings import msg
from une_eval.importers.codecarbon_rows import REQUIRED, Row, read_rows
from une_eval.importers.codecarbon_runs import Filler
from une_eval.importers.draft import Draft
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile


def _header(data: bytes) -> list[str]:
    first = data.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    return [h.strip() for h in first.split(",")]


def recognise(source: Source) -> bool:
    """A CSV whose header has CodeCarbon's run columns (and no ``task_name``: that is its task file)."""
    if source.is_folder:
        return False
    header = _header(source.peek(source.name, 8192))
    return all(c in header for c in REQUIRED) and "project_name" in header and "task_name" not in header


def group_runs(rows: list[Row], file: SourceFile, draft: Draft) -> list[list[Row]]:
    """Rows grouped into runs: by ``run_id`` when snapshots grow, else each row its own run."""
    groups: dict[str, list[Row]] = {}
    order: list[str] = []
    seen: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = tuple(row.cells.values())
        if key in seen:
            text = msg("{file}, {location}: line {line} repeats line {first}", line=row.line, first=seen[key])
            draft.finding("import.duplicate-rows", file, f"line {row.line}", text)
            continue
        seen[key] = row.line
        run_id = row.cells.get("run_id", "").strip() or f"line-{row.line}"
        if run_id in groups and not _grows(groups[run_id][-1], row):
            draft.finding(
                "import.duplicate-rows",
                file,
                f"line {row.line}",
                msg(
                    "{file}, {location}: run_id {run_id} appears again with totals that do not grow (line {line}); "
                    "imported as a separate run",
                    run_id=run_id[:64],
                    line=groups[run_id][-1].line,
                ),
            )
            run_id = f"{run_id}@{row.line}"
        if run_id not in groups:
            order.append(run_id)
        groups.setdefault(run_id, []).append(row)
    return [groups[k] for k in order]


def _grows(before: Row, after: Row) -> bool:
    pairs = [(before.number(c), after.number(c)) for c in ("duration", "energy_consumed")]
    return all(a is not None and b is not None and b >= a for a, b in pairs) and pairs[0][1] != pairs[0][0]


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a CodeCarbon emissions.csv."""
    file = source.read(source.name)
    header, rows = read_rows(file, draft)
    runs = group_runs(rows, file, draft)
    last = runs[-1][-1]
    version = last.cells.get("codecarbon_version", "").strip()
    draft.tool = {"name": "CodeCarbon"} | ({"version": version[:64]} if version else {})
    if options.phase:
        draft.put("/phase", options.phase)
    filler = Filler(draft, file, header, options.timezone)
    if "gpu" in filler.components and not _has_gpu(rows):
        filler.components.remove("gpu")
        draft.note("gpu_count is 0 and gpu_energy 0 in every row: the machine had no GPU CodeCarbon could read")
    filler.devices_and_methods(runs)
    for k, group in enumerate(runs):
        filler.run(k, group)
    filler.traces()
    filler.results(runs)
    machines = _machines([g[-1] for g in runs])
    if len(machines) == 1:
        filler.system(last)
    else:
        draft.note(
            f"the runs were written on {len(machines)} different machines ({'; '.join(machines)[:300]}): the "
            "system is not imported; supply it, or import each machine's rows on their own"
        )
    filler.notes()


MACHINE_COLUMNS = ("cpu_model", "cpu_count", "gpu_model", "gpu_count", "ram_total_size", "os")


def _machines(rows: list[Row]) -> list[str]:
    """The distinct machines the rows describe (CPU, GPU, RAM and OS columns), in order of appearance."""
    seen: dict[tuple[str, ...], str] = {}
    for row in rows:
        key = tuple(row.cells.get(c, "").strip() for c in MACHINE_COLUMNS)
        seen.setdefault(key, f"line {row.line}: {key[0] or 'CPU not named'}, {key[1] or '?'} CPU(s)")
    return list(seen.values())


def _has_gpu(rows: list[Row]) -> bool:
    return any((r.number("gpu_count") or 0) > 0 or (r.number("gpu_energy") or 0) > 0 for r in rows)
