"""Site factors: PUE and grid carbon intensity are plausible and location-based (``site.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("site.pue-range")
def pue_range(ctx: RuleContext) -> Iterator[Problem]:
    """PUE lies within the profile's plausible range."""
    low, high = ctx.param("min"), ctx.param("max")
    pue = ctx.sub.system.site.pue.value
    if not low <= pue <= high:
        yield Problem(
            pointer("system", "site", "pue", "value"),
            msg("PUE {pue} is outside [{low}, {high}]", pue=pue, low=low, high=high),
        )


@rule("site.intensity-range")
def intensity_range(ctx: RuleContext) -> Iterator[Problem]:
    """Grid carbon intensity lies within a plausible range of real grids."""
    low, high = ctx.param("min_g_per_kwh"), ctx.param("max_g_per_kwh")
    value = ctx.sub.system.site.grid_intensity.value_g_per_kwh
    if not low <= value <= high:
        yield Problem(
            pointer("system", "site", "grid_intensity", "value_g_per_kwh"),
            msg(
                "grid intensity {value} gCO2e/kWh is outside [{low}, {high}] gCO2e/kWh", value=value, low=low, high=high
            ),
        )


@rule("site.location-based")
def location_based(ctx: RuleContext) -> Iterator[Problem]:
    """Grid intensity is location-based (ISO/IEC 21031 excludes market-based instruments)."""
    if ctx.sub.system.site.grid_intensity.basis != "location-based":
        yield Problem(
            pointer("system", "site", "grid_intensity", "basis"),
            msg("grid intensity is market-based; a location-based value is required"),
        )
