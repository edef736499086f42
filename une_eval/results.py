"""Build the ``results`` section of a submission from its runs and site, with the validator's arithmetic.

The measurement runner and the fixture builder call :func:`build_results`; the validator's rules
recompute the same figures with the same functions from :mod:`une_eval.energy`.
"""

from __future__ import annotations

import math
from typing import Any

from une_eval.energy import (
    emissions_g,
    energy_per_unit_j,
    facility_energy_kwh,
    from_joules,
    run_statistics,
    sci_score,
    water_l,
)

COMPONENT_KEYS = ("gpu_j", "cpu_j", "dram_j", "system_j")


def _round(value: float, digits: int = 6) -> float:
    """Round to ``digits`` significant figures (keeps files readable, far inside every tolerance)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def build_results(
    doc: dict[str, Any],
    *,
    unit: str,
    count: float,
    energy_unit: str = "Wh",
    embodied_g_co2e: float | None = None,
    sci_boundary: str | None = None,
) -> dict[str, Any]:
    """The ``results`` object for ``doc``'s complete runs, per ``count`` work units of ``unit``."""
    runs = [r for r in doc["measurement"]["runs"] if r["complete"]]
    site = doc["system"]["site"]
    totals = {
        key: math.fsum(r["energy"][key] for r in runs if key in r["energy"])
        for key in COMPONENT_KEYS
        if any(key in r["energy"] for r in runs)
    }
    total_j = math.fsum(r["energy"]["total_j"] for r in runs)
    work_units = math.fsum(r["work_units"] for r in runs)
    duration_s = math.fsum(r["duration_s"] for r in runs)
    per_run = [
        from_joules(energy_per_unit_j(r["energy"]["total_j"], r["work_units"], count), energy_unit)
        for r in runs
        if r["work_units"] > 0
    ]
    stats = run_statistics(per_run)
    out: dict[str, Any] = {
        "functional_unit": {"unit": unit, "count": count},
        "work_units_total": _round(work_units),
        "energy_total": {k: _round(v) for k, v in totals.items()} | {"total_j": _round(total_j)},
        "energy_per_unit": {
            "value": _round(from_joules(energy_per_unit_j(total_j, work_units, count), energy_unit))
            if work_units > 0
            else 0.0,
            "unit": energy_unit,
        },
        "statistics": {
            "n_runs": stats.n_runs,
            "mean": _round(stats.mean),
            "std": _round(stats.std),
            "cv_pct": _round(stats.cv_pct),
            "ci95_low": _round(stats.ci95_low),
            "ci95_high": _round(stats.ci95_high),
        },
    }
    idle_w = math.fsum(d["power_w"] for d in doc["measurement"]["idle_baseline"]["devices"])
    if work_units > 0 and idle_w > 0:
        net_j = max(total_j - idle_w * duration_s, 0.0)
        out["net_energy_per_unit"] = {
            "value": _round(from_joules(energy_per_unit_j(net_j, work_units, count), energy_unit)),
            "unit": energy_unit,
        }
    if duration_s > 0:
        out["mean_power_w"] = _round(total_j / duration_s)
        out["throughput_per_s"] = _round(work_units / duration_s)
    fac_kwh = facility_energy_kwh(total_j, site["pue"]["value"])
    intensity = site["grid_intensity"]["value_g_per_kwh"]
    out["facility_energy_kwh"] = _round(fac_kwh)
    out["emissions_g_co2e"] = _round(emissions_g(fac_kwh, intensity))
    if "wue" in site:
        out["water_l"] = _round(water_l(total_j, site["wue"]["value_l_per_kwh"]))
    if embodied_g_co2e is not None and work_units > 0:
        out["sci"] = {
            "score_g_co2e_per_unit": _round(sci_score(fac_kwh, intensity, embodied_g_co2e, work_units / count)),
            "energy_kwh": _round(fac_kwh),
            "intensity_g_per_kwh": intensity,
            "embodied_g_co2e": embodied_g_co2e,
            "functional_unit": {"unit": unit, "count": count},
            "boundary": sci_boundary
            or "accelerators, host CPU and DRAM of the measured nodes, with facility overhead (PUE)",
            "method": "ISO/IEC 21031:2024 SCI = (E x I + M) per R; E measured, I location-based annual average, "
            "M amortised embodied emissions of the hardware for the measured time",
        }
    return out
