"""Read a certificate's QR code the way a phone does: render page 1 to pixels, decode with zbar."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def qr_payload(pdf: Path, folder: Path) -> str:
    """The text in the QR code on page 1 of ``pdf`` (poppler renders, zbarimg decodes)."""
    for tool in ("pdftoppm", "zbarimg"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is required (Debian: poppler-utils, zbar-tools)")
    png = folder / "page1"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(png)], check=True
    )
    done = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", f"{png}.png"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    codes = done.stdout.strip().splitlines()
    assert len(codes) == 1, f"expected one QR code on page 1, zbar found {codes!r}"
    return codes[0]
