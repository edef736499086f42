"""Drive ``une-eval import`` as an auditor would: recognise, write, refuse, list what is missing, validate."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import FIXTURES
from une_eval.cli import main
from une_eval.importers.formats import FORMATS

OFFLINE = FIXTURES / "import/mlperf/closed/ACME/results/ACME-4xH100/resnet50/Offline"
EMISSIONS = FIXTURES / "import/codecarbon/emissions.csv"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_help_lists_every_source_format() -> None:
    code, out = run("import", "--help")
    assert code == 0
    for fmt in FORMATS:
        assert fmt.name in out


def test_import_then_validate_shows_the_provenance(tmp_path: Path) -> None:
    code, out = run("import", str(OFFLINE), "-o", str(tmp_path / "draft"))
    assert code == 0, out
    assert "imported mlperf-inference-power" in out
    assert "still to supply, for every profile" in out
    code, out = run("validate", str(tmp_path / "draft" / "submission.json"))
    assert code == 1
    assert "INVALID" in out
    assert "imported from mlperf-inference-power (MLPerf LoadGen 5.1.0 @ 091d51f041)" in out
    assert "source file performance/run_1/spl.txt" in out


def test_json_output_lists_missing_fields_that_are_really_absent(tmp_path: Path) -> None:
    code, out = run("import", str(EMISSIONS), "-o", str(tmp_path / "d"), "--timezone", "+00:00", "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    draft = json.loads((tmp_path / "d" / "submission.json").read_text())
    assert report["draft_problems"] == []
    assert "/submitter" in report["missing"]
    for ptr in report["missing"]:
        node = draft
        for token in ptr.split("/")[1:-1]:
            node = node[int(token)] if isinstance(node, list) else node[token]
        assert ptr.split("/")[-1] not in node
    assert {p["profile"] for p in report["profiles"]} == {
        "ai-energy-score",
        "eu-ai-act-gpai",
        "replay-rehearsal",
        "sci",
        "une-style",
    }
    assert all(p.get("probe_problem") is None for p in report["profiles"])
    sci = next(p for p in report["profiles"] if p["profile"] == "sci")
    assert any(r["rule_id"] == "sci.reported" for r in sci["rules"])


def test_an_existing_draft_is_not_replaced_without_force(tmp_path: Path) -> None:
    assert run("import", str(EMISSIONS), "-o", str(tmp_path))[0] == 0
    code, out = run("import", str(EMISSIONS), "-o", str(tmp_path))
    assert code == 2
    assert "--force" in out
    assert run("import", str(EMISSIONS), "-o", str(tmp_path), "--force")[0] == 0


def test_a_trace_already_in_the_folder_is_not_replaced_without_force(tmp_path: Path) -> None:
    dcgm = FIXTURES / "import/dcgm/dcgm-long.csv"
    assert run("import", str(dcgm), "-o", str(tmp_path))[0] == 0
    (trace,) = (tmp_path / "traces").iterdir()
    (tmp_path / "submission.json").unlink()  # only another run's trace is left in the folder
    trace.write_text("another run's trace")
    code, out = run("import", str(dcgm), "-o", str(tmp_path))
    assert code == 2
    assert f"{trace} already exists" in out
    assert trace.read_text() == "another run's trace"
    assert not (tmp_path / "submission.json").exists()
    assert run("import", str(dcgm), "-o", str(tmp_path), "--force")[0] == 0
    assert trace.read_text() != "another run's trace"


def test_unreadable_and_hostile_sources_exit_2_with_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\xff\xfe\x00garbage" * 100)
    for source in ("/dev/zero", str(fifo), str(tmp_path / "missing.csv"), str(garbage)):
        code, out = run("import", source, "-o", str(tmp_path / "out"))
        assert code == 2, source
        assert out.startswith("une-eval: error:"), out
        assert "Traceback" not in out
    code, out = run("import", str(EMISSIONS), "-o", str(tmp_path / "o2"), "--timezone", "Mars/Olympus")
    assert code == 2
    assert "--timezone" in out


def test_a_named_format_that_does_not_fit_is_a_clear_error(tmp_path: Path) -> None:
    code, out = run("import", str(EMISSIONS), "-o", str(tmp_path / "d"), "--from", "mlperf-inference-power")
    assert code == 2
    assert "spl.txt" in out


def test_the_made_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("import_generate", FIXTURES / "import" / "make_sources.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(tmp_path)
    for made in sorted((tmp_path / "mlperf").rglob("*")):
        if made.is_file():
            committed = FIXTURES / "import" / made.relative_to(tmp_path)
            assert committed.read_bytes() == made.read_bytes(), committed
