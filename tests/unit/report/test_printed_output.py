"""What `une-eval verify` prints cannot be steered by the certificate: escapes and bidi controls are shown."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from une_eval.cli import main
from une_eval.report.content import prepare
from une_eval.report.sign import auditor_of, sign_pdf

ROOT = Path(__file__).resolve().parents[3]
# Erase the line above (FAILED), go up, and paint a green PASSED; then a C1 CSI and a bidi override.
REPAINT = "UEC-1\x1b[1A\x1b[2K\x1b[32mPASSED\x1b[0m \x9b2J \u202edessap"


@pytest.fixture(scope="module")
def hostile_pdf(pki: Any, renderer: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A validly signed file whose metadata holds terminal escapes and whose printed digest is wrong."""
    cert = renderer.render(
        prepare(ROOT / "fixtures" / "valid" / "llm-inference-h100.json"),
        number="UEC-TEST-ESC",
        auditor=auditor_of(pki.signer),
        lang="en",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(cert.pdf))
    info = writer.trailer["/Info"]
    info[generic.NameObject("/uneevalcertificatenumber")] = generic.TextStringObject(REPAINT)
    info[generic.NameObject("/uneevalsubmissionsha256")] = generic.TextStringObject("0" * 64)
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    path = tmp_path_factory.mktemp("hostile") / "certificate\x1b[2K.pdf"
    path.write_bytes(sign_pdf(out.getvalue(), pki.signer, reason="test"))
    return path


def test_text_output_shows_escapes_instead_of_obeying_them(hostile_pdf: Path, pki: Any) -> None:
    result = CliRunner().invoke(main, ["verify", str(hostile_pdf), "--trust", str(pki.paths.ca_cert)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("FAILED EVIDENCE_MISMATCH")
    for raw in ("\x1b", "\x9b", "\u202e"):
        assert raw not in result.output
    assert "number: UEC-1\\x1b[1A\\x1b[2K\\x1b[32mPASSED\\x1b[0m \\x9b2J \\u202edessap" in result.output
    assert "certificate\\x1b[2K.pdf" in result.output
    assert "FAIL attachment submission.json" in result.output


def test_json_output_is_lossless_but_holds_no_raw_control(hostile_pdf: Path, pki: Any) -> None:
    result = CliRunner().invoke(
        main, ["verify", str(hostile_pdf), "--trust", str(pki.paths.ca_cert), "--format", "json"]
    )
    assert result.exit_code == 1
    for raw in ("\x1b", "\x9b", "\u202e"):
        assert raw not in result.output
    report = json.loads(result.output)["files"][0]
    assert report["certificate"]["number"] == REPAINT
    assert report["file"] == str(hostile_pdf)
