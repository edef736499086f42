"""Schema-valid but absurd magnitudes fail the rules that cannot compute with them; nothing crashes."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.findings import Outcome
from une_eval.report.charts import nice_ticks
from une_eval.traces import TraceContent, TraceUnusable, open_trace
from une_eval.validation import check_document
from une_eval.validation.evidence import Evidence, WindowEvidence


def _doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "valid" / "llm-inference-h100.json").read_text())
    return data


def test_energies_near_the_float_limit_fail_instead_of_crashing() -> None:
    doc = _doc()
    for run in doc["measurement"]["runs"]:
        run["energy"]["gpu_j"] = run["energy"]["total_j"] = 1e308
        for dev in run["devices"]:
            dev["energy_j"] = 1e308
    verdict = check_document(doc)
    assert verdict.outcome is Outcome.NON_CONFORMANT
    assert any("out of computable range" in f.message for f in verdict.findings)


def test_vanishing_work_units_are_not_rated() -> None:
    doc = _doc()
    doc["measurement"]["runs"][0]["work_units"] = 1e-300
    verdict = check_document(copy.deepcopy(doc))
    assert verdict.outcome is Outcome.NON_CONFORMANT
    assert "rating" not in verdict.to_json()


def test_time_beyond_int64_makes_a_trace_unusable(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(b"time_unix_ns,energy_mj\n99999999999999999999,1\n99999999999999999999,2\n")
    with pytest.raises(TraceUnusable, match="int64"), open_trace(tmp_path, "t.csv") as trace:
        list(TraceContent(trace, "csv").batches(["energy_mj"]))


def test_tiny_power_still_gets_chart_ticks() -> None:
    assert nice_ticks(5e-321) == [0.0, 1.0]
    assert nice_ticks(1250)[-1] >= 1250


def test_evidence_json_has_no_infinity() -> None:
    window = WindowEvidence(
        run_index=0,
        device_id="g",
        trace_index=0,
        device_index=0,
        declared_j=1.0,
        duration_s=1.0,
        recomputed_j=1.0,
        recomputed_min_j=1.0,
        recomputed_max_j=None,
        method="energy-counter",
        start_uncovered_s=0.0,
        end_uncovered_s=0.0,
        max_gap_s=math.inf,
        start_read_distance_s=0.0,
        end_read_distance_s=math.inf,
        counter_resets=0,
        counter_wraps=0,
        counter_ambiguous_decreases=0,
    )
    out = Evidence(windows=(window,), issues=()).to_json()
    assert out["windows"][0]["max_gap_s"] is None
    assert out["windows"][0]["end_read_distance_s"] is None
    json.dumps(out, allow_nan=False)


def test_a_run_that_ends_when_it_starts_is_said_so_without_a_negative_zero() -> None:
    doc = _doc()
    run = doc["measurement"]["runs"][0]
    run["end_time"] = run["start_time"]
    verdict = check_document(doc)
    messages = [f.message for f in verdict.findings if f.pointer == "/measurement/runs/0/end_time"]
    assert messages == ["run 0 ends 0 s before (or when) it starts"]
