"""Derived indicators: facility energy, emissions, water and SCI follow from energy and site (``derived.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.energy import emissions_g, facility_energy_kwh, relative_difference, sci_score, water_l
from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, Term, msg, rule


@rule("derived.facility-energy")
def facility(ctx: RuleContext) -> Iterator[Problem]:
    """Facility energy equals IT energy times PUE."""
    res = ctx.sub.results
    if res is None or res.facility_energy_kwh is None:
        return
    expected = facility_energy_kwh(res.energy_total.total_j, ctx.sub.system.site.pue.value)
    if relative_difference(res.facility_energy_kwh, expected) > ctx.param("tolerance_rel"):
        yield Problem(
            pointer("results", "facility_energy_kwh"),
            msg(
                "declared {declared} kWh, IT energy x PUE gives {expected} kWh",
                declared=res.facility_energy_kwh,
                expected=expected,
            ),
        )


@rule("derived.emissions")
def emissions(ctx: RuleContext) -> Iterator[Problem]:
    """Emissions equal facility energy times the location-based grid intensity."""
    res = ctx.sub.results
    if res is None or res.emissions_g_co2e is None:
        return
    fac = facility_energy_kwh(res.energy_total.total_j, ctx.sub.system.site.pue.value)
    expected = emissions_g(fac, ctx.sub.system.site.grid_intensity.value_g_per_kwh)
    if relative_difference(res.emissions_g_co2e, expected) > ctx.param("tolerance_rel"):
        yield Problem(
            pointer("results", "emissions_g_co2e"),
            msg(
                "declared {declared} gCO2e, facility energy x grid intensity gives {expected} gCO2e",
                declared=res.emissions_g_co2e,
                expected=expected,
            ),
        )


@rule("derived.water")
def water(ctx: RuleContext) -> Iterator[Problem]:
    """Water equals IT energy times WUE; declaring water needs a WUE."""
    res = ctx.sub.results
    if res is None or res.water_l is None:
        return
    wue = ctx.sub.system.site.wue
    if wue is None:
        yield Problem(pointer("results", "water_l"), msg("water is declared but the site declares no WUE"))
        return
    expected = water_l(res.energy_total.total_j, wue.value_l_per_kwh)
    if relative_difference(res.water_l, expected) > ctx.param("tolerance_rel"):
        yield Problem(
            pointer("results", "water_l"),
            msg("declared {declared} L, IT energy x WUE gives {expected} L", declared=res.water_l, expected=expected),
        )


@rule("derived.sci")
def sci(ctx: RuleContext) -> Iterator[Problem]:
    """The SCI score equals (E x I + M) per R with E, I and R consistent with the rest of the file."""
    res = ctx.sub.results
    if res is None or res.sci is None:
        return
    s, tol = res.sci, ctx.param("tolerance_rel")
    fac = facility_energy_kwh(res.energy_total.total_j, ctx.sub.system.site.pue.value)
    if relative_difference(s.energy_kwh, fac) > tol:
        yield Problem(
            pointer("results", "sci", "energy_kwh"),
            msg("E = {energy} kWh, the facility energy is {facility} kWh", energy=s.energy_kwh, facility=fac),
        )
    site_i = ctx.sub.system.site.grid_intensity.value_g_per_kwh
    if relative_difference(s.intensity_g_per_kwh, site_i) > tol:
        yield Problem(
            pointer("results", "sci", "intensity_g_per_kwh"),
            msg(
                "I = {declared} gCO2e/kWh, the site declares {site} gCO2e/kWh",
                declared=s.intensity_g_per_kwh,
                site=site_i,
            ),
        )
    if s.functional_unit.unit != res.functional_unit.unit:
        yield Problem(
            pointer("results", "sci", "functional_unit", "unit"),
            msg(
                "R is per {sci_unit}, the results are per {unit}",
                sci_unit=Term(s.functional_unit.unit),
                unit=Term(res.functional_unit.unit),
            ),
        )
        return
    r_units = res.work_units_total / s.functional_unit.count
    if r_units <= 0:
        return
    expected = sci_score(s.energy_kwh, s.intensity_g_per_kwh, s.embodied_g_co2e, r_units)
    if relative_difference(s.score_g_co2e_per_unit, expected) > tol:
        yield Problem(
            pointer("results", "sci", "score_g_co2e_per_unit"),
            msg(
                "declared {declared} gCO2e per {count} {unit}, (E x I + M) / R gives {expected}",
                declared=s.score_g_co2e_per_unit,
                count=s.functional_unit.count,
                unit=Term(s.functional_unit.unit),
                expected=expected,
            ),
        )
