"""Evidence rules: declared energies against the energy recomputed from the submission's raw traces.

The traces are loaded and recomputed before the rules run (:mod:`une_eval.validation.evidence`); these
rules only compare. When the submission lists no traces, or no folder is known to find them in, they
find nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.energy import relative_difference
from une_eval.findings import pointer
from une_eval.validation.evidence import METHOD_INSTANT, WindowEvidence
from une_eval.validation.rules.base import Problem, RuleContext, fmt, rule


def _energy_pointer(w: WindowEvidence) -> str:
    return pointer("measurement", "runs", w.run_index, "devices", w.device_index, "energy_j")


def _where(w: WindowEvidence) -> str:
    return f"run {w.run_index}, {w.device_id} (trace {w.trace_index})"


def _off_by(declared_j: float, recomputed_j: float) -> str:
    if recomputed_j <= 0:
        return "which is not positive"
    return f"off by {fmt(100 * (declared_j / recomputed_j - 1))}%"


def _trace_issues(ctx: RuleContext, kind: str, field: str) -> Iterator[Problem]:
    """The evidence step's whole-file issues of one kind, each pointing at the trace entry's ``field``."""
    issues = ctx.evidence.issues if ctx.evidence is not None else ()
    for issue in issues:
        if issue.kind == kind:
            yield Problem(pointer("measurement", "traces", issue.trace_index, field), issue.message)


@rule("evidence.trace-file")
def trace_file(ctx: RuleContext) -> Iterator[Problem]:
    """Every listed trace exists beside the submission, inside its folder, and is a readable trace."""
    return _trace_issues(ctx, "file", "path")


@rule("evidence.trace-hash")
def trace_hash(ctx: RuleContext) -> Iterator[Problem]:
    """Every trace's SHA-256 matches the digest the submission declares."""
    return _trace_issues(ctx, "hash", "sha256")


@rule("evidence.coverage")
def coverage(ctx: RuleContext) -> Iterator[Problem]:
    """Check that a device's trace covers each run's whole time window."""
    if ctx.evidence is None:
        return
    margin_s = ctx.param("max_uncovered_s")
    for w in ctx.evidence.windows:
        if w.start_uncovered_s > margin_s or w.end_uncovered_s > margin_s:
            yield Problem(
                _energy_pointer(w),
                f"{_where(w)}: the trace misses {fmt(w.start_uncovered_s)} s at the run's start and "
                f"{fmt(w.end_uncovered_s)} s at its end",
            )


@rule("evidence.gaps")
def gaps(ctx: RuleContext) -> Iterator[Problem]:
    """No gap between consecutive trace samples inside a run is longer than the profile allows."""
    if ctx.evidence is None:
        return
    limit_s = ctx.param("max_gap_s")
    for w in ctx.evidence.windows:
        if w.covered and w.max_gap_s > limit_s:
            yield Problem(
                _energy_pointer(w),
                f"{_where(w)}: the trace has a sampling gap of {fmt(w.max_gap_s)} s inside the run; "
                f"at most {fmt(limit_s)} s is allowed",
            )


@rule("evidence.counter-reset")
def counter_reset(ctx: RuleContext) -> Iterator[Problem]:
    """Check that the energy counter never goes backwards in a run (a decrease: the driver reloaded)."""
    if ctx.evidence is None:
        return
    for w in ctx.evidence.windows:
        if w.counter_decreases:
            yield Problem(
                _energy_pointer(w),
                f"{_where(w)}: the energy counter went backwards {w.counter_decreases} time(s) inside "
                "the run; the run's energy cannot be trusted",
            )


@rule("evidence.energy")
def energy(ctx: RuleContext) -> Iterator[Problem]:
    """Each declared device energy agrees with the energy recomputed from its trace, within tolerance."""
    if ctx.evidence is None:
        return
    tol = ctx.param("tolerance_rel")
    for w in ctx.evidence.windows:
        if w.recomputed_j is None or not w.covered or w.counter_decreases:
            continue
        if relative_difference(w.declared_j, w.recomputed_j) > tol:
            how = (
                "integrated instant power (the trace has no energy counter)"
                if w.method == METHOD_INSTANT
                else "the energy counter"
            )
            yield Problem(
                _energy_pointer(w),
                f"{_where(w)}: declared {fmt(w.declared_j)} J, the trace gives {fmt(w.recomputed_j)} J "
                f"from {how}, {_off_by(w.declared_j, w.recomputed_j)}; at most {fmt(100 * tol)}% is allowed",
            )
