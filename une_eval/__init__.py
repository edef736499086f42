"""une-eval: validate, measure and certify the energy efficiency of AI training and inference.

The library face, one verb per job (the command line is a thin shell over these)::

    import une_eval
    audit = une_eval.validate("vendor/submission.json")          # an Audit
    print(audit.verdict, audit.assurance, [f.rule_id for f in audit.findings])
    issued = une_eval.certify(audit, key="auditor.p12", passphrase=b"...", output="cert.pdf")
    report = une_eval.verify("cert.pdf", trust=["ca.pem"])        # report.ok

Measuring happens inside the workload's own process with :class:`Session` (or on the command line with
``une-eval measure``). Errors are :class:`UneEvalError` subclasses, each with an ``exit_code``.
Heavy parts (PDF rendering and signing, NVML) load on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from une_eval.audit import Assurance, Audit, Figure, Identity, Provenance
from une_eval.errors import (
    InputError,
    InternalError,
    ProtocolError,
    ReportError,
    SensorError,
    SigningError,
    SpecError,
    UneEvalError,
)
from une_eval.findings import Finding, Outcome, Severity

if TYPE_CHECKING:
    from une_eval.measure.inprocess import Session
    from une_eval.report.issue import Issued
    from une_eval.report.verify import Verification

__version__ = "0.1.0"

StrPath = str | PathLike[str]


def validate(
    source: StrPath | Mapping[str, Any] | bytes,
    *,
    profile: str | None = None,
    rating_scheme: str | None = None,
    base_dir: StrPath | None = None,
) -> Audit:
    """Check one submission (a file path, its bytes, or a parsed document) and return its :class:`Audit`.

    A file's raw traces are read from its folder (``base_dir`` for bytes or a document). An unreadable
    file gives an audit whose verdict is ``error`` (it does not raise); a broken profile raises
    :class:`SpecError`.
    """
    from une_eval.validation.pipeline import check_bytes, check_document, check_file

    folder = Path(base_dir) if base_dir is not None else None
    if isinstance(source, bytes):
        return check_bytes(source, source="<bytes>", base_dir=folder, profile=profile, rating_scheme=rating_scheme)
    if isinstance(source, Mapping):
        return check_document(source, profile=profile, base_dir=folder, rating_scheme=rating_scheme)
    return check_file(Path(source), profile=profile, rating_scheme=rating_scheme)


def certify(
    source: Audit | StrPath,
    *,
    key: StrPath,
    passphrase: bytes | None = None,
    cert: StrPath | None = None,
    lang: str = "es",
    number: str | None = None,
    output: StrPath | None = None,
    force: bool = False,
) -> Issued:
    """Render and sign the certificate (or non-conformity report) of a submission or its :class:`Audit`.

    ``key`` is a PKCS#12 file (or a PEM key with ``cert``). With ``output`` the signed PDF is written
    atomically; an existing file is refused unless ``force``.
    """
    from une_eval.output import write_atomic
    from une_eval.report.issue import issue_certificate
    from une_eval.report.render import Renderer
    from une_eval.report.sign import load_signer

    if output is not None and Path(output).exists() and not force:
        raise InputError(f"{output}: exists; pass force=True to replace it")
    if cert is None:
        signer = load_signer(p12=Path(key), passphrase=passphrase)
    else:
        signer = load_signer(key=Path(key), cert=Path(cert), passphrase=passphrase)
    subject = source if isinstance(source, Audit) else Path(source)
    file_name = Path(output).name if output is not None else None  # the verify hint names the file written
    issued = issue_certificate(
        subject, renderer=Renderer(), signer=signer, lang=lang, number=number, file_name=file_name
    )
    if output is not None:
        try:
            write_atomic(Path(output), issued.pdf, replace=force)
        except FileExistsError:  # it appeared while the certificate was issued
            raise InputError(f"{output}: exists; pass force=True to replace it") from None
    return issued


def verify(pdf: StrPath | bytes, *, trust: Sequence[StrPath], crls: Sequence[StrPath] = ()) -> Verification:
    """Verify a signed certificate against trust anchors and CRLs (besides any in the file).

    ``.indication`` is PASSED, INDETERMINATE or FAILED (``.sub_indication``, ``.sentence`` say why);
    ``.ok`` is True only when every check held.
    """
    from une_eval.report.crl import load_crls
    from une_eval.report.verify import load_trust_roots, verify_bytes, verify_file

    roots = load_trust_roots([Path(t) for t in trust])
    revocation = load_crls([Path(c) for c in crls])
    if isinstance(pdf, bytes):
        return verify_bytes(pdf, roots, crls=revocation)
    return verify_file(Path(pdf), roots, crls=revocation)


def __getattr__(name: str) -> Any:
    """Load :class:`Session` (and the measurement code behind it) on first use: validating needs none of it."""
    if name == "Session":
        from une_eval.measure.inprocess import Session

        return Session
    raise AttributeError(f"module 'une_eval' has no attribute {name!r}")


__all__ = [
    "Assurance",
    "Audit",
    "Figure",
    "Finding",
    "Identity",
    "InputError",
    "InternalError",
    "Outcome",
    "ProtocolError",
    "Provenance",
    "ReportError",
    "SensorError",
    "Session",
    "Severity",
    "SigningError",
    "SpecError",
    "UneEvalError",
    "__version__",
    "certify",
    "validate",
    "verify",
]
