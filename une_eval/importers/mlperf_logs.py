"""Reading MLPerf Inference Power logs as the MLCommons submission checker does, and its power metric.

LoadGen's ``mlperf_log_detail.txt`` (``:::MLLOG`` JSON records; a key's first record counts), PTDaemon's
``spl.txt`` (``Time,MM-DD-YYYY HH:MM:SS.fff,Watts,w,Volts,v,Amps,a,PF,pf,Mark,m`` and, for a
multi-channel analyzer or merged analyzers, their parts after the mark) and the power session's
``server.json``. :func:`power_metric` and :func:`energy_per_query_mj` are the checker's
``get_power_metric``: samples strictly inside the window, power above 0, plain mean.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from une_eval.errors import InputError
from une_eval.importers.source import Source, SourceFile
from une_eval.loading import json_type_name, parse_json_bytes

DATETIME_FORMAT = "%m-%d-%Y %H:%M:%S.%f"
MARKER = ":::MLLOG"
MAX_LOG_LINE = 1 << 16
# The detail-log keys the importer reads. A record of another key longer than MAX_LOG_LINE (LoadGen writes
# ``loaded_qsl_set``, the whole list of sample indices, on one line of a megabyte or more) is passed over
# unparsed; an over-long record of one of these stops the import.
READ_KEYS = frozenset(
    {
        "effective_samples_per_query",
        "effective_scenario",
        "generated_samples_per_query",
        "loadgen_version",
        "power_begin",
        "power_end",
        "result_query_count",
    }
)
_RECORD_KEY = re.compile(r'\s*\{\s*"key"\s*:\s*"([A-Za-z0-9_]{1,100})"')
POWER_SCENARIOS = ("Offline", "Server", "Interactive")
ENERGY_SCENARIOS = ("SingleStream", "MultiStream")
SCENARIOS = POWER_SCENARIOS + ENERGY_SCENARIOS


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the testing run's logs and the power session's files are, relative to the folder given."""

    run: str
    power: str | None

    def at(self, name: str) -> str:
        """The path of a file of the testing run."""
        return f"{self.run}/{name}" if self.run else name


@dataclass(frozen=True, slots=True)
class Sample:
    """One ``spl.txt`` sample: its line, time (UTC) and top-level power as written."""

    line: int
    time: dt.datetime
    watts_text: str
    watts: float
    parts_w: float | None  # the sum of the channels or merged analyzers the line lists (None: none listed)


def parse_detail(file: SourceFile) -> dict[str, tuple[Any, int]]:
    """LoadGen's detail log: each key's first value and its line, as the checker's MLPerfLog reads it."""
    lines = file.text().splitlines()
    if not lines or not lines[0].startswith(MARKER):
        raise InputError(f"{file.path}: the first line does not start with {MARKER} (not a LoadGen detail log)")
    keys: dict[str, tuple[Any, int]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.startswith(MARKER):
            continue
        if len(line) > MAX_LOG_LINE:
            if _skippable(line):
                continue
            raise InputError(f"{file.path}: line {number} is longer than {MAX_LOG_LINE} characters")
        try:
            message = json.loads(line[len(MARKER) :])
        except (ValueError, RecursionError):
            raise InputError(f"{file.path}: line {number} is not a valid {MARKER} record") from None
        if isinstance(message, dict) and isinstance(message.get("key"), str):
            keys.setdefault(message["key"], (message.get("value"), number))
    return keys


def _skippable(line: str) -> bool:
    """An over-long record whose key (read from its first characters) the importer does not use."""
    found = _RECORD_KEY.match(line, len(MARKER), len(MARKER) + 200)
    return found is not None and found.group(1) not in READ_KEYS


def parse_time(text: str, where: str) -> dt.datetime:
    """A LoadGen or PTDaemon time (month first, UTC)."""
    try:
        return dt.datetime.strptime(text.strip(), DATETIME_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        raise InputError(f"{where}: {text[:40]!r} is not a month-first time MM-DD-YYYY HH:MM:SS.fff") from None


def parse_samples(file: SourceFile) -> tuple[list[Sample], list[tuple[int, dt.datetime, str]]]:
    """The ``Time,...,Watts,...`` samples of ``spl.txt``, and its other timed lines (PTDaemon messages)."""
    samples: list[Sample] = []
    messages: list[tuple[int, dt.datetime, str]] = []
    for number, line in enumerate(file.text().splitlines(), start=1):
        if not line.startswith("Time"):
            continue
        fields = line.split(",")
        if len(fields) < 4:
            raise InputError(f"{file.path}: line {number} has {len(fields)} fields; a sample has at least 4")
        when = parse_time(fields[1], f"{file.path}: line {number}")
        if fields[2] != "Watts":
            messages.append((number, when, ",".join(fields[2:])[:200]))
            continue
        try:
            watts = float(fields[3])
        except ValueError:
            raise InputError(f"{file.path}: line {number}: power {fields[3][:40]!r} is not a number") from None
        samples.append(Sample(number, when, fields[3], watts, channel_sum(fields)))
    return samples, messages


def channel_sum(fields: list[str]) -> float | None:
    """What a sample's top-level Watts should be: its channels' sum, or its merged analyzers' (None: no parts).

    A multi-channel analyzer's line lists ``ChN,Watts,w,...`` after its mark; merged analyzers list
    ``AnalyzerN,Time,t,Watts,w,...``, and the merged top level skips an analyzer's -1 and adds absolute values.
    """
    tail = fields[12:]
    try:
        analyzers = [
            float(tail[i + 4])
            for i in range(len(tail) - 4)
            if tail[i].startswith("Analyzer") and tail[i + 3] == "Watts"
        ]
        if analyzers:
            return sum(abs(w) for w in analyzers if w != -1)
        channels = [
            float(tail[i + 2]) for i in range(len(tail) - 2) if tail[i].startswith("Ch") and tail[i + 1] == "Watts"
        ]
    except ValueError:
        return None
    return sum(channels) if channels else None


@dataclass(frozen=True, slots=True)
class PowerMetric:
    """The checker's figure: the window, the samples it averaged, and the samples it left out."""

    begin: dt.datetime
    end: dt.datetime
    used: list[Sample]
    invalid: list[Sample]

    @property
    def duration_s(self) -> float:
        """``(power_end - power_begin).total_seconds()``, as the checker computes it."""
        return (self.end - self.begin).total_seconds()

    @property
    def avg_power_w(self) -> float | None:
        """``sum(power_list) / len(power_list)`` over the samples inside the window with power above 0."""
        if not self.used:
            return None
        return sum(s.watts for s in self.used) / len(self.used)


def power_metric(samples: list[Sample], begin: dt.datetime, end: dt.datetime) -> PowerMetric:
    """Select the checker's samples: strictly inside (begin, end), power above 0 (and finite)."""
    inside = [s for s in samples if begin < s.time < end]
    used = [s for s in inside if s.watts > 0 and math.isfinite(s.watts)]
    invalid = [s for s in inside if not (s.watts > 0 and math.isfinite(s.watts))]
    return PowerMetric(begin, end, used, invalid)


def energy_per_query_mj(metric: PowerMetric, queries: int, scenario: str, effective: str) -> float:
    """SingleStream and MultiStream: ``avg_power x power_duration x 1000 / num_queries`` in mJ per query.

    A MultiStream result inferred from a SingleStream run counts 8 samples per query, as the checker does.
    """
    avg = metric.avg_power_w
    if avg is None:
        raise ValueError("no sample in the window")
    if scenario == "MultiStream" and effective == "SingleStream":
        return avg * metric.duration_s * 8 * 1000 / queries
    return avg * metric.duration_s * 1000 / queries


@dataclass(frozen=True, slots=True)
class Session:
    """What the power session's ``server.json`` says: the director's time zone, the analyzer, PTDaemon."""

    file: SourceFile | None
    timezone_s: int | None = None
    analyzer: str | None = None
    ptd_version: str | None = None
    interval_s: float | None = None


def read_session(source: Source, layout: Layout) -> Session:
    """``power/server.json`` when the folder holds it (its absence is noted, not an error)."""
    path = f"{layout.power}/server.json" if layout.power else None
    if path is None or not source.exists(path):
        return Session(None)
    file = source.read(path, 16 * 1024 * 1024)
    doc = parse_json_bytes(file.data)
    if not isinstance(doc, dict):
        raise InputError(f"{path}: the top level is a JSON {json_type_name(doc)}, not an object")
    zone = doc.get("timezone")
    analyzer = version = None
    interval = None
    for msg in doc.get("ptd_messages", []) if isinstance(doc.get("ptd_messages"), list) else []:
        cmd, reply = (msg.get("cmd"), msg.get("reply")) if isinstance(msg, dict) else (None, None)
        if cmd == "Identify" and isinstance(reply, str):
            analyzer = reply.split(",")[0][:100] or None
            if "version=" in reply:
                version = reply.split("version=", 1)[1].split("-", 1)[0][:40] or None
        if isinstance(cmd, str) and cmd.startswith("Go,") and interval is None:
            period = cmd.split(",")[1]
            interval = int(period) / 1000 if period.isdigit() and int(period) > 0 else None
    return Session(
        file, zone if isinstance(zone, int) and not isinstance(zone, bool) else None, analyzer, version, interval
    )
