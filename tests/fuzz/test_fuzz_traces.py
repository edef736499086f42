"""Fuzz the trace parser: hostile CSV or Parquet bytes give columns or TraceUnusable, never another exception."""

from __future__ import annotations

import io
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from tests.fuzz.mutations import Damage, damages
from une_eval.traces import COLUMNS as TRACE_COLUMNS
from une_eval.traces import TIME_COLUMN, TraceContent, TraceUnusable, open_trace

KNOWN_COLUMNS = tuple(TRACE_COLUMNS)

pytestmark = pytest.mark.fuzz
BUDGET = settings(max_examples=80, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
# The head of a real recorded trace: enough rows to parse, small enough to mutate quickly.
REAL_CSV = b"\n".join((FIXTURES / "evidence" / "h200" / "traces" / "gpu0.csv").read_bytes().splitlines()[:60]) + b"\n"
COLUMNS = st.sampled_from([*KNOWN_COLUMNS, "phase", "", "Time_Unix_NS", "energy_mj "])
NUMBERS = st.integers(-(10**12), 10**12) | st.floats(allow_nan=False, allow_infinity=False)
HOSTILE = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.sampled_from(["", "nan", "inf", "-inf", "1e400", "0x10", "-", '"', '"1,2"', "NULL", " 12 ", "1_000"]),
    st.text(max_size=6),
)


@st.composite
def _table(draw: st.DrawFn, hostile: st.SearchStrategy[Any]) -> dict[str, list[Any]]:
    """Equal-length columns of a plausible trace (rising whole-nanosecond times, numbers), often with one
    hostile cell, and sometimes without a time column."""
    rows = draw(st.integers(0, 8))
    names = draw(st.lists(COLUMNS.filter(lambda c: c != TIME_COLUMN), max_size=3, unique=True))
    table: dict[str, list[Any]] = {}
    if draw(st.integers(0, 4)):
        table[TIME_COLUMN] = sorted(draw(st.lists(st.integers(0, 2**63 - 1), min_size=rows, max_size=rows)))
    for name in names:
        table[name] = draw(st.lists(NUMBERS, min_size=rows, max_size=rows))
    if table and rows and draw(st.booleans()):
        column = draw(st.sampled_from(sorted(table)))
        table[column][draw(st.integers(0, rows - 1))] = draw(hostile)
    return table


@st.composite
def _csv(draw: st.DrawFn) -> bytes:
    table = draw(_table(HOSTILE))
    names = list(table)
    if not names:
        return draw(st.binary(max_size=16))
    lines = [",".join(names), *(",".join(str(table[n][i]) for n in names) for i in range(len(table[names[0]])))]
    return "\n".join(lines).encode("utf-8", errors="replace")


def _frame_columns() -> st.SearchStrategy[dict[str, Any]]:
    return _table(st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats(), st.none()))


def _parquet(columns: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    pd.DataFrame(columns).to_parquet(out)
    return out.getvalue()


REAL_PARQUET = _parquet({TIME_COLUMN: [1, 2, 3, 4], "energy_mj": [10.0, 11.0, 12.5, 14.0], "phase": list("abcd")})


def parse_trace(data: bytes, fmt: str) -> dict[str, Any]:
    """Read a whole trace given as bytes through the package's reader (one temporary folder per call)."""
    with tempfile.TemporaryDirectory() as folder:
        name = f"trace.{fmt}"
        (Path(folder) / name).write_bytes(data)
        with open_trace(Path(folder), name) as trace:
            content = TraceContent(trace, fmt)
            wanted = [c for c in KNOWN_COLUMNS if c != TIME_COLUMN]
            batches = list(content.batches(wanted))
    times = np.concatenate([b.time_ns for b in batches])
    return {TIME_COLUMN: times, "batches": batches}


def _columns_or_refuse(data: bytes, fmt: str) -> None:
    try:
        with warnings.catch_warnings():
            # numpy warns (and goes on) when a float time beyond int64 is cast: the property here is about
            # exceptions; what that cast returns is pinned down by the regression tests at the end.
            warnings.simplefilter("ignore", RuntimeWarning)
            columns = parse_trace(data, fmt)
    except TraceUnusable as exc:
        message = str(exc)
        event(f"refused: {message[:50]}")
        assert message
        return
    event("accepted")
    time_ns = columns[TIME_COLUMN]
    assert time_ns.dtype == np.int64
    assert len(time_ns) >= 2
    assert (np.diff(time_ns) >= 0).all()
    for batch in columns["batches"]:
        assert isinstance(batch.time_ns, np.ndarray)


@BUDGET
@given(_csv())
def test_generated_csv(data: bytes) -> None:
    _columns_or_refuse(data, "csv")


@BUDGET
@given(damages(len(REAL_CSV)))
def test_damaged_csv(damage: Damage) -> None:
    _columns_or_refuse(damage.apply(REAL_CSV).data, "csv")


@BUDGET
@given(_frame_columns())
def test_generated_parquet(columns: dict[str, Any]) -> None:
    _columns_or_refuse(_parquet(columns), "parquet")


@BUDGET
@given(damages(len(REAL_PARQUET)))
def test_damaged_parquet(damage: Damage) -> None:
    _columns_or_refuse(damage.apply(REAL_PARQUET).data, "parquet")


# --- what the fuzzing found, kept as regular tests ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_time_beyond_int64_is_refused(fmt: str) -> None:
    """1e19 ns is past int64: an unchecked cast once turned it into -2**63 and accepted the trace (found by fuzzing)."""
    data = b"time_unix_ns,energy_mj\n1e19,1\n1e19,2\n"
    if fmt == "parquet":
        data = _parquet({TIME_COLUMN: [1e19, 1e19], "energy_mj": [1.0, 2.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(TraceUnusable):
            parse_trace(data, fmt)


def test_fractional_nanoseconds_are_refused() -> None:
    """0.5 ns and 1.5 ns were once truncated to 0 and 1 (found by fuzzing)."""
    with pytest.raises(TraceUnusable):
        parse_trace(b"time_unix_ns,energy_mj\n0.5,1\n1.5,2\n", "csv")
