"""Evidence recomputation on the real H200 recording, the evidence rules, and the assurance level."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.unit.validation.evidence_helpers import (
    H200,
    H200_CSV,
    Recording,
    rebuild_results,
    recording,
    set_run_device_energy,
    steady_doc,
    trace_entry,
    write_csv,
)
from une_eval.energy import integrate_power_j
from une_eval.model import Submission
from une_eval.validation import check_document
from une_eval.validation.evidence import METHOD_COUNTER, METHOD_INSTANT, load_evidence
from une_eval.validation.windows import CounterColumn, recompute_windows

NVML = CounterColumn(1e-3, wraps=False)


def _window(rec: Recording, phase: str) -> tuple[int, int]:
    rows = rec.rows_of(phase)
    return int(rec.time_ns[rows[0]]), int(rec.time_ns[rows[-1]])


def _findings(doc: dict[str, Any], base_dir: Path, prefix: str = "evidence.") -> list[tuple[str, str]]:
    verdict = check_document(doc, base_dir=base_dir)
    return sorted((f.rule_id, f.pointer) for f in verdict.findings if f.rule_id.startswith(prefix))


def test_cooldown_edge_uses_counter_not_lagging_average() -> None:
    rec = recording()
    start, end = _window(rec, "cooldown")
    [got] = recompute_windows([(rec.time_ns, rec.energy_mj.astype(float))], [(start, end)], NVML)
    # Reads at both boundaries: the interval is a point. The README's figures: counter 795 J,
    # integrated average power 1,059 J (+33%).
    assert got.energy_j is not None
    assert got.energy_j == got.min_j == got.max_j
    assert got.energy_j == pytest.approx(795, rel=0.01)
    sel = (rec.time_ns >= start) & (rec.time_ns <= end)
    time_s = (rec.time_ns[sel] - start).astype(np.float64) * 1e-9
    averaged_j = integrate_power_j(time_s, rec.power_average_mw[sel].astype(np.float64) * 1e-3)
    assert averaged_j / got.energy_j - 1 > 0.25


def test_instant_power_fallback_is_a_point_close_on_steady_load() -> None:
    rec = recording()
    window = _window(rec, "run-1")
    [by_counter] = recompute_windows([(rec.time_ns, rec.energy_mj.astype(float))], [window], NVML)
    [by_power] = recompute_windows([(rec.time_ns, rec.power_instant_mw.astype(float))], [window], None)
    assert by_power.energy_j is not None
    assert by_counter.energy_j is not None
    assert by_power.min_j == by_power.max_j == by_power.energy_j
    assert by_power.energy_j == pytest.approx(by_counter.energy_j, rel=0.01)


def test_counter_reset_is_counted_and_contributes_nothing() -> None:
    t = np.arange(0, 10, dtype=np.int64) * 100_000_000
    v = np.array([0, 10, 20, 30, 5, 15, 25, 35, 45, 55], dtype=np.float64)
    [got] = recompute_windows([(t, v)], [(0, int(t[-1]))], NVML)
    assert got.resets == 1
    assert got.energy_j == pytest.approx(0.080)


def test_window_outside_trace_reports_uncovered_seconds() -> None:
    rec = recording()
    start, end = _window(rec, "run-0")
    [got] = recompute_windows([(rec.time_ns, rec.energy_mj.astype(float))], [(start - 5_000_000_000_000, end)], NVML)
    assert got.start_uncovered_s > 4000
    assert got.max_j is None  # the counter before the trace is unknown: no upper bound
    assert got.min_j is not None


def test_steady_submission_agrees_with_its_trace_and_is_evidence_checked() -> None:
    ev = load_evidence(Submission.model_validate(steady_doc()), H200)
    assert not ev.issues
    assert len(ev.windows) == 3
    for w in ev.windows:
        assert w.method == METHOD_COUNTER
        assert w.declared_j is not None
        assert w.recomputed_min_j == w.recomputed_j == w.recomputed_max_j  # read at both boundaries
        assert w.recomputed_j == pytest.approx(w.declared_j, rel=1e-4)
    assert ev.assurance == "evidence-checked"
    assert ev.assurance_reasons == ()
    assert json.dumps(ev.to_json(), allow_nan=False)


def test_averaged_power_submission_is_caught_at_the_edge_run() -> None:
    doc = json.loads((H200 / "averaged-power.json").read_text())
    verdict = check_document(doc, base_dir=H200)
    hits = [f.pointer for f in verdict.findings if f.rule_id == "evidence.energy"]
    assert hits == ["/measurement/runs/2/devices/0/energy_j"]


def test_without_base_dir_no_evidence_is_claimed() -> None:
    verdict = check_document(steady_doc())
    assert verdict.evidence is None
    # Nothing is recomputed, so the figures rest on the submission's word, which une-style does not accept.
    assert [f.rule_id for f in verdict.findings if f.rule_id.startswith("evidence.")] == ["evidence.assurance"]
    assert verdict.assurance == "declared-only"


def test_a_trace_listed_twice_is_read_once_and_reported() -> None:
    doc = steady_doc()
    doc["measurement"]["traces"] = doc["measurement"]["traces"] * 3
    verdict = check_document(doc, base_dir=H200)
    dupes = [f for f in verdict.findings if f.rule_id == "evidence.trace-file" and "listed more than once" in f.message]
    assert [f.pointer for f in dupes] == ["/measurement/traces/1/path", "/measurement/traces/2/path"]


def test_units_that_contradict_the_format_make_the_trace_unusable() -> None:
    doc = steady_doc()
    doc["measurement"]["traces"][0]["columns"][1]["unit"] = "J"
    verdict = check_document(doc, base_dir=H200)
    [hit] = [f for f in verdict.findings if f.rule_id == "evidence.trace-file"]
    assert "in 'J'" in hit.message
    assert verdict.to_json()["evidence"]["assurance"] == "declared-only"


def _four_gpu_doc(folder: Path) -> dict[str, Any]:
    """The steady submission on four GPUs, each with its own copy of the H200 trace, its counter started elsewhere.

    Identical bytes for two devices would be one device's samples given twice (refused), so each copy's
    counter starts 10^9 mJ further on, as another GPU's would: the energies between reads are the same.
    """
    doc = steady_doc()
    m = doc["measurement"]
    base_dev, base_idle, base_trace = m["devices"][0], m["idle_baseline"]["devices"][0], m["traces"][0]
    shutil.copytree(H200 / "traces", folder / "traces")
    m["devices"], m["idle_baseline"]["devices"], m["traces"] = [], [], []
    for g in range(4):
        gid = f"node0-gpu{g}"
        m["devices"].append({**base_dev, "device_id": gid, "uuid": f"GPU-{g}"})
        m["idle_baseline"]["devices"].append({**base_idle, "device_id": gid})
        rows = [line.split(",") for line in H200_CSV.read_text().splitlines()]
        for row in rows[1:]:
            row[1] = str(int(row[1]) + g * 10**9) if row[1] else ""
        sha = write_csv(folder / "traces" / f"gpu{g}.csv", rows[0], rows[1:])
        m["traces"].append({**base_trace, "path": f"traces/gpu{g}.csv", "device_id": gid, "sha256": sha})
    doc["system"]["hardware"]["nodes"][0]["accelerators"][0]["count"] = 4
    for i, run in enumerate(m["runs"]):
        energy_j = run["devices"][0]["energy_j"]
        run["devices"] = []
        for g in range(4):
            set_run_device_energy(doc, i, f"node0-gpu{g}", energy_j)
    rebuild_results(doc)
    return doc


def test_four_gpus_with_traces_are_evidence_checked(tmp_path: Path) -> None:
    doc = _four_gpu_doc(tmp_path)
    verdict = check_document(doc, base_dir=tmp_path)
    assert [f.rule_id for f in verdict.findings if f.rule_id.startswith("evidence.")] == []
    assert verdict.to_json()["evidence"]["assurance"] == "evidence-checked"


def test_a_missing_trace_for_one_of_four_gpus_is_a_finding(tmp_path: Path) -> None:
    doc = _four_gpu_doc(tmp_path)
    del doc["measurement"]["traces"][2]
    verdict = check_document(doc, base_dir=tmp_path)
    assert ("evidence.device-trace", "/measurement/runs/0/devices/2/device_id") in {
        (f.rule_id, f.pointer) for f in verdict.findings
    }
    evidence = verdict.to_json()["evidence"]
    assert evidence["assurance"] == "declared-only"
    assert any("node0-gpu2" in r for r in evidence["assurance_reasons"])


def test_run_totals_without_device_entries_are_checked_against_traces(tmp_path: Path) -> None:
    doc = _four_gpu_doc(tmp_path)
    for run in doc["measurement"]["runs"]:
        run["devices"] = []
    assert _findings(copy.deepcopy(doc), tmp_path) == []
    run = doc["measurement"]["runs"][1]
    run["energy"]["gpu_j"] = run["energy"]["total_j"] = run["energy"]["gpu_j"] * 0.9
    rebuild_results(doc)
    assert _findings(doc, tmp_path) == [
        ("evidence.run-energy", "/measurement/runs/1/energy/gpu_j"),
        ("evidence.run-energy", "/measurement/runs/1/energy/total_j"),
    ]


def test_a_trace_above_the_power_limit_is_a_finding(tmp_path: Path) -> None:
    rec = recording()
    # The counter scaled by 10 (a unit slip): the trace implies about 7 kW on a 700 W GPU.
    rows = [
        [int(t), int(e) * 10, int(p)] for t, e, p in zip(rec.time_ns, rec.energy_mj, rec.power_instant_mw, strict=True)
    ]
    sha = write_csv(tmp_path / "traces" / "gpu0.csv", ["time_unix_ns", "energy_mj", "power_instant_mw"], rows)
    doc = steady_doc()
    cols = [
        {"name": "time_unix_ns", "unit": "ns"},
        {"name": "energy_mj", "unit": "mJ"},
        {"name": "power_instant_mw", "unit": "mW"},
    ]
    doc["measurement"]["traces"] = [trace_entry("traces/gpu0.csv", sha, "node0-gpu0", cols)]
    hits = [f for f in check_document(doc, base_dir=tmp_path).findings if f.rule_id == "evidence.power-limit"]
    assert [f.pointer for f in hits] == [f"/measurement/runs/{i}/devices/0/energy_j" for i in range(3)]
    assert "power limit 700 W" in hits[0].message


def test_a_replayed_measurement_reads_the_counter_at_every_boundary(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from une_eval.cli import main

    fix = H200.parents[1] / "traces"
    args = ["measure", "--phase", "inference", "--unit", "query", "--work-units", "1000", "--runs", "3"]
    args += ["--idle-s", "30", "--seed", "1", "--declarations", str(fix / "h200-declarations.json")]
    args += ["--profile", "replay-rehearsal", "--replay"]
    args += [
        str(fix / "h200-trace.csv"),
        str(fix / "h200-probe.json"),
        str(fix / "h200-host.json"),
        "-o",
        str(tmp_path),
    ]
    assert CliRunner().invoke(main, args).exit_code == 0
    doc = json.loads((tmp_path / "submission.json").read_text())
    [column] = [c for c in doc["measurement"]["traces"][0]["columns"] if c["name"] == "energy_mj"]
    assert "wrap_range" not in column  # NVML does not wrap: a decrease stays a reset
    evidence = check_document(doc, base_dir=tmp_path).to_json()["evidence"]
    assert evidence["assurance"] == "evidence-checked"
    for w in evidence["windows"]:
        assert w["recomputed_min_j"] == w["recomputed_j"] == w["recomputed_max_j"]
        assert w["recomputed_j"] == pytest.approx(16494.889, abs=0.001)  # the recording's load segment


def _one_trace_doc(folder: Path, header: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    sha = write_csv(folder / "traces" / "gpu0.csv", header, rows)
    doc = steady_doc()
    columns = [{"name": n, "unit": {"time_unix_ns": "ns", "energy_mj": "mJ"}.get(n, "mW")} for n in header]
    doc["measurement"]["traces"] = [trace_entry("traces/gpu0.csv", sha, "node0-gpu0", columns)]
    return doc


def test_averaged_power_alone_is_refused_and_a_lone_counter_read_falls_back_to_instant_power(tmp_path: Path) -> None:
    rec = recording()
    averaged = [[int(t), int(p)] for t, p in zip(rec.time_ns, rec.power_average_mw, strict=True)]
    doc = _one_trace_doc(tmp_path, ["time_unix_ns", "power_average_mw"], averaged)
    [hit] = [f for f in check_document(doc, base_dir=tmp_path).findings if f.rule_id == "evidence.trace-file"]
    assert "averaged power" in hit.message
    rows = [
        [int(t), int(e) if k == 5 else None, int(p)]
        for k, (t, e, p) in enumerate(zip(rec.time_ns, rec.energy_mj, rec.power_instant_mw, strict=True))
    ]
    doc = _one_trace_doc(tmp_path, ["time_unix_ns", "energy_mj", "power_instant_mw"], rows)
    windows = check_document(doc, base_dir=tmp_path).to_json()["evidence"]["windows"]
    assert {w["method"] for w in windows} == {METHOD_INSTANT}
    for w in windows:
        assert w["recomputed_min_j"] == w["recomputed_j"] == w["recomputed_max_j"]
        assert w["recomputed_j"] == pytest.approx(w["declared_j"], rel=0.01)


def test_the_rules_know_the_evidence_methods_labels() -> None:
    from une_eval.validation import evidence
    from une_eval.validation.rules import evidence as rules

    assert rules.METHOD_INSTANT == evidence.METHOD_INSTANT
