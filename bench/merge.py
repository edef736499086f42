"""``une-eval merge`` at scale: simulated nodes of 8 GPUs, each trace an hour (or more) of 10 Hz Parquet.

Usage:
    python bench/merge.py NODES HOURS [--keep DIR]    one merge, time and peak memory
    python bench/merge.py grid                        the growth with nodes (1 h) and with hours (64 nodes)

Each node folder is what ``une-eval measure --node`` writes for a one-hour job: a submission built by
the runner's own code (:func:`une_eval.measure.submission.build_submission`) with its node record (Slurm
launcher, clock offset measured to ±0.2 ms), and one Parquet trace per GPU: a 10 Hz row every 100 ms
(±2 ms of jitter), instant and averaged power, the NVML counter on boundary rows and every 0.5 s. The
job: a 60 s idle baseline, a 60 s warm-up, then five runs with pauses filling the hour. Node clocks
are off by up to ±50 ms, as recorded. The merge runs in a child process; its wall time and peak RSS
(``ru_maxrss``) are what is reported.
"""

from __future__ import annotations

import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from une_eval.measure.clocksync import ClockOffset, ClockSample
from une_eval.measure.inventory import NodeInventory
from une_eval.measure.nodes import Launcher, NodeRecord
from une_eval.measure.protocol import ProtocolRecord, RunRecord, Window
from une_eval.measure.sampler import Mark
from une_eval.measure.sensors import DeviceInfo
from une_eval.measure.submission import Setup, build_submission
from une_eval.traces import columns_for, sha256_file

REPO = Path(__file__).resolve().parents[1]
GPUS = 8
T0_NS = 1_795_683_600_000_000_000
TICK_NS = 100_000_000
DECLARED = json.loads((REPO / "fixtures" / "traces" / "h200-declarations.json").read_text())


def phases(hours: float) -> list[tuple[str, float, float]]:
    """(label, start s, end s) of the job's phases: baseline, warm-up, five runs with pauses between."""
    total = hours * 3600
    out = [("idle", 0.0, 60.0), ("warmup", 60.0, 120.0)]
    run_s = (total - 120.0 - 5 * 30.0) / 5
    t = 120.0
    for k in range(5):
        out.append(("pause", t, t + 30.0))
        out.append((f"run-{k}", t + 30.0, t + 30.0 + run_s))
        t += 30.0 + run_s
    return out


def _device(node: str, g: int) -> DeviceInfo:
    return DeviceInfo(
        device_id=f"{node}-gpu{g}", component="gpu", method="nvml-energy-counter", model="NVIDIA H200",
        counter_unit_j=0.001, counter_column="energy_mj", uuid=f"GPU-{node}-{g:04d}", power_limit_w=700.0,
        default_power_limit_w=700.0, memory_gb=140.4, instrument="NVML nvmlDeviceGetTotalEnergyConsumption",
    )  # fmt: skip


def _trace(
    path: Path, spans: list[tuple[str, float, float]], offset_ns: int, rng: np.random.Generator
) -> dict[str, list[int]]:
    """Write one GPU's Parquet trace; return its counter (mJ) at every phase boundary."""
    end_s = spans[-1][2] + 5.0
    n = int(end_s * 10) + 1
    t = T0_NS + offset_ns + np.arange(n, dtype=np.int64) * TICK_NS + rng.integers(-2_000_000, 2_000_000, n)
    t[0] = T0_NS + offset_ns
    labels = np.full(n, "cooldown", dtype=object)
    load = np.zeros(n, dtype=bool)
    boundaries: list[int] = []
    for label, start, stop in spans:
        i0, i1 = round(start * 10), round(stop * 10)
        labels[i0 : i1 + 1] = label
        load[i0 : i1 + 1] = label.startswith("run-") or label == "warmup"
        boundaries += [i0, i1]
    power_mw = np.where(load, 690_000, 80_000) + rng.integers(-5_000, 5_000, n)
    energy = 2_421_920 + np.concatenate(([0], np.cumsum((power_mw[1:] + power_mw[:-1]) / 2 * np.diff(t) * 1e-9)))
    counter = energy.round().astype(np.int64)
    read = np.zeros(n, dtype=bool)
    read[::5] = True
    read[boundaries] = True
    table = pa.table({
        "time_unix_ns": pa.array(t),
        "phase": pa.array(labels.tolist()).dictionary_encode(),
        "energy_mj": pa.array(counter, mask=~read),
        "power_instant_mw": pa.array(power_mw),
        "power_average_mw": pa.array(power_mw),
    })  # fmt: skip
    pq.write_table(table, path)
    marks = {}
    for label, start, stop in spans:
        i0, i1 = round(start * 10), round(stop * 10)
        marks[label] = [int(t[i0]), int(counter[i0]), int(t[i1]), int(counter[i1])]
    return marks


def _window(marks: dict[str, dict[str, list[int]]], label: str) -> Window:
    any_mark = next(iter(marks.values()))[label]
    start = Mark(any_mark[0] / 1e9, any_mark[0], {d: m[label][1] / 1000 for d, m in marks.items()}, {})
    end = Mark(any_mark[2] / 1e9, any_mark[2], {d: m[label][3] / 1000 for d, m in marks.items()}, {})
    return Window(start, end, {}, 0.0)


def write_node(folder: Path, k: int, nodes: int, hours: float) -> None:
    """One node folder: its Parquet traces and its submission."""
    rng = np.random.default_rng(k)
    name = f"gpu{k:04d}"
    (folder / "traces").mkdir(parents=True)
    offset_ns = int(rng.integers(-50_000_000, 50_000_000))
    spans = phases(hours)
    devices = [_device(name, g) for g in range(GPUS)]
    marks, refs = {}, []
    for d in devices:
        path = folder / "traces" / f"{d.device_id}.parquet"
        marks[d.device_id] = _trace(path, spans, offset_ns, rng)
        refs.append({"path": f"traces/{path.name}", "sha256": sha256_file(path), "format": "parquet",
                     "columns": [c.entry() for c in columns_for(d)], "device_id": d.device_id})  # fmt: skip
    record = ProtocolRecord(
        baseline=_window(marks, "idle"),
        warmup=_window(marks, "warmup"),
        runs=[RunRecord(j, _window(marks, f"run-{j}"), 0, 1000.0) for j in range(5)],
        complete=True,
    )
    clock = ClockOffset("round-trip", "10.0.0.1:7807", (ClockSample(T0_NS + offset_ns, offset_ns / 1e9, 0.0002),))
    launcher = Launcher("slurm", "4242", tuple(f"gpu{i:04d}" for i in range(nodes)), nodes, k,
                        tuple(str(g) for g in range(GPUS)), GPUS)  # fmt: skip
    setup = Setup(
        phase="inference", unit="query", unit_count=1000.0, profile="une-style", submission_id=f"measure-{name}",
        devices=devices, unavailable=[], node=NodeInventory(name, "Intel Xeon", 2, 56, 2063.0, "Linux"),
        node_record=NodeRecord(name, name, launcher, lambda: clock),
    )  # fmt: skip
    doc = build_submission(setup, DECLARED, record, refs, created_unix_ns=T0_NS)
    (folder / "submission.json").write_text(json.dumps(doc))


_CHILD = """
import resource, sys, time
from pathlib import Path
from une_eval.merging import MergeOptions, merge_nodes, prepare_output
root = Path(sys.argv[1])
folders = sorted(p for p in (root / "out").iterdir())
out = root / "merged"
t0 = time.perf_counter()
prepare_output(out, folders, force=True)
result = merge_nodes(folders, out, MergeOptions(), created_unix_ns=1_800_000_000_000_000_000)
wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
size = (out / "submission.json").stat().st_size / 2**20
print(f"{wall:.1f} {rss:.0f} {int(result.complete)} {len(result.issues)} {size:.1f}")
"""
_VALIDATE = """
import resource, sys, time
from pathlib import Path
from une_eval.validation import check_file
t0 = time.perf_counter()
audit = check_file(Path(sys.argv[1]) / "merged" / "submission.json")
wall = time.perf_counter() - t0
print(f"{wall:.1f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} {audit.outcome.value}")
"""


def one(nodes: int, hours: float, keep: Path | None = None) -> tuple[float, float, float]:
    """Generate, merge in a child process, report; the seconds, peak MB, and the data's size in MB."""
    root = keep or Path(tempfile.mkdtemp(prefix="une-eval-bench-merge-"))
    try:
        t0 = time.perf_counter()
        for k in range(nodes):
            write_node(root / "out" / f"gpu{k:04d}", k, nodes, hours)
        generated = time.perf_counter() - t0
        data_mb = sum(p.stat().st_size for p in (root / "out").rglob("*") if p.is_file()) / 2**20
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(root)], check=True, capture_output=True, text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        wall, rss, complete, issues, size = done.stdout.split()
        checked = subprocess.run(
            [sys.executable, "-c", _VALIDATE, str(root)], check=True, capture_output=True, text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        v_wall, v_rss, outcome = checked.stdout.split()
        rows = nodes * GPUS * (int(hours * 36000) + 51)
        print(
            f"{nodes:5d} nodes x {GPUS} GPUs, {hours:g} h: {rows / 1e6:7.1f} M rows, {data_mb:8.0f} MB of Parquet "
            f"(generated in {generated:.0f} s); merge {float(wall):7.1f} s, peak {float(rss):6.0f} MB, "
            f"complete={bool(int(complete))}, {issues} finding(s), merged submission {size} MB; "
            f"validate {float(v_wall):.1f} s, peak {float(v_rss):.0f} MB, {outcome}",
            flush=True,
        )
        return float(wall), float(rss), data_mb
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def grid() -> None:
    """Growth with nodes (1 h each) and with hours (64 nodes)."""
    print(f"(this machine: {resource.getpagesize()} B pages; the figures are wall time on it)")
    for nodes in (16, 64, 256, 1024):
        one(nodes, 1.0)
    for hours in (0.25, 4.0):
        one(64, hours)


USAGE = "usage: python bench/merge.py NODES HOURS [--keep DIR] | grid"


def main(args: list[str]) -> None:
    if args[:1] in (["-h"], ["--help"]):
        print(USAGE)
        return
    if args[:1] == ["grid"]:
        grid()
        return
    try:
        nodes, hours = int(args[0]), float(args[1])
    except (IndexError, ValueError):
        raise SystemExit(USAGE) from None
    keep = Path(args[3]) if len(args) > 3 and args[2] == "--keep" else None
    if not (0 < nodes <= 100_000 and hours > 0 and math.isfinite(hours)):
        raise SystemExit(USAGE)
    one(nodes, hours, keep)


if __name__ == "__main__":
    main(sys.argv[1:] or ["16", "1"])
