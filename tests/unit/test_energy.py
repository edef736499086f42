from __future__ import annotations

import math

import numpy as np
import pytest

from une_eval.energy import (
    CounterReset,
    counter_delta,
    counter_series_delta,
    energy_per_unit_j,
    from_joules,
    integrate_power_j,
    relative_difference,
    run_statistics,
    sci_score,
    significant_figures,
    t975,
    to_joules,
)


def test_unit_conversions_round_trip() -> None:
    assert to_joules(1.0, "Wh") == 3600.0
    assert to_joules(2.5, "MWh") == 9.0e9
    assert from_joules(3.6e6, "kWh") == pytest.approx(1.0)


def test_statistics_match_a_hand_computation() -> None:
    stats = run_statistics([10.0, 12.0, 11.0, 13.0, 9.0])
    assert stats.mean == pytest.approx(11.0)
    assert stats.std == pytest.approx(math.sqrt(2.5))
    assert stats.cv_pct == pytest.approx(100 * math.sqrt(2.5) / 11.0)
    half = 2.7764451052 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4)
    assert (stats.ci95_low, stats.ci95_high) == pytest.approx((11.0 - half, 11.0 + half))


def test_statistics_of_one_and_no_runs() -> None:
    assert run_statistics([5.0]).ci95_low == 5.0
    assert run_statistics([]).n_runs == 0


def test_t_quantiles() -> None:
    # Reference quantiles (R's qt(0.975, df), 10 digits); a table above 30 df was up to 1 % off.
    for df, want in (
        (1, 12.706204736),
        (4, 2.776445105),
        (30, 2.042272456),
        (40, 2.02107539),
        (50, 2.008559112),
        (100, 1.983971519),
        (1000, 1.962339081),
    ):
        assert t975(df) == pytest.approx(want, abs=2e-9), df
    assert t975(10**7) == pytest.approx(1.959963985, abs=1e-6)
    with pytest.raises(ValueError, match="at least 1"):
        t975(0)


def test_counter_delta_wraps_only_when_told() -> None:
    assert counter_delta(100, 250) == 150
    assert counter_delta(900, 100, wrap_at=1000) == 200
    with pytest.raises(CounterReset):
        counter_delta(900, 100)


def test_counter_series_counts_wraps_and_resets() -> None:
    series = np.array([990.0, 995.0, 5.0, 20.0])
    assert counter_series_delta(series, wrap_at=1000.0) == (30.0, 1)
    assert counter_series_delta(series) == (20.0, 1)
    assert counter_series_delta(np.array([1.0])) == (0.0, 0)


def test_trapezoid_integration() -> None:
    t = np.array([0.0, 1.0, 3.0])
    p = np.array([100.0, 200.0, 200.0])
    assert integrate_power_j(t, p) == pytest.approx(150.0 + 400.0)


def test_derived_figures() -> None:
    assert energy_per_unit_j(3600.0, 2000, 1000) == 1800.0
    assert sci_score(2.0, 100.0, 50.0, 5.0) == pytest.approx(50.0)
    assert relative_difference(0.0, 0.0) == 0.0
    assert relative_difference(99.0, 100.0) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="positive"):
        energy_per_unit_j(1.0, 0, 1)


@pytest.mark.parametrize(
    ("literal", "figures"),
    [("1", 1), ("1200", 2), ("1.0", 2), ("1.20", 3), ("0.05", 1), ("0.050", 2), ("3.1e4", 2), ("-12", 2), ("0", 1)],
)
def test_significant_figures(literal: str, figures: int) -> None:
    assert significant_figures(literal) == figures


def test_student_t_cdf_is_symmetric_and_monotone() -> None:
    from une_eval.energy import student_t_cdf

    assert student_t_cdf(0.0, 5) == pytest.approx(0.5)
    assert student_t_cdf(-2.0, 7) == pytest.approx(1 - student_t_cdf(2.0, 7))
    assert student_t_cdf(t975(12), 12) == pytest.approx(0.975, abs=1e-12)
