"""Efficiency classes (A to G) from rating schemes stored as data in ``spec/ratings/``.

A scheme names one metric computed from the submission (today: GPU energy per 1000 queries, as AI
Energy Score scores it), groups by task and model-size class, and either absolute upper bounds per
class or reference values whose range is cut into equal bands (relative, AI Energy Score style). Every
rating carries the scheme's name, whether it is provisional, and the provenance of its reference values.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from typing import Any

from une_eval.errors import SpecError
from une_eval.model import Submission
from une_eval.spec import spec_root

DEFAULT_SCHEME = "une-eval-provisional"


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

    def to_json(self) -> dict[str, Any]:
        """Return the dict the validator output, the summary and the certificate carry."""
        return {
            "class": self.grade,
            "scheme": self.scheme,
            "scheme_title": self.scheme_title,
            "provisional": self.provisional,
            "provenance": self.provenance,
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "group": self.group,
        }


def scheme_names() -> list[str]:
    """Names of the bundled rating schemes."""
    folder = spec_root().joinpath("ratings")
    return sorted(n.name.removesuffix(".json") for n in folder.iterdir() if n.name.endswith(".json"))


@functools.cache
def load_scheme(name: str) -> dict[str, Any]:
    """Load a bundled rating scheme by name, checked for the fields rating needs."""
    if name not in scheme_names():
        raise SpecError(f"unknown rating scheme {name!r}; bundled schemes: {', '.join(scheme_names())}")
    try:
        raw: dict[str, Any] = json.loads(spec_root().joinpath("ratings", f"{name}.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read rating scheme {name!r}: {exc}") from None
    missing = {
        "name",
        "title",
        "provisional",
        "provenance",
        "kind",
        "phase",
        "metric",
        "unit",
        "classes",
        "groups",
    } - raw.keys()
    if missing:
        raise SpecError(f"rating scheme {name!r} lacks {', '.join(sorted(missing))}")
    if raw["kind"] not in ("relative", "absolute") or raw["metric"] not in METRICS:
        raise SpecError(f"rating scheme {name!r}: unknown kind {raw['kind']!r} or metric {raw['metric']!r}")
    for group in raw["groups"]:
        n_classes = len(raw["classes"])
        if raw["kind"] == "absolute" and len(group.get("upper_bounds", [])) != n_classes - 1:
            raise SpecError(f"rating scheme {name!r}: each group needs {n_classes - 1} upper bounds")
        if raw["kind"] == "relative" and len(group.get("reference_values", [])) < 2:
            raise SpecError(f"rating scheme {name!r}: each group needs at least 2 reference values")
    return raw


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
    )
