"""Certificates: render (Jinja2 + WeasyPrint PDF/A-3b), sign (pyHanko PAdES), verify, development keys."""

from une_eval.report.content import Prepared, prepare, prepare_bytes
from une_eval.report.render import Certificate, Renderer
from une_eval.report.sign import Auditor, auditor_of, load_signer, sign_pdf

__all__ = [
    "Auditor",
    "Certificate",
    "Prepared",
    "Renderer",
    "auditor_of",
    "load_signer",
    "prepare",
    "prepare_bytes",
    "sign_pdf",
]
