"""Hugging Face model cards: ``co2_eq_emissions`` in the YAML front matter, and training-compute tables.

A model card is a ``README.md`` whose YAML front matter (between the first two ``---`` lines) holds its
metadata. Hugging Face's model card specification defines ``co2_eq_emissions`` as either a number
(grams of CO2eq) or a mapping: ``emissions`` (grams), ``source`` (how it was computed: CodeCarbon, the
ML CO2 Impact calculator, ...), ``training_type`` (pre-training, fine-tuning), ``geographical_location``
and ``hardware_used``. The front matter is read with PyYAML's safe loader on a block of bounded size,
after refusing anchors and aliases (the "billion laughs" expansion). The card's body may hold a
training-compute table (:mod:`une_eval.importers.cardtables`): GPU hours, per-GPU power (W) and tonnes
of CO2eq per model; the row of this card's model is chosen by name (the folder the card is in, or the
front matter's ``model_name``/``model-index`` name).

Nothing in a card is measured: emissions are ``estimated`` (by the tool the card names), GPU hours are
``declared``, and an energy of GPU hours x per-GPU power is ``estimated`` (the GPUs' peak power, not
their draw). A magnitude that cannot be right for the training the card describes (grams that, over
the energy the card implies, would mean a grid cleaner than any) is ``import.unit-magnitude``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from une_eval import units
from une_eval.errors import InputError
from une_eval.findings import Message, msg
from une_eval.importers.cardtables import CardRow, CardTable, find_table, normalised
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.formats import Options
from une_eval.importers.source import Source, SourceFile

MAX_CARD_BYTES = 4 * 1024 * 1024
MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_FLOW_DEPTH = 64
# libyaml's safe loader where PyYAML was built with it (about 20 times faster), else the pure-Python one.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MIN_GRID_G_PER_KWH = 10.0  # no national grid is cleaner (docs/rules.md: site.grid-intensity-range)
MAX_GRID_G_PER_KWH = 2000.0
FLOOR_GPU_W = 50.0
_TRAINING_WORDS = ("train", "tuned", "tuning", "took")  # a GPU that is training draws at least this
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(days?|hours?|hrs?|h)\b", re.IGNORECASE)
_GPUS = re.compile(
    r"(\d+)\s*(?:x|×|\*)?\s*(?:nvidia\s+)?(?:[a-z]*\d*\s*)?(?:gpus?|a100|h100|h200|v100|a10g?|t4|l4|tpu)", re.IGNORECASE
)


def split_card(text: str) -> tuple[str | None, str, int]:
    """The front matter's text (None when there is none), the body, and the body's first line number."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise InputError("the front matter opened with --- is never closed")


def _flow_depth(block: str) -> int:
    """The deepest nesting of flow brackets (``[``, ``{``) in the text; quotes are ignored (it may over-count)."""
    depth = deepest = 0
    for char in block:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return deepest


def load_front_matter(block: str) -> dict[str, Any]:
    """The front matter as a mapping: safe loader, bounded size, no anchors or aliases."""
    if len(block.encode()) > MAX_FRONT_MATTER_BYTES:
        raise InputError(f"front matter of more than {MAX_FRONT_MATTER_BYTES} bytes")
    if _flow_depth(block) > MAX_FLOW_DEPTH:
        raise InputError(f"front matter is nested more than {MAX_FLOW_DEPTH} levels deep; refused")
    try:
        for event in yaml.parse(block, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise InputError("front matter uses YAML anchors or aliases; refused")
        data = yaml.load(block, Loader=_LOADER)  # noqa: S506 - _LOADER is a safe loader (CSafeLoader or SafeLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"front matter is not valid YAML ({str(exc).splitlines()[0][:100]})") from None
    except RecursionError:
        raise InputError("front matter is nested too deeply") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("front matter is not a mapping")
    return data


def recognise(source: Source) -> bool:
    """A Markdown card with ``co2_eq_emissions`` in its front matter, or a table of GPU hours and CO2eq.

    A card as a model's repository keeps it (Meta's ``MODEL_CARD.md``) has no front matter: its
    training table alone makes it a source.
    """
    if source.is_folder or not source.name.lower().endswith(".md"):
        return False
    head = source.peek(source.name, 262144).removeprefix(b"\xef\xbb\xbf")
    lowered = head.lower()
    co2 = b"co2" in lowered or b"co<sub>2</sub>" in lowered
    table = b"gpu hours" in lowered and co2 and (b"<table" in lowered or b"|" in lowered)
    if head.startswith(b"---"):
        return b"co2_eq_emissions" in lowered or table
    return table


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{where}: {str(value)[:40]!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{where}: {str(value)[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise InputError(f"{where}: {str(value)[:40]!r} is not a finite number")
    return number


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from a model card."""
    file = source.read(source.name, MAX_CARD_BYTES)
    block, body, body_line = split_card(file.text())
    meta = load_front_matter(block) if block is not None else {}
    draft.tool = {"name": "Hugging Face model card"}
    card = _Card(draft, file, meta, body, body_line)
    table = find_table(body)
    card.phase(options, table is not None)
    co2_g = card.co2()
    row = card.table_row(table, source, options.select) if table is not None else None
    energy_kwh = card.compute(row, table) if row is not None and table is not None else None
    card.magnitude(co2_g if co2_g is not None else card.table_g, energy_kwh)
    if "emissions" not in card.co2_meta and row is None:
        if table is not None and table.rows:
            labels = ", ".join(r.label for r in table.rows[:10])
            raise InputError(
                f"{file.path}: the training table gives {len(table.rows)} models ({labels[:300]}); name one with "
                "--select MODEL"
            )
        raise InputError(f"{file.path}: neither co2_eq_emissions nor a training-compute row for this model")
    card.notes(table)


class _Card:
    """One card being read into the draft."""

    def __init__(self, draft: Draft, file: SourceFile, meta: dict[str, Any], body: str, body_line: int) -> None:
        self.draft, self.file, self.meta, self.body, self.body_line = draft, file, meta, body, body_line
        raw = meta.get("co2_eq_emissions")
        self.co2_meta: dict[str, Any] = (
            raw if isinstance(raw, dict) else ({"emissions": raw} if raw is not None else {})
        )
        self.scalar = raw is not None and not isinstance(raw, dict)
        self.table_g: float | None = None
        self.where_g = "front matter, co2_eq_emissions" + ("" if self.scalar else ".emissions")

    def origin(self, where: str, value: Any, unit: str | None, basis: str, note: str | None = None) -> Origin:
        return Origin(self.file, where, str(value)[:500], unit, basis, note)

    def text(self, key: str) -> str | None:
        value = self.co2_meta.get(key)
        return str(value).strip()[:500] if isinstance(value, str | int | float) and str(value).strip() else None

    def phase(self, options: Options, has_table: bool) -> None:
        training = self.text("training_type")
        if options.phase:
            self.draft.put("/phase", options.phase)
        elif has_table and not training:
            note = "the card's table gives the compute and emissions of training"
            self.draft.put("/phase", "training", self.origin("training table", "GPU hours", None, "declared", note))
        elif training or "co2_eq_emissions" in self.meta:
            where = "front matter, co2_eq_emissions.training_type" if training else "front matter, co2_eq_emissions"
            note = "a model card's emissions are those of training the model"
            self.draft.put(
                "/phase", "training", self.origin(where, training or "co2_eq_emissions", None, "declared", note)
            )

    def co2(self) -> float | None:
        if "emissions" not in self.co2_meta:
            return None
        where = "front matter, co2_eq_emissions" + ("" if self.scalar else ".emissions")
        grams = _number(self.co2_meta["emissions"], where)
        if grams < 0:
            text = msg("{file}, {location}: negative emissions {grams} g; left out", grams=grams)
            self.draft.finding("import.negative-values", self.file, where, text)
            return None
        tool = self.text("source")
        note = f"computed by {tool}" if tool else "the card does not say how it was computed"
        origin = self.origin(where, self.co2_meta["emissions"], "g", "estimated", note)
        self.draft.put("/results/emissions_g_co2e", units.grams_co2e(grams, "g"), origin)
        location = self.text("geographical_location")
        if location:
            self.draft.put(
                "/system/site/region",
                location,
                self.origin(f"{where[:-10]}.geographical_location", location, None, "declared"),
            )
        return grams

    def names(self, source: Source) -> list[str]:
        """Names this card's model goes by: its folder, and the front matter's model names."""
        names = [source.given.resolve().parent.name]
        if isinstance(self.meta.get("model_name"), str):
            names.append(self.meta["model_name"])
        index = self.meta.get("model-index")
        if isinstance(index, list) and index and isinstance(index[0], dict) and isinstance(index[0].get("name"), str):
            names.append(index[0]["name"])
        return [normalised(n) for n in names if n]

    def table_row(self, table: CardTable, source: Source, select: str | None) -> CardRow | None:
        if select is not None:
            chosen = [r for r in table.rows if normalised(r.label) == normalised(select)]
            if len(chosen) != 1:
                labels = ", ".join(r.label for r in table.rows[:10])
                raise InputError(f"{self.file.path}: --select {select[:100]!r} names no row of ({labels[:300]})")
            return chosen[0]
        wanted = self.names(source)
        matches = [r for r in table.rows if normalised(r.label) in wanted]
        if len(matches) == 1:
            return matches[0]
        if len(table.rows) == 1:
            return table.rows[0]
        labels = ", ".join(r.label for r in table.rows[:10])
        self.draft.note(
            f"the training table gives {len(table.rows)} models ({labels}); none is named like this card's folder "
            "or front matter: its figures are not imported (name the model with --select)"
        )
        return None

    def line(self, row: CardRow) -> int:
        return row.line + self.body_line - 1

    def compute(self, row: CardRow, table: CardTable) -> float | None:
        d, where = self.draft, f"line {self.line(row)}, training table row {row.label!r}"
        d.put("/system/model/name", row.label, self.origin(where, row.label, None, "declared"))
        if row.gpu_hours is not None:
            hours = row.gpu_hours
            d.put(
                "/workload/training/accelerator_hours",
                hours.value,
                self.origin(f"{where}, GPU hours", hours.written, "h", "declared"),
            )
        if row.location_t is not None and not self.draft.has("/results/emissions_g_co2e"):
            grams = units.grams_co2e(row.location_t.value, table.emission_unit)
            note = "the card's location-based training emissions"
            origin = self.origin(
                f"{where}, location-based emissions", row.location_t.written, table.emission_unit, "estimated", note
            )
            d.put("/results/emissions_g_co2e", grams, origin)
            self.table_g, self.where_g = grams, f"line {self.line(row)}, location-based emissions"
        if row.market_t is not None:
            d.note(
                f"market-based emissions {row.market_t.written} {table.emission_unit} CO2eq ({where}): not imported, "
                "une-eval reports location-based emissions"
            )
        self._total(table)
        if row.gpu_hours is None or row.power_w is None:
            return None
        kwh = row.gpu_hours.value * row.power_w.value / 1000
        d.note(
            f"{where}: {row.gpu_hours.written} GPU hours x {row.power_w.written} W = {kwh:.4g} kWh, an estimate "
            "from the GPUs' peak power (not imported as a measured energy)"
        )
        return kwh

    def _total(self, table: CardTable) -> None:
        total = table.total
        if total is None:
            return
        gpu_hours = msg(
            "{file}, {location}: the training table's total GPU hours {stated} is not the sum of its rows, {summed}"
        )
        emissions = msg(
            "{file}, {location}: the training table's total emissions {stated} is not the sum of its rows, {summed}"
        )
        for wording, stated, cells in (
            (gpu_hours, total.gpu_hours, [r.gpu_hours for r in table.rows]),
            (emissions, total.location_t, [r.location_t for r in table.rows]),
        ):
            if stated is None or any(c is None for c in cells):
                continue
            summed = math.fsum(c.value for c in cells if c is not None)
            precision = (stated.resolution + math.fsum(c.resolution for c in cells if c is not None)) / 2
            if abs(summed - stated.value) > precision:
                # Six significant figures beside the figure as the card writes it (a table's resolution).
                params = {"stated": stated.written, "summed": f"{summed:.6g}"}
                text = Message(wording.template, tuple(params.items()))
                self.draft.finding("import.parts-sum", self.file, f"line {self.line(total)}", text)

    def magnitude(self, co2_g: float | None, energy_kwh: float | None) -> None:
        """Emissions in grams that no grid could give over the energy the card implies: another unit."""
        if co2_g is None:
            return
        if energy_kwh is not None:
            intensity = co2_g / energy_kwh if energy_kwh > 0 else math.inf
            if MIN_GRID_G_PER_KWH <= intensity <= MAX_GRID_G_PER_KWH:
                return
            text = msg(
                "{file}, {location}: {grams} g CO2eq over the {energy_kwh} kWh of the card's training table is "
                "{intensity} g/kWh, outside any grid's {low} to {high} g/kWh: written in another unit?",
                grams=co2_g,
                energy_kwh=energy_kwh,
                intensity=intensity,
                low=MIN_GRID_G_PER_KWH,
                high=MAX_GRID_G_PER_KWH,
            )
        else:
            floor = self._floor_kwh()
            if floor is None:
                return
            least_kwh, gpus, hours = floor  # a least energy bounds the intensity from above only
            if co2_g / least_kwh >= MIN_GRID_G_PER_KWH:
                return
            text = msg(
                "{file}, {location}: {grams} g CO2eq over at least {energy_kwh} kWh (at least {gpus} GPU(s) x "
                "{hours} h at {floor_w} W, from the card's text) is under {intensity} g/kWh, cleaner than any grid: "
                "written in another unit than grams?",
                grams=co2_g,
                energy_kwh=least_kwh,
                gpus=gpus,
                hours=hours,
                floor_w=FLOOR_GPU_W,
                intensity=co2_g / least_kwh,
            )
        self.draft.finding("import.unit-magnitude", self.file, self.where_g, text, "/results/emissions_g_co2e")

    def _floor_kwh(self) -> tuple[float, int, float] | None:
        """The least energy the training described could have taken: GPUs x hours x a floor power."""
        texts = [str(v) for v in self.co2_meta.values() if isinstance(v, str)]
        texts += [line for line in self.body.splitlines()[:5000] if any(w in line.lower() for w in _TRAINING_WORDS)][
            :200
        ]
        hours = None
        for text in texts:
            match = _DURATION.search(text[:2000])
            if match:
                hours = float(match[1]) * (24 if match[2].lower().startswith("d") else 1)
                break
        if hours is None or hours <= 0:
            return None
        hardware = self.text("hardware_used") or ""
        gpus_match = _GPUS.search(hardware)
        gpus = int(gpus_match[1]) if gpus_match else 1
        kwh = gpus * FLOOR_GPU_W * hours / 1000
        return kwh, gpus, hours

    def notes(self, table: CardTable | None) -> None:
        d = self.draft
        hardware = self.text("hardware_used")
        if hardware:
            d.note(f"co2_eq_emissions.hardware_used {hardware!r}: supply system.hardware (models, counts, nodes)")
        if self.co2_meta and not self.text("source"):
            d.note("co2_eq_emissions does not say how the emissions were computed (source)")
        if table is None:
            d.note("the card has no training-compute table (GPU hours, power, emissions)")
        d.note(
            "a model card holds no measurement: supply measured runs with their energies, devices and traces, "
            "the site (country, PUE, grid intensity with source and year) and the workload"
        )
