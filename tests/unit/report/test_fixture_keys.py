"""The committed test keys in fixtures/keys still sign certificates that verify (and meet the signer policy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from une_eval.report.crl import load_crls
from une_eval.report.issue import issue_certificate
from une_eval.report.sign import load_signer
from une_eval.report.verify import load_trust_roots, verify_bytes

ROOT = Path(__file__).resolve().parents[3]
KEYS = ROOT / "fixtures" / "keys"


def test_a_certificate_signed_with_the_fixture_keys_verifies(renderer: Any) -> None:
    signer = load_signer(p12=KEYS / "auditor.p12", passphrase=b"test-only-passphrase")
    issued = issue_certificate(
        ROOT / "fixtures" / "valid" / "llm-inference-h100.json", renderer=renderer, signer=signer, lang="en"
    )
    report = verify_bytes(issued.pdf, load_trust_roots([KEYS / "ca.pem"]), crls=load_crls([KEYS / "ca.crl"]))
    assert report.ok, [(c.name, c.detail) for c in report.checks if not c.ok]
    assert "Test Auditor (TEST ONLY)" in report.signer
