"""``une-eval measure --node``: node identity, the launcher's view, the clock offset, one runner per node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.replay_nodes import make_node
from une_eval.cli import main
from une_eval.measure.clocksync import ClockReferenceServer

FIX = Path(__file__).parents[2] / "fixtures" / "traces"
# A replay measures nothing of a system: checked against the profile for replays and rehearsals.
REPLAY = [
    "--profile",
    "replay-rehearsal",
    "--replay",
    str(FIX / "h200-trace.csv"),
    str(FIX / "h200-probe.json"),
    str(FIX / "h200-host.json"),
]
SLURM = {
    "SLURM_JOB_ID": "77",
    "SLURM_JOB_NODELIST": "n[1-2]",
    "SLURM_NNODES": "2",
    "SLURM_NODEID": "1",
    "SLURMD_NODENAME": "n2",
    "SLURM_LOCALID": "0",
    "SLURM_GPUS_ON_NODE": "2",
    "SLURM_STEP_GPUS": "0,1",
}


def _measure(out: Path, *extra: str) -> Any:
    args = ["measure", "--phase", "inference", "--unit", "query", "--work-units", "1000", "--runs", "3"]
    args += ["--idle-s", "30", "--seed", "1", "--declarations", str(FIX / "h200-declarations.json"), *REPLAY]
    return CliRunner().invoke(main, [*args, "-o", str(out), "-q", *extra])


def _doc(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((out / "submission.json").read_text())
    return doc


def test_a_slurm_node_records_its_name_launcher_and_devices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SLURM.items():
        monkeypatch.setenv(key, value)
    (_, _), (trace1, probe1) = make_node(tmp_path / "recordings", "n2", 2, index=1).gpus
    extra = ["--replay-gpu", str(trace1), str(probe1), "--clock-reference", "none"]
    result = _measure(tmp_path / "n2", *extra)
    assert result.exit_code == 0, result.output
    m = _doc(tmp_path / "n2")["measurement"]
    assert [d["device_id"] for d in m["devices"]] == ["n2-gpu0", "n2-gpu1"]
    assert [d["index"] for d in m["devices"]] == [0, 1]
    assert all(d["node_id"] == "n2" and d["host"] and d["uuid"].startswith("GPU-") for d in m["devices"])
    assert len({d["uuid"] for d in m["devices"]}) == 2
    (record,) = m["nodes"]
    assert record["node_id"] == "n2"
    assert record["launcher"] == {
        "kind": "slurm",
        "job_id": "77",
        "nodes": ["n1", "n2"],
        "node_count": 2,
        "node_rank": 1,
        "gpus": ["0", "1"],
        "gpus_per_node": 2,
    }
    assert record["clock"]["method"] == "none"
    assert "offset_s" not in record["clock"]


def test_the_output_folder_names_the_node_and_the_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLURMD_NODENAME", "n3")
    monkeypatch.setenv("SLURM_JOB_ID", "812")
    result = _measure(Path(str(tmp_path / "out" / "%j" / "%N")) / "100%%")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "812" / "n3" / "100%" / "submission.json").is_file()


def test_the_node_option_wins_over_slurm_and_the_replayed_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLURMD_NODENAME", "n9")
    assert _measure(tmp_path / "a", "--node", "gpu-17").exit_code == 0
    assert _doc(tmp_path / "a")["measurement"]["nodes"][0]["node_id"] == "gpu-17"
    assert _measure(tmp_path / "b").exit_code == 0
    assert _doc(tmp_path / "b")["measurement"]["devices"][0]["device_id"] == "n9-gpu0"
    monkeypatch.delenv("SLURMD_NODENAME")
    assert _measure(tmp_path / "c").exit_code == 0
    recorded = json.loads((FIX / "h200-host.json").read_text()).get("node_id", "node0")
    assert _doc(tmp_path / "c")["measurement"]["nodes"][0]["node_id"] == recorded


@pytest.mark.parametrize("injected_ms", [0.0, 180.0, -320.0])
def test_the_clock_offset_to_the_reference_is_measured(tmp_path: Path, injected_ms: float) -> None:
    with ClockReferenceServer() as server:
        host, port = server.address
        extra = ["--clock-reference", f"{host}:{port}", "--replay-clock-offset-ms", str(injected_ms)]
        result = _measure(tmp_path / "n", *extra)
    assert result.exit_code == 0, result.output
    clock = _doc(tmp_path / "n")["measurement"]["nodes"][0]["clock"]
    assert clock["method"] == "round-trip"
    assert clock["reference"] == f"{host}:{port}"
    assert clock["uncertainty_s"] < 0.05
    assert abs(clock["offset_s"] - injected_ms / 1000) <= clock["uncertainty_s"] + 1e-6
    assert len(clock["samples"]) >= 1


def test_an_unreachable_reference_is_recorded_not_fatal(tmp_path: Path) -> None:
    with ClockReferenceServer() as server:
        address = f"{server.address[0]}:{server.address[1]}"
    result = _measure(tmp_path / "n", "--clock-reference", address)
    assert result.exit_code == 0, result.output
    clock = _doc(tmp_path / "n")["measurement"]["nodes"][0]["clock"]
    assert clock["method"] == "none"
    assert "cannot reach" in clock["reason"]


@pytest.mark.parametrize(("key", "value"), [("SLURM_LOCALID", "1"), ("LOCAL_RANK", "3")])
def test_a_runner_per_rank_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    result = _measure(tmp_path / "n")
    assert result.exit_code == 2
    assert "once per node" in result.output
    assert not (tmp_path / "n").exists()


def test_replay_only_options_need_replay(tmp_path: Path) -> None:
    args = ["measure", "--phase", "inference", "--unit", "query", "--work-units", "1", "--runs", "3"]
    args += ["--idle-s", "30", "--declarations", str(FIX / "h200-declarations.json"), "-o", str(tmp_path / "x")]
    result = CliRunner().invoke(main, [*args, "--replay-clock-offset-ms", "5", "--", "true"])
    assert result.exit_code == 2
    assert "only applies to --replay" in result.output
