"""Many-node jobs in a real Slurm: ``sbatch`` a job, ``srun --ntasks-per-node=1 une-eval measure`` on each node.

Four fake nodes (``tests/slurm_cluster.py``) replay their own recordings with their own clock offsets,
against a reference clock the batch script serves; then ``une-eval merge out/*`` and ``validate``. The
faults are real ones: a node's runner killed mid-run, a node that never starts, an offset above the
limit, a GPU missing, one GPU reported twice, Ctrl-C (SIGINT) on the job. Each leaves readable node
results and a merged submission marked incomplete with the reason.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from tests.replay_nodes import ReplayNode, declarations, make_node
from tests.slurm_cluster import ENV, NODES, Slurm, local_cluster, missing
from une_eval.cli import main
from une_eval.validation import check_file

pytestmark = pytest.mark.slow

NODE_SCRIPT = r"""#!/bin/bash
# One node's task: its own arguments, by Slurm's node name (the fake nodes share one host).
set -u
job=$1
name=$SLURMD_NODENAME
[ -f "$job/never/$name" ] && exit 3                     # a node that never starts
mapfile -t args < "$job/args/$name"
if [ -f "$job/kill/$name" ]; then                       # a runner killed during run 1
  une-eval measure "${args[@]}" & pid=$!
  for _ in $(seq 1200); do
    grep -q "phase run-1" "$job/out/$name/run.log" 2>/dev/null && break
    sleep 0.05
  done
  sleep 0.3
  kill -KILL "$pid"
  wait "$pid"
  exit 137
fi
exec une-eval measure "${args[@]}"
"""

BATCH_SCRIPT = r"""#!/bin/bash
# The job: the reference clock on the first node, one measuring task per node, the clock stopped after.
set -u
job=$1
port=$2
une-eval clock serve --listen "127.0.0.1:$port" 2>"$job/clock.log" &
clock=$!
trap 'kill $clock 2>/dev/null' EXIT
for _ in $(seq 100); do une-eval clock offset "127.0.0.1:$port" >/dev/null 2>&1 && break; sleep 0.1; done
srun --ntasks-per-node=1 --gres=gpu:2 bash "$job/node.sh" "$job"
echo "srun exit $?"
"""


@pytest.fixture(scope="session")
def slurm() -> Iterator[Slurm]:
    """CI's cluster (``UNE_EVAL_TEST_SLURM``), else one started for this session."""
    if os.environ.get(ENV):
        yield Slurm(Path(os.environ[ENV]))
        return
    reason = missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Slurm tests: {reason}")
        pytest.skip(reason)
    with local_cluster() as conf:
        yield Slurm(conf)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Job:
    """The folder of one batch job: scripts, per-node arguments, node outputs."""

    def __init__(self, root: Path, phase: str = "inference") -> None:
        self.root = root
        for sub in ("args", "kill", "never", "out", "recordings"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "node.sh").write_text(NODE_SCRIPT)
        (root / "batch.sh").write_text(BATCH_SCRIPT)
        self.decl = declarations(root / "declarations.json", phase)
        self.port = _port()

    def node(self, name: str, index: int, gpus: int = 2, uuids: Sequence[str] | None = None) -> ReplayNode:
        return make_node(self.root / "recordings", name, gpus, index=index, uuids=uuids)

    def replay(self, node: ReplayNode, *, offset_ms: float = 0.0) -> None:
        """The node replays its recordings on a simulated clock, with an injected clock offset."""
        args = ["--phase", "inference", "--unit", "query", "--work-units", "1000", "--runs", "3", "--idle-s", "30"]
        args += ["--seed", "1", "--cooldown-s", "5", "--declarations", str(self.decl), *node.replay_args()]
        args += ["--replay-clock-offset-ms", str(offset_ms)]
        self._args(node.name, args)

    def rehearse(self, node: ReplayNode) -> None:
        """The node runs a real command on the host's clock (so that it can be killed or interrupted mid-run)."""
        args = ["--phase", "inference", "--unit", "query", "--work-units", "1000", "--runs", "3", "--idle-s", "1"]
        args += ["--no-warmup", "--pause-s", "0.2", "0.3", "--cooldown-s", "2", "--declarations", str(self.decl)]
        args += [*node.replay_args(), "--", "sleep", "1.5"]
        self._args(node.name, args)

    def _args(self, name: str, args: list[str]) -> None:
        common = ["--node", name, "--clock-reference", f"127.0.0.1:{self.port}", "-q", "-o", f"{self.out}/%N"]
        ordered = args[: args.index("--")] + common + args[args.index("--") :] if "--" in args else args + common
        (self.root / "args" / name).write_text("\n".join(ordered) + "\n")

    @property
    def out(self) -> Path:
        return self.root / "out"

    def submit(self, slurm: Slurm) -> str:
        """``sbatch`` the job on every node, with une-eval (this checkout) on the tasks' path."""
        env = slurm.env(PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", PYTHONPATH=str(REPO))
        options = ["-N", str(len(NODES)), "--gres=gpu:2", f"--chdir={self.root}", f"--output={self.root}/job.out"]
        return slurm.sbatch(self.root / "batch.sh", options, [str(self.root), str(self.port)], env=env)

    def run(self, slurm: Slurm) -> tuple[str, str]:
        """Submit and wait (polling squeue)."""
        return slurm.wait(self.submit(slurm))

    def log(self) -> str:
        out = self.root / "job.out"
        return out.read_text(errors="replace")[-4000:] if out.exists() else "(no job output)"


def _merge(job: Job, *extra: str) -> tuple[Any, dict[str, Any]]:
    merged = job.root / "merged"
    folders = sorted(str(p) for p in job.out.iterdir())
    result = CliRunner().invoke(main, ["merge", *folders, "-o", str(merged), *extra])
    return result, json.loads((merged / "submission.json").read_text())


def _codes(doc: dict[str, Any]) -> dict[tuple[str, str | None], str]:
    return {(f["code"], f.get("node_id")): f["message"] for f in doc["measurement"]["merge"]["findings"]}


OFFSETS_MS = (0.0, 120.0, -250.0, 90.0)


def test_sbatch_job_of_four_nodes_merges_complete(slurm: Slurm, tmp_path: Path) -> None:
    job = Job(tmp_path / "job")
    for k, (name, offset) in enumerate(zip(NODES, OFFSETS_MS, strict=True)):
        job.replay(job.node(name, k), offset_ms=offset)
    state, _ = job.run(slurm)
    assert state == "COMPLETED", job.log()
    result, doc = _merge(job)
    assert result.exit_code == 0, result.output + job.log()
    m = doc["measurement"]
    assert m["merge"]["expected_from"] == "slurm"
    assert m["merge"]["nodes_expected"] == list(NODES)
    records = {r["node_id"]: r for r in m["nodes"]}
    launchers = [r["launcher"] for r in records.values()]
    assert {lau["job_id"] for lau in launchers} == {launchers[0]["job_id"]}
    assert sorted(lau["node_rank"] for lau in launchers) == [0, 1, 2, 3]
    assert all(lau["gpus"] == ["0", "1"] and lau["gpus_per_node"] == 2 for lau in launchers)
    for name, offset in zip(NODES, OFFSETS_MS, strict=True):
        clock = records[name]["clock"]
        assert clock["method"] == "round-trip"
        assert abs(clock["offset_s"] - offset / 1000) <= clock["uncertainty_s"] + 1e-6
    assert len(m["devices"]) == 8
    audit = check_file(job.root / "merged" / "submission.json")
    assert audit.outcome.value == "conformant", [str(f) for f in audit.findings]
    # This cluster keeps no accounting: asking sacct for the job's energy records why there is none.
    folders = sorted(str(p) for p in job.out.iterdir())
    asked = CliRunner().invoke(
        main, ["merge", *folders, "-o", str(job.root / "asked"), "--sacct"], env={"SLURM_CONF": str(slurm.conf)}
    )
    assert asked.exit_code == 0, asked.output
    (check,) = json.loads((job.root / "asked" / "submission.json").read_text())["measurement"]["cross_checks"]
    assert (check["source"], check["status"], check["job_id"]) == ("slurm-sacct", "unavailable", launchers[0]["job_id"])
    assert "sacct" in check["reason"], check["reason"]
    assert "cross-check: slurm-sacct: unavailable" in asked.output


def test_offset_missing_gpu_and_duplicate_gpu_in_one_job(slurm: Slurm, tmp_path: Path) -> None:
    job = Job(tmp_path / "job")
    job.replay(job.node("n1", 0))
    twice = job.node("n2", 1, uuids=["GPU-6e320000-0000-4000-8000-000000000000"] * 2)  # one GPU seen twice (MIG)
    job.replay(twice, offset_ms=40.0)
    job.replay(job.node("n3", 2, gpus=1), offset_ms=-30.0)  # Slurm allocated two GPUs; one is measured
    job.replay(job.node("n4", 3), offset_ms=900.0)  # beyond the 400 ms limit
    state, _ = job.run(slurm)
    assert state == "COMPLETED", job.log()
    for name in NODES:
        assert json.loads((job.out / name / "submission.json").read_text())["measurement"]["complete"]
    result, doc = _merge(job)
    assert result.exit_code == 1
    codes = _codes(doc)
    assert "900" in codes[("clock-offset", "n4")] or "+900" in codes[("clock-offset", "n4")]
    assert "GPU 1 (slurm allocation) was not measured" in codes[("device-missing", "n3")]
    assert "reported twice" in codes[("device-duplicate", "n2")]
    assert not doc["measurement"]["complete"]
    for node in ("n2", "n3", "n4"):
        assert node in doc["measurement"]["incomplete_reason"] or "more" in doc["measurement"]["incomplete_reason"]
    statuses = {r["node_id"]: r["status"] for r in doc["measurement"]["nodes"]}
    assert statuses == {"n1": "complete", "n2": "partial", "n3": "partial", "n4": "excluded"}


def test_a_killed_runner_and_a_node_that_never_starts(slurm: Slurm, tmp_path: Path) -> None:
    job = Job(tmp_path / "job")
    for k, name in enumerate(NODES):
        job.rehearse(job.node(name, k, gpus=2))
    (job.root / "kill" / "n2").touch()
    (job.root / "never" / "n4").touch()
    state, _ = job.run(slurm)
    assert state in ("COMPLETED", "FAILED"), job.log()
    n2 = json.loads((job.out / "n2" / "submission.json").read_text())  # readable: the last checkpoint
    assert n2["measurement"]["complete"] is False
    assert not (job.out / "n4").exists()
    result, doc = _merge(job)
    assert result.exit_code == 1
    codes = _codes(doc)
    assert "never started" in codes[("node-missing", "n4")]
    assert "stopped before it finished" in codes[("node-incomplete", "n2")]
    runs = doc["measurement"]["runs"]
    assert all(not r["complete"] for r in runs)  # n4 is missing from every run
    assert all("n4" in r["reason"] for r in runs)
    assert any("n2" in r["reason"] for r in runs[1:])
    statuses = {r["node_id"]: r["status"] for r in doc["measurement"]["nodes"]}
    assert statuses["n2"] == "partial"
    assert statuses["n4"] == "excluded"


def _wait_for(path: Path, text: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise TimeoutError(f"{path} never said {text!r}")


def test_ctrl_c_on_the_job(slurm: Slurm, tmp_path: Path) -> None:
    job = Job(tmp_path / "job")
    for k, name in enumerate(NODES):
        job.rehearse(job.node(name, k, gpus=2))
    job_id = job.submit(slurm)
    for name in NODES:  # every node past run 0 (its end read) and into run 1: then the interrupt
        _wait_for(job.out / name / "run.log", "phase run-1")
    time.sleep(0.3)
    slurm.signal(job_id, "INT")
    state, _ = slurm.wait(job_id)
    assert state in ("COMPLETED", "FAILED", "CANCELLED"), job.log()
    for name in NODES:
        node = json.loads((job.out / name / "submission.json").read_text())
        assert node["measurement"]["complete"] is False
        assert "Ctrl-C" in node["measurement"]["incomplete_reason"], node["measurement"]["incomplete_reason"]
    result, doc = _merge(job)
    assert result.exit_code == 1
    assert not doc["measurement"]["complete"]
    runs = doc["measurement"]["runs"]
    nodes_runs = {
        name: [
            (r.get("complete"), r.get("reason"))
            for r in json.loads((job.out / name / "submission.json").read_text())["measurement"]["runs"]
        ]
        for name in NODES
    }
    assert runs[0]["complete"] is True, (runs[0], nodes_runs)  # every node finished run 0 before the interrupt
    assert all(not r["complete"] for r in runs[1:])
    assert all("Ctrl-C" in r["reason"] for r in runs[1:])
