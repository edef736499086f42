"""The attack suite: forged certificates (ISA, SWA, USF, shadow) against ``une-eval verify`` and poppler's pdfsig.

Every attack runs against four signed certificates: an EC P-256 and an RSA 3072 auditor key, each signing a
Spanish non-conformity report and an English certificate of conformity. The forger's goal is always the same:
the file says "Certificate of conformity" (and carries :data:`pdf_attacks.MARKER`), with evidence taken from a
genuine certificate of conformity. A forgery must never verify; where the attack class means the forged content
to be displayed, poppler must display it, so that a rejection is not just a rejection of an unreadable file.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers

from tests.unit.report import pdf_attacks as atk
from tests.unit.report import pdf_shadow as shadow
from tests.unit.report.conftest import ISSUED_AT, NON_CONFORMANT, PASSPHRASE, VALID, Pki, Poppler
from une_eval.report.attachments import read_attachments
from une_eval.report.content import prepare, sha256_hex
from une_eval.report.issue import issue_certificate
from une_eval.report.render import Renderer
from une_eval.report.sign import auditor_of, load_signer, sign_pdf
from une_eval.report.verify import Verification, verify_bytes

KEYS = ("ec", "rsa")
LANGS = ("es", "en")
NUMBER = {"es": "UEC-TEST-0002", "en": "UEC-TEST-0001"}
SOURCE = {"es": NON_CONFORMANT, "en": VALID}
# Checks that judge the signature and the file's structure (the rest judge the evidence inside it).
SIGNATURE_CHECKS = {
    "readable PDF",
    "one signature",
    "signature intact",
    "signature valid",
    "signer certificate",
    "signer trusted",
    "coverage (pyHanko)",
}
COVERAGE = {"covers whole file"}


# --- keys and base certificates ----------------------------------------------------------------------


def _rsa_auditor(pki: Pki, folder: Path) -> signers.SimpleSigner:
    """An RSA 3072 auditor certificate from the same dev CA, with the EC auditor's extensions copied over."""
    ca_key = serialization.load_pem_private_key(pki.paths.ca_key.read_bytes(), PASSPHRASE)
    ca_cert = x509.load_pem_x509_certificate(pki.paths.ca_cert.read_bytes())
    model = x509.load_pem_x509_certificate(pki.paths.auditor_cert.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    builder = (
        x509.CertificateBuilder()
        .subject_name(model.subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(model.not_valid_before_utc)
        .not_valid_after(model.not_valid_after_utc)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    for ext in model.extensions:
        if not isinstance(ext.value, x509.SubjectKeyIdentifier):
            builder = builder.add_extension(ext.value, critical=ext.critical)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    cert = builder.sign(ca_key, hashes.SHA256())
    key_path, cert_path = folder / "rsa.key.pem", folder / "rsa.pem"
    encryption = serialization.BestAvailableEncryption(PASSPHRASE)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return load_signer(key=key_path, cert=cert_path, chain=(pki.paths.ca_cert,), passphrase=PASSPHRASE)


@dataclass(frozen=True)
class Base:
    """One signed certificate to attack, its shadow-planted twin, and the forger's goal for it."""

    key: str
    lang: str
    genuine: bytes
    shadow: bytes
    payload: atk.Payload
    verdict: str


class Bases:
    """Signs each base certificate once per session, on first use."""

    def __init__(self, pki: Pki, renderer: Renderer, folder: Path) -> None:
        self.pki, self.renderer, self.folder = pki, renderer, folder
        self.signers: dict[str, signers.SimpleSigner] = {"ec": pki.signer}
        self.genuine: dict[tuple[str, str], Any] = {}
        self.bases: dict[tuple[str, str], Base] = {}

    def signer(self, key: str) -> signers.SimpleSigner:
        if key not in self.signers:
            self.signers[key] = _rsa_auditor(self.pki, self.folder)
        return self.signers[key]

    def issued(self, key: str, lang: str) -> Any:
        if (key, lang) not in self.genuine:
            self.genuine[key, lang] = issue_certificate(
                SOURCE[lang],
                renderer=self.renderer,
                signer=self.signer(key),
                lang=lang,
                number=NUMBER[lang],
                issued_at=ISSUED_AT,
            )
        return self.genuine[key, lang]

    def payload(self, key: str, lang: str) -> atk.Payload:
        """Make certificate ``lang`` say "conformant", with the evidence of a genuine certificate of conformity."""
        reader = PdfFileReader(io.BytesIO(self.issued(key, "en").pdf), strict=False)
        files = read_attachments(reader, ("submission.json", "findings.json"))
        submission, findings = files["submission.json"], files["findings.json"]
        hashes_hex = (sha256_hex(submission), sha256_hex(findings))
        return atk.conformity_payload(NUMBER[lang], submission, findings, hashes_hex)

    def shadow(self, key: str, lang: str, payload: atk.Payload) -> bytes:
        signer = self.signer(key)
        prepared = prepare(SOURCE[lang])
        auditor = auditor_of(signer)
        cert = self.renderer.render(prepared, number=NUMBER[lang], auditor=auditor, lang=lang, issued_at=ISSUED_AT)
        return sign_pdf(shadow.plant(cert.pdf, payload), signer, reason="shadow", location=auditor.organisation)

    def get(self, key: str, lang: str) -> Base:
        if (key, lang) not in self.bases:
            issued = self.issued(key, lang)
            payload = self.payload(key, lang)
            shadow = self.shadow(key, lang, payload)
            self.bases[key, lang] = Base(key, lang, issued.pdf, shadow, payload, issued.verdict)
        return self.bases[key, lang]


@pytest.fixture(scope="session")
def bases(pki: Pki, renderer: Renderer, tmp_path_factory: pytest.TempPathFactory) -> Bases:
    return Bases(pki, renderer, tmp_path_factory.mktemp("rsa-auditor"))


# --- the attack catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One forgery: how to make it, whether poppler should show the forged content, and why it must fail."""

    name: str
    forge: Callable[[Base], bytes]
    shows_payload: bool
    why: frozenset[str]


def _on_genuine(make: Callable[[atk.Payload], atk.Attack]) -> Callable[[Base], bytes]:
    return lambda base: make(base.payload)(base.genuine)


def _on_shadow(reveal: Callable[[atk.Payload], atk.Attack]) -> Callable[[Base], bytes]:
    return lambda base: reveal(base.payload)(base.shadow)


def _usf(mutation: str) -> Callable[[Base], bytes]:
    return lambda base: atk.usf(base.payload, mutation)(base.genuine)


STRUCTURE = frozenset(SIGNATURE_CHECKS | COVERAGE)
ONLY_COVERAGE = frozenset(COVERAGE)
CASES = [
    Case("isa", _on_genuine(atk.isa), True, ONLY_COVERAGE),
    Case("isa-info-only", _on_genuine(lambda p: atk.isa(p, parts="info")), False, ONLY_COVERAGE),
    Case("isa-page-only", _on_genuine(lambda p: atk.isa(p, parts="page")), True, ONLY_COVERAGE),
    Case("isa-attachments-only", _on_genuine(lambda p: atk.isa(p, parts="files")), False, ONLY_COVERAGE),
    Case("isa-xref-stream", _on_genuine(lambda p: atk.isa(p, form="stream")), True, ONLY_COVERAGE),
    Case("isa-no-xref-section", _on_genuine(lambda p: atk.isa(p, form="no-xref")), False, ONLY_COVERAGE),
    Case("isa-trailer-only", _on_genuine(lambda p: atk.isa(p, form="trailer-only")), False, STRUCTURE),
    Case("isa-objects-only", _on_genuine(lambda p: atk.isa(p, form="objects")), False, STRUCTURE),
    Case("isa-appended-comment", lambda base: atk.appended_comment(base.genuine), False, ONLY_COVERAGE),
    Case("isa-signature-copy", _on_genuine(lambda p: atk.isa_signature_copy(p, stretch=False)), True, ONLY_COVERAGE),
    Case("isa-byterange-stretched", _on_genuine(lambda p: atk.isa_signature_copy(p, stretch=True)), True, STRUCTURE),
    Case("swa-relocated", _on_genuine(atk.swa), True, ONLY_COVERAGE),
    Case("swa-stream-wrapped", _on_genuine(lambda p: atk.swa(p, wrap="stream")), True, ONLY_COVERAGE),
    Case("swa-closed-stream", _on_genuine(lambda p: atk.swa(p, wrap="closed")), True, ONLY_COVERAGE),
    Case("swa-chained-xref", _on_genuine(lambda p: atk.swa(p, chain=True)), True, ONLY_COVERAGE),
    Case("swa-literal-contents", _on_genuine(atk.swa_literal), True, ONLY_COVERAGE),
    *(Case(f"usf-{name}", _usf(name), True, STRUCTURE) for name in atk.USF_MUTATIONS),
    Case("shadow-hide", _on_shadow(lambda _p: shadow.hide), True, ONLY_COVERAGE),
    Case("shadow-replace", _on_shadow(shadow.replace), True, ONLY_COVERAGE),
    Case("shadow-hide-and-replace", _on_shadow(lambda _p: shadow.hide_and_replace), True, ONLY_COVERAGE),
]


@dataclass(frozen=True)
class Forged:
    """A forgery and what une-eval verify and poppler make of it."""

    pdf: bytes
    report: Verification
    text: str
    pdfsig: str


@pytest.fixture(scope="session")
def forged(bases: Bases, pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case, str, str], Forged]:
    """Forge, verify and read each (attack, key, language) once, however many tests look at it."""
    cache: dict[tuple[str, str, str], Forged] = {}
    poppler = Poppler(tmp_path_factory.mktemp("forged"))

    def get(case: Case, key: str, lang: str) -> Forged:
        if (case.name, key, lang) not in cache:
            pdf = case.forge(bases.get(key, lang))
            report = verify_bytes(pdf, pki.roots, crls=pki.crls)
            cache[case.name, key, lang] = Forged(pdf, report, poppler.text(pdf), poppler.sig(pdf))
        return cache[case.name, key, lang]

    return get


def _failed(report: Verification) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


def _pdfsig_accepts(view: str) -> bool:
    return "Signature is Valid." in view and "Total document signed" in view


def _pdfsig_summary(view: str) -> str:
    return " | ".join(line.strip() for line in view.splitlines() if line.strip().startswith("- "))


# --- the tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", KEYS)
def test_genuine_certificates_verify_here_and_in_pdfsig(
    bases: Bases, pki: Pki, poppler: Poppler, key: str, lang: str
) -> None:
    base = bases.get(key, lang)
    cert = bases.signer(key).signing_cert
    assert cert is not None
    assert cert.public_key.algorithm == key
    for pdf in (base.genuine, base.shadow):  # the shadow twin is a genuine signature over odd content
        report = verify_bytes(pdf, pki.roots, crls=pki.crls)
        assert report.ok, _failed(report)
        view = poppler.sig(pdf)
        assert "Signature is Valid." in view
        assert "Total document signed" in view
        text = poppler.text(pdf)
        assert atk.MARKER not in text  # the forger's content is not on show before the attack
        assert NUMBER[lang] in text


PARAMS = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", KEYS)
@PARAMS
def test_forgery_is_a_working_forgery(
    forged: Callable[[Case, str, str], Forged], case: Case, key: str, lang: str
) -> None:
    """Poppler reads the forged file and, where the attack means it to, shows the forger's page."""
    got = forged(case, key, lang)
    assert NUMBER[lang] in got.text or atk.MARKER in got.text, got.text[:300]
    if case.shows_payload:
        assert atk.MARKER in got.text, got.text[:300]
        assert "Certificate of conformity" in got.text
    else:
        assert atk.MARKER not in got.text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", KEYS)
@PARAMS
def test_forgery_does_not_verify(
    forged: Callable[[Case, str, str], Forged],
    record_property: Callable[[str, object], None],
    case: Case,
    key: str,
    lang: str,
) -> None:
    got = forged(case, key, lang)
    failed = _failed(got.report)
    record_property("pdfsig", _pdfsig_summary(got.pdfsig))
    record_property("verify_failed", sorted(failed))
    assert not got.report.ok, f"{case.name} verifies: {[c.name for c in got.report.checks]}"
    assert set(failed) & case.why, failed  # and the failing checks say why
    if not _pdfsig_accepts(got.pdfsig):
        assert not got.report.ok  # une-eval never accepts what pdfsig flags


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", KEYS)
@PARAMS
def test_forgery_never_prints_the_forged_verdict(
    bases: Bases, forged: Callable[[Case, str, str], Forged], case: Case, key: str, lang: str
) -> None:
    """What verify reports as the certificate's fields comes from the signed revision, never from the forger."""
    got = forged(case, key, lang)
    assert got.report.printed.get("verdict") in (None, bases.get(key, lang).verdict), got.report.printed
