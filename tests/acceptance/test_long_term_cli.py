"""certify --level B-LT/B-LTA against a TSA on localhost, keys revoke, and verify's three answers and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.unit.report.tsa import local_tsa, served
from une_eval.cli import main
from une_eval.report.keys import DevPkiPaths

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
ENV = {"UNE_EVAL_KEY_PASSPHRASE": "test-only-passphrase", "UNE_EVAL_REGISTRY": ""}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=ENV)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lt-cli") / "auditor"
    code, out = run("keys", "init", "--dir", str(folder))
    assert code == 0, out
    assert f"revocation list (for certify/verify --crl): {folder / 'ca.crl'}" in out
    return folder


@pytest.fixture(scope="module")
def tsa_url(keys: Path) -> Iterator[str]:
    paths = DevPkiPaths(
        ca_cert=keys / "ca.pem",
        ca_key=keys / "ca.key.pem",
        auditor_p12=keys / "auditor.p12",
        auditor_cert=keys / "auditor.pem",
        auditor_key=keys / "auditor.key.pem",
        ca_crl=keys / "ca.crl",
    )
    with served(local_tsa(paths)) as url:
        yield url


def test_b_lta_through_the_cli_passes_offline_and_in_pdfsig(keys: Path, tsa_url: str, tmp_path: Path) -> None:
    pdf = tmp_path / "lta.pdf"
    code, out = run(
        "certify", str(VALID), "--key", str(keys / "auditor.p12"), "--level", "B-LTA", "--tsa-url", tsa_url,
        "--crl", str(keys / "ca.crl"), "-o", str(pdf),
    )  # fmt: skip
    assert code == 0, out
    code, out = run("verify", str(pdf), "--trust", str(keys / "ca.pem"), "--format", "json")
    assert code == 0, out
    report = json.loads(out)["files"][0]
    assert (report["indication"], report["level"]) == ("PASSED", "B-LTA")
    assert {"revocation", "timestamp", "archive timestamp"} <= {c["name"] for c in report["checks"]}
    exe = shutil.which("pdfsig")
    if exe is None:
        pytest.fail("pdfsig (poppler-utils) is required for the certificate tests")
    view = subprocess.run([exe, str(pdf)], capture_output=True, text=True, check=False, timeout=60).stdout
    assert "Signature is Valid." in view.split("Signature #2")[0]


def test_levels_that_need_a_tsa_or_crl_are_refused_clearly(keys: Path, tmp_path: Path) -> None:
    key = str(keys / "auditor.p12")
    code, out = run("certify", str(VALID), "--key", key, "--level", "B-LT", "-o", str(tmp_path / "x.pdf"))
    assert code == 2
    assert "needs a timestamp authority" in out
    code, out = run("certify", str(VALID), "--key", key, "--crl", str(keys / "ca.crl"), "-o", str(tmp_path / "y.pdf"))
    assert code == 2
    assert "--level B-LT or B-LTA" in out
    assert not (tmp_path / "x.pdf").exists()


def test_no_revocation_data_is_indeterminate_and_a_revoked_key_fails(
    keys: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("revoke") / "ca"
    shutil.copytree(keys, folder)
    pdf = tmp_path / "bb.pdf"
    assert run("certify", str(VALID), "--key", str(folder / "auditor.p12"), "-o", str(pdf))[0] == 0
    trust, crl = str(folder / "ca.pem"), str(folder / "ca.crl")
    code, out = run("verify", str(pdf), "--trust", trust)
    assert code == 2
    assert out.startswith("INDETERMINATE TRY_LATER")
    assert run("verify", str(pdf), "--trust", trust, "--crl", crl)[0] == 0
    code, out = run("keys", "revoke", str(folder / "auditor.pem"), "--dir", str(folder), "--reason", "key-compromise")
    assert code == 0, out
    code, out = run("verify", str(pdf), "--trust", trust, "--crl", crl)
    assert code == 1
    assert out.startswith("FAILED REVOKED")
    code, out = run("keys", "revoke", str(folder / "auditor.pem"), "--dir", str(folder))
    assert code == 2
    assert "already revoked" in out


def test_an_unreadable_crl_is_exit_2(keys: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.crl"
    junk.write_bytes(b"\x30\x03junk")
    code, out = run("verify", str(VALID), "--trust", str(keys / "ca.pem"), "--crl", str(junk))
    assert code == 2
    assert "not a DER or PEM certificate revocation list" in out


def test_a_batch_on_two_workers_signs_every_certificate_at_the_level_asked(
    keys: Path, tsa_url: str, tmp_path: Path
) -> None:
    other = ROOT / "fixtures" / "valid" / "image-classification-l40s.json"
    out_dir = tmp_path / "batch"
    out_dir.mkdir()
    code, out = run(
        "certify", str(VALID), str(other), "--key", str(keys / "auditor.p12"), "--level", "B-LTA",
        "--tsa-url", tsa_url, "--crl", str(keys / "ca.crl"), "--jobs", "2", "-o", str(out_dir),
    )  # fmt: skip
    assert code == 0, out
    pdfs = sorted(out_dir.glob("*.pdf"))
    assert len(pdfs) == 2, out
    code, out = run("verify", *map(str, pdfs), "--trust", str(keys / "ca.pem"), "--format", "json")
    assert code == 0, out
    assert [(f["indication"], f["level"]) for f in json.loads(out)["files"]] == [("PASSED", "B-LTA")] * 2


def test_renew_adds_a_document_timestamp_and_keeps_the_signed_bytes(keys: Path, tsa_url: str, tmp_path: Path) -> None:
    pdf, renewed = tmp_path / "lta.pdf", tmp_path / "renewed.pdf"
    key, trust, crl = str(keys / "auditor.p12"), str(keys / "ca.pem"), str(keys / "ca.crl")
    code, out = run(
        "certify", str(VALID), "--key", key, "--level", "B-LTA", "--tsa-url", tsa_url, "--crl", crl, "-o", str(pdf)
    )
    assert code == 0, out
    code, out = run("renew", str(pdf), "--tsa-url", tsa_url, "--trust", trust, "--crl", crl, "-o", str(renewed))
    assert code == 0, out
    assert "PAdES B-LTA -> B-LTA, verified PASSED" in out
    assert renewed.read_bytes().startswith(pdf.read_bytes())  # only appended: nothing signed changed
    code, out = run("verify", str(renewed), "--trust", trust, "--format", "json")
    assert code == 0, out
    checks = [c["name"] for c in json.loads(out)["files"][0]["checks"]]
    assert checks.count("archive timestamp") == 2
    code, out = run("renew", str(pdf), "--tsa-url", tsa_url, "--trust", trust, "--crl", crl, "-o", str(renewed))
    assert code == 2
    assert "already exists" in out


def test_renew_refuses_what_does_not_verify_or_is_not_long_term(keys: Path, tsa_url: str, tmp_path: Path) -> None:
    key, trust, crl = str(keys / "auditor.p12"), str(keys / "ca.pem"), str(keys / "ca.crl")
    basic = tmp_path / "basic.pdf"
    assert run("certify", str(VALID), "--key", key, "-o", str(basic))[0] == 0
    code, out = run(
        "renew", str(basic), "--tsa-url", tsa_url, "--trust", trust, "--crl", crl, "-o", str(tmp_path / "a")
    )
    assert code == 2
    assert "only a long-term certificate" in out
    lta = tmp_path / "lta.pdf"
    assert (
        run(
            "certify", str(VALID), "--key", key, "--level", "B-LTA", "--tsa-url", tsa_url, "--crl", crl, "-o", str(lta)
        )[0]
        == 0
    )
    data = bytearray(lta.read_bytes())
    at = data.index(b"/Title")
    data[at + 8] ^= 0x01  # one signed byte changed
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(bytes(data))
    code, out = run(
        "renew", str(forged), "--tsa-url", tsa_url, "--trust", trust, "--crl", crl, "-o", str(tmp_path / "b")
    )
    assert code == 2
    assert "only a certificate that verifies can be renewed; this one is FAILED" in out
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()
