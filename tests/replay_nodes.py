"""Replayed nodes of a many-node job for the tests: each node its own recording, derived from the H200 one.

Each derived recording is the bundled H200 recording (``fixtures/traces/h200-trace.csv``) with its
power scaled by a per-node factor (so nodes differ measurably), its monotonic times shifted and its
energy counter started elsewhere (as another host's would be); each GPU gets a probe with its own UUID.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES

TRACES = FIXTURES / "traces"
POWER_COLUMNS = ("power_mW", "power_instant_mW", "power_average_mW")


@dataclass(frozen=True)
class ReplayNode:
    """The files one replayed node plays: a recording and a probe per GPU, and the host description."""

    name: str
    gpus: tuple[tuple[Path, Path], ...]
    host: Path

    def replay_args(self) -> list[str]:
        """The ``--replay`` and ``--replay-gpu`` options for this node."""
        (trace, probe), *extra = self.gpus
        args = ["--profile", "replay-rehearsal", "--replay", str(trace), str(probe), str(self.host)]
        for trace_k, probe_k in extra:
            args += ["--replay-gpu", str(trace_k), str(probe_k)]
        return args


def uuid_of(node: str, gpu: int) -> str:
    """A GPU UUID of the form NVML reports, unique per node and index."""
    digits = "".join(f"{ord(c):02x}" for c in node)[:8].ljust(8, "0")
    return f"GPU-{digits}-0000-4000-8000-{gpu:012d}"


def derive_recording(dst: Path, *, scale: float, shift_ns: int, counter_base_mj: int) -> None:
    """The H200 recording with power times ``scale``, times shifted and the counter started elsewhere."""
    with (TRACES / "h200-trace.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    e0 = int(rows[0]["energy_mJ"])
    with dst.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            new = dict(row)
            new["t_ns"] = str(int(row["t_ns"]) + shift_ns)
            new["energy_mJ"] = str(counter_base_mj + round((int(row["energy_mJ"]) - e0) * scale))
            for col in POWER_COLUMNS:
                if row.get(col):
                    new[col] = str(round(int(row[col]) * scale))
            writer.writerow(new)


def derive_probe(dst: Path, uuid: str) -> None:
    """The H200 probe with another UUID."""
    probe: dict[str, Any] = json.loads((TRACES / "h200-probe.json").read_text())
    probe["device"]["uuid"] = uuid
    dst.write_text(json.dumps(probe))


def make_node(root: Path, name: str, gpus: int, *, index: int, uuids: Sequence[str] | None = None) -> ReplayNode:
    """Derive a node's recordings (one per GPU) under ``root/<name>``."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for g in range(gpus):
        trace, probe = folder / f"gpu{g}.csv", folder / f"gpu{g}.probe.json"
        scale = 1.0 + 0.02 * index - 0.005 * g
        derive_recording(trace, scale=scale, shift_ns=(index * 7 + g) * 1_000_000_000, counter_base_mj=10**9 * (g + 1))
        derive_probe(probe, uuids[g] if uuids else uuid_of(name, g))
        files.append((trace, probe))
    return ReplayNode(name, tuple(files), TRACES / "h200-host.json")


def declarations(dst: Path, phase: str) -> Path:
    """The bundled declarations, for inference, or turned into a training run's."""
    doc: dict[str, Any] = json.loads((TRACES / "h200-declarations.json").read_text())
    if phase == "training":
        doc["workload"] = {
            "training": {
                "dataset": {"name": "replayed-recording"},
                "steps": 100000,
                "global_batch_size": 1024,
                "wall_time_s": 360000,
                "coverage": {"kind": "extrapolated", "measured_fraction": 0.001},
            }
        }
    dst.write_text(json.dumps(doc))
    return dst


def measure_args(
    node: ReplayNode, out: Path, decl: Path, *, phase: str = "inference", runs: int = 3, extra: Sequence[str] = ()
) -> list[str]:
    """``une-eval measure`` arguments for one replayed node (a 5 s cool-down: every node samples past the end)."""
    unit = (
        ["--unit", "query", "--work-units", "1000"]
        if phase == "inference"
        else ["--unit", "step", "--work-units", "50"]
    )
    return [
        "measure", "--phase", phase, *unit, "--runs", str(runs), "--idle-s", "30", "--seed", "1",
        "--cooldown-s", "5", "--declarations", str(decl), *node.replay_args(), "--node", node.name,
        "-o", str(out), "-q", *extra,
    ]  # fmt: skip


def node_run_energy_j(folder: Path, run_index: int) -> float:
    """A node's energy in its own run window, from its traces alone: last counter minus first, all GPUs."""
    doc = json.loads((folder / "submission.json").read_text())
    total = 0.0
    for trace in doc["measurement"]["traces"]:
        with (folder / trace["path"]).open(newline="") as fh:
            values = [
                int(r["energy_mj"]) for r in csv.DictReader(fh) if r["phase"] == f"run-{run_index}" and r["energy_mj"]
            ]
        total += (values[-1] - values[0]) / 1000
    return total
