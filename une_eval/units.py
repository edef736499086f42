"""The unit conversion tables: every unit an imported source may write, and its exact factor.

Sources write energy in kWh (CodeCarbon, AI Energy Score, Carbontracker), J or mJ (Zeus, NVML), Wh
(ML.ENERGY), power in W or mW, durations in s, ms or ns, and emissions in kg (CodeCarbon,
Carbontracker), g (Hugging Face model cards) or tonnes (model-card training tables). Each kind of
quantity has one table from unit symbol to an exact rational factor onto the kind's base unit (J, W,
s, g CO2e). A unit not in the table is an error, never a guess: :class:`UnitError`.
"""

from __future__ import annotations

import enum
import math
from fractions import Fraction

from une_eval.errors import InputError


class UnitError(InputError):
    """A value written in a unit the tables do not know (or of another kind of quantity)."""


class Kind(enum.StrEnum):
    """A kind of quantity, named after its base unit."""

    ENERGY = "J"
    POWER = "W"
    DURATION = "s"
    MASS_CO2E = "g"


TABLES: dict[Kind, dict[str, Fraction]] = {
    Kind.ENERGY: {
        "uJ": Fraction(1, 1_000_000),
        "µJ": Fraction(1, 1_000_000),
        "mJ": Fraction(1, 1000),
        "J": Fraction(1),
        "kJ": Fraction(1000),
        "MJ": Fraction(1_000_000),
        "mWh": Fraction(18, 5),
        "Wh": Fraction(3600),
        "kWh": Fraction(3_600_000),
        "MWh": Fraction(3_600_000_000),
        "GWh": Fraction(3_600_000_000_000),
    },
    Kind.POWER: {
        "mW": Fraction(1, 1000),
        "W": Fraction(1),
        "kW": Fraction(1000),
        "MW": Fraction(1_000_000),
    },
    Kind.DURATION: {
        "ns": Fraction(1, 1_000_000_000),
        "us": Fraction(1, 1_000_000),
        "µs": Fraction(1, 1_000_000),
        "ms": Fraction(1, 1000),
        "s": Fraction(1),
        "min": Fraction(60),
        "h": Fraction(3600),
    },
    Kind.MASS_CO2E: {
        "mg": Fraction(1, 1000),
        "g": Fraction(1),
        "kg": Fraction(1000),
        "t": Fraction(1_000_000),
    },
}


def factor(unit: str, kind: Kind) -> Fraction:
    """The exact factor from ``unit`` to the base unit of ``kind``; :class:`UnitError` if unknown."""
    try:
        return TABLES[kind][unit]
    except KeyError:
        for other, table in TABLES.items():
            if unit in table:
                raise UnitError(f"{unit!r} is a unit of {other.name.lower()}, not of {kind.name.lower()}") from None
        known = ", ".join(TABLES[kind])
        raise UnitError(f"unknown {kind.name.lower()} unit {unit!r} (known: {known})") from None


def convert(value: float, unit: str, to: str, kind: Kind) -> float:
    """``value`` in ``unit`` expressed in ``to`` (both of ``kind``); a non-finite value is refused."""
    if not math.isfinite(value):
        raise UnitError(f"{value!r} {unit} is not a finite number")
    ratio = factor(unit, kind) / factor(to, kind)
    result = value * ratio.numerator / ratio.denominator if ratio.denominator != 1 else value * ratio.numerator
    if not math.isfinite(result):
        raise UnitError(f"{value!r} {unit} is too large to express in {to}")
    return result


def to_base(value: float, unit: str, kind: Kind) -> float:
    """``value`` in ``unit`` expressed in the base unit of ``kind`` (J, W, s or g CO2e)."""
    return convert(value, unit, kind.value, kind)


def joules(value: float, unit: str) -> float:
    """An energy in J."""
    return to_base(value, unit, Kind.ENERGY)


def watts(value: float, unit: str) -> float:
    """A power in W."""
    return to_base(value, unit, Kind.POWER)


def seconds(value: float, unit: str) -> float:
    """A duration in s."""
    return to_base(value, unit, Kind.DURATION)


def grams_co2e(value: float, unit: str) -> float:
    """A mass of CO2-equivalent in g."""
    return to_base(value, unit, Kind.MASS_CO2E)
