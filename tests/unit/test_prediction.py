"""The full-run prediction's arithmetic, against a hand calculation."""

from __future__ import annotations

import math
from typing import Any

import pytest

from une_eval.errors import InputError
from une_eval.prediction import add_prediction, predict_full_run

T975_2 = 4.302652729911275  # Student's t, 97.5th percentile, 2 degrees of freedom (tables)


def _run(energy_j: float, units: float, complete: bool = True, **bounds: float) -> dict[str, Any]:
    return {"energy": {"total_j": energy_j}, "work_units": units, "complete": complete, **bounds}


def test_prediction_by_hand() -> None:
    runs = [_run(100, 10), _run(110, 10), _run(90, 10), _run(500, 10, complete=False)]
    p = predict_full_run(runs, "step", 100)
    # Measured 300 J over 30 steps; 70 steps to come at 10 J/step; per-step energies 10, 11, 9 (s = 1);
    # 70 steps are 7 chunks of 10: half-width t * s * sqrt(1/3 + 1/7) per step.
    half = T975_2 * 1.0 * math.sqrt(1 / 3 + 1 / 7) * 70
    assert p["energy_j"] == pytest.approx(1000.0)
    assert p["low_j"] == pytest.approx(1000.0 - half, rel=1e-5)
    assert p["high_j"] == pytest.approx(1000.0 + half, rel=1e-5)
    assert (p["n_runs"], p["measured_units"], p["provenance"]) == (3, 30, "estimated")


def test_the_counters_interval_widens_the_prediction() -> None:
    tight = predict_full_run([_run(100, 10), _run(100, 10)], "token", 40)
    assert tight["low_j"] == tight["high_j"] == tight["energy_j"] == pytest.approx(400.0)  # no spread, exact runs
    loose = [_run(100, 10, energy_min_j=98, energy_max_j=103), _run(100, 10, energy_min_j=99, energy_max_j=101)]
    p = predict_full_run(loose, "token", 40)
    assert p["energy_j"] == pytest.approx(400.0)
    assert p["low_j"] == pytest.approx(197 + 197 / 20 * 20)
    assert p["high_j"] == pytest.approx(204 + 204 / 20 * 20)


@pytest.mark.parametrize(
    ("runs", "full", "unit", "message"),
    [
        ([_run(100, 10)], 100, "step", "at least 2"),
        ([_run(100, 10), _run(100, 10)], 20, "step", "nothing to predict"),
        ([_run(100, 10), _run(100, 10)], 100, "query", "steps, tokens or samples"),
        ([_run(100, 10), _run(100, 10)], float("inf"), "step", "full run's size"),
    ],
)
def test_refusals(runs: list[dict[str, Any]], full: float, unit: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        predict_full_run(runs, unit, full)


def test_add_prediction_needs_training_and_two_runs() -> None:
    doc: dict[str, Any] = {
        "phase": "training",
        "workload": {"training": {"coverage": {"kind": "whole-run", "measured_fraction": 1.0}}},
        "measurement": {"runs": [_run(100, 10)]},
        "results": {"functional_unit": {"unit": "step", "count": 1}},
    }
    assert "2 needed" in (add_prediction(doc, 100) or "")
    assert "prediction" not in doc["results"]
    doc["measurement"]["runs"].append(_run(120, 10))
    assert add_prediction(doc, 100) is None
    assert doc["workload"]["training"]["coverage"]["kind"] == "extrapolated"
    assert doc["workload"]["training"]["coverage"]["measured_fraction"] == pytest.approx(0.2)
    with pytest.raises(InputError, match="training only"):
        add_prediction(doc | {"phase": "inference"}, 100)
