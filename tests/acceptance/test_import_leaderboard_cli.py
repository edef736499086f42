"""``une-eval import`` on Zeus, ML.ENERGY, AI Energy Score and Carbontracker sources, hostile ones included."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from une_eval.cli import main

FORMATS = (
    "zeus-log",
    "ml-energy-leaderboard",
    "ai-energy-score-report",
    "ai-energy-score-leaderboard",
    "carbontracker-log",
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("source", "fmt"),
    [
        ("zeus/zeus_log.csv", "zeus-log"),
        ("carbontracker/session", "carbontracker-log"),
        ("aienergyscore/benchmark_report.json", "ai-energy-score-report"),
        ("mlenergy/bs128+tp1+pp1.json", "ml-energy-leaderboard"),
    ],
)
def test_each_source_is_recognised_from_its_content(tmp_path: Path, source: str, fmt: str) -> None:
    code, out = run("import", str(FIXTURES / "import" / source), "-o", str(tmp_path / "d"))
    assert code == 0, out
    assert f"imported {fmt}" in out


def test_select_picks_a_leaderboard_row(tmp_path: Path) -> None:
    src = str(FIXTURES / "import/aienergyscore/text_generation.csv")
    code, out = run("import", src, "-o", str(tmp_path / "a"))
    assert code == 2
    assert "--select" in out
    code, out = run("import", src, "-o", str(tmp_path / "b"), "--select", "meta-llama/Llama-3.1-8B-Instruct")
    assert code == 0, out
    assert "import.aggregate-figures" in out


HOSTILE = {
    "deep.json": b'{"configurations": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "bad-utf8.csv": b"model,total_gpu_energy\n\xff\xfe,1\n",
    "ragged.csv": b"model,throughput,response_length,latency,energy\na,1,2\n",
    "huge-number.json": b'{"time": 1e999999, "gpu_energy": {"0": 1}}',
    "not-object.json": b"[1, 2, 3]",
    "empty.log": b"",
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_exit_2_with_one_line(tmp_path: Path, fmt: str, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    code, out = run("import", str(path), "-o", str(tmp_path / "out"), "--from", fmt)
    assert code == 2, (fmt, name, out)
    assert out.startswith("une-eval: error:"), out
    assert "Traceback" not in out
    assert len(out.strip().splitlines()) == 1, out


@pytest.mark.parametrize("given", [None, "codecarbon-emissions", "codecarbon-tasks", "zeus-log"])
def test_a_csv_field_over_the_csv_module_limit_is_a_one_line_refusal(tmp_path: Path, given: str | None) -> None:
    header = (FIXTURES / "import" / "codecarbon" / "emissions-pue.csv").read_text(encoding="utf-8").splitlines()[0]
    cells = ["0"] * len(header.split(","))
    cells[1] = "x" * 200_000
    source = tmp_path / "emissions.csv"
    source.write_text(header + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    code, out = run("import", *(["--from", given] if given else []), str(source), "-o", str(tmp_path / "d"))
    assert code == 2, out
    assert len(out.strip().splitlines()) == 1, out
    assert "internal error" not in out
