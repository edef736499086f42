"""Fuzz ``verify_bytes`` with damaged certificates: never an exception, never a pass, always quick.

A change verify may accept is one that only rewrites hex digits inside the signature's /Contents string
(the zero padding after the DER signature is not signed, by design of PDF signatures). Every other change
(a byte flipped elsewhere, a non-hex byte in the gap, a truncation, an insertion, a deletion, a copied
slice) must fail.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from tests.fuzz.mutations import Mutation, damages, flips
from une_eval.report.crl import load_crls
from une_eval.report.issue import issue_certificate
from une_eval.report.keys import init_dev_pki
from une_eval.report.render import Renderer
from une_eval.report.sign import load_signer
from une_eval.report.verify import load_trust_roots, verify_bytes

pytestmark = pytest.mark.fuzz
MAX_VERIFY_S = 10.0  # generous: a shared CI runner; a genuine certificate verifies in well under a second
BUDGET = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


class Signed:
    """A signed certificate, its trust anchor and where its /Contents hex digits are (inside the < >).

    A plain class with a short repr: hypothesis prints its test arguments, and these bytes are long.
    """

    def __init__(self, pdf: bytes, roots: list[Any], hex_digits: range, crls: list[Any]) -> None:
        self.pdf, self.roots, self.hex_digits, self.crls = pdf, roots, hex_digits, crls

    def __repr__(self) -> str:
        return f"Signed({len(self.pdf)} bytes, hex digits at {self.hex_digits})"


def _signed(folder: Path) -> Signed:
    paths = init_dev_pki(
        folder / "keys", passphrase=b"fuzz-only-passphrase", auditor="Fuzz Auditor", organisation="Fuzz Org"
    )
    issued = issue_certificate(
        FIXTURES / "valid" / "llm-inference-h100.json",
        renderer=Renderer(),
        signer=load_signer(p12=paths.auditor_p12, passphrase=b"fuzz-only-passphrase"),
        lang="en",
        number="UEC-FUZZ-0001",
        issued_at=dt.datetime(2026, 11, 26, tzinfo=dt.UTC),
    )
    start, gap_end, _ = (int(x) for x in _BYTE_RANGE.findall(issued.pdf)[-1])
    hex_digits = range(start + 1, gap_end - 1)
    return Signed(issued.pdf, load_trust_roots([paths.ca_cert]), hex_digits, load_crls([paths.ca_crl]))


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    return _signed(tmp_path_factory.mktemp("fuzz-keys"))


def _may_verify(original: Signed, mutation: Mutation) -> bool:
    """Only hex digits rewritten inside the /Contents hex string."""
    if mutation.changed is None:
        return False
    return all(p in original.hex_digits and mutation.data[p] in HEX_DIGITS for p in mutation.changed)


def _check(original: Signed, mutation: Mutation) -> None:
    began = time.perf_counter()
    report = verify_bytes(mutation.data, original.roots, crls=original.crls)
    took = time.perf_counter() - began
    assert took < MAX_VERIFY_S, f"verify took {took:.1f} s"
    assert report.checks, "a verdict without any check"
    event(f"{mutation.kind}: {'ok' if report.ok else 'rejected'}")
    if report.ok:
        assert _may_verify(original, mutation), (mutation.kind, mutation.changed, [c.name for c in report.checks])


def test_the_genuine_certificate_verifies(signed: Signed) -> None:
    assert verify_bytes(signed.pdf, signed.roots, crls=signed.crls).ok


@BUDGET
@given(data=st.data())
def test_damaged_certificate(signed: Signed, data: st.DataObject) -> None:
    _check(signed, data.draw(damages(len(signed.pdf))).apply(signed.pdf))


@BUDGET
@given(data=st.data())
def test_flips_in_and_around_the_signature_gap(signed: Signed, data: st.DataObject) -> None:
    """The gap and its edges: where a verifier that checks the digest but not the layout would be fooled."""
    edges = st.integers(signed.hex_digits.start - 40, signed.hex_digits.stop + 40)
    _check(signed, data.draw(flips(len(signed.pdf), edges)).apply(signed.pdf))


# --- what the fuzzing found --------------------------------------------------------------------------


@pytest.mark.parametrize("blank", [b" ", b"\t", b"\n", b"\r", b"\x0c", b"\x00"], ids=repr)
def test_whitespace_in_the_signature_gap_is_refused(signed: Signed, blank: bytes) -> None:
    """A padding zero of /Contents replaced by whitespace: hex parsers skip it, so the signature still
    checks, but the gap then holds a byte that is not a hex digit of the signature (found by the fuzzer)."""
    spot = signed.hex_digits.stop - 10  # deep in the zero padding, after the DER signature
    assert signed.pdf[spot : spot + 1] == b"0"
    tampered = signed.pdf[:spot] + blank + signed.pdf[spot + 1 :]
    report = verify_bytes(tampered, signed.roots, crls=signed.crls)
    assert not report.ok, [c.name for c in report.checks]
