"""Issue one certificate end to end: check the submission, render it, sign it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from une_eval.audit import Audit
from une_eval.report.content import check_number, new_certificate_number, prepare, prepare_audit
from une_eval.report.language import language
from une_eval.report.render import Renderer
from une_eval.report.sign import Level, auditor_of, sign_pdf

if TYPE_CHECKING:  # the register's modules load only when a certificate is recorded
    from une_eval.registry.link import PublicEntry


@dataclass(frozen=True, slots=True)
class Issued:
    """A signed certificate and what it says."""

    pdf: bytes
    number: str
    conformant: bool
    verdict: str
    submission_sha256: str


def issue_certificate(
    submission: Path | Audit,
    *,
    renderer: Renderer,
    signer: signers.SimpleSigner,
    lang: str = "es",
    number: str | None = None,
    rating_scheme: str | None = None,
    timestamper: TimeStamper | None = None,
    profile: str | None = None,
    issued_at: dt.datetime | None = None,
    registry: PublicEntry | None = None,
    file_name: str | None = None,
    level: Level | None = None,
    validation: ValidationContext | None = None,
) -> Issued:
    """Render the certificate (or non-conformity report) of ``submission`` and sign it.

    ``submission`` is a file to check, or the :class:`~une_eval.audit.Audit` of one already checked
    (then nothing is validated again, and ``profile`` and ``rating_scheme`` are those of the audit).
    ``registry``: the certificate's public register page and validity, printed and put in the QR code.
    ``file_name`` is the name the certificate will be saved under, which its verify hint prints
    (default: ``certificate-<number>.pdf``).
    ``level``, ``timestamper`` and ``validation``: the PAdES level and what it needs (see
    :func:`~une_eval.report.sign.sign_pdf`).
    """
    issued_at = issued_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    number = check_number(number) if number else new_certificate_number(issued_at)
    if isinstance(submission, Audit):
        base_dir = Path(submission.source).parent if submission.source else None
        prepared = prepare_audit(submission, base_dir=base_dir)
    else:
        prepared = prepare(submission, profile=profile, rating_scheme=rating_scheme)
    auditor = auditor_of(signer)
    cert = renderer.render(
        prepared,
        number=number,
        auditor=auditor,
        lang=lang,
        issued_at=issued_at,
        file_name=file_name,
        registry=registry,
    )
    pdf = sign_pdf(
        cert.pdf,
        signer,
        reason=language(lang).gettext("Certificate %(number)s issued with une-eval") % {"number": number},
        location=auditor.organisation,
        timestamper=timestamper,
        stamp_text=f"{number}\n%(signer)s\n%(ts)s",
        level=level,
        validation=validation,
    )
    return Issued(pdf, number, prepared.conformant, str(prepared.verdict.outcome), prepared.submission_sha256)
