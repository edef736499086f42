"""``une-eval import`` on real outputs of the tools (fixtures/import/real): each is recognised as its format
and written as a draft that ``validate`` then reads, from the command line as an auditor runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from une_eval.cli import main

REAL = FIXTURES / "import" / "real"
SOURCES = [
    ("codecarbon/eo-college-2.7.4-emissions.csv", "codecarbon-emissions"),
    ("carbontracker/apple-silicon", "carbontracker-log"),
    ("mlperf/closed/Krai/results/rpi4coral-fan.off-tflite-v2.4.1-ruy/resnet50/singlestream", "mlperf-inference-power"),
    ("mlperf/closed/Dell/results/XR12_A2x1_TRT_MaxQ/resnet50/MultiStream", "mlperf-inference-power"),
    ("boamps/tmpcsax2ozj.json", "codecarbon-boamps"),
]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize(("relative", "source_format"), SOURCES, ids=[s for s, _ in SOURCES])
def test_a_real_output_imports_as_its_format_and_validates(tmp_path: Path, relative: str, source_format: str) -> None:
    code, out = _run("import", str(REAL / relative), "-o", str(tmp_path / "draft"))
    assert code == 0, out
    assert f"imported {source_format} -> " in out
    code, out = _run("validate", str(tmp_path / "draft" / "submission.json"))
    assert code == 1  # a draft: the vendor still has to supply what the tool does not record
    assert f"imported from {source_format}" in out


def test_a_real_output_that_cannot_be_imported_exits_2_with_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["import", str(REAL / "nvidia-smi" / "gpu-glasses-nvidia_smi.csv"), "-o", str(tmp_path / "d")]
    )
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "power.draw" in lines[0]
    assert "unit" in lines[0]
