"""The provenance of every result figure: recomputed, checked, declared, sourced or estimated.

:data:`FIGURES` is the table of figures a submission's results can carry: where each lives, its unit,
the rules that check it, and whether its value rests on measured energy (so that evidence recomputed
from the traces can vouch for it). :func:`figures_of` turns one checked submission into
:class:`~une_eval.audit.Figure` values. The rule is simple and strict: a figure is *checked* only when
every rule that checks it is enabled by the profile and raised nothing; *recomputed* when, in
addition, it rests on energy and every accelerator's energy in every run was recomputed from its trace
(assurance ``evidence-checked``), the profile runs the rules that compare the declared energies with
the traces (:data:`AGREEMENT_RULES`) and no evidence finding was raised; otherwise it is *declared*. External factors
are *sourced* (with their stated source); energy from a method the submission calls an estimate is
*estimated*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from une_eval.audit import Assurance, Figure, Provenance
from une_eval.findings import Finding, Severity, pointer
from une_eval.model import Results, Submission
from une_eval.spec import Profile

Getter = Callable[[Results], float | None]


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """One row of the table: a result figure and how it can be established."""

    key: str
    path: tuple[str, ...]  # pointer tokens below /results
    unit: Callable[[Results], str]
    get: Getter
    rules: tuple[str, ...]
    energy_based: bool


def _energy_unit(res: Results) -> str:
    return res.energy_per_unit.unit


def _net_unit(res: Results) -> str:
    return res.net_energy_per_unit.unit if res.net_energy_per_unit is not None else ""


def _attribute_path(path: tuple[str, ...]) -> Getter:
    """A getter that walks ``path`` through the results model (None where a part is absent)."""

    def get(res: Results) -> float | None:
        node: Any = res
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return None
        return float(node)

    return get


def _spec(key: str, unit: str | Callable[[Results], str], rules: tuple[str, ...], energy_based: bool) -> FigureSpec:
    path = tuple(key.split("."))
    unit_of = unit if callable(unit) else (lambda _res, u=unit: u)
    return FigureSpec(key, path, unit_of, _attribute_path(path), rules, energy_based)


_SUM = ("totals.runs-sum", "totals.run-components")
_STATS = ("results.statistics",)
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "energy_per_unit",
        ("energy_per_unit", "value"),
        _energy_unit,
        _attribute_path(("energy_per_unit", "value")),
        ("results.per-unit", *_SUM),
        True,
    ),
    FigureSpec(
        "net_energy_per_unit",
        ("net_energy_per_unit", "value"),
        _net_unit,
        _attribute_path(("net_energy_per_unit", "value")),
        ("results.per-unit", *_SUM, "baseline.duration"),
        True,
    ),
    _spec("energy_total.total_j", "J", _SUM, True),
    _spec("energy_total.gpu_j", "J", _SUM, True),
    _spec("energy_total.cpu_j", "J", _SUM, True),
    _spec("energy_total.dram_j", "J", _SUM, True),
    _spec("energy_total.system_j", "J", _SUM, True),
    _spec("work_units_total", "work units", ("totals.runs-sum",), False),
    _spec("statistics.mean", _energy_unit, _STATS, True),
    _spec("statistics.std", _energy_unit, _STATS, True),
    _spec("statistics.cv_pct", "%", _STATS, True),
    _spec("statistics.ci95_low", _energy_unit, _STATS, True),
    _spec("statistics.ci95_high", _energy_unit, _STATS, True),
    _spec("mean_power_w", "W", ("results.mean-power",), True),
    _spec("throughput_per_s", "work units/s", ("results.throughput",), False),
    _spec("facility_energy_kwh", "kWh", ("derived.facility-energy", *_SUM), True),
    _spec("emissions_g_co2e", "g CO2e", ("derived.emissions", "derived.facility-energy", *_SUM), True),
    _spec("water_l", "L", ("derived.water", *_SUM), True),
    _spec("sci.score_g_co2e_per_unit", "g CO2e per functional unit", ("derived.sci", *_SUM), True),
)
_POINTERS = {spec.key: pointer("results", *spec.path) for spec in FIGURES}  # built once, not per file
# Figures that combine measured energy with a sourced factor are checked, never "recomputed": the factor
# is the site's, not something a trace can show.
_WITH_FACTOR = frozenset({"facility_energy_kwh", "emissions_g_co2e", "water_l", "sci.score_g_co2e_per_unit"})
# The evidence rules that establish that a declared energy agrees with the one recomputed from its trace,
# from a trace dense enough to recompute it: a figure is "recomputed" only when the profile runs them all.
AGREEMENT_RULES = (
    "evidence.energy",
    "evidence.run-energy",
    "evidence.coverage",
    "evidence.gaps",
    "evidence.counter-reset",
)


def _failed_rules(findings: Iterable[Finding]) -> set[str]:
    return {f.rule_id for f in findings if f.severity is not Severity.INFO}


def _estimated_energy(sub: Submission) -> bool:
    """Whether the submission measures any energy component with an estimate or marks one unavailable."""
    return any(m.method == "estimate" for m in sub.measurement.methods)


def _provenance(
    spec: FigureSpec, profile: Profile, failed: set[str], evidence_ok: bool, estimated: bool, computed: bool
) -> tuple[Provenance, str, tuple[str, ...]]:
    if computed:  # une-eval computed the figure itself from the declared runs (the submission had no results)
        if spec.energy_based and estimated:
            return Provenance.ESTIMATED, "computed by une-eval from runs whose energy the submission estimates", ()
        if spec.energy_based and evidence_ok and spec.key not in _WITH_FACTOR:
            return Provenance.RECOMPUTED, "computed by une-eval from runs recomputed from the raw traces", ()
        return Provenance.CHECKED, "computed by une-eval from the declared runs", ()
    missing = [r for r in spec.rules if r not in profile.rules]
    broken = [r for r in spec.rules if r in failed]
    if missing:
        return Provenance.DECLARED, f"taken as declared: profile {profile.name} does not run {', '.join(missing)}", ()
    if broken:
        return Provenance.DECLARED, f"taken as declared: its check {', '.join(broken)} failed", ()
    held = spec.rules
    if spec.energy_based and estimated:
        return (
            Provenance.ESTIMATED,
            f"consistent by {', '.join(held)}, but rests on energy the submission estimates",
            held,
        )
    if spec.energy_based and evidence_ok and spec.key not in _WITH_FACTOR:
        return Provenance.RECOMPUTED, f"recomputed from the raw traces; consistent by {', '.join(held)}", held
    return Provenance.CHECKED, f"declared, and consistent with the other declared figures by {', '.join(held)}", held


def _site_figures(sub: Submission) -> list[Figure]:
    site = sub.system.site
    out = [
        Figure(
            "site.pue",
            pointer("system", "site", "pue", "value"),
            site.pue.value,
            "",
            Provenance.SOURCED,
            f"source: {site.pue.source}",
        ),
        Figure(
            "site.grid_intensity",
            pointer("system", "site", "grid_intensity", "value_g_per_kwh"),
            site.grid_intensity.value_g_per_kwh,
            "g CO2e/kWh",
            Provenance.SOURCED,
            f"source: {site.grid_intensity.source} ({site.grid_intensity.year}, {site.grid_intensity.basis})",
        ),
    ]
    if site.wue is not None:
        out.append(
            Figure(
                "site.wue",
                pointer("system", "site", "wue", "value_l_per_kwh"),
                site.wue.value_l_per_kwh,
                "L/kWh",
                Provenance.SOURCED,
                f"source: {site.wue.source}",
            )
        )
    for i, method in enumerate(sub.measurement.methods):
        if method.instrument is not None and method.instrument.uncertainty_pct is not None:
            out.append(
                Figure(
                    f"instrument.{i}.uncertainty_pct",
                    pointer("measurement", "methods", i, "instrument", "uncertainty_pct"),
                    method.instrument.uncertainty_pct,
                    "%",
                    Provenance.DECLARED,
                    "the instrument's uncertainty as the submitter declares it; une-eval cannot check it",
                )
            )
    res = sub.results
    if res is not None and res.sci is not None:
        out.append(
            Figure(
                "sci.embodied_g_co2e",
                pointer("results", "sci", "embodied_g_co2e"),
                res.sci.embodied_g_co2e,
                "g CO2e",
                Provenance.SOURCED,
                f"embodied emissions as declared for {res.sci.boundary}",
            )
        )
    return out


def _prediction_figures(res: Results) -> list[Figure]:
    """A training run's predicted energy (une_eval.prediction): always an estimate, never measured."""
    p = res.prediction
    if p is None:
        return []
    basis = (
        f"predicted for the full run of {p.full_run_units:g} {p.unit}s from {p.n_runs} measured runs "
        f"({p.measured_units:g} {p.unit}s), {p.confidence:.0%} prediction interval; an estimate, not a measurement"
    )
    return [
        Figure(f"prediction.{name}", pointer("results", "prediction", name), value, "J", Provenance.ESTIMATED, basis)
        for name, value in (("energy_j", p.energy_j), ("low_j", p.low_j), ("high_j", p.high_j))
    ]


def figures_of(
    sub: Submission, findings: Iterable[Finding], profile: Profile, assurance: Assurance, *, computed: bool = False
) -> tuple[Figure, ...]:
    """Every figure of the submission's results and site, with its provenance."""
    findings = list(findings)
    failed = _failed_rules(findings)
    evidence_ok = (
        assurance is Assurance.EVIDENCE_CHECKED
        and all(r in profile.rules for r in AGREEMENT_RULES)
        and not any(r.startswith("evidence.") for r in failed)
    )
    estimated = _estimated_energy(sub)
    out: list[Figure] = []
    res = sub.results
    if res is not None:
        for spec in FIGURES:
            value = spec.get(res)
            if value is None:
                continue
            provenance, basis, rules = _provenance(spec, profile, failed, evidence_ok, estimated, computed)
            out.append(Figure(spec.key, _POINTERS[spec.key], value, spec.unit(res), provenance, basis, rules))
        out += _prediction_figures(res)
    return tuple(out + _site_figures(sub))


__all__ = ["AGREEMENT_RULES", "FIGURES", "FigureSpec", "figures_of"]
