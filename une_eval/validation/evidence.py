"""Evidence recomputation: read a submission's raw traces and recompute every run's energy per device.

This is the only part of validation that reads files besides the submission. It runs before the rules
and hands them an :class:`Evidence` value; the rules in :mod:`une_eval.validation.rules.evidence` compare
it with the declared figures, so rules stay free of I/O. Traces are opened, hashed and read through
:mod:`une_eval.traces` (once, beneath the submission's folder, in bounded batches).

Each traced device gets a window for every run, whether or not the run declares that device's energy.
A window's energy comes from the cumulative energy counter where the trace has one, as an interval the
counter's monotonicity guarantees and a point inside it (:mod:`une_eval.validation.windows`); otherwise
from integrating *instant* power (labelled, a point only). NVML's 1-second averaged power is never used:
it lags the load by about a second (+33% across a load-to-idle edge on an H200).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from une_eval.findings import Message
from une_eval.model import Run, Submission, Trace
from une_eval.nodeclocks import NodeClock, combine, device_clocks, node_windows
from une_eval.traces.files import open_trace
from une_eval.traces.format import COLUMNS, COUNTERS, INSTANT_POWER, CounterSpec, TraceUnusable
from une_eval.validation.evidence_guards import SameBytes, too_many_windows

if TYPE_CHECKING:  # numpy and the readers load once a trace is opened, not for a submission whose traces are absent
    import numpy as np
    import numpy.typing as npt

    from une_eval.traces import PowerSeries, TraceContent
    from une_eval.validation.windows import CounterColumn, WindowEnergy

METHOD_COUNTER = "energy-counter"
METHOD_INSTANT = "instant-power-integration"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class TraceIssue:
    """A problem with one trace file as a whole: ``kind`` is ``file`` or ``hash``."""

    trace_index: int
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class WindowEvidence:
    """One device's energy in one run: declared, and recomputed from its trace as an interval and a point.

    The energy lies in [``recomputed_min_j``, ``recomputed_max_j``] (``None``: unbounded on that side,
    the trace does not cover the window); ``recomputed_j`` is the point estimate. For instant-power
    integration the three are equal: power samples bound nothing between them. ``max_gap_s`` is the
    largest interval between the samples the energy comes from (counter reads, else power samples),
    from the last one at or before the run's start to the first at or after its end; the read
    distances are how far each boundary lies from its nearest sample.
    """

    run_index: int
    device_id: str
    trace_index: int
    device_index: int | None
    declared_j: float | None
    duration_s: float
    recomputed_j: float | None
    recomputed_min_j: float | None
    recomputed_max_j: float | None
    method: str | None
    start_uncovered_s: float
    end_uncovered_s: float
    max_gap_s: float
    start_read_distance_s: float
    end_read_distance_s: float
    counter_resets: int
    counter_wraps: int
    counter_ambiguous_decreases: int

    @property
    def covered(self) -> bool:
        """Whether the trace has samples at or before the run's start and at or after its end."""
        return self.start_uncovered_s <= 0 and self.end_uncovered_s <= 0

    @property
    def counter_trusted(self) -> bool:
        """No reset and no decrease that cannot be told from one inside the window."""
        return not self.counter_resets and not self.counter_ambiguous_decreases


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """What a certificate shows of one listed trace: its actual SHA-256 and, when kept, its power series."""

    trace_index: int
    sha256: str
    power: PowerSeries | None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything recomputed from a submission's traces, and the assurance level it supports.

    ``assurance`` is ``evidence-checked`` when every accelerator's energy in every complete run was
    recomputed from its trace without an issue, else ``declared-only`` with ``assurance_reasons``.
    """

    issues: tuple[TraceIssue, ...]
    windows: tuple[WindowEvidence, ...]
    assurance: str = "declared-only"
    assurance_reasons: tuple[str, ...] = ()
    # Each trace that could be opened: its hash, and its chart series when the caller asked for them
    # (a certificate), so that certifying a checked submission reads no trace again.
    records: tuple[TraceRecord, ...] = ()
    # The reasons as messages (templates of une_eval.validation.assurance), so documents can word them.
    assurance_wording: tuple[Message, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (goes into the verdict's output)."""
        # JSON has no Infinity (a window with no sample inside has an infinite largest gap): null instead.
        windows = [
            {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(w).items()}
            for w in self.windows
        ]
        return {
            "traces_with_issues": len({i.trace_index for i in self.issues}),
            "assurance": self.assurance,
            "assurance_reasons": list(self.assurance_reasons),
            "windows": windows,
        }


def utc_ns(stamp: dt.datetime) -> int:
    """A timestamp as integer ns since the Unix epoch (exact: timestamps carry microseconds)."""
    return (stamp - _EPOCH) // dt.timedelta(microseconds=1) * 1000


def run_window_ns(run: Run) -> tuple[int, int]:
    """Return a run's window as integer ns since the Unix epoch (UTC)."""
    return utc_ns(run.start_time), utc_ns(run.end_time)


def _unit_issue(trace: Trace) -> str | None:
    """A declared unit that contradicts the format's unit for a known column."""
    for col in trace.columns:
        spec = COLUMNS.get(col.name)
        if spec is not None and col.unit.replace("µ", "u") != spec.unit:
            return (
                f"trace {trace.path!r} declares column {col.name} in {col.unit!r}; the format defines it in {spec.unit}"
            )
    return None


def _counter_column(trace: Trace, spec: CounterSpec) -> CounterColumn:
    from une_eval.validation.windows import CounterColumn

    # Only a counter the hardware wraps has a range: a decrease of NVML's counter is a reset whatever the entry says.
    declared = (c.wrap_range for c in trace.columns if c.name == spec.name and c.wrap_range is not None)
    wrap = next(declared, None) if spec.wraps else None
    return CounterColumn(spec.joules_per_count, spec.wraps, float(wrap) if wrap is not None else None)


def _reads(
    content: TraceContent, name: str, wrap_range: float | None, counted: list[int]
) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
    """The non-empty cells of one column as (time, value) batches; a counter must lie in [0, range], power >= 0."""
    import numpy as np

    for batch in content.batches([name]):
        values = batch.values[name]
        present = ~np.isnan(values)
        t, v = batch.time_ns[present], values[present]
        if v.size and v.min() < 0:  # a negative power sample would take energy off the integral
            raise TraceUnusable(f"{'column' if name == INSTANT_POWER else 'counter'} {name} holds negative values")
        if wrap_range is not None and v.size and v.max() > wrap_range:  # only a counter has a range
            raise TraceUnusable(f"counter {name} exceeds its declared wrap range {wrap_range:.0f}")
        counted[0] += v.size
        yield t, v


def recompute(content: TraceContent, trace: Trace, windows: list[tuple[int, int]]) -> tuple[str, list[WindowEnergy]]:
    """The windows' energies from the trace's counter, else its instant power (method label first)."""
    from une_eval.validation.windows import recompute_windows

    for spec in COUNTERS:
        if spec.name in content.names:
            counter = _counter_column(trace, spec)
            counted = [0]
            got = recompute_windows(_reads(content, spec.name, counter.wrap_range, counted), windows, counter)
            if counted[0] >= 2:
                return METHOD_COUNTER, got
            break  # fewer than two reads bound no window: fall back to instant power
    if INSTANT_POWER not in content.names:
        raise TraceUnusable(
            "the trace has neither an energy counter nor instant power; averaged power lags the "
            "load by about a second and is not accepted as evidence"
        )
    counted = [0]
    got = recompute_windows(_reads(content, INSTANT_POWER, None, counted), windows, None)
    if counted[0] < 2:
        raise TraceUnusable("the trace has fewer than 2 instant-power samples")
    return METHOD_INSTANT, got


def _load_one(
    base_dir: Path, trace: Trace, windows: list[tuple[int, int]], records: list[TraceRecord], k: int, series: bool
) -> tuple[str, list[WindowEnergy]] | TraceIssue:
    """Open, hash and recompute one trace; or the issue that makes it unusable (index set by the caller).

    The trace's hash (and, with ``series``, its chart series, from the same descriptor) go to ``records``.
    """
    try:
        with open_trace(base_dir, trace.path) as opened:
            from une_eval.traces import TraceContent, power_series

            digest = opened.sha256()
            power = None
            if series:
                try:
                    power = power_series(TraceContent(opened, trace.format))
                except TraceUnusable:
                    power = None
            records.append(TraceRecord(k, digest, power))
            if digest != trace.sha256:
                return TraceIssue(
                    -1,
                    "hash",
                    f"trace {trace.path!r} has SHA-256 {digest[:16]}..., the submission "
                    f"declares {trace.sha256[:16]}...; the file is not the one declared",
                )
            problem = _unit_issue(trace)
            if trace.device_id is None:
                problem = f"trace {trace.path!r} names no device_id, so its energy cannot be attributed to a device"
            if problem:
                return TraceIssue(-1, "file", problem)
            try:
                return recompute(TraceContent(opened, trace.format), trace, windows)
            except TraceUnusable as exc:
                return TraceIssue(-1, "file", f"trace {trace.path!r}: {exc}")
    except TraceUnusable as exc:
        return TraceIssue(-1, "file", str(exc))


def _load_aligned(
    base_dir: Path,
    trace: Trace,
    windows: list[tuple[int, int]],
    clock: NodeClock | None,
    records: list[TraceRecord],
    k: int,
    series: bool,
) -> tuple[str, list[WindowEnergy]] | TraceIssue:
    """A merged job's device: its windows on its node's clock, the interval widened by the accepted offset."""
    if clock is None:
        return _load_one(base_dir, trace, windows, records, k, series)
    loaded = _load_one(base_dir, trace, node_windows(windows, clock).all(), records, k, series)
    if isinstance(loaded, TraceIssue):
        return loaded
    return loaded[0], combine(loaded[1], len(windows))


def _window_evidence(
    sub: Submission, k: int, device_id: str, method: str, got: list[WindowEnergy]
) -> list[WindowEvidence]:
    out = []
    for i, (run, energy) in enumerate(zip(sub.measurement.runs, got, strict=True)):
        j = next((j for j, d in enumerate(run.devices) if d.device_id == device_id), None)
        start_ns, end_ns = run_window_ns(run)
        out.append(
            WindowEvidence(
                run_index=i,
                device_id=device_id,
                trace_index=k,
                device_index=j,
                declared_j=run.devices[j].energy_j if j is not None else None,
                duration_s=(end_ns - start_ns) * 1e-9,
                recomputed_j=energy.energy_j,
                recomputed_min_j=energy.min_j,
                recomputed_max_j=energy.max_j,
                method=method if energy.energy_j is not None else None,
                start_uncovered_s=energy.start_uncovered_s,
                end_uncovered_s=energy.end_uncovered_s,
                max_gap_s=energy.max_gap_s,
                start_read_distance_s=energy.start_read_distance_s,
                end_read_distance_s=energy.end_read_distance_s,
                counter_resets=energy.resets,
                counter_wraps=energy.wraps,
                counter_ambiguous_decreases=energy.ambiguous_decreases,
            )
        )
    return out


def _duplicate(trace: Trace, first: Trace | None) -> str | None:
    if first is None:
        return None
    if first.path == trace.path:
        return f"trace {trace.path!r} is listed more than once for the same device; only its first entry is used"
    return f"device {trace.device_id} already has trace {first.path!r}; only one trace per device is used"


def load_evidence(sub: Submission, base_dir: Path, *, series: bool = False) -> Evidence:
    """Read every trace the submission lists and recompute each run window of its device.

    With ``series`` (a certificate is being made), each trace's power series for the chart is kept too.
    """
    from une_eval.validation.assurance import assess_wording

    issues: list[TraceIssue] = []
    windows: list[WindowEvidence] = []
    first_for: dict[str | None, Trace] = {}
    records: list[TraceRecord] = []
    same = SameBytes()
    run_windows = [run_window_ns(run) for run in sub.measurement.runs]
    too_many = too_many_windows(sub)
    if too_many:
        issues = [TraceIssue(k, "file", too_many) for k in range(len(sub.measurement.traces))]
        level, wording = assess_wording(sub, issues, [])
        return Evidence(tuple(issues), (), level, tuple(str(r) for r in wording), (), wording)
    clocks = device_clocks(sub)  # a merged many-node job: each node's clock offset (une_eval.nodeclocks)
    for k, trace in enumerate(sub.measurement.traces):
        duplicate = _duplicate(trace, first_for.get(trace.device_id)) if trace.device_id is not None else None
        if duplicate:
            issues.append(TraceIssue(k, "file", duplicate))
            continue
        first_for.setdefault(trace.device_id, trace)
        copied = same.same_file(base_dir, trace)
        if copied:
            issues.append(TraceIssue(k, "file", copied))
            continue
        loaded = _load_aligned(base_dir, trace, run_windows, clocks.get(trace.device_id or ""), records, k, series)
        copied = same.same_digest(trace, k, records)
        if isinstance(loaded, TraceIssue):
            issues.append(TraceIssue(k, loaded.kind, loaded.message))
            continue
        if copied:
            issues.append(TraceIssue(k, "file", copied))
            continue
        assert trace.device_id is not None  # checked in _load_one
        windows += _window_evidence(sub, k, trace.device_id, *loaded)
    level, wording = assess_wording(sub, issues, windows)
    reasons = tuple(str(r) for r in wording)
    return Evidence(tuple(issues), tuple(windows), level, reasons, tuple(records), wording)
