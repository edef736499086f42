"""Imported submissions (``import.*``): what the importer found in the source, and the provenance kept honest.

``une-eval import`` reads a vendor's tool output (CodeCarbon, MLPerf Power, ...) where the source is
visible, so it is the importer that finds zeros, negative samples, parts that do not add up,
duplicate rows, invalid samples, empty measurement windows, tool-applied PUE factors and magnitudes
that suggest the wrong unit. It records each as a finding in the draft's ``provenance.findings``; these
rules raise them again when the submission is validated, with the profile's severity, so they travel
with the submission to its verdict and certificate. ``import.provenance`` checks the provenance block
itself: every recorded origin points at a value of the submission, and a value converted from a
number in a known unit still equals that number converted (a figure edited after import does not).
This module is named after the rule prefix; ``import`` being a keyword, the rule table loads it by name.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from une_eval.findings import pointer
from une_eval.import_wording import finding_message
from une_eval.units import Kind, UnitError, convert
from une_eval.validation.rules.base import Problem, RuleContext, fmt, rule

# The unit a submission key carries in its name (docs/schema.md: units in identifiers).
_KEY_UNITS = (
    ("_kwh", Kind.ENERGY, "kWh"),
    ("_g_co2e", Kind.MASS_CO2E, "g"),
    ("_j", Kind.ENERGY, "J"),
    ("_w", Kind.POWER, "W"),
    ("_s", Kind.DURATION, "s"),
)
_TOLERANCE_REL = 1e-9


def _recorded(ctx: RuleContext, rule_id: str) -> Iterator[Problem]:
    prov = ctx.sub.provenance
    if prov is None:
        return
    for i, found in enumerate(prov.findings):
        if found.rule_id != rule_id:
            continue
        path = prov.files[found.file].path if 0 <= found.file < len(prov.files) else f"file {found.file}"
        where = found.pointer if found.pointer is not None else pointer("provenance", "findings", i)
        worded = finding_message(found.template, found.params, path, found.location)
        yield Problem(where, worded if worded is not None else f"{path}, {found.location}: {found.message}")


@rule("import.zero-values")
def zero_values(ctx: RuleContext) -> Iterator[Problem]:
    """The source holds zeros where a measurement belongs (a run of all zeros, a zero energy)."""
    return _recorded(ctx, "import.zero-values")


@rule("import.negative-values")
def negative_values(ctx: RuleContext) -> Iterator[Problem]:
    """The source holds negative energies, powers or samples."""
    return _recorded(ctx, "import.negative-values")


@rule("import.parts-sum")
def parts_sum(ctx: RuleContext) -> Iterator[Problem]:
    """A total in the source is not the sum of its parts."""
    return _recorded(ctx, "import.parts-sum")


@rule("import.duplicate-rows")
def duplicate_rows(ctx: RuleContext) -> Iterator[Problem]:
    """The source repeats a row or record."""
    return _recorded(ctx, "import.duplicate-rows")


@rule("import.unit-magnitude")
def unit_magnitude(ctx: RuleContext) -> Iterator[Problem]:
    """A value's magnitude suggests it was written in another unit than the source says."""
    return _recorded(ctx, "import.unit-magnitude")


@rule("import.invalid-samples")
def invalid_samples(ctx: RuleContext) -> Iterator[Problem]:
    """The source marks samples invalid (a sentinel, a non-positive reading) and they were left out."""
    return _recorded(ctx, "import.invalid-samples")


@rule("import.window")
def window(ctx: RuleContext) -> Iterator[Problem]:
    """The measurement window and the samples disagree (no sample inside it, clocks or time zones apart)."""
    return _recorded(ctx, "import.window")


@rule("import.pue-applied")
def pue_applied(ctx: RuleContext) -> Iterator[Problem]:
    """The tool multiplied its energies by a PUE; the importer divided it out (or could not)."""
    return _recorded(ctx, "import.pue-applied")


@rule("import.overlapping-windows")
def overlapping_windows(ctx: RuleContext) -> Iterator[Problem]:
    """Measurement windows of the source overlap, so their energies are not additive."""
    return _recorded(ctx, "import.overlapping-windows")


@rule("import.aggregate-figures")
def aggregate_figures(ctx: RuleContext) -> Iterator[Problem]:
    """The figures came from a published leaderboard row, not from a measurement of the system."""
    return _recorded(ctx, "import.aggregate-figures")


@rule("import.predicted-values")
def predicted_values(ctx: RuleContext) -> Iterator[Problem]:
    """The source predicted a figure from part of the run; it is an estimate, not imported as energy."""
    return _recorded(ctx, "import.predicted-values")


def _resolve(doc: Any, ptr: str) -> tuple[bool, Any]:
    node = doc
    for raw in ptr.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def _target_unit(ptr: str) -> tuple[Kind, str] | None:
    key = ptr.rsplit("/", 1)[-1]
    return next(((kind, unit) for suffix, kind, unit in _KEY_UNITS if key.endswith(suffix)), None)


def _conversion_problem(ptr: str, value: Any, written: str, unit: str, scale: float) -> str | None:
    target = _target_unit(ptr)
    if target is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        expected = convert(float(written), unit, target[1], target[0]) * scale
    except (ValueError, UnitError):
        return None
    if math.isclose(expected, float(value), rel_tol=_TOLERANCE_REL, abs_tol=0.0):
        return None
    return (
        f"the submission holds {fmt(float(value))} {target[1]}, but its recorded origin {written} {unit}"
        f"{f' x {fmt(scale)}' if scale != 1 else ''} is {fmt(expected)} {target[1]}: changed after import?"
    )


@rule("import.provenance")
def provenance(ctx: RuleContext) -> Iterator[Problem]:
    """Every recorded origin names a file and a value of the submission, and converted numbers still agree."""
    prov = ctx.sub.provenance
    if prov is None:
        return
    for i, origin in enumerate(prov.values):
        where = pointer("provenance", "values", i)
        if not 0 <= origin.file < len(prov.files):
            yield Problem(where, f"the origin names file {origin.file}; the provenance lists {len(prov.files)}")
            continue
        found, value = _resolve(ctx.doc, origin.pointer)
        if not found:
            yield Problem(where, f"the origin describes {origin.pointer}, which the submission does not hold")
            continue
        if origin.unit is not None and origin.basis != "derived":
            problem = _conversion_problem(origin.pointer, value, origin.value, origin.unit, origin.scale or 1.0)
            if problem:
                yield Problem(origin.pointer, problem)
    for i, found_ in enumerate(prov.findings):
        if not 0 <= found_.file < len(prov.files):
            yield Problem(pointer("provenance", "findings", i), f"the finding names file {found_.file}, not listed")
