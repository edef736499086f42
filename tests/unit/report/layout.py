"""Layout checks for rendered certificates: words inside the page, off the signature box, inside their frames.

Two independent readers: poppler's ``pdftotext -bbox`` gives every word's box in the written PDF (page
bounds, the signature box), and WeasyPrint's own box tree gives every text's box with its ancestors (a
text outside the bordered frame or the table cell that holds it). Coordinates are PDF points from the
top-left corner of the page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from weasyprint.formatting_structure import boxes

from une_eval.report.sign import SIGNATURE_BOX

MARGIN_X_PT = 42  # reports/certificate.css: the page's left and right margins
TOLERANCE_PT = 0.75
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def pdf_words(pdf: bytes, folder: Path) -> tuple[list[Word], list[tuple[float, float]]]:
    """Every (unrotated) word of the PDF with its box, and each page's size."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext (poppler-utils) is required for the layout tests")
    path = folder / "layout.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([exe, "-bbox", str(path), "-"], capture_output=True, text=True, timeout=120, check=True).stdout
    words: list[Word] = []
    sizes: list[tuple[float, float]] = []
    for number, chunk in enumerate(out.split("<page ")[1:], start=1):
        size = _PAGE.match("<page " + chunk)
        assert size is not None
        sizes.append((float(size.group(1)), float(size.group(2))))
        words += [Word(number, float(a), float(b), float(c), float(d), t) for a, b, c, d, t in _WORD.findall(chunk)]
    return words, sizes


def word_problems(words: list[Word], sizes: list[tuple[float, float]]) -> list[str]:
    """Words outside the page's horizontal margins or its height, and words under page 1's signature box."""
    problems = []
    x1, y1, x2, y2 = SIGNATURE_BOX  # PDF points from the bottom-left corner
    for w in words:
        width, height = sizes[w.page - 1]
        if w.x0 < MARGIN_X_PT - TOLERANCE_PT or w.x1 > width - MARGIN_X_PT + TOLERANCE_PT or w.y0 < 0 or w.y1 > height:
            problems.append(f"page {w.page}: {w.text[:40]!r} outside the page's margins ({w.x0:.1f}-{w.x1:.1f} pt)")
        if w.page == 1 and w.x0 < x2 and w.x1 > x1 and height - w.y1 < y2 and height - w.y0 > y1:
            problems.append(f"page 1: {w.text[:40]!r} lies under the signature box")
    return problems


def _walk(box: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    yield box, ancestors
    for child in getattr(box, "children", ()) or ():
        yield from _walk(child, (*ancestors, box))


def _is_frame(box: Any) -> bool:
    """A box drawn with a border on all four sides (a frame a reader sees) or a table cell."""
    if isinstance(box, boxes.TableCellBox):
        return True
    if isinstance(box, boxes.PageBox | boxes.MarginBox) or not isinstance(box, boxes.BlockContainerBox):
        return False
    widths = (box.border_top_width, box.border_right_width, box.border_bottom_width, box.border_left_width)
    return all(w > 0 for w in widths)


def _name(box: Any) -> str:
    element = getattr(box, "element", None)
    classes = element.get("class", "") if element is not None else ""
    return f"{box.element_tag}.{classes.replace(' ', '.')}" if classes else str(box.element_tag)


def frame_problems(document: Any) -> list[str]:
    """Texts and images outside the bordered frame or table cell that holds them (WeasyPrint's layout)."""
    problems = []
    for number, page in enumerate(document.pages, start=1):
        for box, ancestors in _walk(page._page_box):
            if not isinstance(box, boxes.TextBox | boxes.ReplacedBox) or box.width <= 0:
                continue
            left, right = box.position_x, box.position_x + box.width
            top, bottom = box.position_y, box.position_y + box.height
            for frame in (a for a in ancestors if _is_frame(a)):
                fx, fy = frame.border_box_x(), frame.border_box_y()
                fw, fh = frame.border_width(), frame.border_height()
                outside_x = left < fx - TOLERANCE_PT or right > fx + fw + TOLERANCE_PT
                # Table cells only bound text across (a row may be split over two pages).
                outside_y = not isinstance(frame, boxes.TableCellBox) and (
                    top < fy - TOLERANCE_PT or bottom > fy + fh + TOLERANCE_PT
                )
                if outside_x or outside_y:
                    text = getattr(box, "text", "<image>")
                    problems.append(f"page {number}: {text[:40]!r} outside its frame {_name(frame)}")
    return problems
