"""Session-wide keys, renderer and two signed certificates, so the report tests render few PDFs."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyhanko.sign import signers

from une_eval.report.crl import load_crls
from une_eval.report.issue import Issued, issue_certificate
from une_eval.report.keys import DevPkiPaths, init_dev_pki
from une_eval.report.render import Renderer
from une_eval.report.sign import load_signer
from une_eval.report.verify import load_trust_roots

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
NON_CONFORMANT = ROOT / "fixtures" / "invalid" / "runs.cv.json"
PASSPHRASE = b"test-only-passphrase"
ISSUED_AT = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Pki:
    paths: DevPkiPaths
    signer: signers.SimpleSigner
    roots: list[Any]
    crls: list[Any]  # the development CA's CRL from keys init: nothing revoked


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    paths = init_dev_pki(
        tmp_path_factory.mktemp("keys") / "auditor",
        passphrase=PASSPHRASE,
        auditor="Marta Ruiz",
        organisation="Auditoría Energética Ejemplo S.L.",
    )
    signer = load_signer(p12=paths.auditor_p12, passphrase=PASSPHRASE)
    return Pki(paths, signer, load_trust_roots([paths.ca_cert]), load_crls([paths.ca_crl]))


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer()


@pytest.fixture(scope="session")
def conformant_en(pki: Pki, renderer: Renderer) -> Issued:
    return issue_certificate(
        VALID, renderer=renderer, signer=pki.signer, lang="en", number="UEC-TEST-0001", issued_at=ISSUED_AT
    )


@pytest.fixture(scope="session")
def nonconformant_es(pki: Pki, renderer: Renderer) -> Issued:
    return issue_certificate(
        NON_CONFORMANT, renderer=renderer, signer=pki.signer, lang="es", number="UEC-TEST-0002", issued_at=ISSUED_AT
    )


def _poppler(tool: str, *args: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        pytest.fail(f"{tool} (poppler-utils) is required for the certificate tests; install poppler-utils")
    done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout + done.stderr


class Poppler:
    """poppler-utils over PDF bytes: the independent reader the certificate tests check against."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def _file(self, pdf: bytes) -> str:
        self.count += 1
        path = self.folder / f"doc{self.count}.pdf"
        path.write_bytes(pdf)
        return str(path)

    def text(self, pdf: bytes) -> str:
        return _poppler("pdftotext", "-enc", "UTF-8", self._file(pdf), "-")

    def sig(self, pdf: bytes) -> str:
        return _poppler("pdfsig", self._file(pdf))

    def max_x(self, pdf: bytes) -> float:
        """The right-most edge of any word on any page, in points."""
        bbox = _poppler("pdftotext", "-bbox", self._file(pdf), "-")
        return max(float(x) for x in re.findall(r'xMax="([0-9.]+)"', bbox))

    def pages(self, pdf: bytes) -> int:
        info = _poppler("pdfinfo", self._file(pdf))
        return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def poppler(tmp_path: Path) -> Poppler:
    return Poppler(tmp_path)


@pytest.fixture(scope="session")
def passphrase() -> bytes:
    return PASSPHRASE
