"""Efficiency classes from rating schemes stored as data in ``spec/ratings/`` or a body's own file.

A scheme names one metric computed from the submission (today: GPU energy per 1000 queries, as AI
Energy Score scores it), groups by task and model-size class, and either absolute upper bounds per
class or reference values whose range is cut into equal bands (relative, as the AI Energy Score
leaderboard computes its stars). The default scheme's reference values are that leaderboard's own
(``spec/ratings/reference/`` keeps the table as published). Every rating carries the scheme's name,
whether it is relative (and to which reference set, edition and date) or absolute, whether it is
provisional, and the provenance of its values.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from une_eval.errors import SpecError
from une_eval.findings import pointer
from une_eval.model import Submission
from une_eval.schemas import (
    SchemaKind,
    SpecFileError,
    SpecProblem,
    check_spec_document,
    file_version,
    looks_like_path,
    read_bundled,
    read_spec_file,
    spec_root,
)

DEFAULT_SCHEME = "ai-energy-score-2025-02"


@dataclass(frozen=True, slots=True)
class Rating:
    """An efficiency class with what it rests on."""

    grade: str
    scheme: str
    scheme_title: str
    provisional: bool
    provenance: str
    metric: str
    value: float
    unit: str
    group: str
    kind: str = "relative"  # relative: placed among reference values; absolute: against fixed bounds
    classes: tuple[str, ...] = ()
    reference: ReferenceSet | None = None  # relative only: the published set the values come from
    reference_low: float | None = None  # relative only: the group's lowest and highest reference value
    reference_high: float | None = None
    notice: str = ""  # the scheme's notice: what its classes mean and do not mean

    @property
    def relative(self) -> bool:
        """Whether the class places the value among reference values (else against fixed bounds)."""
        return self.kind == "relative"

    def to_json(self) -> dict[str, Any]:
        """Return the dict the validator output, the summary and the certificate carry."""
        out: dict[str, Any] = {
            "class": self.grade,
            "scheme": self.scheme,
            "scheme_title": self.scheme_title,
            "kind": self.kind,
            "classes": list(self.classes),
            "provisional": self.provisional,
            "provenance": self.provenance,
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "group": self.group,
        }
        if self.reference is not None:
            out["reference_set"] = self.reference.to_json()
        if self.reference_low is not None and self.reference_high is not None:
            out["reference_range"] = [self.reference_low, self.reference_high]
        return out


@dataclass(frozen=True, slots=True)
class ReferenceSet:
    """The published set a relative scheme's reference values come from."""

    name: str
    edition: str
    date: str
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the dict a rating carries."""
        return {"name": self.name, "edition": self.edition, "date": self.date, "url": self.url}


def scheme_names() -> list[str]:
    """Names of the bundled rating schemes."""
    folder = spec_root().joinpath("ratings")
    return sorted(n.name.removesuffix(".json") for n in folder.iterdir() if n.name.endswith(".json"))


def load_scheme(name: str) -> dict[str, Any]:
    """A bundled rating scheme by name, or a scheme file by path (ends in .json or holds a '/'), checked.

    Read once and cached; a scheme file is read again when its modification time or size changes.
    """
    return _load_scheme(name, file_version(name))


@functools.cache
def _load_scheme(name: str, _version: tuple[int, int] | None) -> dict[str, Any]:
    """Load and check a scheme (see :func:`load_scheme`).

    Checked against ``rating-scheme.schema.json``, then for what a schema cannot say: an absolute group
    has one bound fewer than there are classes, in increasing order; a relative group's reference values
    span a range; a group's parameter range is not empty; a file does not take a bundled scheme's name.
    """
    if name in scheme_names():
        origin = f"spec/ratings/{name}.json"
        raw = check_spec_document(
            SchemaKind.RATING_SCHEME, read_bundled("ratings", f"{name}.json"), origin, bundled=True
        )
    elif looks_like_path(name):
        origin = name
        raw = check_spec_document(SchemaKind.RATING_SCHEME, read_spec_file(Path(name)), origin)
        if raw["name"] in scheme_names():
            raise SpecFileError(origin, [SpecProblem("/name", f"{raw['name']!r} is a bundled scheme's name")])
    else:
        raise SpecError(
            f"unknown rating scheme {name!r}; bundled schemes: {', '.join(scheme_names())}; "
            "or give a rating scheme file (a path ending in .json)"
        )
    problems = [p for index, group in enumerate(raw["groups"]) for p in _group_problems(raw, index, group)]
    if problems:
        raise SpecFileError(origin, problems)
    return raw


def _group_problems(scheme: dict[str, Any], index: int, group: dict[str, Any]) -> list[SpecProblem]:
    where = pointer("groups", index)
    problems = []
    n_classes = len(scheme["classes"])
    bounds, refs = group.get("upper_bounds"), group.get("reference_values")
    if bounds is not None and len(bounds) != n_classes - 1:
        problems.append(SpecProblem(f"{where}/upper_bounds", f"needs {n_classes - 1} bounds for {n_classes} classes"))
    if bounds is not None and any(b >= a for a, b in zip(bounds[1:], bounds, strict=False)):
        problems.append(SpecProblem(f"{where}/upper_bounds", "bounds must increase strictly"))
    if refs is not None and min(refs) == max(refs):
        problems.append(SpecProblem(f"{where}/reference_values", "the reference values span no range"))
    low, high = group.get("min_parameters"), group.get("max_parameters")
    if low is not None and high is not None and low >= high:
        problems.append(SpecProblem(f"{where}/max_parameters", "must be above min_parameters"))
    return problems


def gpu_wh_per_1000_queries(sub: Submission) -> float | None:
    """Mean over complete runs of GPU energy per 1000 queries, in Wh (AI Energy Score's scored energy)."""
    runs = [r for r in sub.measurement.runs if r.complete and r.work_units > 0]
    if sub.workload.inference is None or not runs or any(r.energy.gpu_j is None for r in runs):
        return None
    per_run = [(r.energy.gpu_j or 0.0) / r.work_units * 1000 / 3600 for r in runs]
    return math.fsum(per_run) / len(per_run)


METRICS = {"gpu_wh_per_1000_queries": gpu_wh_per_1000_queries}


def _group_for(scheme: dict[str, Any], sub: Submission) -> dict[str, Any] | None:
    task = sub.workload.inference.task if sub.workload.inference else None
    params = sub.system.model.parameter_count
    for group in scheme["groups"]:
        if group["task"] != task:
            continue
        low, high = group.get("min_parameters"), group.get("max_parameters")
        if (low is not None or high is not None) and params is None:
            continue
        if (low is None or params >= low) and (high is None or params < high):
            return dict(group)
    return None


def grade_for(scheme: dict[str, Any], group: dict[str, Any], value: float) -> str:
    """Return the class of ``value`` in ``group``: equal bands over the reference range, or upper bounds."""
    classes: list[str] = scheme["classes"]
    if scheme["kind"] == "absolute":
        for grade, bound in zip(classes, group["upper_bounds"], strict=False):
            if value <= bound:
                return grade
        return classes[-1]
    refs = group["reference_values"]
    low, high = min(refs), max(refs)
    band = min(int((value - low) / (high - low) * len(classes)), len(classes) - 1) if value > low else 0
    return classes[band]


def rate(submission: Submission, scheme_name: str | None = None) -> Rating | None:
    """Rate the submission's efficiency, or None when the scheme has no group or metric for it."""
    scheme = load_scheme(scheme_name or DEFAULT_SCHEME)
    if submission.phase != scheme["phase"]:
        return None
    group = _group_for(scheme, submission)
    try:
        value = METRICS[scheme["metric"]](submission)
        if group is None or value is None or not math.isfinite(value):
            return None
        grade = grade_for(scheme, group, value)
    except (ArithmeticError, ValueError):  # absurd magnitudes: not rateable (the rules flag them)
        return None
    refs = group.get("reference_values")
    return Rating(
        grade=grade,
        scheme=scheme["name"],
        scheme_title=scheme["title"],
        provisional=bool(scheme["provisional"]),
        provenance=scheme["provenance"],
        metric=scheme["metric"],
        value=float(f"{value:.4g}"),
        unit=scheme["unit"],
        group=group["label"],
        kind=scheme["kind"],
        classes=tuple(scheme["classes"]),
        reference=_reference_set(scheme),
        reference_low=float(min(refs)) if refs else None,
        reference_high=float(max(refs)) if refs else None,
        notice=scheme.get("notice", ""),
    )


def _reference_set(scheme: dict[str, Any]) -> ReferenceSet | None:
    ref = scheme.get("reference_set")
    if ref is None:
        return None
    return ReferenceSet(ref["name"], ref["edition"], ref["date"], ref.get("url"))
