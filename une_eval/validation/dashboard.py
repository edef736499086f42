"""The audit dashboard: what the HTML summary of a batch shows, computed from the audits' JSON.

One :class:`Dashboard` holds the table (one :class:`Row` per file: who and what, the verdict, the reason
a file could not be checked or does not conform, the efficiency class and the energy per functional
unit) and the geometry of its charts: verdicts, efficiency classes, the most frequent failing rules and
the energy per functional unit by group (phase and functional unit, so only comparable values share a
scale). The template in ``reports/summary.html.j2`` draws it; nothing here writes markup.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from une_eval.findings import Finding, Outcome, Severity
from une_eval.nodetable import NodeTable

CLASSES = ("A", "B", "C", "D", "E", "F", "G")
TOP_RULES = 10
STRIP_WIDTH = 260.0  # the energy strip's drawing width (SVG user units)


@dataclass(frozen=True, slots=True)
class Row:
    """One file's line in the table (strings as the audit JSON has them; the template translates codes)."""

    source: str
    name: str
    submission_id: str
    organisation: str
    model: str
    phase: str
    profile: str
    verdict: str
    assurance: str  # evidence-checked or declared-only ("" when the file could not be checked)
    errors: int
    warnings: int
    rating_class: str
    rating_scheme: str
    energy: float | None
    energy_unit: str  # e.g. "Wh", with the functional unit in unit_count and unit_name
    unit_count: float | None
    unit_name: str
    reason: str  # why the file could not be checked, or a plain word from its findings (the template words it)
    failed_rules: tuple[str, ...]
    findings: tuple[Finding, ...]
    nodes: NodeTable | None = None  # a many-node submission's per-node table
    prediction: Prediction | None = None  # a predicted full run: estimated, never measured


@dataclass(frozen=True, slots=True)
class Prediction:
    """A predicted full run's energy and its prediction interval, in J (figures of provenance estimated)."""

    energy_j: float
    low_j: float
    high_j: float
    provenance: str


def _prediction(verdict: Mapping[str, Any]) -> Prediction | None:
    figures = {f.get("key"): f for f in verdict.get("figures", ()) if isinstance(f, Mapping)}
    got: list[float] = []
    for key in ("energy_j", "low_j", "high_j"):
        value = figures.get(f"prediction.{key}", {}).get("value")
        if not isinstance(value, int | float) or not math.isfinite(value):
            return None
        got.append(float(value))
    return Prediction(got[0], got[1], got[2], str(figures["prediction.energy_j"].get("provenance", "")))


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a count chart: its label, count and length as a fraction of the longest."""

    label: str
    count: int
    fraction: float


@dataclass(frozen=True, slots=True)
class Strip:
    """Energy per functional unit of one comparable group: each file's position on a shared scale."""

    phase: str
    energy_unit: str
    unit_count: float
    unit_name: str
    values: tuple[float, ...]
    positions: tuple[float, ...]  # x in [0, STRIP_WIDTH], in the order of values
    low: float
    median: float
    high: float


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the HTML summary shows."""

    rows: tuple[Row, ...]
    verdicts: tuple[Bar, ...]
    classes: tuple[Bar, ...]
    rules: tuple[Bar, ...]
    strips: tuple[Strip, ...]
    profiles: tuple[str, ...]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _energy(verdict: Mapping[str, Any]) -> tuple[float | None, str]:
    figure = next((f for f in verdict.get("figures", ()) if f.get("key") == "energy_per_unit"), None)
    if figure is None or not isinstance(figure.get("value"), int | float) or not math.isfinite(figure["value"]):
        return None, ""
    return float(figure["value"]), _text(figure.get("unit"))


def row_of(verdict: Mapping[str, Any]) -> Row:
    """One table row from an audit's JSON (``Audit.to_json``)."""
    identity = verdict.get("submission") or {}
    findings = tuple(Finding.from_json(f) for f in verdict.get("findings", ()))
    failed = tuple(sorted({f.rule_id for f in findings if f.severity is Severity.ERROR}))
    energy, energy_unit = _energy(verdict)
    count = identity.get("functional_unit_count")
    return Row(
        source=_text(verdict.get("source")),
        name=PurePath(_text(verdict.get("source"))).name,
        submission_id=_text(identity.get("submission_id")),
        organisation=_text(identity.get("organisation")),
        model=_text(identity.get("model")),
        phase=_text(identity.get("phase")),
        profile=_text(verdict.get("profile")),
        verdict=_text(verdict.get("verdict")),
        assurance=_text(verdict.get("assurance")) if verdict.get("verdict") in ("conformant", "non-conformant") else "",
        errors=sum(1 for f in findings if f.severity is Severity.ERROR),
        warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
        rating_class=_text((verdict.get("rating") or {}).get("class")),
        rating_scheme=_text((verdict.get("rating") or {}).get("scheme")),
        energy=energy,
        energy_unit=energy_unit,
        unit_count=float(count) if isinstance(count, int | float) else None,
        unit_name=_text(identity.get("functional_unit")),
        reason=_text(verdict.get("error")),
        failed_rules=failed,
        findings=findings,
        nodes=NodeTable.from_json(verdict["nodes"]) if isinstance(verdict.get("nodes"), Mapping) else None,
        prediction=_prediction(verdict),
    )


def bars(counts: Sequence[tuple[str, int]]) -> tuple[Bar, ...]:
    """Bars for ``(label, count)`` pairs, each a fraction of the largest count."""
    top = max((n for _, n in counts), default=0)
    return tuple(Bar(label, n, n / top if top else 0.0) for label, n in counts)


def _strip(key: tuple[str, str, float, str], values: list[float]) -> Strip:
    low, high = min(values), max(values)
    span = high - low
    positions = tuple(STRIP_WIDTH * ((v - low) / span if span > 0 else 0.5) for v in values)
    return Strip(*key, tuple(values), positions, low, statistics.median(values), high)


def strips(rows: Sequence[Row]) -> tuple[Strip, ...]:
    """The energy per functional unit by comparable group (phase, energy unit, functional unit)."""
    groups: dict[tuple[str, str, float, str], list[float]] = {}
    for row in rows:
        if row.energy is not None and row.unit_count is not None and row.unit_name and row.energy_unit:
            key = (row.phase, row.energy_unit, row.unit_count, row.unit_name)
            groups.setdefault(key, []).append(row.energy)
    return tuple(_strip(key, values) for key, values in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def dashboard(verdicts: Sequence[Mapping[str, Any]]) -> Dashboard:
    """The dashboard of a batch (see the module docstring)."""
    rows = tuple(row_of(v) for v in verdicts)
    by_verdict = Counter(r.verdict for r in rows)
    by_class = Counter(r.rating_class for r in rows if r.rating_class)
    by_rule = Counter(rule for r in rows for rule in r.failed_rules)
    return Dashboard(
        rows=rows,
        verdicts=bars([(str(o), by_verdict[str(o)]) for o in Outcome]),
        classes=bars([(c, by_class[c]) for c in CLASSES]),
        rules=bars(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]),
        strips=strips(rows),
        profiles=tuple(sorted({r.profile for r in rows if r.profile})),
    )


__all__ = ["Bar", "Dashboard", "Row", "Strip", "bars", "dashboard", "row_of", "strips"]
