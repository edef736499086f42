"""What `une-eval measure` wrote on a real NVIDIA H200, checked as an auditor would check it.

fixtures/gpu/ holds two measurement folders made with bench/gpu_check.sh and bench/gpu_interrupt.sh on one
H200 (driver 580.159.04, power limit 700 W; see fixtures/gpu/README.md), each beside the workload's own
reads of the same NVML energy counter (independent/, taken first thing at its start and last thing before
its exit) and, for the full check, nvidia-smi's power at 100 ms. These tests hold the runner's figures to
those independent reads, so a change that shifts a window, drops a boundary read or misreads the counter
fails here on real hardware data.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from une_eval.findings import Outcome
from une_eval.validation.pipeline import check_file

GPU = Path(__file__).resolve().parents[3] / "fixtures" / "gpu"
CHECK = GPU / "h200-check"
CTRL_C = GPU / "h200-ctrl-c"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _unix_s(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _trace(folder: Path) -> list[dict[str, str]]:
    with (folder / "traces" / "vm-gpu0.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_real_measurement_conforms_with_its_energy_recomputed_from_the_trace() -> None:
    audit = check_file(CHECK / "submission.json")
    assert audit.verdict is Outcome.CONFORMANT, [f.message for f in audit.findings]
    assert str(audit.assurance) == "evidence-checked"
    assert audit.evidence is not None
    windows = audit.evidence.windows
    assert len(windows) == 3
    for w in windows:
        assert w.recomputed_j == pytest.approx(w.declared_j, abs=0.05)  # declared to 0.1 J
        assert w.max_gap_s <= 1.0  # counter reads between boundaries, under the profile's limit


def test_each_run_agrees_with_the_workloads_own_counter_reads() -> None:
    """Within 1 %, once the runner's longer window (process start and exit, near idle) is allowed for."""
    m = _load(CHECK / "submission.json")["measurement"]
    idle_w = sum(d["power_w"] for d in m["idle_baseline"]["devices"])
    for run in m["runs"]:
        own = _load(CHECK / "independent" / f"independent-run-{run['index']}.json")
        own_j = (own["end_mj"] - own["start_mj"]) / 1000
        own_s = (own["end_unix_ns"] - own["start_unix_ns"]) / 1e9
        assert 0 < run["duration_s"] - own_s < 2.0  # the runner's window encloses the workload's reads
        expected_j = own_j + idle_w * (run["duration_s"] - own_s)
        assert run["energy"]["gpu_j"] == pytest.approx(expected_j, rel=0.01)


def test_each_run_agrees_with_nvidia_smi_power_integrated() -> None:
    """nvidia-smi's power.draw (its own read, every 100 ms) integrated over each run: within 1.5 %."""
    samples: list[tuple[float, float]] = []
    with (CHECK / "nvidia-smi.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f):
            if row[0].startswith("timestamp"):
                continue
            stamp = dt.datetime.strptime(row[0].strip(), "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=dt.UTC)
            samples.append((stamp.timestamp(), float(row[1])))
    for run in _load(CHECK / "submission.json")["measurement"]["runs"]:
        start_s, end_s = _unix_s(run["start_time"]), _unix_s(run["end_time"])
        smi_j = sum(
            p0 * (min(t1, end_s) - max(t0, start_s))
            for (t0, p0), (t1, _) in itertools.pairwise(samples)
            if min(t1, end_s) > max(t0, start_s)
        )
        assert run["energy"]["gpu_j"] == pytest.approx(smi_j, rel=0.015)


def test_the_trace_reads_the_counter_at_every_boundary_and_every_0_9_s_between() -> None:
    rows = _trace(CHECK)
    reads = [(int(r["time_unix_ns"]), r["phase"]) for r in rows if r["energy_mj"]]
    gaps_s = [(b[0] - a[0]) / 1e9 for a, b in itertools.pairwise(reads)]
    assert max(gaps_s) <= 1.0
    phases = [r["phase"] for r in rows]
    for phase in ("idle", "warmup", "run-0", "run-1", "run-2"):
        first = phases.index(phase)
        last = len(phases) - 1 - phases[::-1].index(phase)
        assert rows[first]["energy_mj"], phase
        assert rows[last]["energy_mj"], phase
    power_gaps_s = [(int(b["time_unix_ns"]) - int(a["time_unix_ns"])) / 1e9 for a, b in itertools.pairwise(rows)]
    assert sorted(power_gaps_s)[len(power_gaps_s) // 2] == pytest.approx(0.1, abs=0.005)


def test_ctrl_c_on_a_real_gpu_leaves_an_honest_partial_submission() -> None:
    audit = check_file(CTRL_C / "submission.json")
    assert audit.verdict is Outcome.NON_CONFORMANT
    assert {f.rule_id for f in audit.errors} == {"measurement.complete", "runs.count", "runs.complete"}
    m = _load(CTRL_C / "submission.json")["measurement"]
    assert m["complete"] is False
    assert "Ctrl-C" in m["incomplete_reason"]
    done, stopped = m["runs"]
    assert done["complete"] is True
    assert stopped["complete"] is False
    assert stopped["exit_code"] == -15  # the runner stopped the workload's group with SIGTERM
    # The interrupted run's energy is its counter difference up to the final read the signal triggered.
    rows = [r for r in _trace(CTRL_C) if r["phase"] == "run-1"]
    assert rows[0]["energy_mj"]
    assert rows[-1]["energy_mj"]
    counter_j = (int(rows[-1]["energy_mj"]) - int(rows[0]["energy_mj"])) / 1000
    assert stopped["energy"]["gpu_j"] == pytest.approx(counter_j, rel=1e-6)
    own = _load(CTRL_C / "independent" / "independent-run-0.json")
    assert done["energy"]["gpu_j"] > (own["end_mj"] - own["start_mj"]) / 1000
