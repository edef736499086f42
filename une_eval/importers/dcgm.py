"""NVIDIA DCGM field exports: per-GPU power and energy samples as CSV, wide or long.

DCGM (the Data Center GPU Manager) names its fields ``DCGM_FI_*``; dcgm-exporter publishes them with
the labels ``gpu`` (index), ``UUID``, ``Hostname``, ``modelName`` and, on a MIG-partitioned GPU,
``GPU_I_ID`` and ``GPU_I_PROFILE``. Cluster operators export the samples to CSV in two shapes:

- **wide**: a ``timestamp`` column, the labels, and one column per field
  (``DCGM_FI_DEV_POWER_USAGE``, ...);
- **long** (a Prometheus range query written out): ``timestamp``, the labels, the field's name in
  ``__name__`` (or ``metric``) and its reading in ``value``;
- **one column per series** (Grafana's CSV export of a Prometheus query): a time column and columns
  named ``DCGM_FI_DEV_POWER_USAGE{Hostname="node1", UUID="GPU-...", gpu="0"}``.

The fields read, with their units as DCGM's field table defines them:

- ``DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION`` (field 156): NVML's energy counter since the driver
  loaded, mJ;
- ``DCGM_FI_DEV_POWER_USAGE_INSTANT`` (field 157): instant power, W;
- ``DCGM_FI_DEV_POWER_USAGE`` (field 155): NVML's power, W (a 1-second average on Ampere and newer).

A time is Unix time (s, ms, us or ns) or an ISO 8601 date; one without a zone needs ``--timezone``.
DCGM reports a MIG instance's power and energy as its whole GPU's: the repeats are kept once.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from une_eval import units
from une_eval.errors import InputError
from une_eval.importers.csvtable import Rows, gpu_index, header_of, iter_table, number
from une_eval.importers.draft import Draft
from une_eval.importers.formats import Options
from une_eval.importers.gpusamples import Instrument, Sample, SampleSet, parse_time
from une_eval.importers.source import Source

ENERGY = "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"
POWER_INSTANT = "DCGM_FI_DEV_POWER_USAGE_INSTANT"
POWER_AVERAGE = "DCGM_FI_DEV_POWER_USAGE"
# field -> (kind of quantity, unit DCGM writes it in)
FIELDS = {
    ENERGY: (units.Kind.ENERGY, "mJ"),
    POWER_INSTANT: (units.Kind.POWER, "W"),
    POWER_AVERAGE: (units.Kind.POWER, "W"),
}
LABELS = {
    "time": ("timestamp", "time"),
    "host": ("hostname", "host", "node"),
    "gpu": ("gpu", "gpu_index"),
    "uuid": ("uuid", "gpu_uuid"),
    "instance": ("gpu_i_id",),
    "model": ("modelname", "model"),
}
NAME_COLUMNS = ("__name__", "metric", "field")
_SERIES = re.compile(r"^(DCGM_FI_[A-Z0-9_]{1,80})\s*\{(.{0,2000})\}\s*$")
_LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]{0,100})\s*=\s*"((?:[^"\\]|\\.){0,500})"')


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def recognise(source: Source) -> bool:
    """A CSV with DCGM field columns, or a long CSV whose rows name DCGM fields."""
    if source.is_folder:
        return False
    head = source.peek(source.name, 16384)
    header = header_of(head)
    if any(h in FIELDS or _SERIES.match(h) for h in header):
        return True
    long_form = _find(header, NAME_COLUMNS) is not None and _find(header, ("value",)) is not None
    return long_form and any(f.encode() in head for f in FIELDS)


Reading = tuple[int, list[str], dict[str, str]]


def _from_series(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
    """A table of one column per series (``FIELD{label="value"}``, Grafana's export) as one row per series and time."""
    series = [(i, _SERIES.match(h)) for i, h in enumerate(header)]
    found = [(i, m[1], dict(_LABEL.findall(m[2]))) for i, m in series if m is not None and m[1] in FIELDS]
    time_at = _find(header, LABELS["time"])
    if not found or time_at is None:
        return header, rows
    names = ["Hostname", "gpu", "UUID", "GPU_I_ID", "modelName"]
    out = []
    for line, cells in rows:
        for i, field, labels in found:
            if cells[i]:
                out.append((line, [cells[time_at], field, cells[i], *(labels.get(n, "")[:200] for n in names)]))
    return ["timestamp", "__name__", "value", *names], iter(out)


def _cell(cells: list[str], at: int | None) -> str:
    return cells[at] if at is not None else ""


def _label(cells: list[str], at: int | None) -> str:
    """A label cell (host, UUID, model), interned: the same few values repeat on every row."""
    return sys.intern(cells[at]) if at is not None else ""


def _fields(header: list[str], rows: Rows, path: str) -> tuple[set[str], Iterable[Reading]]:
    """The fields present, and each row with its readings by name (wide: as read; long: merged per series and time)."""
    wide = [(h, i) for i, h in enumerate(header) if h in FIELDS]
    if wide:
        return {h for h, _ in wide}, ((line, cells, {f: cells[i] for f, i in wide}) for line, cells in rows)
    name_at, value_at = _find(header, NAME_COLUMNS), _find(header, ("value",))
    if name_at is None or value_at is None:
        raise InputError(f"{path}: no DCGM field column and no __name__/value columns")
    labels = [i for i in range(len(header)) if i not in (name_at, value_at)]
    merged: dict[tuple[tuple[str, ...], int], tuple[int, list[str], dict[str, str]]] = {}
    for line, cells in rows:
        if cells[name_at] not in FIELDS:
            continue
        key = tuple(cells[i] for i in labels)
        repeat = 0
        while (key, repeat) in merged and cells[name_at] in merged[key, repeat][2]:
            repeat += 1  # the same field again for this GPU and time: a row of its own (a duplicate sample)
        entry = merged.setdefault((key, repeat), (line, cells, {}))
        entry[2][cells[name_at]] = cells[value_at]
    if not merged:
        raise InputError(f"{path}: no row of a DCGM power or energy field")
    return {f for _, _, fields in merged.values() for f in fields}, list(merged.values())


def _instrument(present: set[str]) -> Instrument:
    power = POWER_INSTANT if POWER_INSTANT in present else POWER_AVERAGE
    kind = "instant" if power == POWER_INSTANT else "average"
    energy = ENERGY if ENERGY in present else None
    return Instrument("NVML via DCGM", kind, power, energy)


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a DCGM field export."""
    file = source.read(source.name)
    header, rows = _from_series(*iter_table(file))
    present, readings = _fields(header, rows, file.path)
    if POWER_INSTANT not in present and POWER_AVERAGE not in present and ENERGY not in present:
        raise InputError(f"{file.path}: no DCGM power or energy field")
    instrument = _instrument(present)
    draft.tool = {"name": "NVIDIA DCGM"}
    if options.phase:
        draft.put("/phase", options.phase)
    at = {name: _find(header, names) for name, names in LABELS.items()}
    if at["time"] is None:
        raise InputError(f"{file.path}: no timestamp column")
    samples = SampleSet(draft, file, instrument)
    batch = []
    for line, cells, fields in readings:
        where = f"{file.path}: line {line}"
        power = number(fields.get(instrument.power_field, ""), where)
        energy = number(fields.get(ENERGY, ""), where) if instrument.energy_field else None
        if power is None and instrument.power_field in present:
            samples.missing_power += 1
        batch.append(
            Sample(
                line,
                parse_time(_cell(cells, at["time"]), options.timezone, where),
                _label(cells, at["host"]),
                gpu_index(_cell(cells, at["gpu"]), where),
                _label(cells, at["uuid"]) or None,
                _label(cells, at["instance"]) or None,
                None if power is None else units.watts(power, FIELDS[instrument.power_field][1]),
                None if energy is None else units.convert(energy, "mJ", "mJ", units.Kind.ENERGY),
                _label(cells, at["model"]) or None,
            )
        )
    samples.add_all(batch)
    samples.fill()
    _notes(draft, instrument)


def _notes(draft: Draft, instrument: Instrument) -> None:
    draft.note(
        f"GPU power from {instrument.power_field}"
        + (f" and energy from {instrument.energy_field}" if instrument.energy_field else "")
        + ", read by NVML through DCGM: the GPUs only (no CPU, memory or node power)"
    )
    draft.note(
        "DCGM counts no work and does not say what ran: supply the workload, the model, the work units "
        "and functional unit, the site, an idle baseline and the runs' boundaries if the job ran more than one"
    )
