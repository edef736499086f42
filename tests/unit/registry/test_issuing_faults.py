"""Issuing with a register under faults: two auditors at once, a crash between signing and recording."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.unit.registry.records_factory import NOW, entry
from une_eval.cli import main
from une_eval.errors import SigningError
from une_eval.registry.db import RegistryError, parse_location
from une_eval.registry.issuing import Reservation, issue_recorded
from une_eval.registry.records import Status
from une_eval.registry.store import open_register
from une_eval.validation import check_file

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"

RESERVER = textwrap.dedent(
    """
    import sys
    from tests.unit.registry.records_factory import NOW, entry
    from une_eval.registry.db import RegistryError, parse_location
    from une_eval.registry.store import open_register

    reg = open_register(parse_location(sys.argv[1]))
    won = lost = 0
    for i in range(25):
        try:
            reg.reserve(entry(f"UEC-RACE-{i:03d}"), actor=sys.argv[2], now=NOW)
            won += 1
        except RegistryError as exc:
            assert "already in the register" in str(exc), exc
            lost += 1
    print(won, lost)
    """
)


def test_two_auditors_reserving_the_same_numbers_at_once_never_share_one(db_url: str) -> None:
    assert CliRunner().invoke(main, ["registry", "init", "--db", db_url]).exit_code == 0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RESERVER, db_url, who], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for who in ("auditor-a", "auditor-b")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1].decode()[-2000:] for o in outs]
    counts = [tuple(int(x) for x in out.split()) for out, _ in outs]
    assert sum(won for won, _ in counts) == 25
    assert sum(lost for _, lost in counts) == 25
    with open_register(parse_location(db_url)) as reg:
        records = reg.certificates(Status.PENDING, limit=100)
        assert len(records) == 25
        for record in records:
            full = reg.get(record.number)
            assert full is not None
            assert len(full.history) == 1


def test_a_failed_signature_leaves_no_reservation(db_url: str) -> None:
    assert CliRunner().invoke(main, ["registry", "init", "--db", db_url]).exit_code == 0
    audit = check_file(VALID)

    def failing_issue(reservation: Reservation) -> bytes:
        raise SigningError("the TSA is down")

    with open_register(parse_location(db_url)) as reg:
        with pytest.raises(SigningError):
            issue_recorded(reg, audit, auditor="A", issue=failing_issue, write=lambda pdf: None, number="UEC-FAIL")
        assert reg.get("UEC-FAIL") is None
        reg.reserve(entry("UEC-FAIL"), actor="x", now=NOW)  # the number is free again


CRASHER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from une_eval.registry.db import parse_location
    from une_eval.registry.issuing import issue_and_record
    from une_eval.registry.store import open_register
    from une_eval.report.render import Renderer
    from une_eval.report.sign import load_signer
    from une_eval.output import write_atomic

    db, p12, out, submission = sys.argv[1:5]
    signer = load_signer(p12=Path(p12), passphrase=b"test-only-passphrase")

    def write_then_crash(issued):
        write_atomic(Path(out), issued.pdf)
        os._exit(9)  # the process dies after writing the signed PDF, before its hash is recorded

    with open_register(parse_location(db)) as reg:
        issue_and_record(reg, Path(submission), write_then_crash, renderer=Renderer(), signer=signer,
                         number="UEC-CRASH-1", public_base_url="https://certs.example.org")
    """
)


def test_a_crash_between_signing_and_recording_is_reported_and_can_be_completed(
    db_url: str, tmp_path: Path, auditor_p12: Path
) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["registry", "init", "--db", db_url]).exit_code == 0
    pdf = tmp_path / "crashed.pdf"
    done = subprocess.run(
        [sys.executable, "-c", CRASHER, db_url, str(auditor_p12), str(pdf), str(VALID)],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 9, done.stderr.decode()[-2000:]
    assert pdf.is_file()
    listed = runner.invoke(main, ["registry", "list", "--db", db_url])
    assert "UEC-CRASH-1" in listed.stdout
    assert "pending" in listed.stdout
    assert "1 certificate(s) pending" in listed.stderr
    assert "registry complete" in listed.stderr
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.7\n%%EOF\n")
    wrong = runner.invoke(main, ["registry", "complete", "UEC-CRASH-1", "--pdf", str(other), "--db", db_url])
    assert wrong.exit_code == 2
    assert "not UEC-CRASH-1" in wrong.stderr
    completed = runner.invoke(main, ["registry", "complete", "UEC-CRASH-1", "--pdf", str(pdf), "--db", db_url])
    assert completed.exit_code == 0, completed.stderr
    with open_register(parse_location(db_url)) as reg:
        record = reg.get("UEC-CRASH-1")
    assert record is not None
    assert record.stored_status is Status.ACTIVE
    import hashlib

    assert record.pdf_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    with (
        open_register(parse_location(db_url)) as reg,
        pytest.raises(RegistryError, match="is active: it cannot be activated"),
    ):
        reg.activate("UEC-CRASH-1", record.pdf_sha256, actor="x")


INITIALISER = textwrap.dedent(
    """
    import sys
    from une_eval.registry.db import connect, parse_location
    from une_eval.registry.migrations import migrate

    for _ in range(3):
        db = connect(parse_location(sys.argv[1]), create=True)
        migrate(db)
        db.close()
    """
)


def test_two_inits_of_one_new_register_at_once_both_succeed(db_url: str) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", INITIALISER, db_url], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), [e.decode()[-1500:] for e in errs]
    assert CliRunner().invoke(main, ["registry", "list", "--db", db_url]).exit_code == 0
