"""A stop signal closes the measurement on a real reading: one last counter read of every device.

Counters are read at every boundary and twice a second in between; a signal that lands between two
counter reads used to leave the trace, and the run cut short, ending on power samples only.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.unit.measure.replay_setup import DECLARED, replay
from une_eval.measure import (
    ProtocolConfig,
    SimulatedClock,
    SimulatedWorkload,
    measure,
)

CONFIG = ProtocolConfig(runs=3, idle_s=5.0, pause_min_s=1.0, pause_max_s=2.0, work_units=1000, seed=7)


class _SignalAfterTicks:
    """An ``on_tick`` that sends ``signum`` to this process after ``ticks`` samples of ``phase``."""

    def __init__(self, phase: str, ticks: int, signum: int) -> None:
        self.phase, self.left, self.signum = phase, ticks, signum

    def __call__(self, phase: str, power_w: dict[str, float]) -> None:
        if phase != self.phase or self.left < 0:
            return
        self.left -= 1
        if self.left < 0:
            os.kill(os.getpid(), self.signum)


@pytest.mark.parametrize(("signum", "phase", "ticks"), [(signal.SIGINT, "run-1", 3), (signal.SIGTERM, "idle", 13)])
def test_a_stop_signal_ends_the_trace_on_a_counter_read(tmp_path: Path, signum: int, phase: str, ticks: int) -> None:
    clock, sensor, setup = replay()
    workload = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load)
    stopper = _SignalAfterTicks(phase, ticks, signum)
    result = measure(
        [sensor], clock, workload, setup, DECLARED, CONFIG, tmp_path, counter_interval_s=0.5, on_tick=stopper
    )
    assert result.signal == signum
    assert stopper.left < 0  # the signal was sent between two counter reads (they come every 5th tick)
    doc = json.loads((tmp_path / "submission.json").read_text())
    trace = pd.read_csv(tmp_path / doc["measurement"]["traces"][0]["path"])
    last = trace.iloc[-1]
    assert last["phase"] == phase
    assert not pd.isna(last["energy_mj"])  # the last row is a counter read, taken after the signal
    assert last["time_unix_ns"] > trace["time_unix_ns"].iloc[-2]
    assert "final counter read of every device" in (tmp_path / "run.log").read_text()


def test_the_run_cut_short_is_recorded_with_its_energy_to_the_final_read(tmp_path: Path) -> None:
    clock, sensor, setup = replay()
    workload = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load)
    measure(
        [sensor],
        clock,
        workload,
        setup,
        DECLARED,
        CONFIG,
        tmp_path,
        counter_interval_s=0.5,
        on_tick=_SignalAfterTicks("run-1", 3, signal.SIGTERM),
    )
    m = json.loads((tmp_path / "submission.json").read_text())["measurement"]
    assert [(r["index"], r["complete"]) for r in m["runs"]] == [(0, True), (1, False)]
    cut = m["runs"][1]
    assert cut["reason"] == "interrupted by SIGTERM during run 1" == m["incomplete_reason"]
    trace = pd.read_csv(tmp_path / m["traces"][0]["path"])
    run_rows = trace[trace["phase"] == "run-1"].dropna(subset=["energy_mj"])
    first, last = run_rows["energy_mj"].iloc[0], run_rows["energy_mj"].iloc[-1]
    assert last == trace["energy_mj"].dropna().iloc[-1]  # the run closes on the trace's last counter read
    assert cut["energy"]["total_j"] == pytest.approx((last - first) / 1000, abs=1e-3)
    assert cut["energy"]["total_j"] > 0


class _KilledWithTheRunner:
    """A workload whose ``kill_at``-th start dies of Ctrl-C; the same Ctrl-C reaches the runner a moment later.

    "A moment later" is the clock's next sleep after the workload died: the runner's signal handler may run
    after it has already seen the workload's exit (a terminal or Slurm signals each process in turn).
    """

    def __init__(self, inner: SimulatedWorkload, clock: SimulatedClock, kill_at: int) -> None:
        self.inner, self.kill_at, self.armed = inner, kill_at, False
        sleep = clock.sleep

        def later(duration_s: float) -> None:
            sleep(duration_s)
            if self.armed:
                self.armed = False
                os.kill(os.getpid(), signal.SIGINT)

        clock.sleep = later  # type: ignore[method-assign]

    def start(self, env: Any) -> Any:
        running = self.inner.start(env)
        if self.inner.starts - 1 != self.kill_at:
            return running
        wait = running.wait

        def dies(timeout_s: float) -> int | None:
            if wait(timeout_s) is None:
                return None
            self.armed = True
            return -signal.SIGINT

        running.wait = dies  # type: ignore[method-assign]
        return running


def test_a_workload_killed_by_the_runners_own_ctrl_c_is_an_interruption_not_a_workload_failure(
    tmp_path: Path,
) -> None:
    clock, sensor, setup = replay()
    inner = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load)
    workload = _KilledWithTheRunner(inner, clock, kill_at=2)
    result = measure([sensor], clock, workload, setup, DECLARED, CONFIG, tmp_path, counter_interval_s=0.5)
    assert result.signal == signal.SIGINT
    m = json.loads((tmp_path / "submission.json").read_text())["measurement"]
    assert "Ctrl-C" in m["incomplete_reason"], m["incomplete_reason"]
    assert "killed by SIGINT" not in m["incomplete_reason"]
    assert [(r["index"], r["complete"]) for r in m["runs"]] == [(0, True), (1, False)]
