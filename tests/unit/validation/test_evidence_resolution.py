"""Honest resolution: the interval a counter bounds, on the real H200 recording and on RAPL physics."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from tests.unit.validation.evidence_helpers import (
    H200_CSV,
    Recording,
    iso_ns,
    rebuild_results,
    recording,
    set_run_device_energy,
    steady_doc,
    trace_entry,
    write_csv,
)
from une_eval.findings import Outcome
from une_eval.validation import check_document
from une_eval.validation.windows import CounterColumn, recompute_windows

NVML = CounterColumn(1e-3, wraps=False)
TICK_NS = 100_000_000
GPU_COLUMNS = [
    {"name": "time_unix_ns", "unit": "ns"},
    {"name": "energy_mj", "unit": "mJ"},
    {"name": "power_instant_mw", "unit": "mW"},
]


def _sampler_rows(rec: Recording) -> npt.NDArray[np.intp]:
    """The rows a 10 Hz sampler would have read the counter on: the first at or after each tick."""
    ticks = np.arange(rec.time_ns[0], rec.time_ns[-1], TICK_NS)
    return np.unique(np.searchsorted(rec.time_ns, ticks))


def _windows_between_reads(rec: Recording, keep: npt.NDArray[np.intp], duration_s: float) -> list[tuple[int, int]]:
    """Every window of about ``duration_s`` from one recorded row to another, neither read by the sampler."""
    kept = set(keep.tolist())
    out = []
    for i in range(rec.time_ns.size):
        j = int(np.searchsorted(rec.time_ns, rec.time_ns[i] + round(duration_s * 1e9)))
        if j < rec.time_ns.size and i not in kept and j not in kept:
            out.append((i, j))
    return out


@pytest.mark.parametrize("duration_s", [2.5, 5.0, 24.0])
def test_the_truth_lies_in_the_interval_for_every_window_between_reads(duration_s: float) -> None:
    rec = recording()
    keep = _sampler_rows(rec)
    pairs = _windows_between_reads(rec, keep, duration_s)
    assert len(pairs) > 100
    windows = [(int(rec.time_ns[i]), int(rec.time_ns[j])) for i, j in pairs]
    got = recompute_windows([(rec.time_ns[keep], rec.energy_mj[keep].astype(float))], windows, NVML)
    widened = 0
    for (i, j), w in zip(pairs, got, strict=True):
        truth_j = (rec.energy_mj[j] - rec.energy_mj[i]) * 1e-3  # the counter read exactly at both boundaries
        assert w.min_j is not None
        assert w.max_j is not None
        assert w.energy_j is not None
        assert w.min_j <= truth_j <= w.max_j
        assert w.min_j <= w.energy_j <= w.max_j
        widened += w.max_j > w.min_j
    # No read at the boundaries: an interval, except where the counter did not move around either boundary.
    assert widened > 0.9 * len(pairs)


def test_reads_at_both_boundaries_collapse_the_interval() -> None:
    rec = recording()
    keep = _sampler_rows(rec)
    windows = [(int(rec.time_ns[keep[a]]), int(rec.time_ns[keep[a + 25]])) for a in range(100, 300, 7)]
    for w in recompute_windows([(rec.time_ns[keep], rec.energy_mj[keep].astype(float))], windows, NVML):
        assert w.min_j == w.energy_j == w.max_j


def _sparse_counter_trace(rec: Recording, counter_rows: set[int]) -> list[list[Any]]:
    """All rows with instant power; the counter only on ``counter_rows`` (as une-eval measure writes it)."""
    return [
        [int(t), int(e) if k in counter_rows else None, int(p)]
        for k, (t, e, p) in enumerate(zip(rec.time_ns, rec.energy_mj, rec.power_instant_mw, strict=True))
    ]


def _doc_on(folder: Path, rows: list[list[Any]], run1: tuple[int, int], declared_j: float) -> dict[str, Any]:
    sha = write_csv(folder / "traces" / "gpu0.csv", ["time_unix_ns", "energy_mj", "power_instant_mw"], rows)
    doc = steady_doc()
    doc["measurement"]["traces"] = [trace_entry("traces/gpu0.csv", sha, "node0-gpu0", GPU_COLUMNS)]
    run = doc["measurement"]["runs"][1]
    run["start_time"], run["end_time"] = iso_ns(run1[0]), iso_ns(run1[1])
    run["duration_s"] = round((run1[1] - run1[0]) * 1e-9, 6)
    set_run_device_energy(doc, 1, "node0-gpu0", declared_j)
    rebuild_results(doc)
    return doc


def _evidence_hits(doc: dict[str, Any], folder: Path) -> set[tuple[str, str]]:
    verdict = check_document(doc, base_dir=folder)
    return {(f.rule_id, f.pointer) for f in verdict.findings if f.rule_id.startswith("evidence.")}


RUN1 = "/measurement/runs/1/devices/0/energy_j"


def test_a_2_5_s_window_between_reads_holds_the_truth_and_catches_7_percent(tmp_path: Path) -> None:
    rec = recording()
    keep = _sampler_rows(rec)
    run_rows = set(rec.rows_of("run-1").tolist())
    i, j = next(p for p in _windows_between_reads(rec, keep, 2.5) if p[0] in run_rows and p[1] in run_rows)
    truth_j = (rec.energy_mj[j] - rec.energy_mj[i]) * 1e-3
    # Run windows are written to the microsecond; the rows lie within 1 us after them.
    window = (int(rec.time_ns[i]) // 1000 * 1000, int(rec.time_ns[j]) // 1000 * 1000)
    rows = _sparse_counter_trace(rec, set(keep.tolist()))
    doc = _doc_on(tmp_path, rows, window, truth_j)
    verdict = check_document(doc, base_dir=tmp_path)
    [w] = [w for w in verdict.to_json()["evidence"]["windows"] if w["run_index"] == 1]
    assert w["recomputed_min_j"] < truth_j < w["recomputed_max_j"]
    assert 0 < w["start_read_distance_s"] <= 0.1
    assert 0 < w["end_read_distance_s"] <= 0.1
    assert not [f for f in verdict.findings if f.rule_id.startswith("evidence.")]
    assert ("evidence.energy", RUN1) in _evidence_hits(_doc_on(tmp_path, rows, window, truth_j * 0.93), tmp_path)


def test_a_counter_only_at_the_trace_ends_is_flagged_by_gaps(tmp_path: Path) -> None:
    rec = recording()
    rows = _sparse_counter_trace(rec, {0, rec.time_ns.size - 1})
    run_rows = rec.rows_of("run-1")
    i, j = int(run_rows[0]), int(run_rows[-1])
    truth_j = (rec.energy_mj[j] - rec.energy_mj[i]) * 1e-3
    window = (int(rec.time_ns[i]) // 1000 * 1000, int(rec.time_ns[j]) // 1000 * 1000)
    hits = _evidence_hits(_doc_on(tmp_path, rows, window, truth_j * 0.59), tmp_path)
    assert ("evidence.gaps", RUN1) in hits
    # The interval such a trace allows is too wide to refute a 41% under-declaration: gaps must catch it.
    assert ("evidence.energy", RUN1) not in hits


# ---- RAPL: a counter that wraps ------------------------------------------------------------------------

RANGE_UJ = 2**32
CPU_W = 200.0


def _rapl_doc(folder: Path, *, declare_range: bool) -> dict[str, Any]:
    """The steady submission plus a CPU package at a constant 200 W, its 2^32 uJ counter wrapping in run 1."""
    doc = steady_doc()
    t0 = int(recording().time_ns[0])
    times = np.arange(t0 - 5_000_000_000, t0 + 55_000_000_000 + 1, TICK_NS, dtype=np.int64)  # 60 s at 10 Hz
    # Chosen so the counter wraps 23 s after the recording starts, inside run 1 (20.5 s to 27.5 s).
    start_uj = 2 * RANGE_UJ - round(CPU_W * 1e6 * 23)
    counter = (start_uj + (CPU_W * 1e6 * (times - t0) * 1e-9).round().astype(np.int64)) % RANGE_UJ
    sha = write_csv(
        folder / "traces" / "cpu0.csv",
        ["time_unix_ns", "energy_uj"],
        [[int(t), int(c)] for t, c in zip(times, counter, strict=True)],
    )
    column: dict[str, Any] = {"name": "energy_uj", "unit": "uJ"} | ({"wrap_range": RANGE_UJ} if declare_range else {})
    m = doc["measurement"]
    m["traces"].append(
        trace_entry("traces/cpu0.csv", sha, "node0-cpu0", [{"name": "time_unix_ns", "unit": "ns"}, column])
    )
    m["devices"].append({"device_id": "node0-cpu0", "component": "cpu", "node_id": "node0"})
    m["methods"][1] = {
        "component": "cpu",
        "method": "rapl",
        "instrument": {"name": "Linux powercap intel-rapl", "sampling_interval_s": 0.1},
    }
    for i, run in enumerate(m["runs"]):
        duration_s = (np.datetime64(run["end_time"][:-1]) - np.datetime64(run["start_time"][:-1])) / np.timedelta64(
            1, "s"
        )
        set_run_device_energy(doc, i, "node0-cpu0", round(CPU_W * float(duration_s), 3))
    rebuild_results(doc)
    shutil.copy(H200_CSV, folder / "traces" / "gpu0.csv")
    return doc


def test_a_wrapping_rapl_counter_with_its_range_validates_conformant(tmp_path: Path) -> None:
    doc = _rapl_doc(tmp_path, declare_range=True)
    verdict = check_document(doc, base_dir=tmp_path)
    assert verdict.outcome is Outcome.CONFORMANT, [(f.rule_id, f.message) for f in verdict.findings]
    cpu = {w["run_index"]: w for w in verdict.to_json()["evidence"]["windows"] if w["device_id"] == "node0-cpu0"}
    assert [cpu[i]["counter_wraps"] for i in range(3)] == [0, 1, 0]
    assert cpu[1]["recomputed_j"] == pytest.approx(CPU_W * cpu[1]["duration_s"], rel=1e-6)


def test_a_rapl_decrease_without_a_range_cannot_be_told_from_a_reset(tmp_path: Path) -> None:
    doc = _rapl_doc(tmp_path, declare_range=False)
    verdict = check_document(doc, base_dir=tmp_path)
    hits = [f for f in verdict.findings if f.rule_id == "evidence.counter-reset"]
    assert [f.pointer for f in hits] == ["/measurement/runs/1/devices/1/energy_j"]
    assert "cannot be told from a reset" in hits[0].message
    assert verdict.to_json()["evidence"]["assurance"] == "evidence-checked"  # the accelerator's evidence is whole
