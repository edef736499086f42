"""The per-GPU power CSV of a Slurm job, as cluster operators write it: time, host, GPU index and UUID, power.

A job's prolog or a node daemon samples every GPU of the job (``nvidia-smi --query-gpu`` or NVML)
and writes one row per GPU and sample. There is no single standard, so the columns are found by
name (case-insensitive):

- time: ``timestamp`` or ``time`` (Unix time, ISO 8601, or nvidia-smi's ``YYYY/MM/DD HH:MM:SS.fff``
  local time, which needs ``--timezone``);
- host: ``host``, ``hostname``, ``node`` or ``nodename``; GPU: ``gpu``, ``gpu_index`` or ``index``;
  UUID: ``uuid`` or ``gpu_uuid``; optional ``job_id``/``jobid``, ``name``/``model``;
- power, whose unit must be in its name: ``power_w``, ``power_mw``, ``power [W]``,
  ``power.draw [W]`` (nvidia-smi: a 1-second average on Ampere and newer), ``power.draw.instant [W]``
  (instant); a value may carry the unit too (``212.34 W``). A power column whose unit the name does
  not say is refused; so is a unit the tables do not know.

The instrument is NVML (read through nvidia-smi or DCGM, as the operator's script did).
"""

from __future__ import annotations

import re
import sys

from une_eval import units
from une_eval.errors import InputError
from une_eval.importers.csvtable import gpu_index, header_of, iter_table, number
from une_eval.importers.draft import Draft
from une_eval.importers.formats import Options
from une_eval.importers.gpusamples import Instrument, Sample, SampleSet, parse_time
from une_eval.importers.source import Source

TIME = ("timestamp", "time", "datetime", "date")
HOST = ("host", "hostname", "node", "nodename")
GPU = ("gpu", "gpu_index", "index", "gpu_id")
UUID = ("uuid", "gpu_uuid")
JOB = ("job_id", "jobid", "slurm_job_id")
MODEL = ("name", "model", "gpu_name")
_POWER = re.compile(r"^(power(?:[._]draw)?(?:[._](instant|average))?)(?:[_ ]\[?([A-Za-z]+)\]?)?$", re.IGNORECASE)
_UNIT_NAMES = {"w": "W", "mw": "mW", "kw": "kW", "watt": "W", "watts": "W", "milliwatts": "mW"}
_VALUE = re.compile(r"^\s*([-+0-9.eE]+)\s*([A-Za-z]+)?\s*$")


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def power_column(header: list[str]) -> tuple[int, str, str, str] | None:
    """The power column: its index, name, unit (from its name) and kind (instant or average)."""
    for i, name in enumerate(header):
        match = _POWER.match(name.strip())
        if match:
            unit = match[3] or ""
            kind = "instant" if (match[2] or "").lower() == "instant" else "average"
            return i, name, _UNIT_NAMES.get(unit.lower(), unit), kind
    return None


def recognise(source: Source) -> bool:
    """A CSV with time, GPU index or UUID and power columns (and no DCGM field columns); host optional."""
    if source.is_folder:
        return False
    header = header_of(source.peek(source.name, 8192))
    if any(h.startswith("DCGM_FI_") for h in header):
        return False
    gpu = _find(header, GPU) is not None or _find(header, UUID) is not None
    return _find(header, TIME) is not None and gpu and power_column(header) is not None


def _cell(cells: list[str], at: int | None) -> str:
    return cells[at] if at is not None else ""


def _label(cells: list[str], at: int | None) -> str:
    """A label cell (host, UUID, model), interned: the same few values repeat on every row."""
    return sys.intern(cells[at]) if at is not None else ""


def _watts(text: str, unit: str, where: str) -> float | None:
    match = _VALUE.match(text)
    if match and match[2]:
        if match[2] != unit:
            raise InputError(f"{where}: {text[:40]!r} is in {match[2]}, the column says {unit}")
        text = match[1]
    value = number(text, where)
    return None if value is None else units.watts(value, unit)


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a Slurm job's per-GPU power CSV."""
    file = source.read(source.name)
    header, rows = iter_table(file)
    power = power_column(header)
    cols = {k: _find(header, n) for k, n in (("time", TIME), ("host", HOST), ("gpu", GPU), ("uuid", UUID))}
    if power is None or cols["time"] is None or (cols["gpu"] is None and cols["uuid"] is None):
        raise InputError(f"{file.path}: not a per-GPU power CSV (time, GPU index or UUID, and power columns)")
    at, name, unit, kind = power
    if not unit:
        raise InputError(f"{file.path}: the power column {name!r} does not say its unit (power_w, power [W], ...)")
    units.factor(unit, units.Kind.POWER)
    draft.tool = {"name": "Slurm job GPU power log"}
    if options.phase:
        draft.put("/phase", options.phase)
    samples = SampleSet(draft, file, Instrument("NVML (the operator's per-GPU power log)", kind, name))
    model_at = _find(header, MODEL)
    batch = []
    job_at, jobs = _find(header, JOB), set()
    for line, cells in rows:
        if job_at is not None and cells[job_at]:
            jobs.add(cells[job_at][:64])
        where = f"{file.path}: line {line}"
        watts = _watts(cells[at], unit, where)
        if watts is None:
            samples.missing_power += 1
        batch.append(
            Sample(
                line,
                parse_time(cells[cols["time"] or 0], options.timezone, where),
                _label(cells, cols["host"]),
                gpu_index(_cell(cells, cols["gpu"]), where),
                _label(cells, cols["uuid"]) or None,
                None,
                watts,
                None,
                cells[model_at] if model_at is not None and cells[model_at] else None,
            )
        )
    samples.add_all(batch)
    samples.fill()
    _job(draft, sorted(jobs))
    if cols["host"] is None:
        draft.note("the file has no host column: its GPUs are taken to be of one host, named 'host'")
    draft.note(f"GPU power from the column {name!r} ({unit}): the GPUs only (no CPU, memory or node power)")
    draft.note(
        "the log counts no work and does not say what ran: supply the workload, the model, the work units and "
        "functional unit, the site and an idle baseline"
    )


def _job(draft: Draft, jobs: list[str]) -> None:
    if len(jobs) > 1:
        draft.note(f"the file holds samples of {len(jobs)} Slurm jobs ({', '.join(jobs[:5])}); imported as one run")
    elif jobs:
        draft.note(f"Slurm job {jobs[0]}")
