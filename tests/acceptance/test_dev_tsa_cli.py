"""`une-eval keys tsa`: a development TSA on 127.0.0.1 that certify and renew can use, and that verify trusts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from une_eval.cli import main

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
ENV = {"UNE_EVAL_KEY_PASSPHRASE": "a long enough passphrase"}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tsa") / "auditor"
    assert CliRunner().invoke(main, ["keys", "init", "--dir", str(folder)], env=ENV).exit_code == 0
    return folder


def _start(folder: Path, passphrase: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "UNE_EVAL_KEY_PASSPHRASE": passphrase}
    argv = [sys.executable, "-m", "une_eval", "keys", "tsa", "--dir", str(folder)]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def tsa(keys: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    server = _start(keys, ENV["UNE_EVAL_KEY_PASSPHRASE"])
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    try:
        yield url, server
    finally:
        server.kill()
        server.communicate()


def _post(url: str, body: bytes, kind: str = "application/timestamp-query") -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": kind}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status: int = answer.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_certificate_stamped_by_the_development_tsa_verifies(
    keys: Path, tsa: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, _ = tsa
    assert url.startswith("http://127.0.0.1:")
    pdf = tmp_path / "c.pdf"
    args = ["certify", str(VALID), "--key", str(keys / "auditor.p12"), "--tsa-url", url, "-o", str(pdf)]
    issued = CliRunner().invoke(main, [*args, "--level", "B-LTA", "--crl", str(keys / "ca.crl")], env=ENV)
    assert issued.exit_code == 0, issued.output
    checked = CliRunner().invoke(
        main, ["verify", str(pdf), "--trust", str(keys / "ca.pem"), "--crl", str(keys / "ca.crl")]
    )
    assert checked.exit_code == 0, checked.output
    assert "ok   timestamp: RFC 3161 timestamp of" in checked.output
    assert "ok   archive timestamp" in checked.output


@pytest.mark.parametrize(
    ("body", "kind", "status"),
    [
        (b"not DER at all", "application/timestamp-query", 400),
        (b"\x30\x03\x02\x01\x01", "application/timestamp-query", 400),  # a SEQUENCE that is not a request
        (b"x" * (64 * 1024 + 1), "application/timestamp-query", 413),
        (b"x", "text/plain", 415),
    ],
)
def test_anything_but_a_bounded_timestamp_request_gets_an_http_error(
    tsa: tuple[str, subprocess.Popen[str]], body: bytes, kind: str, status: int
) -> None:
    url, server = tsa
    assert _post(url, body, kind) == status
    assert server.poll() is None  # still serving


def test_sigterm_stops_it_cleanly_with_no_traceback(keys: Path) -> None:
    server = _start(keys, ENV["UNE_EVAL_KEY_PASSPHRASE"])
    assert server.stdout is not None
    assert server.stdout.readline().startswith("http://127.0.0.1:")
    server.send_signal(signal.SIGTERM)
    _, err = server.communicate(timeout=10)
    assert server.returncode == 0
    assert "development TSA stopped" in err
    assert "Traceback" not in err


def test_a_wrong_ca_passphrase_is_one_line_and_exit_2(keys: Path) -> None:
    server = _start(keys, "not the passphrase at all")
    out, err = server.communicate(timeout=30)
    assert server.returncode == 2
    assert out == ""
    assert err.startswith("une-eval: error: cannot use the development CA in")
    assert "Traceback" not in err
