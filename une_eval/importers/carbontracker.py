"""Carbontracker logs: epochs measured, the consumption it reports, and what it only predicted.

With ``log_dir`` set, Carbontracker writes two files per session, ``<prefix>_<date>_carbontracker.log``
(the standard log) and ``..._carbontracker_output.log`` (what it printed), every line
``YYYY-MM-DD HH:MM:SS - message`` in local time. The standard log holds its version, the line
``Only predicted and actual consumptions are multiplied by a PUE coefficient of <PUE> (...)``, the
components (``The following components were found: GPU with device(s) A, B. CPU with device(s) cpu:0.``)
and per epoch ``Epoch <n>:``, ``Duration: H:MM:SS.ss`` and ``Average power usage (W) for <component>:
<W or [W W ...] per device or None>``. The output log holds ``Actual consumption for <n> epoch(s):`` and
``Predicted consumption for <n> epoch(s):`` blocks of ``Time: H:MM:SS``, ``Energy: <kWh> kWh`` and
``CO2eq: <g> g``.

Read honestly: the epochs' average powers times their durations are IT energy, measured (NVML power
for GPUs, RAPL for Intel CPUs; a simulated CPU is a TDP estimate); the consumption blocks include its
PUE factor, which the importer divides out (``import.pue-applied``) or, when the factor is not in the
files, cannot (the block is kept only as facility energy). A prediction is an extrapolation from the
first epochs: ``import.predicted-values``, never the run's energy. CO2eq uses its grid intensity:
estimated.

This module owns the session and its meaning: finding a session's pair of logs, and turning epochs into
runs and consumption blocks into results and findings. Reading the logs is
:mod:`une_eval.importers.carbontracker_logs`.
"""

from __future__ import annotations

import datetime as dt
import math
import os

from une_eval.errors import InputError
from une_eval.findings import Message, Param, msg
from une_eval.importers.carbontracker_logs import Block, Epoch, read_output, read_standard
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile
from une_eval.units import Kind, joules
from une_eval.units import convert as convert_unit

STD_SUFFIX = "_carbontracker.log"
OUT_SUFFIX = "_carbontracker_output.log"
MAX_FOLDER_ENTRIES = 10_000


def _pair(source: Source) -> tuple[str | None, str | None]:
    if not source.is_folder:
        name = source.name
        return (name, None) if name.endswith(STD_SUFFIX) or not name.endswith(OUT_SUFFIX) else (None, name)
    names = []
    try:
        with os.scandir(source.root) as entries:
            for n, entry in enumerate(entries):
                if n >= MAX_FOLDER_ENTRIES:
                    raise InputError(f"{source.given}: more than {MAX_FOLDER_ENTRIES:,} entries")
                if entry.name.endswith((STD_SUFFIX, OUT_SUFFIX)):
                    names.append(entry.name)
    except OSError as exc:
        raise InputError(f"{source.given}: cannot be listed ({exc.strerror})") from None
    std = sorted(n for n in names if n.endswith(STD_SUFFIX))
    if len(std) > 1:
        raise InputError(f"{source.given}: {len(std)} Carbontracker sessions; give one session's log file")
    stem = std[0].removesuffix(STD_SUFFIX) if std else None
    outs = sorted(n for n in names if n.endswith(OUT_SUFFIX) and (stem is None or n == stem + OUT_SUFFIX))
    return (std[0] if std else None), (outs[0] if outs else None)


def recognise(source: Source) -> bool:
    """A Carbontracker log (its version line, epochs or consumption blocks), or a folder holding one."""
    try:
        std, out = _pair(source)
    except (InputError, OSError):
        return False
    for name in (std, out):
        if name is None:
            continue
        head = source.peek(name, 8192).decode("utf-8", "replace")
        if " - carbontracker version " in head or "CarbonTracker: " in head:
            return True
    return False


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a Carbontracker session's logs."""
    std_name, out_name = _pair(source)
    if std_name is None and out_name is None:
        raise InputError(f"{source.given}: no Carbontracker log")
    std = source.read(std_name) if std_name else None
    out = source.read(out_name) if out_name else None
    version, pue, devices, epochs = read_standard(std) if std else (None, None, {}, [])
    blocks = read_output(out) if out else []
    if not epochs and not blocks:
        raise InputError(f"{source.given}: no epoch and no consumption in the Carbontracker log")
    draft.tool = {"name": "Carbontracker"} | ({"version": version[:64]} if version else {})
    draft.put("/phase", options.phase or "training")
    filler = _Filler(draft, std, out, devices, pue)
    filler.tz = options.timezone
    filler.devices_and_methods(epochs)
    it_j = filler.epochs(epochs)
    filler.blocks(blocks, it_j)
    filler.notes()


class _Filler:
    def __init__(
        self,
        draft: Draft,
        std: SourceFile | None,
        out: SourceFile | None,
        devices: dict[str, list[str]],
        pue: tuple[float, int] | None,
    ) -> None:
        self.draft, self.std, self.out, self.devices, self.pue = draft, std, out, devices, pue
        self.components: list[str] = []
        self.tz: dt.tzinfo | None = None

    def device_ids(self, comp: str, count: int) -> list[str]:
        return [f"{comp}{i}" for i in range(count)]

    def devices_and_methods(self, epochs: list[Epoch]) -> None:
        d, n = self.draft, 0
        seen = [c for c in ("gpu", "cpu") if any(c in e.power for e in epochs)]
        for m, comp in enumerate(seen):
            count = max((len(e.power[comp] or []) for e in epochs if comp in e.power), default=0)
            names = self.devices.get(comp, [])
            apple = _is_apple_silicon(comp, names)
            for i, device_id in enumerate(self.device_ids(comp, count)):
                d.put(f"/measurement/devices/{n}", {"device_id": device_id, "component": comp, "node_id": "host"})
                model = _APPLE_MODELS[comp] if apple else (names[i] if i < len(names) else "")
                if model:
                    d.put(f"/measurement/devices/{n}/model", model[:500])
                n += 1
            simulated = any("simulated" in x.lower() or x.lower()[:3] == "sim" for x in names)
            if apple:
                d.put(f"/measurement/methods/{m}", {"component": comp, "method": "estimate", "reason": _APPLE_REASON})
                d.put(f"/measurement/methods/{m}/instrument", {"name": "macOS powermetrics via Carbontracker"})
            elif simulated:
                reason = "Carbontracker's simulated CPU: its power is the TDP given to it, not a measurement"
                d.put(f"/measurement/methods/{m}", {"component": comp, "method": "estimate", "reason": reason})
            else:
                name = f"{'NVML' if comp == 'gpu' else 'RAPL'} via Carbontracker"
                d.put(
                    f"/measurement/methods/{m}",
                    {"component": comp, "method": "nvml-power-integration" if comp == "gpu" else "rapl"},
                )
                d.put(f"/measurement/methods/{m}/instrument", {"name": name})
            self.components.append(comp)

    def epochs(self, epochs: list[Epoch]) -> float | None:
        """Each epoch a run: its duration and its components' energy (mean power x duration). The sum in J."""
        d, std, total = self.draft, self.std, []
        if std is None:
            return None
        for k, e in enumerate(epochs):
            at, where = f"/measurement/runs/{k}", f"line {e.line}"
            d.put(f"{at}/index", k)
            if e.duration_s is None or e.duration_s <= 0:
                d.note(f"{std.path} epoch {e.number} ({where}) has no duration: its energy is not imported")
                continue
            d.put(
                f"{at}/duration_s",
                e.duration_s,
                Origin(std, f"{where}, Duration (epoch {e.number})", e.duration_text, None, "measured"),
            )
            d.put(f"{at}/work_units", 1.0, Origin(std, where, f"Epoch {e.number}", None, "derived", "one epoch"))
            self.times(at, e)
            total.append(self.epoch_energy(at, e))
        known = [t for t in total if t is not None]
        return math.fsum(known) if known and len(known) == len(total) else None

    def times(self, at: str, e: Epoch) -> None:
        """End: the local time the epoch was logged (with --timezone); start: end minus its duration."""
        if self.tz is None or not e.logged_at or e.duration_s is None or self.std is None:
            return
        try:
            end = dt.datetime.strptime(e.logged_at, "%Y-%m-%d %H:%M:%S").replace(tzinfo=self.tz)
        except ValueError:
            raise InputError(f"{self.std.path}, line {e.line}: {e.logged_at!r} is not a date and time") from None
        where, note = f"line {e.line}", "the local time Carbontracker logged the epoch's end, to the second"
        self.draft.put(f"{at}/end_time", _iso(end), Origin(self.std, where, e.logged_at, None, "measured", note))
        start = end - dt.timedelta(seconds=e.duration_s)
        text = f"{e.logged_at} - {e.duration_text}"
        self.draft.put(f"{at}/start_time", _iso(start), Origin(self.std, where, text, None, "derived"))

    def epoch_energy(self, at: str, e: Epoch) -> float | None:
        d, std, run_total, devices = self.draft, self.std, [], []
        if std is None or e.duration_s is None:
            return None
        for comp in self.components:
            powers = e.power.get(comp)
            if powers is None:
                d.note(f"{std.path} epoch {e.number}: no {comp} power (the epoch was shorter than a measurement)")
                return None
            if any(p < 0 for p in powers):
                found = msg(
                    "{file}, {location}: {component} power {power_w} W; left out",
                    component=comp,
                    power_w=e.power_text[comp],
                )
                d.finding("import.negative-values", std, f"epoch {e.number}", found)
                return None
            if all(p == 0 for p in powers):
                found = msg(
                    "{file}, {location}: {component} power 0 W for {duration_s} s",
                    component=comp,
                    duration_s=e.duration_s,
                )
                d.finding("import.zero-values", std, f"epoch {e.number}", found)
            comp_j = [p * e.duration_s for p in powers]
            text = f"{e.power_text[comp]} W x {e.duration_text}"
            note = "Carbontracker's average power over the epoch times its duration (IT energy, no PUE)"
            d.put(
                f"{at}/energy/{comp}_j",
                math.fsum(comp_j),
                Origin(std, f"epoch {e.number}, {comp}", text, None, "derived", note),
            )
            devices += [{"device_id": f"{comp}{i}", "energy_j": j} for i, j in enumerate(comp_j)]
            run_total.append(math.fsum(comp_j))
        if not run_total:
            return None
        d.put(
            f"{at}/energy/total_j",
            math.fsum(run_total),
            Origin(std, f"epoch {e.number}", "sum of components", None, "derived"),
        )
        d.put(f"{at}/devices", devices)
        return math.fsum(run_total)

    def blocks(self, blocks: list[Block], it_j: float | None) -> None:
        d, out = self.draft, self.out
        if out is None:
            d.note("no output log: Carbontracker's reported consumption (kWh, CO2eq) is not imported")
            return
        for b in blocks:
            where = f"{b.kind} consumption" + (f" for {b.epochs} epoch(s)" if b.epochs else "")
            if b.kind == "Predicted":
                d.finding("import.predicted-values", out, where, _predicted(b))
                continue
            self.actual(b, where, it_j)

    def actual(self, b: Block, where: str, it_j: float | None) -> None:
        d, out = self.draft, self.out
        assert out is not None
        kwh = convert_unit(b.energy, b.energy_unit, "kWh", Kind.ENERGY)
        if b.energy < 0 or b.co2 < 0:
            d.finding(
                "import.negative-values",
                out,
                where,
                msg(
                    "{file}, {location}: energy {energy} {energy_unit}, CO2eq {co2} {co2_unit}; left out",
                    energy=b.energy,
                    energy_unit=b.energy_unit,
                    co2=b.co2,
                    co2_unit=b.co2_unit,
                ),
            )
            return
        if b.energy == 0 and b.time_s > 0:
            text = msg(
                "{file}, {location}: 0 {energy_unit} for {duration_s} s", energy_unit=b.energy_unit, duration_s=b.time_s
            )
            d.finding("import.zero-values", out, where, text)
        note = "Carbontracker's consumption: measured IT energy times its PUE factor"
        d.put(
            "/results/facility_energy_kwh",
            kwh,
            Origin(out, f"{where}, Energy", b.energy_text, b.energy_unit, "estimated", note),
        )
        grams = convert_unit(b.co2, b.co2_unit, "g", Kind.MASS_CO2E)
        d.put(
            "/results/emissions_g_co2e",
            grams,
            Origin(
                out,
                f"{where}, CO2eq",
                b.co2_text,
                b.co2_unit,
                "estimated",
                "Carbontracker's energy (PUE included) times its grid intensity",
            ),
        )
        if self.pue is None:
            d.finding(
                "import.pue-applied",
                out,
                where,
                msg(
                    "{file}, {location}: Carbontracker multiplied this energy by a PUE factor the files do not state "
                    "(it is in the standard log); it cannot be divided out"
                ),
            )
            return
        factor, line = self.pue
        if self.std is not None:
            d.finding(
                "import.pue-applied",
                self.std,
                f"line {line}",
                msg(
                    "{file}, {location}: Carbontracker's consumption includes its PUE {pue}; the runs hold IT energy "
                    "(power x duration) and the reported consumption divided by {pue} is compared with it",
                    pue=factor,
                ),
            )
        if it_j is not None and factor > 0:
            reported_it = joules(kwh, "kWh") / factor
            if not math.isclose(reported_it, it_j, rel_tol=0.10):
                d.finding(
                    "import.parts-sum",
                    out,
                    where,
                    msg(
                        "{file}, {location}: {energy} {energy_unit} / PUE {pue} is {reported_j} J, but the epochs' "
                        "power x duration add up to {epochs_j} J",
                        energy=b.energy,
                        energy_unit=b.energy_unit,
                        pue=factor,
                        reported_j=reported_it,
                        epochs_j=it_j,
                    ),
                )
        if factor >= 1:
            d.put(
                "/system/site/pue/value",
                factor,
                Origin(self.std or out, f"line {line}", f"{factor:g}", None, "sourced"),
            )
            d.put("/system/site/pue/source", "Carbontracker's default PUE (an industry survey average), not the site's")

    def notes(self) -> None:
        d = self.draft
        if self.tz is None:
            d.note(
                "Carbontracker's log times are local times without a zone, to the second: run start and end "
                "times are left out; give --timezone to import them"
            )
        d.note(
            "Carbontracker counts epochs, not work: supply the training workload (dataset, steps, batch size, tokens)"
        )


# Carbontracker on macOS (its AppleSiliconCPU and AppleSiliconGPU components) names its devices "CPU" and
# "GPU", "ANE", and reads one power per component from powermetrics (the GPU's is GPU + Neural Engine).
_APPLE_DEVICES = {"gpu": ["GPU", "ANE"], "cpu": ["CPU"]}
_APPLE_MODELS = {"gpu": "Apple silicon GPU and Neural Engine (one power for both)", "cpu": "Apple silicon CPU"}
_APPLE_REASON = (
    "Carbontracker on Apple silicon reads macOS powermetrics, the SoC's own power model, not NVML or RAPL; "
    "imported as an estimate"
)


def _is_apple_silicon(comp: str, names: list[str]) -> bool:
    """Whether a component's device names are those Carbontracker gives Apple silicon."""
    return names == _APPLE_DEVICES.get(comp)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _predicted(b: Block) -> Message:
    """The finding on a block of predicted consumption (for a number of epochs when the log says so)."""
    written: dict[str, Param] = {"energy": b.energy, "energy_unit": b.energy_unit, "co2": b.co2, "co2_unit": b.co2_unit}
    if b.epochs is None:
        wording = msg(
            "{file}, {location}: {energy} {energy_unit} and {co2} {co2_unit} predicted from the first epochs: an "
            "extrapolation, not imported as energy"
        )
        return Message(wording.template, tuple(written.items()))
    return msg(
        "{file}, {location}: {energy} {energy_unit} and {co2} {co2_unit} predicted for {epochs} epoch(s) from the "
        "first epochs: an extrapolation, not imported as energy",
        epochs=b.epochs,
        **written,
    )
