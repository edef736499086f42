"""The bundled H200 recording, replayed on a simulated clock: the sensor, clock and setup many tests measure with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from une_eval.measure import (
    ReplaySensor,
    Setup,
    SimulatedClock,
    Unavailable,
    load_probe,
    load_recording,
    read_host_file,
)

FIX = Path(__file__).parents[3] / "fixtures" / "traces"
DECLARED: dict[str, Any] = json.loads((FIX / "h200-declarations.json").read_text())


def replay() -> tuple[SimulatedClock, ReplaySensor, Setup]:
    """A simulated clock, the recording's sensor on it, and an inference setup for one node without CPU or DRAM."""
    clock = SimulatedClock()
    sensor = ReplaySensor(load_recording(FIX / "h200-trace.csv"), load_probe(FIX / "h200-probe.json"), clock)
    setup = Setup(
        phase="inference",
        unit="query",
        unit_count=1000,
        profile="une-style",
        submission_id="t",
        devices=sensor.devices(),
        unavailable=[Unavailable("cpu", "none"), Unavailable("dram", "none")],
        node=read_host_file(FIX / "h200-host.json", node_id="node0"),
    )
    return clock, sensor, setup
