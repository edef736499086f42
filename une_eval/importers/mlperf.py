"""MLPerf Inference Power result folders: LoadGen's logs and PTDaemon's ``spl.txt`` as a submission draft.

The folder given is a scenario folder (``.../results/SYS/BENCHMARK/Offline``), its ``performance``
folder or its ``performance/run_1``. The power figure is the MLCommons submission checker's, reproduced
exactly (``tools/submission``, ``get_power_metric``):

- the window is LoadGen's ``power_begin`` .. ``power_end`` from ``mlperf_log_detail.txt``, written in
  UTC, month first (``%m-%d-%Y %H:%M:%S.%f``); PTDaemon runs with ``TZ=UTC``, so ``spl.txt`` times are
  UTC too and compare directly (``server.json``'s ``timezone`` is the director's offset, for its own
  logs);
- a sample is a ``spl.txt`` line starting ``Time``; its time is field 1, its power field 3 (the
  analyzer's top-level Watts: for a multi-channel analyzer the sum of its channels, for several
  merged analyzers the sum of theirs); it counts when its time lies strictly inside the window and
  its power is above 0 (PTDaemon writes -1 for a reading it could not take);
- the average power is the plain mean of those samples; Offline, Server and Interactive report it in
  W; SingleStream and MultiStream report energy per query, ``avg x duration x 1000 / result_query_count``
  in mJ.

The wall meter becomes the ``system`` component with the ``external-meter`` method; all valid samples
become the meter's trace (instant power in mW), so ``validate`` recomputes the run's energy from them.

This module owns the conversion: which value goes where in the draft, with what provenance, and the
findings on the samples. Finding the run in the results tree is :mod:`une_eval.importers.mlperf_folder`;
reading the logs and the checker's metric is :mod:`une_eval.importers.mlperf_logs`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Any

from une_eval.errors import InputError
from une_eval.findings import Message, msg
from une_eval.importers.draft import Draft, Origin
from une_eval.importers.formats import Options
from une_eval.importers.mlperf_folder import BENCHMARK_TASKS, filed_benchmark, filed_scenario, find_layout
from une_eval.importers.mlperf_logs import (
    ENERGY_SCENARIOS,
    SCENARIOS,
    Layout,
    PowerMetric,
    Sample,
    Session,
    energy_per_query_mj,
    parse_detail,
    parse_samples,
    parse_time,
    power_metric,
    read_session,
)
from une_eval.importers.source import Source, SourceFile
from une_eval.traces import INSTANT_POWER, TIME_COLUMN, TraceColumn, column

DEVICE = "sut-meter"
NODE = "sut"


def recognise(source: Source) -> bool:
    """A folder holding a LoadGen detail log (``:::MLLOG``) and a PTDaemon ``spl.txt`` beside it."""
    return find_layout(source) is not None


def _iso_ms(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _required(keys: dict[str, tuple[Any, int]], key: str, file: SourceFile) -> tuple[Any, int]:
    if key not in keys:
        raise InputError(f"{file.path}: no {key!r} record (not a power run of LoadGen)")
    return keys[key]


def convert(source: Source, draft: Draft, options: Options) -> None:
    """Fill the draft from an MLPerf Inference Power result folder."""
    layout = find_layout(source)
    if layout is None:
        raise InputError(f"{source.given}: no performance/run_1/mlperf_log_detail.txt with spl.txt beside it")
    detail = source.read(layout.at("mlperf_log_detail.txt"))
    keys = parse_detail(detail)
    if source.exists(layout.at("mlperf_log_summary.txt")):
        source.read(layout.at("mlperf_log_summary.txt"))
    spl = source.read(layout.at("spl.txt"))
    samples, messages = parse_samples(spl)
    session = read_session(source, layout)
    (begin_text, begin_line), (end_text, end_line) = (_required(keys, k, detail) for k in ("power_begin", "power_end"))
    begin = parse_time(str(begin_text), f"{detail.path}: line {begin_line}")
    end = parse_time(str(end_text), f"{detail.path}: line {end_line}")
    effective = str(keys.get("effective_scenario", ("", 0))[0])
    scenario = filed_scenario(source, effective)
    if scenario not in SCENARIOS:
        raise InputError(f"{detail.path}: unknown scenario {scenario!r}")
    metric = power_metric(samples, begin, end)
    version = keys.get("loadgen_version", (None, 0))[0]
    draft.tool = {"name": "MLPerf LoadGen"} | ({"version": str(version)[:64]} if version else {})
    context = _Context(draft, detail, spl, session, keys, begin_line, end_line)
    context.fill_common(scenario, effective, filed_benchmark(source))
    context.fill_run(metric, scenario, effective)
    context.check_samples(samples, messages, metric)
    context.fill_trace(samples)
    context.notes(layout, scenario)


def _utc_ns(t: dt.datetime) -> int:
    return (t - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1) * 1000


@dataclass(frozen=True, slots=True)
class _Context:
    """The files being converted and the draft they go into."""

    draft: Draft
    detail: SourceFile
    spl: SourceFile
    session: Session
    keys: dict[str, tuple[Any, int]]
    begin_line: int
    end_line: int

    def key_origin(self, key: str, unit: str | None = None, basis: str = "measured") -> Origin | None:
        if key not in self.keys:
            return None
        value, line = self.keys[key]
        return Origin(self.detail, f"line {line}, key {key}", str(value), unit, basis)

    def fill_common(self, scenario: str, effective: str, benchmark: str | None) -> None:
        d = self.draft
        d.put(
            "/phase",
            "inference",
            Origin(self.detail, "MLPerf Inference LoadGen log", "MLPerf Inference", None, "declared"),
        )
        task = BENCHMARK_TASKS.get(benchmark or "")
        if task is not None:
            note = f"the task of MLPerf benchmark {benchmark}"
            d.put(
                "/workload/inference/task",
                task,
                Origin(self.detail, "folder name", str(benchmark), None, "declared", note),
            )
        instrument: dict[str, Any] = {"name": self._instrument_name()}
        if self.session.ptd_version:
            instrument["version"] = self.session.ptd_version
        if self.session.interval_s:
            instrument["sampling_interval_s"] = self.session.interval_s
        d.put("/measurement/methods/0", {"component": "system", "method": "external-meter", "instrument": instrument})
        d.put("/measurement/devices/0", {"device_id": DEVICE, "component": "system", "node_id": NODE})
        if self.session.analyzer:
            d.put("/measurement/devices/0/model", self.session.analyzer)

    def _instrument_name(self) -> str:
        analyzer = self.session.analyzer or "power analyzer (model not recorded: no power/server.json)"
        return f"{analyzer} via SPEC PTDaemon (MLPerf power client/server)"

    def window_origin(self, which: str) -> Origin:
        key, line = ("power_begin", self.begin_line) if which == "begin" else ("power_end", self.end_line)
        return Origin(self.detail, f"line {line}, key {key}", str(self.keys[key][0]), "UTC", "measured")

    def fill_run(self, metric: PowerMetric, scenario: str, effective: str) -> None:
        d, run = self.draft, "/measurement/runs/0"
        d.put(f"{run}/index", 0)
        d.put(f"{run}/start_time", _iso_ms(metric.begin), self.window_origin("begin"))
        d.put(f"{run}/end_time", _iso_ms(metric.end), self.window_origin("end"))
        span = Origin(
            self.detail,
            f"lines {self.begin_line} and {self.end_line}: power_end - power_begin",
            f"{self.keys['power_begin'][0]} .. {self.keys['power_end'][0]}",
            None,
            "derived",
        )
        d.put(f"{run}/duration_s", metric.duration_s, span)
        self._work_units(run, scenario)
        avg = metric.avg_power_w
        if avg is None:
            return
        first, last, n = metric.used[0].line, metric.used[-1].line, len(metric.used)
        lines = f"lines {first}..{last} ({n} samples strictly inside the window, above 0 W)"
        mean = Origin(
            self.spl,
            lines,
            f"mean of {len(metric.used)} samples, {min(s.watts for s in metric.used)} to "
            f"{max(s.watts for s in metric.used)} W",
            None,
            "measured",
            "the submission checker's average power",
        )
        energy_j = avg * metric.duration_s
        energy = Origin(self.spl, lines, "average power x (power_end - power_begin)", None, "measured")
        d.put(f"{run}/energy", {"system_j": energy_j, "total_j": energy_j})
        self.draft.values.append(energy.entry(f"{run}/energy/system_j"))
        d.put(f"{run}/mean_power_w", avg, mean)
        d.put("/results/energy_total", {"system_j": energy_j, "total_j": energy_j})
        d.put("/results/mean_power_w", avg, mean)
        queries = self.keys.get("result_query_count", (None, 0))[0]
        if scenario in ENERGY_SCENARIOS and isinstance(queries, int) and queries >= 1:
            per_query_mj = energy_per_query_mj(metric, queries, scenario, effective)
            d.put("/results/functional_unit", {"unit": "query", "count": 1})
            d.put("/results/work_units_total", queries, self.key_origin("result_query_count"))
            origin = Origin(
                self.spl,
                lines,
                f"{per_query_mj!r}",
                "mJ",
                "measured",
                "the submission checker's power metric: avg power x duration x 1000 / result_query_count",
            )
            d.put("/results/energy_per_unit", {"value": per_query_mj / 1000, "unit": "J"})
            d.values.append(origin.entry("/results/energy_per_unit/value"))

    def _work_units(self, run: str, scenario: str) -> None:
        queries = self.keys.get("result_query_count", (None, 0))[0]
        if not isinstance(queries, int) or isinstance(queries, bool) or queries < 1:
            return
        if scenario in ENERGY_SCENARIOS:
            self.draft.put(f"{run}/work_units", queries, self.key_origin("result_query_count"))
            self.draft.put("/workload/inference/queries", queries, self.key_origin("result_query_count"))
            return
        key = (
            "generated_samples_per_query"
            if "generated_samples_per_query" in self.keys
            else "effective_samples_per_query"
        )
        per_query = self.keys.get(key, (None, 0))[0]
        if isinstance(per_query, int) and not isinstance(per_query, bool) and per_query >= 1:
            origin = Origin(
                self.detail,
                f"result_query_count x {key} (lines {self.keys['result_query_count'][1]}, {self.keys[key][1]})",
                f"{queries} x {per_query}",
                None,
                "derived",
                "samples processed in the testing run",
            )
            self.draft.put(f"{run}/work_units", queries * per_query, origin)
            # une-eval's query is one inference request: an MLPerf sample (Offline sends them as one LoadGen query).
            self.draft.put("/workload/inference/queries", queries * per_query, origin)

    def check_samples(
        self, samples: list[Sample], messages: list[tuple[int, dt.datetime, str]], metric: PowerMetric
    ) -> None:
        d, spl = self.draft, self.spl
        if metric.invalid:
            first, last = metric.invalid[0].line, metric.invalid[-1].line
            shown = ", ".join(sorted({s.watts_text for s in metric.invalid})[:3])
            d.finding(
                "import.invalid-samples",
                spl,
                f"lines {first}..{last}",
                msg(
                    "{file}, {location}: {count} sample(s) inside the window read {shown} W (PTDaemon's -1: no "
                    "reading); left out of the average, as the checker does",
                    count=len(metric.invalid),
                    shown=shown,
                ),
                "/measurement/runs/0/mean_power_w",
            )
        inside = [m for m in messages if metric.begin < m[1] < metric.end]
        if inside:
            d.finding(
                "import.invalid-samples",
                spl,
                f"line {inside[0][0]}",
                msg(
                    "{file}, {location}: {count} PTDaemon message line(s) inside the window instead of samples, "
                    "first: {first}",
                    count=len(inside),
                    first=inside[0][2][:200],
                ),
            )
        if not metric.used:
            d.finding(
                "import.window", spl, "all samples", self._empty_window_message(samples, metric), "/measurement/runs/0"
            )
        self._check_parts(metric)
        if any(b.time < a.time for a, b in itertools.pairwise(samples)):
            bad = next(b for a, b in itertools.pairwise(samples) if b.time < a.time)
            text = msg("{file}, {location}: sample times go backwards; no trace was written")
            d.finding("import.window", spl, f"line {bad.line}", text)

    def _check_parts(self, metric: PowerMetric) -> None:
        off = [
            s
            for s in metric.used
            if s.parts_w is not None and abs(s.parts_w - s.watts) > 1e-5 * max(1.0, abs(s.watts)) + 1e-5
        ]
        if off:
            s = off[0]
            parts_w = f"{s.parts_w:.6f}"  # beside the Watts as written: they differ by as little as 1e-5
            self.draft.finding(
                "import.parts-sum",
                self.spl,
                f"line {s.line}",
                msg(
                    "{file}, {location}: {count} sample(s) whose top-level Watts is not the sum of their channels or "
                    "analyzers; first: {watts} W against {parts_w} W",
                    count=len(off),
                    watts=s.watts_text,
                    parts_w=parts_w,
                ),
                "/measurement/runs/0/mean_power_w",
            )

    def _empty_window_message(self, samples: list[Sample], metric: PowerMetric) -> Message:
        begin, end = _iso_ms(metric.begin), _iso_ms(metric.end)
        zone = self.session.timezone_s
        for shift in {zone, -zone} if zone else set():
            delta = dt.timedelta(seconds=shift)
            if any(metric.begin < s.time + delta < metric.end and s.watts > 0 for s in samples):
                signed = f"{shift:+d}"  # the sign says which way
                return msg(
                    "{file}, {location}: no sample above 0 W lies strictly inside power_begin {begin} .. power_end "
                    "{end}; the checker finds no power for this run; shifted by server.json's timezone {shift} s "
                    "the samples would fall inside (local times?)",
                    begin=begin,
                    end=end,
                    shift=signed,
                )
        return msg(
            "{file}, {location}: no sample above 0 W lies strictly inside power_begin {begin} .. power_end {end}; "
            "the checker finds no power for this run",
            begin=begin,
            end=end,
        )

    def fill_trace(self, samples: list[Sample]) -> None:
        valid = [s for s in samples if s.watts > 0 and math.isfinite(s.watts)]
        if len(valid) < 2 or any(b.time < a.time for a, b in itertools.pairwise(valid)):
            return
        description = "PTDaemon's top-level Watts (the analyzer's reading for its sampling interval), in mW"
        columns = [column(TIME_COLUMN), TraceColumn(INSTANT_POWER, "mW", description)]
        rows = [{TIME_COLUMN: _utc_ns(s.time), INSTANT_POWER: round(s.watts * 1000)} for s in valid]
        self.draft.trace(DEVICE, columns, rows)

    def notes(self, layout: Layout, scenario: str) -> None:
        d = self.draft
        counted = isinstance(self.keys.get("result_query_count", (None, 0))[0], int)
        if scenario in ENERGY_SCENARIOS and not counted:
            d.note(
                f"scenario {scenario}: mlperf_log_detail.txt has no result_query_count (older LoadGen versions do "
                "not log it): the energy per query is not derived; the average power and the energy are imported"
            )
        else:
            d.note(
                f"scenario {scenario}: "
                + (
                    "the checker's metric is energy per query (mJ), results.energy_per_unit"
                    if scenario in ENERGY_SCENARIOS
                    else "the checker's metric is the average power in W, results.mean_power_w"
                )
            )
        d.note("the power window and spl.txt are UTC (LoadGen logs UTC, PTDaemon runs with TZ=UTC) and month first")
        if self.session.timezone_s is not None:
            d.note(
                f"power/server.json timezone {self.session.timezone_s:+d} s is the director's offset "
                "(UTC = local + timezone) for its own logs; it is not applied to spl.txt, as the checker does not"
            )
        if self.session.file is None:
            d.note("no power/server.json in the folder: the analyzer model and PTDaemon version are not recorded")
        d.note(
            "only the testing run (run_1) is imported; the ranging run sets the analyzer's ranges and is not a result"
        )
        d.note(
            "the system description (systems/<system>.json) lies outside the result folder and is not read: "
            "system.hardware, software and model come from it and the vendor"
        )
        d.note("spl.txt samples are imported as power_instant_mw, rounded to whole mW; invalid samples are left out")
