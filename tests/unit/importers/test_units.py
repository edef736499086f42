"""The importers' unit tables: exact factors, the right kind, an unknown unit refused."""

from __future__ import annotations

import pytest

from une_eval.units import Kind, UnitError, convert, grams_co2e, joules, seconds, watts


@pytest.mark.parametrize(
    ("value", "unit", "expected_j"),
    [
        (1.0, "kWh", 3_600_000.0),
        (0.5, "Wh", 1800.0),
        (2.0, "MWh", 7.2e9),
        (1234.0, "mJ", 1.234),
        (5_000_000.0, "uJ", 5.0),
        (5_000_000.0, "µJ", 5.0),
        (3.0, "J", 3.0),
        (1.5, "kJ", 1500.0),
    ],
)
def test_energy_to_joules(value: float, unit: str, expected_j: float) -> None:
    assert joules(value, unit) == pytest.approx(expected_j, rel=1e-15)


def test_kg_and_g_and_tonnes_of_co2e() -> None:
    assert grams_co2e(0.00123, "kg") == pytest.approx(1.23, rel=1e-15)
    assert grams_co2e(1.46, "g") == 1.46
    assert grams_co2e(11390.0, "t") == pytest.approx(1.139e10, rel=1e-15)
    assert convert(1500.0, "g", "kg", Kind.MASS_CO2E) == pytest.approx(1.5, rel=1e-15)


def test_power_and_time() -> None:
    assert watts(250_500.0, "mW") == pytest.approx(250.5, rel=1e-15)
    assert watts(1.2, "kW") == pytest.approx(1200.0, rel=1e-15)
    assert seconds(1_500_000_000.0, "ns") == pytest.approx(1.5, rel=1e-15)
    assert seconds(250.0, "ms") == pytest.approx(0.25, rel=1e-15)
    assert seconds(2.0, "h") == 7200.0


def test_round_trip_between_units_is_exact_enough() -> None:
    for unit in ("mJ", "J", "Wh", "kWh", "MWh"):
        there = convert(123.456, "kWh", unit, Kind.ENERGY)
        assert convert(there, unit, "kWh", Kind.ENERGY) == pytest.approx(123.456, rel=1e-15)


@pytest.mark.parametrize(
    ("unit", "kind", "words"),
    [
        ("kcal", Kind.ENERGY, "unknown energy unit 'kcal'"),
        ("kWH", Kind.ENERGY, "unknown energy unit"),
        ("lb", Kind.MASS_CO2E, "unknown mass_co2e unit 'lb'"),
        ("W", Kind.ENERGY, "'W' is a unit of power, not of energy"),
        ("kWh", Kind.POWER, "'kWh' is a unit of energy, not of power"),
        ("", Kind.DURATION, "unknown duration unit ''"),
    ],
)
def test_unknown_or_wrong_kind_of_unit_is_an_error(unit: str, kind: Kind, words: str) -> None:
    with pytest.raises(UnitError, match=words):
        convert(1.0, unit, kind.value, kind)


def test_non_finite_values_are_refused() -> None:
    with pytest.raises(UnitError, match="not a finite number"):
        joules(float("nan"), "kWh")
    with pytest.raises(UnitError, match="not a finite number"):
        joules(float("inf"), "J")


def test_unit_errors_are_input_errors_with_exit_code_2() -> None:
    from une_eval.errors import InputError

    assert issubclass(UnitError, InputError)
    assert UnitError("x").exit_code == 2
