"""``--debug`` shows the original exception behind a clear message; without it, one line and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "une_eval", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_without_debug_an_error_is_one_line(tmp_path: Path) -> None:
    done = _run("certify", str(tmp_path / "none.json"), "--key", str(tmp_path / "none.p12"), "-o", str(tmp_path / "x"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_debug_after_the_command_shows_the_original_exception(tmp_path: Path) -> None:
    args = ("certify", str(tmp_path / "none.json"), "--key", str(tmp_path / "none.p12"), "-o", str(tmp_path / "x"))
    done = _run(*args, "--debug")
    assert done.returncode == 2
    assert "the original exception" in done.stderr
    assert "Traceback" in done.stderr
    assert done.stderr.splitlines()[0].startswith("une-eval: error:")


def test_control_characters_in_an_error_message_are_escaped(tmp_path: Path) -> None:
    done = _run("validate", str(tmp_path / "\x1b[32mVERIFIED\x1b[0m.json"))
    assert done.returncode == 2
    assert "\x1b" not in done.stderr
    assert "\\x1b" in done.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    """``une-eval validate DIR | head``: exit status 141 (as after SIGPIPE), no traceback, no internal error."""
    folder = Path(__file__).resolve().parents[2] / "fixtures" / "valid"
    proc = subprocess.Popen(
        [sys.executable, "-m", "une_eval", "validate", "--format", "json", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert proc.stdout.read(10).startswith(b"{")
    proc.stdout.close()
    with proc.stderr:
        assert proc.wait(timeout=120) == 141
        assert proc.stderr.read() == b""
