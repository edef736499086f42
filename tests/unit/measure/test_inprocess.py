from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.unit.measure.fake_nvml import FakeGpu, FakeNvml
from une_eval.errors import ProtocolError
from une_eval.measure import NvmlSensor, Setup, SystemClock, Unavailable, read_host_file
from une_eval.measure.inprocess import Session, synchronize_gpu

FIX = Path(__file__).parents[3] / "fixtures" / "traces"
TRAINING = json.loads((FIX.parent / "valid" / "training-multinode-h100.json").read_text())["workload"]
# The in-process sessions below measure training: the declarations say so (the phase is checked first).
DECLARED: dict[str, Any] = json.loads((FIX / "h200-declarations.json").read_text()) | {"workload": TRAINING}


def _session(tmp_path: Path, sync: Callable[[], None] | None = None) -> tuple[Session, FakeGpu]:
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
    extra: dict[str, Any] = {} if sync is None else {"sync": sync}
    return Session([sensor], clock, setup, DECLARED, tmp_path, interval_s=0.02, **extra), gpu


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


def test_sync_runs_at_every_boundary_before_the_counter_is_read(tmp_path: Path) -> None:
    # The run body only queues GPU work (50 J): it reaches the counter when sync waits for it. A session
    # that read the counter before syncing would give the run 0 J and the next phase the 50 J.
    queued_mj = 0
    calls = 0

    def sync() -> None:
        nonlocal queued_mj, calls
        calls += 1
        gpu.energy_mj += queued_mj
        queued_mj = 0

    session, gpu = _session(tmp_path, sync=sync)
    with session:
        session.idle_baseline(0.05)
        with session.run() as run:
            queued_mj += 50_000
            run.add(1)
        session.pause(0.01)
    assert session.result is not None
    assert calls == 5  # idle start and end, run start and end, pause
    [run_doc] = session.result.document["measurement"]["runs"]
    assert run_doc["energy"]["gpu_j"] == 50.0


def test_default_sync_is_a_no_op_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    synchronize_gpu()  # nothing to wait for, and torch is not imported by the call
    assert "torch" not in sys.modules


def test_default_sync_waits_for_cuda_only_once_the_script_initialised_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    class _Cuda:
        initialised = False

        def is_initialized(self) -> bool:
            return self.initialised

        def synchronize(self) -> None:
            calls.append("synchronize")

    cuda = _Cuda()
    monkeypatch.setitem(sys.modules, "torch", type(sys)("torch"))
    sys.modules["torch"].cuda = cuda  # type: ignore[attr-defined]
    synchronize_gpu()
    assert calls == []  # CUDA not initialised: synchronising would initialise it
    cuda.initialised = True
    synchronize_gpu()
    assert calls == ["synchronize"]


def test_a_gpu_without_the_instant_field_is_recorded_so_and_has_no_instant_column(tmp_path: Path) -> None:
    clock = SystemClock()
    sensor = NvmlSensor(FakeNvml([FakeGpu(has_instant=False)], energy_latency_s=0, power_latency_s=0), clock)
    setup = Setup(
        phase="training",
        unit="step",
        unit_count=1,
        profile="une-style",
        submission_id="no-instant",
        devices=sensor.devices(),
        unavailable=[Unavailable("cpu", "n/a"), Unavailable("dram", "n/a")],
        node=read_host_file(FIX / "h200-host.json"),
    )
    with Session([sensor], clock, setup, DECLARED, tmp_path, interval_s=0.02) as session:
        session.idle_baseline(0.05)
    inventory = json.loads((tmp_path / "inventory.json").read_text())
    assert inventory["devices"][0]["has_instant_power"] is False
    assert any("no instant-power field" in w for w in inventory["warnings"])
    assert session.result is not None
    [trace] = session.result.document["measurement"]["traces"]
    assert [c["name"] for c in trace["columns"]] == ["time_unix_ns", "phase", "energy_mj", "power_average_mw"]
    assert (tmp_path / trace["path"]).read_text().splitlines()[0] == "time_unix_ns,phase,energy_mj,power_average_mw"


def test_a_session_refuses_a_folder_holding_a_run(tmp_path: Path) -> None:
    session, _ = _session(tmp_path)
    with session:
        session.idle_baseline(0.02)
    with pytest.raises(ProtocolError, match="is not empty"):
        _session(tmp_path)


def test_ctrl_c_outside_a_run_ends_the_trace_on_a_counter_read(tmp_path: Path) -> None:
    session, gpu = _session(tmp_path)

    def stopped_in_a_pause() -> None:
        with session:
            session.idle_baseline(0.05)
            session.pause(0.01)
            gpu.energy_mj += 7_000  # drawn during the pause, after the pause's boundary read
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        stopped_in_a_pause()
    assert session.result is not None
    doc = session.result.document
    assert doc["measurement"]["incomplete_reason"] == "interrupted by the operator (Ctrl-C)"
    rows = (tmp_path / doc["measurement"]["traces"][0]["path"]).read_text().splitlines()
    header = rows[0].split(",")
    last = dict(zip(header, rows[-1].split(","), strict=True))
    assert last["phase"] == "pause"
    assert last["energy_mj"] == str(gpu.energy_mj)  # the final read saw the energy of the pause
