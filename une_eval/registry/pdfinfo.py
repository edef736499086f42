"""Read the certificate number a une-eval PDF carries in its metadata (for ``registry complete``)."""

from __future__ import annotations

import io
from pathlib import Path

from une_eval.errors import InputError
from une_eval.loading import read_bounded
from une_eval.registry.db import RegistryError

MAX_PDF_BYTES = 64 * 1024 * 1024
NUMBER_KEY = "/uneevalcertificatenumber"  # the template's <meta name="une-eval-certificate-number">


def printed_number(path: Path) -> str | None:
    """The number in the PDF's document information, or None when it has none or is no readable PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        data = read_bounded(path, MAX_PDF_BYTES)
    except InputError as exc:
        raise RegistryError(f"{path}: {exc}") from None
    try:
        info = PdfFileReader(io.BytesIO(data), strict=False).trailer_view.get("/Info")
        return str(info.get_object()[NUMBER_KEY]) if info is not None else None
    except Exception:  # a file that is not a PDF, or a damaged one: it carries no number we can read
        return None
