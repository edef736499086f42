"""Nothing lost: failed runs, sensor errors and Ctrl-C leave a readable partial submission."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.unit.measure.replay_setup import DECLARED, FIX, replay
from une_eval.errors import SensorError
from une_eval.measure import (
    CommandWorkload,
    ProtocolConfig,
    ReplaySensor,
    SimulatedWorkload,
    SystemClock,
    measure,
    read_host_file,
)
from une_eval.measure.sampler import COUNTER_INTERVAL_S
from une_eval.measure.sensors import DeviceInfo, PowerSample
from une_eval.measure.workload import RunningWorkload
from une_eval.validation import check_document

QUICK = ProtocolConfig(runs=3, idle_s=30.0, pause_min_s=1.0, pause_max_s=2.0, work_units=1000, seed=7)


def _read(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((out / "submission.json").read_text())
    return doc


def test_failed_run_is_reported_and_measurement_incomplete(tmp_path: Path) -> None:
    clock, sensor, setup = replay()
    workload = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load, exit_codes=[0, 0, 3])
    result = measure([sensor], clock, workload, setup, DECLARED, QUICK, tmp_path)
    assert not result.complete
    doc = _read(tmp_path)
    m = doc["measurement"]
    assert m["complete"] is False
    assert "run 1: the workload exited with code 3" in m["incomplete_reason"]
    assert m["runs"][-1]["complete"] is False
    assert m["runs"][-1]["exit_code"] == 3
    assert m["runs"][0]["complete"] is True
    verdict = check_document(doc, base_dir=tmp_path)
    assert verdict.outcome.value == "non-conformant"
    assert any(f.rule_id == "measurement.complete" for f in verdict.findings)


class _FailingSensor:
    """Wraps a sensor and fails its counter read after a number of calls (an NVML error mid-run)."""

    def __init__(self, inner: ReplaySensor, fail_after: int) -> None:
        self._inner = inner
        self._left = fail_after

    def devices(self) -> list[DeviceInfo]:
        return self._inner.devices()

    def read_power(self) -> list[PowerSample]:
        return self._inner.read_power()

    def read_counters(self) -> dict[str, int]:
        self._left -= 1
        if self._left < 0:
            raise SensorError("NVML energy read failed: GPU is lost")
        return self._inner.read_counters()

    def close(self) -> None:
        self._inner.close()


def test_sensor_error_leaves_partial_submission(tmp_path: Path) -> None:
    clock, sensor, setup = replay()
    workload = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load)
    # The counter fails about 12 s into run 0: after the 30 s baseline and the ~24 s warm-up.
    fail_after = int((30 + 24 + 12) / COUNTER_INTERVAL_S)
    result = measure([_FailingSensor(sensor, fail_after)], clock, workload, setup, DECLARED, QUICK, tmp_path)
    assert not result.complete
    m = _read(tmp_path)["measurement"]
    assert m["complete"] is False
    assert "GPU is lost" in m["incomplete_reason"]
    assert m["idle_baseline"]["duration_s"] == pytest.approx(30.0)


class _InterruptingWorkload:
    def __init__(self, inner: SimulatedWorkload, at_start: int) -> None:
        self._inner = inner
        self._at = at_start

    def start(self, env: Mapping[str, str]) -> RunningWorkload:
        if self._inner.starts == self._at:
            raise KeyboardInterrupt
        return self._inner.start(env)


def test_ctrl_c_writes_partial_submission_and_propagates(tmp_path: Path) -> None:
    clock, sensor, setup = replay()
    workload = _InterruptingWorkload(SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load), 2)
    with pytest.raises(KeyboardInterrupt):
        measure([sensor], clock, workload, setup, DECLARED, QUICK, tmp_path)
    doc = _read(tmp_path)
    assert doc["measurement"]["complete"] is False
    assert "Ctrl-C" in doc["measurement"]["incomplete_reason"]
    assert len(doc["measurement"]["runs"]) == 1
    trace = pd.read_csv(tmp_path / doc["measurement"]["traces"][0]["path"])
    assert set(trace["phase"]) >= {"idle", "warmup", "run-0"}


def test_command_workload_reports_work_units_through_result_file(tmp_path: Path) -> None:
    _, sensor, setup = replay()
    script = "import json, os; json.dump({'work_units': 250}, open(os.environ['UNE_EVAL_RESULT_FILE'], 'w'))"
    config = ProtocolConfig(runs=2, idle_s=0.2, warmup=False, pause_min_s=0.05, pause_max_s=0.1)
    workload = CommandWorkload([sys.executable, "-c", script])
    result = measure([sensor], SystemClock(), workload, setup, DECLARED, config, tmp_path)
    assert result.complete, result.reason
    runs = result.document["measurement"]["runs"]
    assert [r["work_units"] for r in runs] == [250, 250]
    assert result.document["results"]["work_units_total"] == 500


def test_command_exit_code_is_a_failed_run(tmp_path: Path) -> None:
    _, sensor, setup = replay()
    config = ProtocolConfig(runs=1, idle_s=0.1, warmup=False, work_units=1)
    workload = CommandWorkload([sys.executable, "-c", "raise SystemExit(5)"])
    result = measure([sensor], SystemClock(), workload, setup, DECLARED, config, tmp_path)
    assert not result.complete
    run = result.document["measurement"]["runs"][0]
    assert (run["complete"], run["exit_code"]) == (False, 5)
    assert "results" not in result.document


def test_node_id_cannot_escape_the_output_folder() -> None:
    node = read_host_file(FIX / "h200-host.json", node_id="../../etc/evil")
    assert "/" not in node.node_id
    assert node.node_id == "etc-evil"


@pytest.mark.parametrize(
    ("warmup", "reason"),
    [(True, "the warm-up execution ran past --run-timeout 10 s"), (False, "run 0: the workload ran past")],
)
def test_run_timeout_stops_the_execution_and_fails_it(tmp_path: Path, warmup: bool, reason: str) -> None:
    clock, sensor, setup = replay()  # the recording's runs last 24 s
    workload = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load)
    config = ProtocolConfig(runs=3, idle_s=30.0, warmup=warmup, work_units=1000, seed=7, run_timeout_s=10.0)
    result = measure([sensor], clock, workload, setup, DECLARED, config, tmp_path)
    assert not result.complete
    m = _read(tmp_path)["measurement"]
    assert reason in m["incomplete_reason"]
    if not warmup:
        [run] = m["runs"]
        assert run["complete"] is False
        assert run["duration_s"] == pytest.approx(10.0, abs=0.2)
        assert "--run-timeout 10 s" in run["reason"]


class _SignallingWorkload:
    """Sends a signal to this process when it is started for the ``at``-th time (a scheduler's SIGTERM)."""

    def __init__(self, inner: SimulatedWorkload, at_start: int, signum: int) -> None:
        self._inner = inner
        self._at = at_start
        self._signum = signum

    def start(self, env: Mapping[str, str]) -> RunningWorkload:
        if self._inner.starts == self._at:
            os.kill(os.getpid(), self._signum)
        return self._inner.start(env)


def test_a_stop_signal_finishes_the_partial_submission_and_returns(tmp_path: Path) -> None:
    clock, sensor, setup = replay()
    workload = _SignallingWorkload(SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load), 2, 15)
    result = measure([sensor], clock, workload, setup, DECLARED, QUICK, tmp_path)
    assert (result.complete, result.signal) == (False, signal.SIGTERM)
    assert result.reason == "interrupted by SIGTERM during run 1"
    doc = _read(tmp_path)
    assert doc["measurement"]["incomplete_reason"] == "interrupted by SIGTERM during run 1"
    runs = doc["measurement"]["runs"]
    assert [(r["index"], r["complete"]) for r in runs] == [(0, True), (1, False)]  # run 1 was cut short
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored


def test_a_command_that_cannot_start_finishes_the_submission_with_the_reason(tmp_path: Path) -> None:
    _, sensor, setup = replay()
    config = ProtocolConfig(runs=1, idle_s=0.1, warmup=False, work_units=1)
    workload = CommandWorkload([str(tmp_path / "missing-bench")])
    result = measure([sensor], SystemClock(), workload, setup, DECLARED, config, tmp_path / "out")
    assert not result.complete
    assert "cannot start the workload" in (result.reason or "")
    assert _read(tmp_path / "out")["measurement"]["complete"] is False


def test_the_command_workload_does_not_inherit_une_eval_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNE_EVAL_KEY_PASSPHRASE", "auditor-secret")
    monkeypatch.setenv("UNE_EVAL_ANY_LATER_SETTING", "x")
    _, sensor, setup = replay()
    dump = tmp_path / "env.json"
    script = f"import json, os; json.dump(dict(os.environ), open({str(dump)!r}, 'w'))"
    config = ProtocolConfig(runs=1, idle_s=0.1, warmup=False, work_units=1)
    measure(
        [sensor],
        SystemClock(),
        CommandWorkload([sys.executable, "-c", script]),
        setup,
        DECLARED,
        config,
        tmp_path / "o",
    )
    env = json.loads(dump.read_text())
    assert sorted(k for k in env if k.startswith("UNE_EVAL_")) == ["UNE_EVAL_PHASE", "UNE_EVAL_RESULT_FILE"]
    assert "auditor-secret" not in dump.read_text()


def test_an_absurd_work_unit_count_is_a_failed_run_not_a_crash(tmp_path: Path) -> None:
    _, sensor, setup = replay()
    script = "import os; open(os.environ['UNE_EVAL_RESULT_FILE'], 'w').write('{\"work_units\": 1e308}')"
    config = ProtocolConfig(runs=2, idle_s=0.1, warmup=False, pause_min_s=0.05, pause_max_s=0.1)
    workload = CommandWorkload([sys.executable, "-c", script])
    result = measure([sensor], SystemClock(), workload, setup, DECLARED, config, tmp_path)
    assert not result.complete
    assert "work units 1e+308 are outside" in (result.reason or "")
    text = (tmp_path / "submission.json").read_text()
    assert "Infinity" not in text
    assert "results" not in json.loads(text)
