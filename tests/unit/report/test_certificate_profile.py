"""A certificate issued under a body's own profile file carries that profile, and verify re-validates with it.

The profile travels as a third attachment (``profile.json``, the merged document) and its SHA-256 sits in
the signed metadata; verify uses the attachment only when the digest matches, never a profile the file
names but does not carry, and bundled profiles still go by their name and version.
"""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from une_eval.report.attachments import read_attachments
from une_eval.report.content import PROFILE_ATTACHMENT, Prepared, prepare, sha256_hex
from une_eval.report.issue import issue_certificate
from une_eval.report.render import Renderer
from une_eval.report.sign import auditor_of, sign_pdf
from une_eval.report.verify import Verification, verify_bytes

from .conftest import ISSUED_AT, ROOT, VALID, Pki

OWN_PROFILE = ROOT / "fixtures" / "profiles" / "our-body.json"


def _revalidation(report: Verification) -> str:
    return next(c.detail for c in report.checks if c.name == "re-validation")


def _sign(prepared: Prepared, pki: Pki, renderer: Renderer, number: str) -> bytes:
    cert = renderer.render(prepared, number=number, auditor=auditor_of(pki.signer), lang="en", issued_at=ISSUED_AT)
    return sign_pdf(cert.pdf, pki.signer, reason="test")


@pytest.fixture(scope="module")
def own_profile_prepared() -> Prepared:
    prepared = prepare(VALID, profile=str(OWN_PROFILE))
    assert prepared.profile_document is not None
    return prepared


def test_a_certificate_under_an_own_profile_carries_it_and_verifies(
    pki: Pki, renderer: Renderer, own_profile_prepared: Prepared
) -> None:
    issued = issue_certificate(
        VALID,
        renderer=renderer,
        signer=pki.signer,
        lang="en",
        number="UEC-TEST-PROF",
        issued_at=ISSUED_AT,
        profile=str(OWN_PROFILE),
    )
    assert not issued.conformant  # five runs where the body asks for ten: a verdict only that profile gives
    report = verify_bytes(issued.pdf, pki.roots, crls=pki.crls)
    assert report.ok, [c for c in report.checks if not c.ok]
    assert "re-validates to non-conformant" in _revalidation(report)
    assert report.printed["profile"] == "our-body-inference"
    assert report.printed["profile_version"] == "2026.1"
    files = read_attachments(PdfFileReader(io.BytesIO(issued.pdf)), (PROFILE_ATTACHMENT,))
    attached = files[PROFILE_ATTACHMENT]
    assert sha256_hex(attached) == report.printed["profile_sha256"] == own_profile_prepared.profile_sha256
    document = json.loads(attached)
    assert document["name"] == "our-body-inference"
    assert document["rules"]["runs.count"]["min_runs_inference"] == 10
    assert "extends" not in document  # merged: nothing to look up on the verifier's machine


def test_a_bundled_profile_goes_by_name_and_attaches_nothing(conformant_en: Any, pki: Pki) -> None:
    files = read_attachments(PdfFileReader(io.BytesIO(conformant_en.pdf)), (PROFILE_ATTACHMENT,))
    assert files == {}
    report = verify_bytes(conformant_en.pdf, pki.roots, crls=pki.crls)
    assert report.ok
    assert "profile_sha256" not in report.printed
    assert report.printed["profile_version"] == "1.0"


def test_an_attached_profile_that_differs_from_the_recorded_digest_fails(
    pki: Pki, renderer: Renderer, own_profile_prepared: Prepared
) -> None:
    document = json.loads(own_profile_prepared.profile_document or b"{}")
    document["rules"]["runs.count"]["min_runs_inference"] = 5  # lenient enough to pass the five runs
    tampered = dataclasses.replace(own_profile_prepared, profile_document=json.dumps(document).encode())
    report = verify_bytes(_sign(tampered, pki, renderer, "UEC-TEST-TAMP"), pki.roots, crls=pki.crls)
    assert not report.ok
    assert "differs from the recorded SHA-256" in _revalidation(report)


def test_a_profile_named_but_not_carried_is_never_looked_up(
    pki: Pki, renderer: Renderer, own_profile_prepared: Prepared
) -> None:
    bare = dataclasses.replace(own_profile_prepared, profile_document=None, profile_sha256=None)
    report = verify_bytes(_sign(bare, pki, renderer, "UEC-TEST-BARE"), pki.roots, crls=pki.crls)
    assert not report.ok
    assert "is not bundled and the certificate records no digest" in _revalidation(report)


def test_a_bundled_profile_of_another_version_is_not_used(pki: Pki, renderer: Renderer) -> None:
    prepared = prepare(VALID)
    assert prepared.profile_document is None
    assert prepared.profile_version == "1.0"
    older = dataclasses.replace(prepared, profile_version="0.9")
    report = verify_bytes(_sign(older, pki, renderer, "UEC-TEST-OLD"), pki.roots)
    assert not report.ok
    assert "une-style 0.9 is no longer bundled" in _revalidation(report)
