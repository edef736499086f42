"""Training-compute tables of model cards: GPU hours, per-GPU power and tonnes of CO2eq per model.

Meta's model cards (Llama 2, Llama 3 as Markdown tables; Llama 3.1 and later as HTML tables) give,
per model size and in a ``Total`` row, the training time in GPU hours (``1.46M``, ``184320``), the
per-GPU power in W (the GPUs' peak power, adjusted for PUE) and the emissions in tonnes of CO2eq,
location-based and, since Llama 3.1, market-based. This module finds such a table in a card's body
and reads it into :class:`CardTable`; the header says the units (``(W)``, ``tons CO2eq``,
``tCO2eq``), and a column whose unit the header does not say is not read.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from une_eval.errors import InputError

MAX_ROWS = 200
MAX_TABLES = 100
_TAG = re.compile(r"<[^>]{0,2000}>")
_NUMBER = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*([KMB])?$", re.IGNORECASE)
_SUFFIX = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9}


@dataclass(frozen=True, slots=True)
class Cell:
    """A number as the card wrote it, and its value."""

    written: str
    value: float
    resolution: float  # the step of the last digit written (1.46M: 10 000)


@dataclass(frozen=True, slots=True)
class CardRow:
    """One model (or the total): its label, line and the cells read."""

    label: str
    line: int
    gpu_hours: Cell | None
    power_w: Cell | None
    location_t: Cell | None
    market_t: Cell | None


@dataclass(frozen=True, slots=True)
class CardTable:
    """A training-compute table: its rows (the total apart) and the emission unit its header names."""

    rows: tuple[CardRow, ...]
    total: CardRow | None
    emission_unit: str


def _text(cell: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", cell)).split())


def number(text: str) -> Cell | None:
    """``1.46M`` -> 1 460 000; ``11,390`` -> 11 390; anything else None."""
    text = text.strip().strip("*").strip()
    match = _NUMBER.match(text)
    if not match:
        return None
    digits = match[1].replace(",", "")
    scale = _SUFFIX[(match[2] or "").upper()]
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return Cell(text, float(digits) * scale, scale / 10**decimals)


def _html_rows(body: str) -> list[tuple[int, list[str]]]:
    """The rows of the body's HTML tables (split by plain search: linear in the body's size)."""
    lower, out, pos = body.lower(), [], 0
    counted_to, line = 0, 1  # line numbers counted forward only: linear in the body's size
    for _ in range(MAX_TABLES):
        start = lower.find("<table", pos)
        end = lower.find("</table>", start) if start >= 0 else -1
        if end < 0:
            break
        offset = start
        for row in re.split(r"<tr\b", body[start:end], flags=re.IGNORECASE)[1:]:
            offset = body.find(row, offset)
            line, counted_to = line + body.count("\n", counted_to, offset), offset
            cells = [part.split(">", 1)[-1] for part in re.split(r"<t[dh]\b", row, flags=re.IGNORECASE)[1:]]
            out.append((line, [_text(c) for c in cells]))
        pos = end + 8
    return out


def _rows(body: str) -> list[tuple[int, list[str]]]:
    """Every table's rows in the body (HTML and Markdown), as (line, cells)."""
    out = _html_rows(body)
    for number_, line in enumerate(body.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("|") and not re.fullmatch(r"[|:\- ]+", stripped):
            inner = stripped[1:-1] if stripped.endswith("|") and len(stripped) > 1 else stripped[1:]
            out.append((number_, [_text(c) for c in inner.split("|")]))
    return out


def _columns(header: list[str]) -> dict[str, int] | None:
    """Where the table's columns are.

    Of several GPU-hours columns (Llama 3.2's ``Training Time (GPU hours)`` and ``Logit Generation Time
    (GPU Hours)``) the training one counts, else the first.
    """
    found: dict[str, int] = {}
    names = [h.lower().replace(" ", "") for h in header]
    for i, name in enumerate(names):
        if "gpuhours" in name:
            if "hours" not in found or ("training" in name and "training" not in names[found["hours"]]):
                found["hours"] = i
        elif "power" in name and "(w)" in name:
            found["power"] = i
        elif "co2" in name and "market" in name:
            found["market"] = i
        elif "co2" in name:
            found["location"] = i
    return found if "hours" in found and ("location" in found or "power" in found) else None


def emission_unit(header: list[str]) -> str | None:
    """The unit of the emission columns: tonnes (``tons``, ``tCO2eq``), kg or g; None when not said."""
    spaceless = [h.lower().replace(" ", "") for h in header]
    joined = "".join(h for h in spaceless if "co2" in h)
    for marks, unit in ((("tons", "tonnes", "tco2", "(t)"), "t"), (("kgco2", "(kg)"), "kg"), (("gco2", "(g)"), "g")):
        if any(m in joined for m in marks):
            return unit
    return None


def find_table(body: str) -> CardTable | None:
    """The first training-compute table in a card's body, or None."""
    rows = _rows(body)
    for k, (_, header) in enumerate(rows):
        cols = _columns(header)
        if cols is None:
            continue
        unit = emission_unit(header)
        if unit is None and ("location" in cols or "market" in cols):
            raise InputError("the training table's emission columns do not say their unit (tons, kg or g CO2eq)")
        return _read(rows[k + 1 :], cols, unit or "t")
    return None


def _read(rows: list[tuple[int, list[str]]], cols: dict[str, int], unit: str) -> CardTable:
    read: list[CardRow] = []
    total = None
    for line, cells in rows:
        if not cells or not cells[0] or _columns(cells) is not None:
            break

        def at(key: str, cells: list[str] = cells) -> Cell | None:
            i = cols.get(key)
            return number(cells[i]) if i is not None and i < len(cells) else None

        row = CardRow(cells[0][:200], line, at("hours"), at("power"), at("location"), at("market"))
        if row.gpu_hours is None and row.location_t is None:
            break
        if cells[0].lower().startswith("total"):
            total = row
            break
        read.append(row)
        if len(read) >= MAX_ROWS:
            break
    return CardTable(tuple(read), total, unit)


def normalised(name: str) -> str:
    """A model name reduced to lower-case letters and digits, for matching a row to the card's model."""
    return re.sub(r"[^a-z0-9]", "", name.lower())
