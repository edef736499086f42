"""certify records in the register and prints the page link; verify checks the standing; reissue supersedes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.unit.registry.qr import qr_payload
from une_eval.cli import main
from une_eval.registry.db import parse_location
from une_eval.registry.records import Status
from une_eval.registry.store import open_register

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
ENV = {"UNE_EVAL_KEY_PASSPHRASE": "test-only-passphrase", "UNE_EVAL_REGISTRY": ""}
SITE = "https://certs.example.org"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=ENV)


def number_of(result: Result) -> str:
    return next(w for w in result.stdout.split() if w.startswith("UEC-"))


def test_certify_records_links_and_verify_follows_the_status(db_url: str, tmp_path: Path, auditor_keys: Path) -> None:
    assert run("registry", "init", "--db", db_url).exit_code == 0
    pdf = tmp_path / "cert.pdf"
    key = str(auditor_keys / "auditor.p12")
    issued = run(
        "certify", str(VALID), "--key", key, "--lang", "en", "--db", db_url, "--registry-url", SITE, "-o", str(pdf)
    )
    assert issued.exit_code == 0, issued.stderr
    number = number_of(issued)
    with open_register(parse_location(db_url)) as reg:
        record = reg.get(number)
    assert record is not None
    assert record.stored_status is Status.ACTIVE
    assert record.pdf_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert record.entry.subject.organisation == "Example AI Labs S.L."
    assert (record.entry.expires_at - record.entry.issued_at).days == 365
    assert qr_payload(pdf, tmp_path) == f"{SITE}/c/{number}"
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert f"{SITE}/c/{number}" in text.replace("\u200b", "").replace("\n", "")
    assert "une-eval verify cert.pdf --trust" in text.replace("\u200b", "")  # the name written, not the default
    today = dt.datetime.now(dt.UTC).date()
    assert f"{record.entry.issued_at.date()} – {record.entry.expires_at.date()}" in text
    assert abs((record.entry.issued_at.date() - today).days) <= 1

    trust, crl = str(auditor_keys / "ca.pem"), str(auditor_keys / "ca.crl")
    ok = run("verify", str(pdf), "--trust", trust, "--crl", crl, "--db", db_url, "--format", "json")
    assert ok.exit_code == 0, ok.stdout
    assert json.loads(ok.stdout)["files"][0]["registry"]["indication"] == "PASSED"
    assert run("registry", "suspend", number, "--db", db_url, "--reason", "complaint").exit_code == 0
    suspended = run("verify", str(pdf), "--trust", trust, "--crl", crl, "--db", db_url)
    assert suspended.exit_code == 2
    assert "INDETERMINATE SUSPENDED (suspended)" in suspended.stdout
    assert run("registry", "withdraw", number, "--db", db_url, "--reason", "false declaration").exit_code == 0
    withdrawn = run("verify", str(pdf), "--trust", trust, "--crl", crl, "--db", db_url, "--format", "json")
    assert withdrawn.exit_code == 1
    assert json.loads(withdrawn.stdout)["files"][0]["registry"] == {
        "indication": "FAILED",
        "sub_indication": "WITHDRAWN",
        "detail": f"certificate {number} is withdrawn by the certification body",
        "status": "withdrawn",
    }


def test_reissue_supersedes_and_a_modified_file_fails(db_url: str, tmp_path: Path, auditor_keys: Path) -> None:
    assert run("registry", "init", "--db", db_url).exit_code == 0
    key = str(auditor_keys / "auditor.p12")
    first = run("certify", str(VALID), "--key", key, "--db", db_url, "-o", str(tmp_path / "a.pdf"))
    assert first.exit_code == 0, first.stderr
    old = number_of(first)
    again = run("registry", "reissue", old, str(VALID), "--key", key, "--db", db_url, "-o", str(tmp_path / "b.pdf"))
    assert again.exit_code == 0, again.stderr
    new = number_of(again)
    with open_register(parse_location(db_url)) as reg:
        old_record, new_record = reg.get(old), reg.get(new)
    assert old_record is not None
    assert new_record is not None
    assert (old_record.stored_status, old_record.superseded_by) == (Status.SUPERSEDED, new)
    assert new_record.entry.supersedes == old
    trust, crl = str(auditor_keys / "ca.pem"), str(auditor_keys / "ca.crl")
    superseded = run("verify", str(tmp_path / "a.pdf"), "--trust", trust, "--crl", crl, "--db", db_url)
    assert superseded.exit_code == 2
    assert f"superseded by {new}" in superseded.stdout
    # A certificate issued without the register is unknown to it.
    unrecorded = run("certify", str(VALID), "--key", key, "-o", str(tmp_path / "c.pdf"))
    assert unrecorded.exit_code == 0
    missing = run("verify", str(tmp_path / "c.pdf"), "--trust", trust, "--crl", crl, "--db", db_url)
    assert missing.exit_code == 1
    assert "FAILED NOT_REGISTERED" in missing.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--registry-url", SITE], "need a register to record in"),
        (["--db", "{db}", "--registry-url", "javascript:alert(1)"], "not a register site URL"),
        (["--db", "{db}", "--registry-url", "https://u:p@certs.example.org"], "not a register site URL"),
        (["--db", "{db}", "--supersedes", "UEC-404"], "no certificate UEC-404"),
        (["--db", "{db}", "--number", "UEC-TAKEN"], "already in the register"),
    ],
)
def test_certify_refuses_bad_register_options_before_signing(
    tmp_path: Path, auditor_keys: Path, args: list[str], message: str
) -> None:
    db = str(tmp_path / "r.sqlite")
    assert run("registry", "init", "--db", db).exit_code == 0
    from tests.unit.registry.records_factory import NOW, entry

    with open_register(parse_location(db)) as reg:
        reg.reserve(entry("UEC-TAKEN"), actor="x", now=NOW)
    out = tmp_path / "x.pdf"
    key = str(auditor_keys / "auditor.p12")
    result = run("certify", str(VALID), "--key", key, "-o", str(out), *[a.format(db=db) for a in args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()
