"""The auditor's commands: une-eval profiles, and validate with a profile, jobs and summaries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from une_eval.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_profiles_lists_and_shows() -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["profiles", "--format", "json"])
    assert listed.exit_code == 0
    assert {p["name"] for p in json.loads(listed.output)} >= {
        "une-style",
        "ai-energy-score",
        "eu-ai-act-gpai",
        "sci",
    }
    shown = runner.invoke(main, ["profiles", "--show", "ai-energy-score", "--format", "json"])
    data = json.loads(shown.output)
    assert data["phases"] == ["inference"]
    assert data["extends"] == "une-style"
    assert {
        "id": "inference.batch-size",
        "severity": "error",
        "parameters": {"batch_size": 1},
        "title": "Queries are served at the required batch size",
    } in data["rules"]
    assert runner.invoke(main, ["profiles", "--show", "nope"]).exit_code == 2


def test_batch_audit_with_summaries(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    shutil.copytree(REPO / "fixtures" / "evidence" / "h200", folder / "h200")
    shutil.copy(REPO / "fixtures" / "valid" / "aes-text-generation-h100.json", folder)
    shutil.copytree(REPO / "fixtures" / "valid" / "traces", folder / "traces")  # its raw traces travel with it
    (folder / "broken.json").write_text('{"schema_version": "1.0", "submission_id": "x", "phase": [1, 2')
    out = [tmp_path / f"summary.{ext}" for ext in ("html", "csv", "parquet", "json")]
    args = ["validate", str(folder), "--profile", "ai-energy-score", "--jobs", "0", "--format", "json"]
    result = CliRunner().invoke(main, [*args, *[a for p in out for a in ("--summary", str(p))]])
    assert result.exit_code == 2  # the broken file cannot be checked; the others still are
    files = {Path(f["source"]).name: f for f in json.loads(result.output)["files"]}
    assert files["broken.json"]["verdict"] == "error"
    assert files["aes-text-generation-h100.json"]["verdict"] == "conformant"
    assert files["aes-text-generation-h100.json"]["rating"]["scheme"] == "ai-energy-score-2025-02"
    assert files["steady.json"]["evidence"]["windows"][0]["method"] == "energy-counter"
    assert all(p.stat().st_size > 0 for p in out)
    summary = json.loads(out[3].read_text())
    assert summary["counts"]["error"] == 1
    assert len(summary["files"]) == 4
    assert "ai-energy-score-2025-02" in out[0].read_text()


def test_text_output_shows_rating_and_evidence() -> None:
    result = CliRunner().invoke(main, ["validate", str(REPO / "fixtures" / "evidence" / "h200" / "steady.json")])
    assert result.exit_code == 0
    assert "evidence: 3 run window(s) recomputed from traces (energy-counter)" in result.output


def test_bad_summary_extension_is_refused_before_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["validate", str(REPO / "fixtures" / "valid"), "--summary", str(tmp_path / "s.xlsx")]
    )
    assert result.exit_code == 2
    assert "summary must end in" in result.output


def test_an_existing_summary_is_never_replaced_without_force(tmp_path: Path) -> None:
    submission = str(REPO / "fixtures" / "valid" / "llm-inference-h100.json")
    csv, html = tmp_path / "summary.csv", tmp_path / "summary.html"
    html.write_text("the auditor's earlier page")
    first = CliRunner().invoke(main, ["validate", submission, "--summary", str(csv)])
    assert first.exit_code == 0
    kept = csv.read_bytes()
    again = CliRunner().invoke(main, ["validate", submission, "--summary", str(csv), "--summary", str(html)])
    assert again.exit_code == 2
    assert f"{csv} already exists; choose another name (or pass --force to replace it)" in again.output
    assert "conformant" not in again.output  # refused before any file was checked
    assert csv.read_bytes() == kept
    assert html.read_text() == "the auditor's earlier page"
    forced = CliRunner().invoke(main, ["validate", submission, "--summary", str(html), "--force", "--lang", "es"])
    assert forced.exit_code == 0
    assert html.read_text() != "the auditor's earlier page"
    assert "llm-inference-h100.json" in html.read_text()


def test_a_summary_named_twice_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "summary.csv"
    args = ["validate", str(REPO / "fixtures" / "valid"), "--summary", str(csv), "--summary", str(csv)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "is given twice" in result.output
    assert not csv.exists()
