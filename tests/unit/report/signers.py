# mypy: disable-error-code="no-untyped-call"
"""Craft signer certificates from the session's development CA, sign a one-page PDF with them, ask pdfsig.

Every certificate is built here with ``cryptography`` (not with une-eval's own issuer), so a test can give
it exactly the key usage, extended key usage, validity, key or CA flag it is about.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from une_eval.report.keys import Issued

ALL_USAGES = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)


@dataclass(frozen=True)
class Shape:
    """What a crafted signer certificate looks like."""

    usages: tuple[str, ...] | None = ("digital_signature", "content_commitment")  # None: no KeyUsage at all
    purposes: tuple[x509.ObjectIdentifier, ...] = ()
    valid_days: tuple[int, int] = (-1, 365)  # from, to: days relative to now
    ca: bool = False
    rsa_bits: int | None = None  # None: EC P-256


def craft(ca: Issued, shape: Shape) -> Issued:
    """A certificate of ``shape`` issued by ``ca`` for a fresh key."""
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=shape.rsa_bits)
        if shape.rsa_bits
        else ec.generate_private_key(ec.SECP256R1())
    )
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Crafted Signer")]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=shape.valid_days[0]))
        .not_valid_after(now + dt.timedelta(days=shape.valid_days[1]))
        .add_extension(x509.BasicConstraints(ca=shape.ca, path_length=None), critical=True)
    )
    if shape.usages is not None:
        flags = {name: name in shape.usages for name in ALL_USAGES}
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    if shape.purposes:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(shape.purposes)), critical=False)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def simple_signer(signer: Issued, ca: Issued) -> signers.SimpleSigner:
    """A pyHanko signer for ``signer``'s key, with ``ca`` as its chain."""
    key = asn1_keys.PrivateKeyInfo.load(
        signer.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return signers.SimpleSigner(
        signing_cert=_asn1(signer.cert),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([_asn1(ca.cert)]),
    )


def one_page_pdf() -> bytes:
    """An empty A4 page: enough for a signature; later checks fail on it, the signer checks come first."""
    writer = PdfFileWriter()
    box = generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)])
    writer.insert_page(
        generic.DictionaryObject(
            {generic.NameObject("/Type"): generic.NameObject("/Page"), generic.NameObject("/MediaBox"): box}
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_with(pdf: bytes, signer: signers.SimpleSigner, *, digest: str = "sha256") -> bytes:
    """Sign ``pdf`` (PAdES, invisible) with the given digest algorithm."""
    meta = signers.PdfSignatureMetadata(
        field_name="Crafted", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm=digest
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out: io.BytesIO = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
    return out.getvalue()


class TrustingPdfsig:
    """poppler's pdfsig with an NSS database that trusts one CA, as a reader configured by a verifier."""

    def __init__(self, folder: Path, ca_pem: Path) -> None:
        self.folder = folder
        self.db = f"sql:{folder / 'nss'}"
        (folder / "nss").mkdir()
        self._run("certutil", "-N", "-d", self.db, "--empty-password")
        self._run("certutil", "-A", "-n", "une-eval-dev-ca", "-t", "CT,C,C", "-i", str(ca_pem), "-d", self.db)
        self.count = 0

    @staticmethod
    def _run(tool: str, *args: str) -> str:
        exe = shutil.which(tool)
        if exe is None:
            pytest.fail(f"{tool} is required for the signer tests; install poppler-utils and libnss3-tools")
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)
        return done.stdout + done.stderr

    def certificate_validation(self, pdf: bytes) -> str:
        """pdfsig's "Certificate Validation:" verdict for the file's signature."""
        self.count += 1
        path = self.folder / f"signed{self.count}.pdf"
        path.write_bytes(pdf)
        out = self._run("pdfsig", "-nssdir", self.db, str(path))
        lines = [line.split(":", 1)[1].strip() for line in out.splitlines() if "Certificate Validation:" in line]
        assert lines, out
        return lines[0]
