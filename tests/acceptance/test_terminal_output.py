"""Vendor-chosen strings (file names, submission text) reach the terminal and text summaries escaped, never raw."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from une_eval.cli import main

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
RAW = ("\x1b", "\x9b", "\x07", "\u202e", "\x7f")


def _no_raw_controls(text: str) -> None:
    for char in RAW:
        assert char not in text, repr(char)


def test_validate_shows_a_hostile_file_name_escaped_in_text_json_csv_and_html(tmp_path: Path) -> None:
    name = "vendor\x1b[2K\x1b[1A\x9b\x07\u202enosj.json"
    shutil.copy(VALID, tmp_path / name)
    shutil.copytree(VALID.parent / "traces", tmp_path / "traces")  # its raw traces travel with it
    csv_out, html_out, json_out = tmp_path / "s.csv", tmp_path / "s.html", tmp_path / "s.json"
    args = ["validate", str(tmp_path / name), "--summary", str(csv_out), "--summary", str(html_out)]
    text = CliRunner().invoke(main, [*args, "--summary", str(json_out)])
    assert text.exit_code == 0, text.output
    _no_raw_controls(text.output)
    assert "vendor\\x1b[2K\\x1b[1A\\x9b\\x07\\u202enosj.json" in text.output
    for summary in (csv_out, html_out, json_out):
        _no_raw_controls(summary.read_text(encoding="utf-8"))
    assert "vendor\\x1b[2K" in csv_out.read_text(encoding="utf-8")
    assert json.loads(json_out.read_text(encoding="utf-8"))["files"][0]["source"] == str(tmp_path / name)
    machine = CliRunner().invoke(main, ["validate", str(tmp_path / name), "--format", "json"])
    _no_raw_controls(machine.output)
    assert json.loads(machine.output)["files"][0]["source"] == str(tmp_path / name)  # lossless


def test_an_error_line_quoting_a_hostile_name_is_escaped(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "gone\x1b[31m\u202e.json")])
    assert result.exit_code == 2
    _no_raw_controls(result.output)
    assert "gone\\x1b[31m\\u202e.json" in result.output


def test_a_bidi_override_in_a_model_name_is_refused_and_not_echoed_raw(tmp_path: Path) -> None:
    doc = json.loads(VALID.read_text(encoding="utf-8"))
    doc["system"]["model"]["name"] = "Llama-3.1-8B\u202e-B07"  # reads as "Llama-3.1-8B70B-" once rendered
    (tmp_path / "spoof.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "spoof.json")])
    assert result.exit_code != 0
    assert "INVALID" in result.output
    assert "/system/model/name" in result.output
    _no_raw_controls(result.output)
