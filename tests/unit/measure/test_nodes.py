"""Node identity, the launcher's view of the job, and the per-node sampler election."""

from __future__ import annotations

import pytest

from une_eval.errors import InputError
from une_eval.measure.nodes import (
    device_index,
    elected_sampler,
    expand_hostlist,
    launcher_from_env,
    local_rank,
    node_name,
)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("n[1-4]", ["n1", "n2", "n3", "n4"]),
        ("gpu-[01-03,7]x", ["gpu-01x", "gpu-02x", "gpu-03x", "gpu-7x"]),
        ("a,b[9-10],c", ["a", "b9", "b10", "c"]),
        ("rack[1-2]-n[01-02]", ["rack1-n01", "rack1-n02", "rack2-n01", "rack2-n02"]),
        ("single", ["single"]),
    ],
)
def test_slurm_host_lists_expand_in_order(text: str, names: list[str]) -> None:
    assert expand_hostlist(text) == names


@pytest.mark.parametrize("text", ["n[1-4", "n1-4]", "n[a-b]", "n[4-1]", "n[[1-2]]"])
def test_malformed_host_lists_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        expand_hostlist(text)


def test_a_host_list_cannot_expand_without_bound() -> None:
    with pytest.raises(InputError, match="more than"):
        expand_hostlist("n[0-99999]x[0-99999]")
    with pytest.raises(InputError):
        expand_hostlist("n[" + ",".join(["0-90000"] * 50) + "]")
    assert len(expand_hostlist("n[1-5000]", limit=5000)) == 5000


def test_node_name_prefers_the_option_then_slurm_then_the_host() -> None:
    assert node_name("gpu07", {"SLURMD_NODENAME": "n1"}, "vm") == "gpu07"
    assert node_name(None, {"SLURMD_NODENAME": "n1"}, "vm") == "n1"
    assert node_name(None, {}, "vm.example.org") == "vm.example.org"
    assert node_name("bad name/../x", {}, "vm") == "bad-name-..-x"
    with pytest.raises(InputError):
        node_name("///", {}, "vm")


@pytest.mark.parametrize(
    ("env", "elected"),
    [
        ({}, True),
        ({"SLURM_LOCALID": "0"}, True),
        ({"SLURM_LOCALID": "3"}, False),
        ({"LOCAL_RANK": "0"}, True),
        ({"LOCAL_RANK": "5"}, False),
        # torchrun started by one srun task per node: every worker inherits SLURM_LOCALID=0.
        ({"SLURM_LOCALID": "0", "LOCAL_RANK": "2"}, False),
        ({"SLURM_LOCALID": "0", "LOCAL_RANK": "0"}, True),
        ({"SLURM_LOCALID": "x"}, False),
    ],
)
def test_one_sampler_per_node_is_elected(env: dict[str, str], elected: bool) -> None:
    assert elected_sampler(env) is elected


def test_the_local_rank_names_its_variable() -> None:
    assert local_rank({}) is None
    assert local_rank({"SLURM_LOCALID": "2"}) == ("SLURM_LOCALID", 2)
    assert local_rank({"SLURM_LOCALID": "0", "LOCAL_RANK": "1"}) == ("LOCAL_RANK", 1)


def test_slurm_launcher_from_environment() -> None:
    env = {
        "SLURM_JOB_ID": "42",
        "SLURM_JOB_NODELIST": "n[1-4]",
        "SLURM_STEP_NODELIST": "n[1-3]",
        "SLURM_NNODES": "4",
        "SLURM_STEP_NUM_NODES": "3",
        "SLURM_NODEID": "2",
        "SLURM_GPUS_ON_NODE": "2",
        "SLURM_STEP_GPUS": "0,1",
        "CUDA_VISIBLE_DEVICES": "1,0",
    }
    launcher = launcher_from_env(env)
    assert launcher.kind == "slurm"
    assert launcher.job_id == "42"
    assert launcher.nodes == ("n1", "n2", "n3")  # the step's nodes, not the whole allocation
    assert (launcher.node_count, launcher.node_rank, launcher.gpus_per_node) == (3, 2, 2)
    assert launcher.gpus == ("0", "1")
    assert launcher.entry()["nodes"] == ["n1", "n2", "n3"]


def test_torchrun_launcher_and_uuids_in_cuda_visible_devices() -> None:
    env = {
        "TORCHELASTIC_RUN_ID": "job7",
        "GROUP_RANK": "1",
        "GROUP_WORLD_SIZE": "2",
        "LOCAL_WORLD_SIZE": "8",
        "WORLD_SIZE": "16",
        "LOCAL_RANK": "0",
        "CUDA_VISIBLE_DEVICES": "GPU-aaa,GPU-bbb",
    }
    launcher = launcher_from_env(env)
    assert launcher.kind == "torchrun"
    assert (launcher.node_count, launcher.node_rank, launcher.gpus_per_node) == (2, 1, 8)
    assert launcher.gpus == ("GPU-aaa", "GPU-bbb")
    assert launcher.entry() == {
        "kind": "torchrun",
        "job_id": "job7",
        "node_count": 2,
        "node_rank": 1,
        "gpus": ["GPU-aaa", "GPU-bbb"],
        "gpus_per_node": 8,
        "world_size": 16,
        "local_world_size": 8,
    }


def test_no_launcher_and_an_empty_allocation() -> None:
    assert launcher_from_env({}).entry() == {"kind": "none"}
    assert launcher_from_env({"SLURM_JOB_ID": "1", "SLURM_STEP_GPUS": ""}).gpus == ()
    assert launcher_from_env({"CUDA_VISIBLE_DEVICES": "NoDevFiles"}).gpus == ()


def test_device_index_from_the_inventory_or_the_device_id() -> None:
    assert device_index("n1-gpu3") == 3
    assert device_index("n1-gpu3", {"index": 5}) == 5
    assert device_index("n1-cpu0") is None
    assert device_index("n1-gpu1", {"index": True}) == 1
