"""``certify --jobs``: certificates made by worker processes are the same certificates, recorded alike.

Every certificate of a parallel batch verifies, its number is unique and recorded active with the
hash of the file written; a submission that cannot be certified stops the batch as it would one at a
time, with no reservation left pending and no certificate unrecorded.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from une_eval.cli import main
from une_eval.registry.db import parse_location
from une_eval.registry.records import Status
from une_eval.registry.store import open_register
from une_eval.report.crl import load_crls
from une_eval.report.verify import load_trust_roots, verify_file

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "fixtures" / "valid"
ENV = {"UNE_EVAL_KEY_PASSPHRASE": "test-only-passphrase"}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch-keys") / "auditor"
    result = CliRunner().invoke(main, ["keys", "init", "--dir", str(folder)], env=ENV)
    assert result.exit_code == 0, result.output
    return folder


def _submissions(folder: Path, names: list[str]) -> list[Path]:
    shutil.copytree(VALID / "traces", folder / "traces")
    out = []
    for i, name in enumerate(names):
        path = folder / f"{i:02d}-{name}"
        path.write_bytes(((VALID if (VALID / name).exists() else ROOT / "fixtures" / "invalid") / name).read_bytes())
        out.append(path)
    return out


def _certify(keys: Path, subs: list[Path], out: Path, db: Path, jobs: str) -> tuple[int, str]:
    args = ["certify", *map(str, subs), "--key", str(keys / "auditor.p12"), "-o", str(out), "--db", str(db)]
    result = CliRunner().invoke(main, [*args, "--jobs", jobs], env=ENV)
    return result.exit_code, result.output


def _register(tmp_path: Path) -> Path:
    db = tmp_path / "register.sqlite"
    assert CliRunner().invoke(main, ["registry", "init", "--db", str(db)]).exit_code == 0
    return db


def test_a_parallel_batch_issues_verifiable_certificates_recorded_once_each(keys: Path, tmp_path: Path) -> None:
    names = ["llm-inference-h100.json", "image-classification-l40s.json", "runs.cv.json"] * 2
    subs = _submissions(tmp_path / "subs", names)
    db, out = _register(tmp_path), tmp_path / "out"
    code, output = _certify(keys, subs, out, db, "2")
    assert code == 1, output  # runs.cv.json gets a non-conformity report
    lines = [line for line in output.splitlines() if " -> " in line]
    assert [line.split(":")[0] for line in lines] == [str(s) for s in subs]  # in the order given
    assert "6 certificate(s)" in output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == len(subs)
    roots = load_trust_roots([keys / "ca.pem"])
    crls = load_crls([keys / "ca.crl"])
    assert all(verify_file(p, roots, crls=crls).ok for p in pdfs)
    with open_register(parse_location(str(db))) as reg:
        records = reg.certificates()
    assert len({r.number for r in records}) == len(subs)
    assert {r.stored_status for r in records} == {Status.ACTIVE}
    hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in pdfs}
    assert {r.pdf_sha256 for r in records} == hashes


def test_a_file_that_cannot_be_certified_stops_the_batch_with_nothing_left_pending(keys: Path, tmp_path: Path) -> None:
    names = ["llm-inference-h100.json", "image-classification-l40s.json", "schema-unknown-property.json"]
    names += ["llm-inference-h100.json"] * 6
    subs = _submissions(tmp_path / "subs", names)
    db, out = _register(tmp_path), tmp_path / "out"
    code, output = _certify(keys, subs, out, db, "2")
    assert code == 2, output
    assert "schema-unknown-property.json" in output
    pdfs = sorted(out.glob("*.pdf"))
    assert 2 <= len(pdfs) < len(subs)  # those before it, and at most those already in flight
    with open_register(parse_location(str(db))) as reg:
        records = reg.certificates()
    assert {r.stored_status for r in records} == {Status.ACTIVE}  # no reservation left pending
    assert {r.pdf_sha256 for r in records} == {hashlib.sha256(p.read_bytes()).hexdigest() for p in pdfs}
