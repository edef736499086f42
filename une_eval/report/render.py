"""Render a certificate: autoescaped Jinja2 HTML from ``reports/``, then PDF/A-3b with evidence attached.

A :class:`Renderer` holds the template environment, the message catalogues, the stylesheet and the
font configuration, so a batch reuses them. WeasyPrint fetches resources only through
:class:`BundledOnlyFetcher`: files inside the bundled ``reports/`` folder, nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import warnings
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import markupsafe
import segno
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from une_eval.errors import ReportError
from une_eval.registry.link import PublicEntry
from une_eval.report.charts import Chart, layout_chart
from une_eval.report.content import (
    FINDINGS_ATTACHMENT,
    SUBMISSION_ATTACHMENT,
    Prepared,
    findings_document,
    sha256_hex,
)
from une_eval.report.sign import Auditor

LANGUAGES = ("es", "en")
GENERATOR = "une-eval"


def reports_root() -> Path:
    """Locate the bundled ``reports/`` folder (templates, CSS, fonts, messages)."""
    root = files("une_eval").joinpath("_reports")
    if not isinstance(root, Path) or not root.is_dir():
        raise ReportError("the bundled report templates (une_eval/_reports) are missing from this install")
    return root.resolve()


class BundledOnlyFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
    """Serve ``file:`` URLs inside the bundled reports folder; refuse every other URL."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",))
        self.root = root
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> weasyprint.urls.URLFetcherResponse:
        """Return a bundled file, or raise (WeasyPrint then leaves the resource out)."""
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" and not parts.netloc else None
        if path is None or not path.is_relative_to(self.root) or not path.is_file():
            self.refused.append(url[:200])
            raise ValueError("only une-eval's bundled report resources may be loaded")
        return weasyprint.urls.URLFetcherResponse(path.as_uri(), path.read_bytes())


@dataclass(frozen=True, slots=True)
class Certificate:
    """A rendered, unsigned certificate and the figures printed on it."""

    pdf: bytes
    number: str
    findings_json: bytes
    findings_sha256: str


def format_number(value: float | None, lang: str, digits: int = 4) -> str:
    """``value`` to ``digits`` significant figures, with the language's decimal and grouping marks."""
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    # Whole counts (1000 queries) print without decimals; measured values get significant figures.
    decimals = 0 if float(value).is_integer() else max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:,.{decimals}f}"
    if lang == "es":
        # Spanish (RAE, SI): decimal comma and a no-break thin space between groups of three digits.
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


class Renderer:
    """Renders certificates in one language set; reuse one instance for a batch."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or reports_root()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.root / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.messages = {lang: self._catalogue(lang) for lang in LANGUAGES}
        self.fetcher = BundledOnlyFetcher(self.root)
        self.fonts = FontConfiguration()
        self.css = weasyprint.CSS(
            filename=str(self.root / "certificate.css"), url_fetcher=self.fetcher, font_config=self.fonts
        )

    def _catalogue(self, lang: str) -> dict[str, str]:
        data = json.loads((self.root / "messages" / f"{lang}.json").read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ReportError(f"reports/messages/{lang}.json is not an object")
        return {str(k): str(v) for k, v in data.items()}

    def html(
        self,
        prepared: Prepared,
        *,
        number: str,
        issued_at: dt.datetime,
        auditor: Auditor,
        lang: str,
        findings_sha256: str,
        chart: Chart | None = None,
        registry: PublicEntry | None = None,
    ) -> str:
        """Render the certificate as HTML (vendor strings autoescaped)."""
        if lang not in LANGUAGES:
            raise ReportError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")
        catalogue = self.messages[lang]

        def t(key: str) -> str:
            if key not in catalogue:
                raise ReportError(f"message {key!r} is missing from reports/messages/{lang}.json")
            return catalogue[key]

        # With a register entry the QR code opens the certificate's public page (a checked http(s) URL).
        payload = registry.url if registry else f"UNE-EVAL-CERT:{number};SHA256:{prepared.submission_sha256}"
        qr = segno.make(payload, error="m")
        template = self.env.get_template("certificate.html.j2")
        return template.render(
            t=t,
            lang=lang,
            p=prepared,
            sub=prepared.submission,
            verdict=prepared.verdict,
            res=prepared.results,
            number=number,
            issued_at=issued_at,
            auditor=auditor,
            rating=prepared.rating,
            chart=chart,
            findings_sha256=findings_sha256,
            registry=registry,
            generator=GENERATOR,
            num=lambda v, d=4: format_number(v, lang, d),
            # segno writes the SVG from the payload above: our number and a hex digest, or a checked URL.
            qr_svg=markupsafe.Markup(qr.svg_inline(scale=2.2, border=0, dark="#111")),  # noqa: S704
        )

    def render(
        self,
        prepared: Prepared,
        *,
        number: str,
        auditor: Auditor,
        lang: str = "es",
        issued_at: dt.datetime | None = None,
        registry: PublicEntry | None = None,
    ) -> Certificate:
        """Render one certificate to PDF/A-3b bytes with the submission and findings attached."""
        issued_at = issued_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
        findings_json = findings_document(prepared.verdict, number, prepared.submission_sha256)
        findings_sha = sha256_hex(findings_json)
        chart = layout_chart([(t.device_id or t.path, t.power) for t in prepared.traces if t.power is not None])
        html = self.html(
            prepared,
            number=number,
            issued_at=issued_at,
            auditor=auditor,
            lang=lang,
            findings_sha256=findings_sha,
            chart=chart,
            registry=registry,
        )
        attachments = [
            weasyprint.Attachment(
                string=prepared.submission_bytes,
                name=SUBMISSION_ATTACHMENT,
                description="Vendor submission as received",
                relationship="Source",
                created=issued_at,
                modified=issued_at,
            ),
            weasyprint.Attachment(
                string=findings_json,
                name=FINDINGS_ATTACHMENT,
                description="Validation verdict and findings",
                relationship="Data",
                created=issued_at,
                modified=issued_at,
            ),
        ]
        try:
            document = weasyprint.HTML(
                string=html, base_url=(self.root / "templates").as_uri() + "/", url_fetcher=self.fetcher
            )
            with warnings.catch_warnings():
                # WeasyPrint 70 leaves its bundled sRGB profile file open when it writes PDF/A.
                warnings.simplefilter("ignore", ResourceWarning)
                pdf = document.write_pdf(
                    stylesheets=[self.css],
                    font_config=self.fonts,
                    pdf_variant="pdf/a-3b",
                    attachments=attachments,
                    custom_metadata=True,
                )
        except Exception as exc:  # WeasyPrint raises many types; the CLI needs one clear line
            raise ReportError(f"cannot render the certificate: {exc.__class__.__name__}: {exc}") from None
        return Certificate(pdf, number, findings_json, findings_sha)
