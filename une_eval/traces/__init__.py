"""The raw trace format, owned in one place: columns and units, writing, reading under attack, dialects.

Every part of une-eval that touches a trace goes through this package: ``une-eval measure`` writes with
:class:`TraceWriter`; the validator and the certificate open a trace once with :func:`open_trace` and
read it in bounded batches with :class:`TraceContent` (or :func:`summarize_trace` for the chart); the
replay sensor reads the recorded H200 dialect with :func:`read_recording`. ``docs/traces.md``
documents the format for users.

- :mod:`une_eval.traces.format`: the column table, counters, limits and :class:`TraceUnusable`.
- :mod:`une_eval.traces.writing`: the CSV writer and the trace entry it describes.
- :mod:`une_eval.traces.files`: opening a hostile file beneath the submission's folder.
- :mod:`une_eval.traces.reading`: bounded CSV and Parquet batches of the needed columns.
- :mod:`une_eval.traces.series`: the downsampled power series for the certificate.
- :mod:`une_eval.traces.recording`: the recorded-H200 dialect.
"""

import importlib
from typing import TYPE_CHECKING, Any

from une_eval.traces.files import OpenedTrace, open_trace
from une_eval.traces.format import (
    COLUMNS,
    COUNTERS,
    FORMAT,
    INSTANT_POWER,
    MAX_TRACE_BYTES,
    MAX_TRACE_ROWS,
    TIME_COLUMN,
    ColumnSpec,
    CounterSpec,
    TraceColumn,
    TraceUnusable,
    column,
)
from une_eval.traces.recording import RecordedSample, read_recording
from une_eval.traces.writing import TraceWriter, columns_for, sha256_file

if TYPE_CHECKING:
    from une_eval.traces.reading import Batch, TraceContent
    from une_eval.traces.series import PowerSeries, TraceSummary, power_series, summarize_trace

# The readers need numpy: they load on first use, so that a submission whose traces are absent never loads it.
_LAZY = {
    "Batch": "une_eval.traces.reading",
    "TraceContent": "une_eval.traces.reading",
    "PowerSeries": "une_eval.traces.series",
    "TraceSummary": "une_eval.traces.series",
    "power_series": "une_eval.traces.series",
    "summarize_trace": "une_eval.traces.series",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "COLUMNS",
    "COUNTERS",
    "FORMAT",
    "INSTANT_POWER",
    "MAX_TRACE_BYTES",
    "MAX_TRACE_ROWS",
    "TIME_COLUMN",
    "Batch",
    "ColumnSpec",
    "CounterSpec",
    "OpenedTrace",
    "PowerSeries",
    "RecordedSample",
    "TraceColumn",
    "TraceContent",
    "TraceSummary",
    "TraceUnusable",
    "TraceWriter",
    "column",
    "columns_for",
    "open_trace",
    "power_series",
    "read_recording",
    "sha256_file",
    "summarize_trace",
]
