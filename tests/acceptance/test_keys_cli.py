"""`une-eval keys init` and the passphrase rules on the command line: one clear line, exit 2, no traceback."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from click.testing import CliRunner

from une_eval.cli import main

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
GOOD = {"UNE_EVAL_KEY_PASSPHRASE": "a long enough passphrase"}


def _init(folder: Path, env: dict[str, str], *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["keys", "init", "--dir", str(folder), *extra], env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_short_passphrase_is_refused_and_the_rule_is_said(tmp_path: Path) -> None:
    code, output = _init(tmp_path / "keys", {"UNE_EVAL_KEY_PASSPHRASE": "x"})
    assert code == 2
    assert "at least 12 characters" in output
    assert not (tmp_path / "keys").exists()


def test_an_overlong_passphrase_is_one_clear_line_for_keys_init_and_certify(tmp_path: Path) -> None:
    huge = {"UNE_EVAL_KEY_PASSPHRASE": "p" * 2000}
    code, output = _init(tmp_path / "keys", huge)
    assert code == 2
    assert "at most 1023" in output
    assert _init(tmp_path / "keys", GOOD)[0] == 0
    result = CliRunner().invoke(
        main,
        [
            "certify",
            str(VALID),
            "--key",
            str(tmp_path / "keys" / "auditor.key.pem"),
            "--cert",
            str(tmp_path / "keys" / "auditor.pem"),
        ],
        env=huge,
    )
    assert result.exit_code == 2
    assert "at most 1023" in result.output
    assert "Traceback" not in result.output


def test_an_existing_folder_needs_force(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    code, output = _init(folder, GOOD)
    assert code == 2
    assert "--force" in output
    assert list(folder.iterdir()) == []
    code, output = _init(folder, GOOD, "--force")
    assert code == 0, output
    assert sorted(p.name for p in folder.iterdir()) == [
        "auditor.key.pem",
        "auditor.p12",
        "auditor.pem",
        "ca.crl",
        "ca.key.pem",
        "ca.pem",
    ]
    code, output = _init(folder, GOOD, "--force")
    assert code == 2
    assert "refusing to overwrite" in output


def test_keys_init_writes_exact_modes_under_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        code, output = _init(tmp_path / "keys", GOOD)
    finally:
        os.umask(old)
    assert code == 0, output
    folder = tmp_path / "keys"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "ca.pem").stat().st_mode) == 0o644
    assert stat.S_IMODE((folder / "auditor.p12").stat().st_mode) == 0o600
