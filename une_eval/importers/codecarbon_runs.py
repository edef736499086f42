"""How CodeCarbon's rows become the draft: runs, devices and methods, energy traces, emissions and the system.

Shared by CodeCarbon's ``emissions.csv`` (:mod:`une_eval.importers.codecarbon`) and its task CSV
(:mod:`une_eval.importers.codecarbon_tasks`), which differ only in which rows make a run. What a row
says, read honestly:

- GPU energy comes from NVML's energy counter (``measured``); CPU power may be RAPL or a TDP-based
  estimate and the file does not say which, and RAM power is modelled from the RAM size: both are
  ``estimate``. Emissions use CodeCarbon's own grid intensity: ``estimated``.
- Energies CodeCarbon multiplied by its ``pue`` are divided back (the origin's ``scale``), with
  ``import.pue-applied``; negative, zero and inconsistent values are findings, never values.
- A run's snapshots (rows of one ``run_id``) become each component's cumulative-energy trace.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

from une_eval.errors import InputError
from une_eval.findings import msg
from une_eval.importers.codecarbon_rows import Row
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.source import SourceFile
from une_eval.traces import TIME_COLUMN, TraceColumn, column
from une_eval.units import Kind
from une_eval.units import convert as convert_unit

# component -> (energy column, power column, device id suffix)
COMPONENTS = {
    "gpu": ("gpu_energy", "gpu_power"),
    "cpu": ("cpu_energy", "cpu_power"),
    "dram": ("ram_energy", "ram_power"),
}
NODE = "host"
_REASONS = {
    "cpu": "CodeCarbon's emissions.csv does not say whether CPU power came from RAPL or from its TDP-based "
    "estimate; imported as an estimate",
    "dram": "CodeCarbon models RAM power from the RAM size; it does not measure it",
}


def _end_time(row: Row, tz: dt.tzinfo | None) -> dt.datetime | None:
    text = row.cells["timestamp"].strip()
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"line {row.line}, column timestamp: {text[:40]!r} is not an ISO date and time") from None
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=tz) if tz is not None else None
    return stamp


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Filler:
    """Puts one file's runs into the draft."""

    def __init__(self, draft: Draft, file: SourceFile, header: list[str], tz: dt.tzinfo | None) -> None:
        self.draft, self.file, self.tz = draft, file, tz
        self.components = [c for c, (energy, _) in COMPONENTS.items() if energy in header]
        self.snapshots: list[tuple[list[Row], dt.datetime, float | None]] = []

    def origin(self, row: Row, name: str, unit: str | None, basis: str, scale: float | None = None) -> Origin:
        """Where a value came from: the row's line and column, as written, with its basis and any PUE scale."""
        note = None if scale is None else f"divided by the pue {1 / scale:g} CodeCarbon had multiplied it by"
        return Origin(self.file, f"line {row.line}, column {name}", row.cells[name].strip(), unit, basis, note, scale)

    def basis(self, component: str) -> str:
        """The basis of a component's energy: NVML's GPU counter is measured, the rest CodeCarbon estimates."""
        return "measured" if component == "gpu" else "estimated"

    def devices_and_methods(self, runs: list[list[Row]]) -> None:
        """One device and one measurement method per component the file has."""
        last = runs[-1][-1]
        for i, comp in enumerate(self.components):
            device = {"device_id": f"{NODE}-{comp}", "component": comp, "node_id": NODE}
            name = {"gpu": "gpu_model", "cpu": "cpu_model"}.get(comp, "")
            models = {g[-1].cells.get(name, "").strip() for g in runs}
            if len(models) == 1 and (model := models.pop()):  # runs on different models name none
                device["model"] = model[:500]
            self.draft.put(f"/measurement/devices/{i}", device)
            tool = f"CodeCarbon {last.cells.get('codecarbon_version', '').strip()}".strip()
            method: dict[str, object]
            if comp == "gpu":
                method = {
                    "component": "gpu",
                    "method": "nvml-energy-counter",
                    "instrument": {"name": f"NVML via {tool}"},
                }
            else:
                method = {"component": comp, "method": "estimate", "reason": _REASONS[comp]}
            self.draft.put(f"/measurement/methods/{i}", method)

    def pue_scale(self, row: Row) -> float | None:
        """The factor that divides out the row's pue (None when there is none or it is 1)."""
        pue = row.number("pue")
        return None if pue is None or pue == 1 else 1 / pue

    def run(self, k: int, group: list[Row]) -> None:
        """Run ``k`` from its rows (the last holds the totals): duration, times, energies and their checks."""
        d, row, at = self.draft, group[-1], f"/measurement/runs/{k}"
        scale = self.pue_scale(row)
        d.put(f"{at}/index", k)
        duration = row.number("duration")
        if duration is not None and duration > 0:  # a zero or negative duration is left out (schema: positive)
            d.put(f"{at}/duration_s", duration, self.origin(row, "duration", "s", "measured"))
        end = _end_time(row, self.tz)
        if end is not None and duration is not None:
            d.put(f"{at}/end_time", _iso(end), self.origin(row, "timestamp", None, "measured"))
            start_origin = Origin(
                self.file,
                f"line {row.line}, timestamp - duration",
                f"{row.cells['timestamp'].strip()} - {row.cells['duration'].strip()} s",
                None,
                "derived",
            )
            d.put(f"{at}/start_time", _iso(end - dt.timedelta(seconds=duration)), start_origin)
        self.energies(at, row, scale)
        self.check(at, row)
        if end is not None and duration is not None:
            self.snapshots.append((group, end - dt.timedelta(seconds=duration), scale))

    def energies(self, at: str, row: Row, scale: float | None) -> None:
        """The row's per-component and total energies, in J, with the PUE divided out."""
        d = self.draft
        devices = []
        for comp in self.components:
            value = row.number(COMPONENTS[comp][0])
            if value is None or value < 0:  # a negative energy is a finding (see check), never a value
                continue
            if comp == "gpu" and self.unread_gpu(at, row, value):
                continue
            joules = convert_unit(value, "kWh", "J", Kind.ENERGY) * (scale or 1.0)
            d.put(
                f"{at}/energy/{comp}_j", joules, self.origin(row, COMPONENTS[comp][0], "kWh", self.basis(comp), scale)
            )
            devices.append({"device_id": f"{NODE}-{comp}", "energy_j": joules})
        total = row.number("energy_consumed")
        if total is not None and total >= 0:
            joules = convert_unit(total, "kWh", "J", Kind.ENERGY) * (scale or 1.0)
            basis = "measured" if self.components == ["gpu"] else ("estimated" if self.components else "measured")
            d.put(f"{at}/energy/total_j", joules, self.origin(row, "energy_consumed", "kWh", basis, scale))
        if devices:
            d.put(f"{at}/devices", devices)

    def unread_gpu(self, at: str, row: Row, gpu_kwh: float) -> bool:
        """A GPU CodeCarbon counted whose energy it wrote as 0 for a run that lasted: unknown, not 0 J."""
        duration, gpus = row.number("duration") or 0.0, row.number("gpu_count") or 0.0
        if gpu_kwh != 0 or duration <= 0 or gpus <= 0:
            return False
        if row.number("energy_consumed") == 0:  # the whole row is 0: one finding for it (see check)
            return True
        text = msg(
            "{file}, {location}: gpu_energy is 0 kWh for a run of {duration_s} s on {gpu_count} GPU(s): "
            "CodeCarbon read no energy from them (NVML has no energy counter before Volta and on some systems); "
            "the GPU energy is left out",
            duration_s=duration,
            gpu_count=int(gpus),
        )
        self.draft.finding("import.zero-values", self.file, f"line {row.line}", text, f"{at}/energy")
        return True

    def check(self, at: str, row: Row) -> None:
        """Findings on the row: negative, zero, not summing and PUE-multiplied values."""
        d, where = self.draft, f"line {row.line}"
        values = {
            c: row.number(c) for c in ("duration", "emissions", "energy_consumed", *(e for e, _ in COMPONENTS.values()))
        }
        negative = [c for c, v in values.items() if v is not None and v < 0]
        if negative:
            text = msg("{file}, {location}: negative {columns}; left out", columns=", ".join(negative))
            d.finding("import.negative-values", self.file, where, text, at)
        if values["energy_consumed"] == 0 and (values["duration"] or 0) > 0:
            d.finding(
                "import.zero-values",
                self.file,
                where,
                msg(
                    "{file}, {location}: energy_consumed is 0 kWh for a run of {duration_s} s",
                    duration_s=values["duration"] or 0.0,
                ),
                f"{at}/energy/total_j",
            )
        parts = [values[COMPONENTS[c][0]] for c in self.components]
        total = values["energy_consumed"]
        if parts and total is not None and all(p is not None for p in parts):
            summed = math.fsum(p for p in parts if p is not None)
            if not math.isclose(summed, total, rel_tol=1e-6, abs_tol=1e-12):
                # Six significant figures, as the CSV writes them: the two differ by as little as a millionth.
                total_kwh, summed_kwh = f"{total:g}", f"{summed:g}"
                d.finding(
                    "import.parts-sum",
                    self.file,
                    where,
                    msg(
                        "{file}, {location}: energy_consumed {total_kwh} kWh is not the sum of the components' "
                        "energies, {summed_kwh} kWh",
                        total_kwh=total_kwh,
                        summed_kwh=summed_kwh,
                    ),
                    f"{at}/energy/total_j",
                )
        scale = self.pue_scale(row)
        if scale is not None:
            d.finding(
                "import.pue-applied",
                self.file,
                f"{where}, column pue",
                msg(
                    "{file}, {location}: CodeCarbon multiplied the energies by its pue {pue}; the draft holds them "
                    "divided by it",
                    pue=1 / scale,
                ),
                f"{at}/energy/total_j",
            )

    def traces(self) -> None:
        """Each component's cumulative energy over every run (0 at each run's start, then its rows)."""
        if not any(len(group) >= 2 for group, _, _ in self.snapshots):
            return
        for comp in self.components:
            rows = [
                row for group, start, scale in self.snapshots for row in self._counter_rows(comp, group, start, scale)
            ]
            times = [r[TIME_COLUMN] for r in rows]
            if any(b < a for a, b in itertools.pairwise(times)):
                self.draft.note("the runs' windows overlap at the timestamps' one-second resolution: no trace written")
                return
            description = f"CodeCarbon's cumulative {COMPONENTS[comp][0]} (kWh, 0 at each run's start), in mJ"
            columns = [column(TIME_COLUMN), TraceColumn("energy_mj", "mJ", description)]
            self.draft.trace(f"{NODE}-{comp}", columns, rows)

    def _counter_rows(
        self, comp: str, group: list[Row], start: dt.datetime, scale: float | None
    ) -> list[dict[str, int]]:
        t0 = (start - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1) * 1000
        rows = [{TIME_COLUMN: t0, "energy_mj": 0}]
        for row in group:
            duration, energy = row.number("duration"), row.number(COMPONENTS[comp][0])
            if duration is None or energy is None:
                return []
            mj = convert_unit(energy, "kWh", "mJ", Kind.ENERGY) * (scale or 1.0)
            rows.append({TIME_COLUMN: t0 + round(duration * 1e9), "energy_mj": round(mj)})
        return rows

    def results(self, runs: list[list[Row]]) -> None:
        """The emissions over every run (CodeCarbon's own estimate), in g CO2eq."""
        rows = [g[-1] for g in runs]
        emissions = [r.number("emissions") for r in rows]
        if all(e is not None and e >= 0 for e in emissions):
            grams = math.fsum(convert_unit(e, "kg", "g", Kind.MASS_CO2E) for e in emissions if e is not None)
            written = " + ".join(r.cells["emissions"].strip() for r in rows)
            origin = Origin(
                self.file,
                "column emissions"
                + (f", lines {rows[0].line}..{rows[-1].line}" if len(rows) > 1 else f", line {rows[0].line}"),
                written,
                "kg",
                "estimated",
                "CodeCarbon's emissions: its energy times its grid intensity",
            )
            self.draft.put(
                "/results/emissions_g_co2e",
                grams,
                origin
                if len(rows) == 1
                else Origin(
                    origin.file,
                    origin.location,
                    written,
                    None,
                    "derived",
                    "sum over runs of CodeCarbon's emissions (kg)",
                ),
            )

    def system(self, row: Row) -> None:
        """The machine and site the row declares (CPU, OS, RAM, region, PUE)."""
        d = self.draft
        for name, ptr in (("cpu_model", "/system/hardware/nodes/0/cpu/model"), ("os", "/system/software/os")):
            text = row.cells.get(name, "").strip()
            if text:
                d.put(ptr, text[:500], self.origin(row, name, None, "declared"))
        if any(p.startswith("/system/hardware") for p in (v["pointer"] for v in d.values)):
            d.put("/system/hardware/nodes/0/node_id", NODE)
        ram = row.number("ram_total_size")
        if ram is not None and ram > 0:
            d.put("/system/hardware/nodes/0/memory_gb", ram, self.origin(row, "ram_total_size", "GB", "declared"))
        for name, ptr in (("region", "/system/site/region"), ("cloud_region", "/system/site/cloud_region")):
            text = row.cells.get(name, "").strip()
            if text and text.lower() != "nan":
                d.put(ptr, text[:500], self.origin(row, name, None, "declared"))
        pue = row.number("pue")
        if pue is not None and pue > 1:
            d.put("/system/site/pue/value", pue, self.origin(row, "pue", None, "declared"))
            d.put("/system/site/pue/source", "CodeCarbon's pue setting, as the vendor configured it")

    def notes(self) -> None:
        """What the file cannot say and the auditor must supply."""
        d = self.draft
        if self.tz is None:
            d.note(
                "CodeCarbon writes its timestamp in local time without a zone: run start and end times are left "
                "out; give --timezone to import them"
            )
        d.note(
            "country_iso_code is ISO 3166-1 alpha-3 and the grid intensity CodeCarbon used is not in the file: "
            "supply system.site (country, PUE, location-based grid intensity with its source and year)"
        )
        d.note("CodeCarbon counts no work: supply each run's work units, the functional unit and the workload")
