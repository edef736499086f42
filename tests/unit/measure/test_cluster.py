"""The in-process API in a many-node job: one sampler per node, windows marked together, then merged."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.unit.measure.fake_nvml import FakeGpu, FakeNvml
from une_eval.measure import NvmlSensor, Setup, SystemClock, Unavailable, read_host_file
from une_eval.measure.cluster import NodeSession, global_rank
from une_eval.measure.inprocess import Session
from une_eval.measure.nodes import NodeRecord
from une_eval.merging import Declared, MergeOptions, merge_nodes

FIX = Path(__file__).parents[3] / "fixtures" / "traces"
TRAINING = json.loads((FIX.parent / "valid" / "training-multinode-h100.json").read_text())["workload"]
DECLARED: dict[str, Any] = json.loads((FIX / "h200-declarations.json").read_text()) | {"workload": TRAINING}


class NodeNvml(FakeNvml):
    """A fake NVML whose GPUs carry the node's name in their UUIDs (one job, distinct GPUs)."""

    def __init__(self, node: str, gpus: list[FakeGpu]) -> None:
        super().__init__(gpus, energy_latency_s=0, power_latency_s=0)
        self._node = node

    def nvmlDeviceGetUUID(self, gpu: FakeGpu) -> str:
        return f"GPU-{self._node}-{self.gpus.index(gpu)}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(node: int, local: int, ranks_per_node: int, nodes: int) -> dict[str, str]:
    return {
        "TORCHELASTIC_RUN_ID": "job-1",
        "RANK": str(node * ranks_per_node + local),
        "LOCAL_RANK": str(local),
        "GROUP_RANK": str(node),
        "GROUP_WORLD_SIZE": str(nodes),
        "LOCAL_WORLD_SIZE": str(ranks_per_node),
        "WORLD_SIZE": str(nodes * ranks_per_node),
        "MASTER_ADDR": "127.0.0.1",
        "SLURMD_NODENAME": f"node{node}",
        "SLURM_LOCALID": "0",  # torchrun's workers inherit the one srun task's local id: LOCAL_RANK decides
    }


def _rank(
    out: Path, env: dict[str, str], barrier: threading.Barrier, port: int, gpus: dict[str, FakeGpu], opened: list[str]
) -> None:
    def open_session(record: NodeRecord) -> Session:
        opened.append(record.node_id)
        clock = SystemClock()
        gpus_here = [FakeGpu(energy_mj=1_000_000), FakeGpu(energy_mj=3_000_000)]
        for k, gpu in enumerate(gpus_here):
            gpus[f"{record.node_id}-gpu{k}"] = gpu
        sensor = NvmlSensor(NodeNvml(record.node_id, gpus_here), clock, node_id=record.node_id)
        setup = Setup(
            phase="training", unit="step", unit_count=1, profile="une-style", submission_id=record.node_id,
            devices=sensor.devices(), unavailable=[Unavailable("cpu", "n/a"), Unavailable("dram", "n/a")],
            node=read_host_file(FIX / "h200-host.json", node_id=record.node_id), node_record=record,
        )  # fmt: skip
        return Session([sensor], clock, setup, DECLARED, out / record.node_id, interval_s=0.02)

    with NodeSession(open_session, barrier=barrier.wait, clock_port=port, env=env, tail_s=0.2) as node:
        node.idle_baseline(0.1)
        for _ in range(2):
            with node.run() as run:
                if node.session is not None:
                    for key, gpu in gpus.items():
                        if key.startswith(env["SLURMD_NODENAME"]):
                            gpu.energy_mj += 40_000
                run.add(10)


def test_two_nodes_of_two_ranks_measure_once_per_node_and_merge(tmp_path: Path) -> None:
    nodes, ranks = 2, 2
    barrier = threading.Barrier(nodes * ranks, timeout=30)
    port = _free_port()
    gpus: dict[str, FakeGpu] = {}
    opened: list[str] = []
    errors: list[BaseException] = []

    def rank(node: int, local: int) -> None:
        try:
            _rank(tmp_path / "out", _env(node, local, ranks, nodes), barrier, port, gpus, opened)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=rank, args=(n, r)) for n in range(nodes) for r in range(ranks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(opened) == ["node0", "node1"]  # one sampler per node, not one per rank
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["node0", "node1"]
    for name in ("node0", "node1"):
        doc = json.loads((tmp_path / "out" / name / "submission.json").read_text())
        record = doc["measurement"]["nodes"][0]
        assert record["launcher"]["kind"] == "torchrun"
        assert record["clock"]["method"] == "round-trip"
        assert abs(record["clock"]["offset_s"]) <= record["clock"]["uncertainty_s"] + 0.005
        assert [r["energy"]["gpu_j"] for r in doc["measurement"]["runs"]] == [80.0, 80.0]
    starts = [
        json.loads((tmp_path / "out" / n / "submission.json").read_text())["measurement"]["runs"][1]["start_time"]
        for n in ("node0", "node1")
    ]
    assert starts[0][:19] == starts[1][:19]  # marked together: within the barrier's skew
    result = merge_nodes(
        [tmp_path / "out" / "node0", tmp_path / "out" / "node1"],
        tmp_path / "merged",
        MergeOptions(declared=Declared()),
        created_unix_ns=1_800_000_000_000_000_000,
    )
    assert [i.message for i in result.issues] == []
    assert result.complete
    assert [r["energy"]["gpu_j"] for r in result.document["measurement"]["runs"]] == pytest.approx([160.0, 160.0])
    assert result.document["measurement"]["merge"]["expected_from"] == "torchrun"


@pytest.mark.parametrize(("env", "rank"), [({}, 0), ({"RANK": "5"}, 5), ({"SLURM_PROCID": "3"}, 3)])
def test_global_rank(env: dict[str, str], rank: int) -> None:
    assert global_rank(env) == rank
