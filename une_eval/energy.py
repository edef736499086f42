"""The arithmetic of energy results, shared by the validator and the measurement runner.

Unit conversions, statistics across runs (mean, sample standard deviation, coefficient of variation,
95% confidence interval from Student's t), and the derived indicators: facility energy with PUE,
location-based emissions, water with WUE and the ISO/IEC 21031 SCI score. Pure functions, no I/O.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy loads with the first trace (the two series functions below), not with the rules
    import numpy as np
    import numpy.typing as npt

J_PER_WH = 3600.0
J_PER_UNIT = {"J": 1.0, "Wh": J_PER_WH, "kWh": 1000 * J_PER_WH, "MWh": 1_000_000 * J_PER_WH}


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b), by its continued fraction (modified Lentz).

    The continued fraction converges fast for x < (a + 1) / (a + b + 2); the symmetry
    I_x(a, b) = 1 - I_(1-x)(b, a) covers the rest.
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - _incomplete_beta(b, a, 1.0 - x)
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.exp(log_front) * fraction / a


def student_t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t distribution with ``df`` degrees of freedom."""
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@functools.lru_cache(maxsize=256)  # a pure function of df: a file's runs all ask for the same few values
def t975(df: int) -> float:
    """t(0.975, df): the two-sided 95% Student-t quantile, computed (not from a table) to ~1e-12.

    Solved by bisection on :func:`student_t_cdf`; t(0.975, 1) = 12.7062, t(0.975, 30) = 2.04227,
    t(0.975, 100) = 1.98397, tending to the normal 1.95996.
    """
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    low, high = 1.959, 12.71  # the quantile decreases with df from t(0.975, 1) to the normal quantile
    for _ in range(100):
        mid = (low + high) / 2.0
        if student_t_cdf(mid, df) < 0.975:
            low = mid
        else:
            high = mid
        if high - low < 1e-13:
            break
    return (low + high) / 2.0


def to_joules(value: float, unit: str) -> float:
    """Convert an energy in ``unit`` (J, Wh, kWh, MWh) to joules."""
    return value * J_PER_UNIT[unit]


def from_joules(energy_j: float, unit: str) -> float:
    """Convert joules to ``unit`` (J, Wh, kWh, MWh)."""
    return energy_j / J_PER_UNIT[unit]


@dataclass(frozen=True, slots=True)
class RunStatistics:
    """Statistics of one quantity across measured runs."""

    n_runs: int
    mean: float
    std: float
    cv_pct: float
    ci95_low: float
    ci95_high: float


def run_statistics(values: Sequence[float]) -> RunStatistics:
    """Mean, sample standard deviation (n - 1), CV in % and a Student-t 95% CI of the mean."""
    n = len(values)
    if n == 0:
        return RunStatistics(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    mean = math.fsum(values) / n
    if n == 1:
        return RunStatistics(1, mean, 0.0, 0.0, mean, mean)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    cv_pct = 100.0 * std / mean if mean > 0 else 0.0
    half = t975(n - 1) * std / math.sqrt(n)
    return RunStatistics(n, mean, std, cv_pct, mean - half, mean + half)


def energy_per_unit_j(energy_j: float, work_units: float, unit_count: float) -> float:
    """Energy per functional unit of ``unit_count`` work units (e.g. per 1000 queries), in joules."""
    if work_units <= 0:
        raise ValueError("work units must be positive to normalise energy")
    return energy_j / work_units * unit_count


def facility_energy_kwh(it_energy_j: float, pue: float) -> float:
    """IT energy scaled by the site's power usage effectiveness, in kWh."""
    return from_joules(it_energy_j, "kWh") * pue


def emissions_g(facility_kwh: float, intensity_g_per_kwh: float) -> float:
    """Location-based operational emissions in gCO2e."""
    return facility_kwh * intensity_g_per_kwh


def water_l(it_energy_j: float, wue_l_per_kwh: float) -> float:
    """Site water use in litres: IT energy times WUE (The Green Grid: litres per kWh of IT energy)."""
    return from_joules(it_energy_j, "kWh") * wue_l_per_kwh


def sci_score(energy_kwh: float, intensity_g_per_kwh: float, embodied_g: float, functional_units: float) -> float:
    """ISO/IEC 21031 SCI: (E x I + M) per R, with R the number of functional units."""
    if functional_units <= 0:
        raise ValueError("the number of functional units R must be positive")
    return (energy_kwh * intensity_g_per_kwh + embodied_g) / functional_units


def relative_difference(declared: float, expected: float) -> float:
    """|declared - expected| relative to the larger magnitude (0 when both are 0)."""
    scale = max(abs(declared), abs(expected))
    return 0.0 if scale == 0 else abs(declared - expected) / scale


def significant_figures(literal: str) -> int:
    """Significant figures of a number as written in JSON ('1200' -> 2, '1.20' -> 3, '0.05' -> 1)."""
    mantissa = literal.lower().split("e")[0].lstrip("+-")
    if "." in mantissa:
        digits = mantissa.replace(".", "").lstrip("0")
        return max(len(digits), 1) if digits else 1
    digits = mantissa.lstrip("0").rstrip("0")
    return max(len(digits), 1)


class CounterReset(ValueError):
    """A cumulative energy counter went backwards without a wrap: the driver reloaded or the device reset."""


def counter_delta(start: float, end: float, *, wrap_at: float | None = None) -> float:
    """Energy between two reads of a cumulative counter, in the counter's unit.

    ``wrap_at`` is the counter's range (RAPL ``max_energy_range_uj``); a decrease with ``wrap_at`` set is
    one wrap. A decrease without it (NVML total energy) raises :class:`CounterReset`: the run is invalid.
    Reading often enough that at most one wrap can happen between reads is the caller's job.
    """
    if end >= start:
        return end - start
    if wrap_at is None:
        raise CounterReset(f"counter went backwards from {start} to {end}")
    return wrap_at - start + end


def counter_series_delta(values: npt.NDArray[np.float64], *, wrap_at: float | None = None) -> tuple[float, int]:
    """Total increase over a series of cumulative counter reads, and the number of decreases seen.

    Vectorised for traces of millions of samples. Each decrease counts as a wrap when ``wrap_at`` is
    given (adding ``wrap_at``); otherwise decreases are resets and contribute nothing: the caller decides
    from the returned count whether the series is usable.
    """
    import numpy as np

    if values.size < 2:
        return 0.0, 0
    steps = np.diff(values)
    down = steps < 0
    n_down = int(np.count_nonzero(down))
    if wrap_at is None:
        return float(steps[~down].sum()), n_down
    return float(steps.sum() + wrap_at * n_down), n_down


def integrate_power_j(time_s: npt.NDArray[np.float64], power_w: npt.NDArray[np.float64]) -> float:
    """Trapezoidal integral of power samples over time, in joules (the labelled fallback method)."""
    import numpy as np

    if time_s.size < 2:
        return 0.0
    return float(np.sum((power_w[1:] + power_w[:-1]) * np.diff(time_s)) / 2.0)
