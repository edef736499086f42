"""A whole training run's energy predicted from a measured part of it, with a stated prediction interval.

Training runs for days; an auditor measures a part (runs of a number of steps or tokens after the
warm-up) and predicts the rest. The prediction is an estimate and says so everywhere it appears
(``provenance: estimated``); it never replaces the measured energy.

With n complete measured runs, run k doing ``u_k`` units for ``E_k`` joules, ``U = sum u_k`` and
``E = sum E_k``, the full run of ``N`` units is predicted as the measured part plus the rest at the
pooled energy per unit ``e = E / U``::

    E_full = E + e (N - U)

The rest is ``M = (N - U) / (U / n)`` more chunks of the measured runs' size. The 95 % prediction
interval for the mean energy per unit of M future chunks, from the n measured ones (Student's t with
n - 1 degrees of freedom, ``s`` the sample standard deviation of the runs' energy per unit), is
``e ± t s sqrt(1/n + 1/M)``; it is applied to the ``N - U`` units still to come. The counters' own
interval (each run's ``energy_min_j`` .. ``energy_max_j``, where declared) widens both sides, so the
interval never claims more than the measurement resolves. What it assumes, and says in ``method``:
the unmeasured steps draw the energy per unit of the measured ones; evaluation, checkpointing,
restarts and idle time outside the measured steps are not in it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from une_eval.energy import t975
from une_eval.errors import InputError

PREDICTION_UNITS = ("step", "token", "sample")
CONFIDENCE = 0.95
MAX_UNITS = 1e18
METHOD = (
    "Measured part plus the rest at the pooled energy per unit of the complete measured runs: "
    "E + (E/U)(N - U). 95 % prediction interval for the mean energy per unit of (N - U)/(U/n) future chunks "
    "of the measured runs' size (Student's t, n - 1 degrees of freedom), widened by the counters' interval. "
    "Assumes the unmeasured units draw the energy per unit of the measured ones; evaluation, checkpointing, "
    "restarts and idle time outside the measured steps are not included. An estimate, not a measurement."
)


def _r(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, 5 - math.floor(math.log10(abs(value))))


def check_full_run_units(full_run_units: float, unit: str) -> None:
    """Refuse a full-run size or unit that no prediction can be stated in."""
    if unit not in PREDICTION_UNITS:
        raise InputError(f"a full run is predicted in steps, tokens or samples, not in {unit}s")
    if not (math.isfinite(full_run_units) and 0 < full_run_units <= MAX_UNITS):
        raise InputError(f"the full run's size takes a number in (0, {MAX_UNITS:g}], not {full_run_units!r}")


def predict_full_run(runs: Sequence[Mapping[str, Any]], unit: str, full_run_units: float) -> dict[str, Any]:
    """The ``results.prediction`` object from the complete runs (``energy.total_j``, ``work_units``)."""
    check_full_run_units(full_run_units, unit)
    used = [r for r in runs if r["complete"] and r["work_units"] > 0]
    if len(used) < 2:
        raise InputError(f"a prediction needs at least 2 complete measured runs with work units, not {len(used)}")
    units = [float(r["work_units"]) for r in used]
    energies = [float(r["energy"]["total_j"]) for r in used]
    measured_units, measured_j = math.fsum(units), math.fsum(energies)
    rest = full_run_units - measured_units
    if rest <= 0:
        raise InputError(
            f"the full run ({full_run_units:g} {unit}s) is not longer than the measured part "
            f"({measured_units:g}): it was measured whole, there is nothing to predict"
        )
    per_unit = [e / u for e, u in zip(energies, units, strict=True)]
    n = len(used)
    chunks = rest / (measured_units / n)
    half_per_unit = t975(n - 1) * statistics.stdev(per_unit) * math.sqrt(1 / n + 1 / chunks)
    low_j = math.fsum(float(r.get("energy_min_j", r["energy"]["total_j"])) for r in used)
    high_j = math.fsum(float(r.get("energy_max_j", r["energy"]["total_j"])) for r in used)
    point = measured_j + measured_j / measured_units * rest
    low = low_j + (low_j / measured_units - half_per_unit) * rest
    high = high_j + (high_j / measured_units + half_per_unit) * rest
    return {
        "provenance": "estimated",
        "unit": unit,
        "measured_units": _r(measured_units),
        "full_run_units": _r(full_run_units),
        "energy_j": _r(point),
        "low_j": _r(max(low, 0.0)),
        "high_j": _r(high),
        "confidence": CONFIDENCE,
        "n_runs": n,
        "method": METHOD,
    }


def coverage(prediction: Mapping[str, Any]) -> dict[str, Any]:
    """The training workload's ``coverage`` for a measured part extrapolated to the full run."""
    fraction = min(float(prediction["measured_units"]) / float(prediction["full_run_units"]), 1.0)
    return {
        "kind": "extrapolated",
        "measured_fraction": _r(fraction),
        "method": f"{prediction['n_runs']} measured runs of the full run's {prediction['unit']}s, "
        "extrapolated to the full run (results.prediction)",
    }


def add_prediction(doc: dict[str, Any], full_run_units: float) -> str | None:
    """Add ``results.prediction`` and the training coverage to a training submission; or say why not."""
    if doc.get("phase") != "training":
        raise InputError("a full run is predicted for training only")
    results = doc.get("results")
    runs = [r for r in doc["measurement"]["runs"] if r["complete"] and r["work_units"] > 0]
    if results is None or len(runs) < 2:
        return f"no prediction of the full run: {len(runs)} complete measured run(s) with work units, 2 needed"
    prediction = predict_full_run(doc["measurement"]["runs"], results["functional_unit"]["unit"], full_run_units)
    results["prediction"] = prediction
    training = doc.get("workload", {}).get("training")
    if isinstance(training, dict):
        training["coverage"] = coverage(prediction)
    return None
