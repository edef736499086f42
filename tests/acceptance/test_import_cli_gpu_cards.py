"""``une-eval import`` on DCGM, Slurm, CodeCarbon task, BoAmps and model-card sources: recognised, or refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from une_eval.cli import main

IMPORTS = FIXTURES / "import"
RECOGNISED = [
    (IMPORTS / "dcgm" / "dcgm-wide.csv", "dcgm-power", []),
    (IMPORTS / "dcgm" / "dcgm-long.csv", "dcgm-power", []),
    (IMPORTS / "slurm" / "job-gpu-power.csv", "slurm-gpu-power", []),
    (IMPORTS / "slurm" / "nvidia-smi-power.csv", "slurm-gpu-power", ["--timezone", "Europe/Madrid"]),
    (IMPORTS / "codecarbon-task" / "task-emissions.csv", "codecarbon-tasks", ["--timezone", "UTC"]),
    (IMPORTS / "boamps" / "boamps-report.json", "codecarbon-boamps", []),
    (IMPORTS / "modelcard" / "Llama-3.1-8B" / "README.md", "hf-model-card", []),
    (IMPORTS / "modelcard" / "tiny-summariser" / "README.md", "hf-model-card", []),
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(("src", "name", "extra"), RECOGNISED, ids=lambda v: getattr(v, "name", str(v)))
def test_recognised_from_content(tmp_path: Path, src: Path, name: str, extra: list[str]) -> None:
    code, out = run("import", str(src), "-o", str(tmp_path / "draft"), *extra)
    assert code == 0, out
    assert out.startswith(f"imported {name} ")


@pytest.mark.parametrize(
    ("fmt", "content"),
    [
        ("dcgm-power", b"timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE\n1772442000,h,0,G,\xff\xfe\n"),
        ("dcgm-power", b"timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE\n" + b"x" * 2000 + b"\n"),
        ("slurm-gpu-power", b"timestamp,host,gpu,uuid,power\n1772442000,h,0,G,5\n1772442001,h,0,G,5\n"),
        ("codecarbon-tasks", b"task_name\n"),
        ("codecarbon-boamps", b'{"measures": [{"powerConsumption": 1, "unit": "teraFLOPS"}]}'),
        ("codecarbon-boamps", b"[" * 200_000),
        ("hf-model-card", b"---\na: &x [1]\nb: *x\n---\n"),
        ("hf-model-card", b"---\nco2_eq_emissions: " + b"[" * 10_000 + b"\n---\n"),
    ],
)
def test_hostile_sources_exit_2_with_one_line(tmp_path: Path, fmt: str, content: bytes) -> None:
    src = tmp_path / "source"
    src.write_bytes(content)
    code, out = run("import", "--from", fmt, str(src), "-o", str(tmp_path / "draft"))
    assert code == 2, out
    assert len(out.strip().splitlines()) == 1
    assert "Traceback" not in out
    assert not (tmp_path / "draft" / "submission.json").exists()
