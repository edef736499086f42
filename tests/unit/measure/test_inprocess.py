from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.unit.measure.fake_nvml import FakeGpu, FakeNvml
from une_eval.measure import NvmlSensor, Setup, SystemClock, Unavailable, read_host_file
from une_eval.measure.inprocess import Session

FIX = Path(__file__).parents[3] / "fixtures" / "traces"
DECLARED: dict[str, Any] = json.loads((FIX / "h200-declarations.json").read_text())


def _session(tmp_path: Path) -> tuple[Session, FakeGpu]:
    gpu = FakeGpu(energy_mj=1_000_000)
    clock = SystemClock()
    sensor = NvmlSensor(FakeNvml([gpu], energy_latency_s=0, power_latency_s=0), clock)
    setup = Setup(
        phase="training",
        unit="step",
        unit_count=1,
        profile="une-style",
        submission_id="inproc",
        devices=sensor.devices(),
        unavailable=[Unavailable("cpu", "n/a"), Unavailable("dram", "n/a")],
        node=read_host_file(FIX / "h200-host.json"),
    )
    return Session([sensor], clock, setup, DECLARED, tmp_path, interval_s=0.02), gpu


def test_session_counts_energy_and_work_units(tmp_path: Path) -> None:
    session, gpu = _session(tmp_path)
    with session:
        session.idle_baseline(0.1)
        for _ in range(2):
            with session.run() as run:
                gpu.energy_mj += 50_000  # 50 J of "training"
                run.add(10)
                run.add(5)
    assert session.result is not None
    assert session.result.complete
    runs = session.result.document["measurement"]["runs"]
    assert [r["energy"]["gpu_j"] for r in runs] == [50.0, 50.0]
    assert [r["work_units"] for r in runs] == [15, 15]
    assert session.result.document["results"]["work_units_total"] == 30


def test_exception_in_run_leaves_partial_submission(tmp_path: Path) -> None:
    session, _ = _session(tmp_path)

    def oom() -> None:
        raise RuntimeError("CUDA out of memory")

    with session:
        session.idle_baseline(0.05)
        with pytest.raises(RuntimeError, match="CUDA out of memory"), session.run():
            oom()
    assert session.result is not None
    assert not session.result.complete
    doc = json.loads((tmp_path / "submission.json").read_text())
    assert doc["measurement"]["complete"] is False
    assert "RuntimeError" in doc["measurement"]["incomplete_reason"]
    assert doc["measurement"]["runs"][0]["complete"] is False
