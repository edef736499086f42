"""Certificates: render (Jinja2 + WeasyPrint PDF/A-3b), sign (pyHanko PAdES), verify, development keys.

The names below load their module on first use, so that a light part of the package (the message
catalogues of :mod:`une_eval.report.language`, which batch summaries use too) does not load WeasyPrint
and pyHanko with it.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

# pyHanko logs a traceback for a wrong passphrase or a revoked signer, and WeasyPrint logs layout notes:
# une-eval reports each failure as a value or one clear line, so where the program has configured no
# logging their records go nowhere instead of to Python's last-resort stderr handler. A program that
# configures logging still receives them (a handler here does not stop them reaching the root logger's).
for _name in ("pyhanko", "pyhanko_certvalidator", "weasyprint", "fontTools"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from une_eval.report.content import Prepared, prepare, prepare_bytes
    from une_eval.report.render import Certificate, Renderer
    from une_eval.report.sign import Auditor, auditor_of, load_signer, sign_pdf

_HOMES = {
    "Prepared": "content",
    "prepare": "content",
    "prepare_bytes": "content",
    "Certificate": "render",
    "Renderer": "render",
    "Auditor": "sign",
    "auditor_of": "sign",
    "load_signer": "sign",
    "sign_pdf": "sign",
}

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


def __getattr__(name: str) -> Any:
    """Load a public name's module when the name is first used."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
