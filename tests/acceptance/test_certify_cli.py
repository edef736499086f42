"""The certificate job end to end through the CLI: keys init, certify, verify (click's runner)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from une_eval.cli import main

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "fixtures" / "valid" / "training-multinode-h100.json"
NON_CONFORMANT = ROOT / "fixtures" / "invalid" / "runs.cv.json"
SCHEMA_INVALID = ROOT / "fixtures" / "invalid" / "schema-unknown-property.json"
ENV = {"UNE_EVAL_KEY_PASSPHRASE": "test-only-passphrase"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("certify-cli")
    result = CliRunner().invoke(
        main,
        [
            "keys",
            "init",
            "--dir",
            str(folder / "auditor"),
            "--auditor",
            "Marta Ruiz",
            "--organisation",
            "Auditoría Ejemplo S.L.",
        ],
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def certificate(workdir: Path) -> Path:
    out = workdir / "certificate.pdf"
    key = str(workdir / "auditor" / "auditor.p12")
    result = CliRunner().invoke(main, ["certify", str(VALID), "--key", key, "--lang", "es", "-o", str(out)], env=ENV)
    assert result.exit_code == 0, result.output
    assert "certificate of conformity" in result.output
    return out


def test_keys_init_writes_the_documented_files(workdir: Path) -> None:
    names = sorted(p.name for p in (workdir / "auditor").iterdir())
    assert names == ["auditor.key.pem", "auditor.p12", "auditor.pem", "ca.crl", "ca.key.pem", "ca.pem"]


def test_certify_then_verify_passes_in_text_and_json(certificate: Path, workdir: Path) -> None:
    trust = str(workdir / "auditor" / "ca.pem")
    crl = str(workdir / "auditor" / "ca.crl")
    text = CliRunner().invoke(main, ["verify", str(certificate), "--trust", trust, "--crl", crl])
    assert text.exit_code == 0, text.output
    assert text.output.startswith("PASSED  ")
    assert "FAIL" not in text.output
    data = CliRunner().invoke(main, ["verify", str(certificate), "--trust", trust, "--crl", crl, "--format", "json"])
    assert data.exit_code == 0
    report = json.loads(data.output)["files"][0]
    assert (report["indication"], report["sub_indication"], report["level"]) == ("PASSED", "", "B-B")
    assert report["ok"] is True
    assert report["certificate"]["verdict"] == "conformant"
    assert all(check["ok"] for check in report["checks"])


def test_pdfsig_accepts_the_cli_certificate(certificate: Path) -> None:
    exe = shutil.which("pdfsig")
    if exe is None:
        pytest.fail("pdfsig (poppler-utils) is required for the certificate tests")
    out = subprocess.run([exe, str(certificate)], capture_output=True, text=True, check=False, timeout=60).stdout
    assert "Signature is Valid." in out
    assert "Total document signed" in out


def test_non_conformant_submission_gets_a_report_and_exit_1(workdir: Path) -> None:
    out = workdir / "reports"
    keys = workdir / "auditor"
    result = CliRunner().invoke(
        main,
        [
            "certify",
            str(NON_CONFORMANT),
            "--key",
            str(keys / "auditor.key.pem"),
            "--cert",
            str(keys / "auditor.pem"),
            "--lang",
            "en",
            "--number",
            "UEC-CLI-NC-1",
            "-o",
            str(out),
        ],
        env=ENV,
    )
    assert result.exit_code == 1, result.output
    assert "NON-CONFORMITY REPORT UEC-CLI-NC-1" in result.output
    assert (out / "certificate-UEC-CLI-NC-1.pdf").is_file()


def test_schema_invalid_submission_is_refused_with_exit_2(workdir: Path) -> None:
    out = workdir / "refused.pdf"
    key = str(workdir / "auditor" / "auditor.p12")
    result = CliRunner().invoke(main, ["certify", str(SCHEMA_INVALID), "--key", key, "-o", str(out)], env=ENV)
    assert result.exit_code == 2
    assert "does not follow the schema" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_tampered_certificate_fails_verify_with_exit_1(certificate: Path, workdir: Path) -> None:
    forged = workdir / "forged.pdf"
    data = bytearray(certificate.read_bytes())
    data[data.index(b"/Title") + 1] ^= 0x01  # one bit inside the signed bytes
    forged.write_bytes(bytes(data))
    trust, crl = str(workdir / "auditor" / "ca.pem"), str(workdir / "auditor" / "ca.crl")
    result = CliRunner().invoke(main, ["verify", str(forged), "--trust", trust, "--crl", crl])
    assert result.exit_code == 1
    assert result.output.startswith("FAILED HASH_FAILURE")
    assert "FAIL" in result.output


def test_a_truncated_certificate_cannot_be_checked_exit_2(certificate: Path, workdir: Path) -> None:
    cut = workdir / "truncated.pdf"
    cut.write_bytes(certificate.read_bytes()[:-200])
    result = CliRunner().invoke(main, ["verify", str(cut), "--trust", str(workdir / "auditor" / "ca.pem")])
    assert result.exit_code in (1, 2), result.output
    assert result.output.startswith(("FAILED FORMAT_FAILURE", "INDETERMINATE FORMAT_FAILURE"))
    assert "Traceback" not in result.output


def test_passphrase_is_never_an_argument_and_missing_one_is_a_clear_error(workdir: Path) -> None:
    help_text = CliRunner().invoke(main, ["certify", "--help"]).output
    assert "passphrase" not in help_text.lower()
    key = str(workdir / "auditor" / "auditor.p12")
    result = CliRunner().invoke(main, ["certify", str(VALID), "--key", key], env={"UNE_EVAL_KEY_PASSPHRASE": None})
    assert result.exit_code == 2
    assert "UNE_EVAL_KEY_PASSPHRASE" in result.output
    wrong = CliRunner().invoke(main, ["certify", str(VALID), "--key", key], env={"UNE_EVAL_KEY_PASSPHRASE": "wrong"})
    assert wrong.exit_code == 2
    assert "cannot load the signing key" in wrong.output
    assert "Traceback" not in wrong.output


def test_unreadable_trust_anchor_is_exit_2(certificate: Path, workdir: Path) -> None:
    junk = workdir / "junk.pem"
    junk.write_text("not a certificate", encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(certificate), "--trust", str(junk)])
    assert result.exit_code == 2
    assert "not a PEM or DER certificate" in result.output
