"""The site's pages: autoescaped Jinja2 templates in Spanish and English, and the static files.

:class:`Pages` turns a public record (the dict the JSON API serves) into HTML. Every string from a
vendor or an auditor reaches the page only through Jinja2's autoescape; the language comes from
``?lang=`` or the browser's ``Accept-Language`` (Spanish by default).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlencode

import jinja2

LANGUAGES = (("es", "Español"), ("en", "English"))
DEFAULT_LANGUAGE = "es"
STATIC_TYPES = {"site.css": "text/css; charset=utf-8", "check.js": "text/javascript; charset=utf-8"}


def _site_files() -> resources.abc.Traversable:
    return resources.files("une_eval.registry.site")


def pick_language(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it names a site language, else the first one the browser accepts, else Spanish."""
    codes = [code for code, _ in LANGUAGES]
    if query_lang in codes:
        return str(query_lang)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in codes and weight > 0:
            ranked.append((-weight, index, base))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE


def format_value(value: float, lang: str) -> str:
    """A figure to 4 significant digits with the language's decimal mark."""
    if not math.isfinite(value):
        return "–"
    if value == 0 or float(value).is_integer():
        text = f"{value:,.0f}"
    else:
        decimals = max(3 - math.floor(math.log10(abs(value))), 0)
        text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "es" else text


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered response body and its HTTP status."""

    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None  # a redirect's target: a path on this site


class Pages:
    """The templates, message catalogues and static files, loaded once per server."""

    def __init__(self) -> None:
        root = _site_files()
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("une_eval.registry.site", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        catalogues = json.loads(root.joinpath("messages.json").read_text(encoding="utf-8"))
        self.messages: dict[str, dict[str, str]] = {
            code: {str(k): str(v) for k, v in catalogues[code].items()} for code, _ in LANGUAGES
        }
        self.static = {name: root.joinpath("static", name).read_bytes() for name in STATIC_TYPES}

    def _render(self, name: str, lang: str, *, path: str, params: dict[str, str], **context: Any) -> bytes:
        catalogue = self.messages[lang]

        def t(key: str) -> str:
            return catalogue[key]

        languages = [(code, label, f"{path}?{urlencode({**params, 'lang': code})}") for code, label in LANGUAGES]
        html = self.env.get_template(name).render(
            t=t,
            known=catalogue,
            lang=lang,
            languages=languages,
            query=context.pop("query", ""),
            num=lambda v: format_value(float(v), lang),
            **context,
        )
        return html.encode("utf-8")

    def index(self, lang: str) -> Page:
        """The home page: what the register is, and the search box."""
        return Page(200, self._render("index.html.j2", lang, path="/", params={}))

    def certificate(self, record: dict[str, Any], lang: str) -> Page:
        """A certificate's page from its public record."""
        path = f"/c/{record['number']}"
        return Page(200, self._render("certificate.html.j2", lang, path=path, params={}, r=record))

    def search(self, query: str, results: list[dict[str, Any]], lang: str) -> Page:
        """The search results page."""
        body = self._render("search.html.j2", lang, path="/search", params={"q": query}, query=query, results=results)
        return Page(200, body)

    def message(self, status: int, heading_key: str, text: str, lang: str, *, path: str = "/") -> Page:
        """An error or notice page (not found, bad request, unavailable)."""
        catalogue = self.messages[lang]
        body = self._render("message.html.j2", lang, path=path, params={}, heading=catalogue[heading_key], text=text)
        return Page(status, body)

    def text(self, lang: str, key: str, **values: str) -> str:
        """One message, with ``{name}`` fields filled."""
        return self.messages[lang][key].format(**values)
