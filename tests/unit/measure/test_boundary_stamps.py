"""A window's boundary is stamped when its counter reads were: slow reads do not move it off the trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.unit.measure.fake_nvml import FakeGpu, FakeNvml
from une_eval.measure import NvmlSensor, Setup, SystemClock, Unavailable, read_host_file
from une_eval.measure.inprocess import Session
from une_eval.validation import check_file

FIX = Path(__file__).parents[3] / "fixtures" / "traces"
TRAINING = json.loads((FIX.parent / "valid" / "training-multinode-h100.json").read_text())["workload"]
DECLARED: dict[str, Any] = json.loads((FIX / "h200-declarations.json").read_text()) | {"workload": TRAINING}


def test_slow_counter_reads_keep_windows_on_their_boundary_reads(tmp_path: Path) -> None:
    gpus = [FakeGpu(energy_mj=1_000_000), FakeGpu(energy_mj=5_000_000)]
    clock = SystemClock()
    # 20 ms per counter read, like eight H200s read one after the other (3 ms each, measured).
    sensor = NvmlSensor(FakeNvml(gpus, energy_latency_s=0.02, power_latency_s=0), clock)
    setup = Setup(
        phase="training", unit="step", unit_count=1, profile="une-style", submission_id="slow",
        devices=sensor.devices(), unavailable=[Unavailable("cpu", "n/a"), Unavailable("dram", "n/a")],
        node=read_host_file(FIX / "h200-host.json"),
    )  # fmt: skip
    with Session([sensor], clock, setup, DECLARED, tmp_path, interval_s=0.05) as session:
        session.idle_baseline(0.1)
        with session.run() as run:
            for gpu in gpus:
                gpu.energy_mj += 30_000  # 30 J right after the start read
            run.add(1)
    audit = check_file(tmp_path / "submission.json")
    assert audit.evidence is not None
    windows = [w for w in audit.evidence.windows if w.run_index == 0]
    assert len(windows) == 2
    for w in windows:
        assert w.declared_j == 30.0
        assert w.recomputed_j == 30.0  # not a fraction of the step, clipped by a stamp taken after the reads
        assert w.start_read_distance_s < 1e-6
        assert w.end_read_distance_s < 1e-6
