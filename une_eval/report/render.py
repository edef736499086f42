"""Render a certificate: autoescaped Jinja2 HTML from ``reports/``, then PDF/A-3b with evidence attached.

A :class:`Renderer` holds the template environments (one per language, made when a document in that
language is first rendered, with its gettext catalogue installed: see :mod:`une_eval.report.language`;
the templates' Python is compiled ahead, see :mod:`une_eval.report.precompiled`), the stylesheet and
the font configuration, so a batch reuses them. WeasyPrint fetches resources only through
:class:`BundledOnlyFetcher`: files inside the bundled ``reports/`` folder, nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import jinja2
import markupsafe
import segno

from une_eval.errors import ReportError
from une_eval.report.charts import Chart, RunWindow, layout_chart
from une_eval.report.content import (
    FINDINGS_ATTACHMENT,
    PROFILE_ATTACHMENT,
    SUBMISSION_ATTACHMENT,
    Prepared,
    findings_document,
    sha256_hex,
)
from une_eval.report.language import document_words, language, languages, template_environment
from une_eval.report.native import FontConfiguration, weasyprint
from une_eval.report.sign import Auditor

if TYPE_CHECKING:  # the register's modules load only when a certificate is recorded
    from une_eval.registry.link import PublicEntry
    from une_eval.traces import PowerSeries

LANGUAGES = languages()
GENERATOR = "une-eval"
MAX_FINDINGS_IN_PDF = 200  # the annex lists this many findings; the attached findings file has them all
MAX_NODES_IN_PDF = 64  # the per-node table lists this many nodes; the attached submission has them all
MAX_TRACES_IN_PDF = 64  # the annex lists every trace whose hash differs, and matching ones up to this many


# Characters that break a line or print nothing (line and paragraph separators, zero-width and other
# invisible format characters, fillers, tags): in a vendor string they could start a line that reads as
# une-eval's own, or make two different names print alike. une-eval's templates and catalogues use none
# of them raw (the templates write their own as character references), so in the rendered HTML they come
# only from the submission, and each is shown as U+FFFD instead.
_HIDDEN = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2028\u2029"
    "\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufffc\U000e0000-\U000e0fff]"
)
SHOWN_FOR_HIDDEN = "\ufffd"


def visible_text(html: str) -> str:
    """``html`` with every line-breaking or invisible character of a vendor string shown as U+FFFD."""
    return _HIDDEN.sub(SHOWN_FOR_HIDDEN, html)


def default_file_name(number: str) -> str:
    """The name ``une-eval certify`` gives a certificate unless told otherwise (the verify hint prints it)."""
    return f"certificate-{number}.pdf"


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
    """``value`` to ``digits`` significant figures, with the language's decimal and grouping marks (CLDR)."""
    return language(lang).number(value, digits)


def run_windows(prepared: Prepared) -> list[RunWindow]:
    """The measured runs' windows, for the power chart."""
    return [
        RunWindow(
            run.index,
            round(run.start_time.timestamp() * 1e9),
            round(run.end_time.timestamp() * 1e9),
            run.complete,
        )
        for run in prepared.submission.measurement.runs
    ]


def chart_series(prepared: Prepared) -> list[tuple[str, PowerSeries]]:
    """The power series the chart draws: only those of traces whose file matches its declared SHA-256.

    A trace whose hash differs is not the file the vendor declared: its samples are evidence of
    nothing, so the chart (titled "raw traces") leaves it out; Annex B names it.
    """
    return [(t.device_id or t.path, t.power) for t in prepared.traces if t.power is not None and t.note == "match"]


def _unique_associated_files(_document: weasyprint.Document, pdf: Any) -> None:
    """List each attachment once in the catalogue's /AF (WeasyPrint 70's PDF/A-3 step adds each twice)."""
    associated = pdf.catalog.get("AF")
    if associated is not None:
        unique: list[Any] = []
        for reference in associated:
            if reference not in unique:
                unique.append(reference)
        associated[:] = unique


class Renderer:
    """Renders certificates in one language set; reuse one instance for a batch."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or reports_root()
        self.envs: dict[str, jinja2.Environment] = {}  # one per document language, made when first used
        self.fetcher = BundledOnlyFetcher(self.root)
        self.fonts = FontConfiguration()
        self.css = weasyprint.CSS(
            filename=str(self.root / "certificate.css"), url_fetcher=self.fetcher, font_config=self.fonts
        )

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
        file_name: str | None = None,
        registry: PublicEntry | None = None,
    ) -> str:
        """Render the certificate as HTML (vendor strings autoescaped)."""
        if lang not in LANGUAGES:
            raise ReportError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")
        # With a register entry the QR code opens the certificate's public page (a checked http(s) URL).
        payload = registry.url if registry else f"UNE-EVAL-CERT:{number};SHA256:{prepared.submission_sha256}"
        qr = segno.make(payload, error="m")
        if lang not in self.envs:
            self.envs[lang] = template_environment(self.root, language(lang))
        template = self.envs[lang].get_template("certificate.html.j2")
        html = template.render(
            **document_words(language(lang)),
            p=prepared,
            lead=prepared.lead,
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
            file_name=file_name or default_file_name(number),
            max_findings=MAX_FINDINGS_IN_PDF,
            timedelta=dt.timedelta,
            max_nodes=MAX_NODES_IN_PDF,
            max_traces=MAX_TRACES_IN_PDF,
            # segno writes the SVG from the payload above: our number and a hex digest, or a checked URL.
            qr_svg=markupsafe.Markup(qr.svg_inline(scale=2, border=0, dark="#111", omitsize=True)),  # noqa: S704
        )
        return visible_text(html)

    def layout(
        self,
        prepared: Prepared,
        *,
        number: str,
        auditor: Auditor,
        lang: str = "es",
        issued_at: dt.datetime | None = None,
        file_name: str | None = None,
        findings_sha256: str | None = None,
        options: dict[str, Any] | None = None,
        registry: PublicEntry | None = None,
    ) -> weasyprint.Document:
        """Lay the certificate out in pages: what :meth:`render` writes (the layout tests read its boxes)."""
        issued_at = issued_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
        if findings_sha256 is None:
            findings_sha256 = sha256_hex(findings_document(prepared.verdict, number, prepared.submission_sha256))
        chart = layout_chart(chart_series(prepared), runs=run_windows(prepared))
        html = self.html(
            prepared,
            number=number,
            issued_at=issued_at,
            auditor=auditor,
            lang=lang,
            findings_sha256=findings_sha256,
            chart=chart,
            file_name=file_name,
            registry=registry,
        )
        try:
            source = weasyprint.HTML(
                string=html, base_url=(self.root / "templates").as_uri() + "/", url_fetcher=self.fetcher
            )
            return source.render(font_config=self.fonts, **self.options(options))
        except Exception as exc:  # WeasyPrint raises many types; the CLI needs one clear line
            raise ReportError(f"cannot render the certificate: {exc.__class__.__name__}: {exc}") from None

    def write(self, document: weasyprint.Document, options: dict[str, Any] | None = None) -> bytes:
        """Write a laid-out certificate as PDF/A-3b bytes."""
        try:
            with warnings.catch_warnings():
                # WeasyPrint 70 leaves its bundled sRGB profile file open when it writes PDF/A.
                warnings.simplefilter("ignore", ResourceWarning)
                pdf: bytes = document.write_pdf(finisher=_unique_associated_files, **(options or self.options()))
        except Exception as exc:  # WeasyPrint raises many types; the CLI needs one clear line
            raise ReportError(f"cannot render the certificate: {exc.__class__.__name__}: {exc}") from None
        return pdf

    def options(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """WeasyPrint's options for a certificate: the stylesheet, PDF/A-3b, the metadata from the HTML."""
        return {
            "stylesheets": [self.css],
            "pdf_variant": "pdf/a-3b",
            "pdf_tags": True,  # a tagged PDF: structure for screen readers (PDF/UA's base), still PDF/A-3b
            "custom_metadata": True,
        } | (extra or {})

    def render(
        self,
        prepared: Prepared,
        *,
        number: str,
        auditor: Auditor,
        lang: str = "es",
        issued_at: dt.datetime | None = None,
        file_name: str | None = None,
        registry: PublicEntry | None = None,
    ) -> Certificate:
        """Render one certificate to PDF/A-3b bytes with the submission and findings attached."""
        issued_at = issued_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
        findings_json = findings_document(prepared.verdict, number, prepared.submission_sha256)
        findings_sha = sha256_hex(findings_json)
        words = language(lang)
        attachments = [
            weasyprint.Attachment(
                string=prepared.submission_bytes,
                name=SUBMISSION_ATTACHMENT,
                description=words.gettext("Vendor submission as received"),
                relationship="Source",
                created=issued_at,
                modified=issued_at,
            ),
            weasyprint.Attachment(
                string=findings_json,
                name=FINDINGS_ATTACHMENT,
                description=words.gettext("Validation verdict and findings"),
                relationship="Data",
                created=issued_at,
                modified=issued_at,
            ),
        ]
        if prepared.profile_document is not None:  # a profile file travels with the certificate; bundled go by name
            attachments.append(
                weasyprint.Attachment(
                    string=prepared.profile_document,
                    name=PROFILE_ATTACHMENT,
                    description=words.gettext("Profile the submission was checked against"),
                    relationship="Data",
                    created=issued_at,
                    modified=issued_at,
                )
            )
        options = self.options({"attachments": attachments})
        document = self.layout(
            prepared,
            number=number,
            auditor=auditor,
            lang=lang,
            issued_at=issued_at,
            file_name=file_name,
            findings_sha256=findings_sha,
            options=options,
            registry=registry,
        )
        pdf = self.write(document, options)
        return Certificate(pdf, number, findings_json, findings_sha)
