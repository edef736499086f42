"""Folder scans take the files that claim to be submissions; ``--format lines``; text output never cuts ids."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from une_eval.cli import main
from une_eval.cli.validate import print_text
from une_eval.validation.pipeline import check_file
from une_eval.validation.scan import claim_of, scan

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures"
VALID = FIXTURES / "valid" / "llm-inference-h100.json"


def test_only_files_that_claim_to_be_submissions_are_taken(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(VALID, folder / "vendor-a.json")
    shutil.copy(VALID, folder / "sub" / "renamed.expected.json")  # the name does not matter, the content does
    (folder / "inventory.json").write_text(json.dumps({"gpus": [{"submission_id": "x"}]}), encoding="utf-8")
    (folder / "summary.json").write_text(
        json.dumps({"files": [{"submission": {"submission_id": "x"}, "schema_version": "1.0"}]}), encoding="utf-8"
    )
    (folder / "broken.json").write_text('{"schema_version": "1.0", "submission_id": "trunc', encoding="utf-8")
    (folder / "list.json").write_text('[{"schema_version": "1.0", "submission_id": "x"}]', encoding="utf-8")
    (folder / "notes.txt").write_text("{}", encoding="utf-8")
    found = scan([folder])
    assert [p.name for p in found.files] == ["broken.json", "renamed.expected.json", "vendor-a.json"]
    skipped = {s.path.name: s.reason for s in found.skipped}
    assert skipped == {
        "inventory.json": "no top-level schema_version and submission_id",
        "summary.json": "no top-level schema_version and submission_id",  # nested members do not count
        "list.json": "not a JSON object",
    }
    # Named on the command line: always checked, whatever it holds.
    assert scan([folder / "inventory.json"]).files == (folder / "inventory.json",)
    assert claim_of(tmp_path / "missing.json") is None  # unreadable: checked, and reported as an error


def test_entries_that_are_not_regular_files_are_named_never_opened_nor_dropped_silently(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "nested.json").mkdir(parents=True)  # a folder with that name: its contents are scanned
    shutil.copy(VALID, folder / "nested.json" / "inside.json")
    os.mkfifo(folder / "pipe.json")  # opening it would block until a writer came
    (folder / "gone.json").symlink_to(tmp_path / "nowhere.json")
    found = scan([folder])  # returns: the FIFO is not opened
    assert [p.name for p in found.files] == ["inside.json"]
    assert {s.path.name: s.reason for s in found.skipped} == {
        "gone.json": "a symbolic link to nothing",
        "pipe.json": "not a regular file (a FIFO, socket or device): not read",
    }


def test_a_folder_scan_says_what_it_skipped() -> None:
    result = CliRunner().invoke(main, ["validate", str(FIXTURES / "invalid"), "--format", "json"])
    data = json.loads(result.stdout)
    sources = {Path(f["source"]).name for f in data["files"]}
    assert not any(name.endswith(".expected.json") for name in sources)
    skipped = {Path(s["path"]).name for s in data["skipped"]}
    assert skipped == {p.name for p in (FIXTURES / "invalid").glob("*.expected.json")}
    text = CliRunner().invoke(main, ["validate", str(FIXTURES / "invalid")])
    assert f"skipped {len(skipped)} file(s) that do not claim to be submissions" in text.stderr


def test_lines_format_is_one_line_per_finding(tmp_path: Path) -> None:
    files = [FIXTURES / "invalid" / "runs.cv.json", FIXTURES / "invalid" / "schema-bad-formats.json"]
    result = CliRunner().invoke(main, ["validate", *map(str, files), "--format", "lines"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    audits = [check_file(f) for f in files]
    assert len(lines) == sum(len(a.findings) for a in audits)
    pattern = re.compile(
        r"^(?P<file>[^:]+):(?P<pointer>/[^:]*): (?P<rule>[a-z][a-z0-9-]*(\.[a-zA-Z0-9-]+)+): (?P<msg>.+)$"
    )
    expected = [
        (str(f), finding.pointer or "/", finding.rule_id)
        for f, a in zip(files, audits, strict=True)
        for finding in a.findings
    ]
    got = []
    for line in lines:
        match = pattern.match(line)
        assert match, line
        got.append((match["file"], match["pointer"], match["rule"]))
    assert got == expected
    error = CliRunner().invoke(main, ["validate", str(FIXTURES / "bad-input" / "truncated.json"), "--format", "lines"])
    assert error.exit_code == 2
    assert re.match(r"^.*truncated\.json: error: .+$", error.stdout.strip())


def test_text_output_never_cuts_or_splits_ids_and_pointers_at_80_columns() -> None:
    audits = [
        check_file(FIXTURES / "invalid" / "evidence.accelerator-windows.json"),
        check_file(FIXTURES / "invalid" / "schema-bad-formats.json"),
    ]
    console = Console(width=80, record=True, highlight=False, soft_wrap=False, color_system=None)
    print_text(audits, console)
    out = console.export_text()
    assert "…" not in out
    assert "..." not in out
    for audit in audits:
        for f in audit.findings:
            # Severity, rule id and pointer stay together on one line, whole.
            assert re.search(
                rf"^\s+{f.severity.value}\s+{re.escape(f.rule_id)}\s+{re.escape(f.pointer or '/')}$", out, re.M
            )


def _claim_by_safe_loader(path: Path) -> str | None:
    """The scan's decision taken with the safe loader alone (the reference for its plain-parse shortcut)."""
    from une_eval.errors import InputError
    from une_eval.loading import MAX_FILE_BYTES, parse_json_bytes, read_bounded

    data = read_bounded(path, MAX_FILE_BYTES)
    if not all(f'"{key}"'.encode() in data for key in ("schema_version", "submission_id")):
        return "no top-level schema_version and submission_id"
    try:
        doc = parse_json_bytes(data)
    except InputError:
        return None
    if not isinstance(doc, dict):
        return "not a JSON object"
    missing = [key for key in ("schema_version", "submission_id") if key not in doc]
    return f"no top-level {' and '.join(missing)}" if missing else None


def test_the_scans_plain_parse_shortcut_decides_as_the_safe_loader(tmp_path: Path) -> None:
    both = '"schema_version": "1.0", "submission_id": "x"'
    deep = "[" * 5000 + "]" * 5000
    texts = {
        "valid": VALID.read_text(encoding="utf-8"),
        "duplicate-key": "{" + both + ', "submission_id": "y"}',
        "duplicate-elsewhere": '{"a": {"schema_version": 1, "submission_id": 2}, "a": 3}',
        "array": "[{" + both + "}]",
        "nested-only": '{"inner": {' + both + "}}",
        "one-missing": '{"schema_version": "1.0", "x": {"submission_id": "y"}}',
        "one-missing-dup": '{"schema_version": "1.0", "schema_version": 2, "x": {"submission_id": "y"}}',
        "nan": "{" + both + ', "v": NaN}',
        "nan-missing": '{"schema_version": NaN, "x": {"submission_id": "y"}}',
        "big-int": "{" + both + ', "v": ' + "9" * 5000 + "}",
        "deep": "{" + both + ', "v": ' + deep + "}",
        "deep-missing": '{"schema_version": 1, "v": ' + deep + ', "w": {"submission_id": 1}}',
        "malformed": "{" + both + ",}",
        "string": json.dumps("schema_version submission_id"),
    }
    for name, text in texts.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        assert claim_of(path) == _claim_by_safe_loader(path), name
