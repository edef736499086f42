"""A document's language: gettext message catalogues (Babel) and the language's number and date formats.

Every string a certificate or a summary prints comes from a catalogue in
``reports/locale/<lang>/LC_MESSAGES/messages.po``: the templates' words, the rules' finding messages
(their English templates, see :func:`une_eval.findings.msg`), the rule titles of ``spec/rules.json``,
the bundled rating schemes' texts and the vocabulary words (phases, units, components). English is the
source language: a message's id is its English text, and the English catalogue only words vocabulary
terms. Adding a language is adding a catalogue (copy ``reports/locale/messages.pot``; the language test
fails until every message is translated). The ``.po`` files are compiled in memory when first used.

``python -m une_eval.report.messages`` extracts the messages again and updates every catalogue.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_scientific
from babel.support import Translations

from une_eval.errors import ReportError
from une_eval.findings import Finding, Message, Param, Term
from une_eval.report.precompiled import PrecompiledLoader
from une_eval.spec import rule_catalogue

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
TERM = "term"  # the message context of vocabulary words (phases, functional units, components)
RULE_TITLE = "rule title"  # the message context of the rule catalogue's titles
METRIC = "rating metric"  # the message context of a rating metric's basis (what the class is computed on)
SCHEME = "rating scheme"  # the message context of a bundled rating scheme's texts
SOURCE_CONTEXTS = (TERM, METRIC)  # contexts the source language's catalogue words too


def locale_root() -> Path:
    """The bundled ``reports/locale`` folder."""
    root = resources.files("une_eval").joinpath("_reports", "locale")
    if not isinstance(root, Path) or not root.is_dir():
        raise ReportError("the bundled message catalogues (une_eval/_reports/locale) are missing from this install")
    return root


def catalogue_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return locale_root() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> tuple[str, ...]:
    """The languages a document can be written in: every language with a catalogue, sorted."""
    found = {p.name for p in locale_root().iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


@functools.cache
def read_catalogue(lang: str) -> Catalog:
    """The parsed ``.po`` catalogue of ``lang``."""
    path = catalogue_path(lang)
    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=lang, domain=DOMAIN)
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read the message catalogue {path}: {exc}") from None


def _translated(catalogue: Catalog) -> frozenset[str | tuple[str, str]]:
    """The (context, id) keys that have a translation (non-empty, not fuzzy)."""
    out: set[str | tuple[str, str]] = set()
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            key = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
            out.add((message.context, key) if message.context else key)
    return frozenset(out)


@functools.cache
def language(lang: str) -> Language:
    """The language ``lang`` with its compiled catalogue (cached)."""
    if lang not in languages():
        raise ReportError(f"unknown language {lang!r} (expected one of {', '.join(languages())})")
    if not catalogue_path(lang).is_file():  # the source language needs no catalogue
        return Language(lang, gettext.NullTranslations(), frozenset())
    catalogue = read_catalogue(lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return Language(lang, Translations(buffer, domain=DOMAIN), _translated(catalogue))


def significant_decimals(value: float, digits: int) -> int:
    """How many decimals show ``digits`` significant figures of ``value`` (none for whole numbers)."""
    if float(value).is_integer():
        return 0
    return max(digits - 1 - math.floor(math.log10(abs(value))), 0)


@dataclass(frozen=True)
class Language:
    """One language's messages, numbers and dates (see the module docstring)."""

    code: str
    translations: gettext.NullTranslations
    translated: frozenset[str | tuple[str, str]]

    @property
    def is_source(self) -> bool:
        """Whether this is the language the message ids are written in."""
        return self.code == SOURCE_LANGUAGE

    def has(self, message: str, context: str | None = None) -> bool:
        """Whether the catalogue words ``message`` (the source language words every message)."""
        key: str | tuple[str, str] = (context, message) if context else message
        return key in self.translated or (self.is_source and context is None)

    def gettext(self, message: str) -> str:
        """The message in this language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or the plural message in this language, by the language's plural rule."""
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """The message of ``context`` in this language."""
        return self.translations.pgettext(context, message)

    def term(self, word: str) -> str:
        """A vocabulary word (a phase, a functional unit, a component) in this language."""
        return self.pgettext(TERM, word)

    def rule_title(self, rule_id: str, english: str) -> str:
        """A rule's title in this language (its English title is the message id)."""
        return self.pgettext(RULE_TITLE, english)

    def number(self, value: float | None, digits: int = 4) -> str:
        """``value`` to ``digits`` significant figures with the language's marks; whole numbers as they are."""
        if value is None or not math.isfinite(value):
            return "–"
        if value == 0:
            return "0"
        if abs(value) >= 1e15 or abs(value) < 1e-6:
            return str(format_scientific(value, format="0.###E0", locale=self.code))
        decimals = significant_decimals(value, digits)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return str(format_decimal(value, format=pattern, locale=self.code))

    def date(self, value: dt.date) -> str:
        """A date in the language's long format (``26 de noviembre de 2026``)."""
        return str(format_date(value, format="long", locale=self.code))

    def datetime(self, value: dt.datetime) -> str:
        """A UTC date and time in the language's format, to the minute."""
        when = value.astimezone(dt.UTC)
        return f"{format_date(when, format='long', locale=self.code)}, {when:%H:%M} UTC"

    def format_datetime(self, value: dt.datetime, pattern: str) -> str:
        """A date and time with a CLDR pattern."""
        return str(format_datetime(value, pattern, locale=self.code, tzinfo=dt.UTC))

    def message(self, text: Message) -> str | None:
        """A rule's message in this language, or None when the catalogue does not word it."""
        if not self.has(text.template):
            return None
        params = {k: self._param(v) for k, v in text.params}
        if any(v is None for v in params.values()):
            return None  # a phrase inside it that the catalogue does not word
        return self.gettext(text.template).format_map(params)

    def _param(self, value: Param) -> str | None:
        if isinstance(value, Message):
            return self.message(value)
        if isinstance(value, Term):
            return self.term(str(value)) if self.has(str(value), TERM) else str(value)
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int):
            return self.number(value)
        if isinstance(value, float):
            return self.number(value)
        return str(value)

    def finding(self, finding: Finding, title: str) -> str:
        """A finding's sentence in this language.

        A message the catalogue does not word (a plain sentence from the schema layer or an older file)
        is replaced by the rule's ``title`` and a pointer to the English detail in the findings file, so
        that a document never mixes languages.
        """
        if self.is_source:
            return finding.message
        text = self.message(finding.wording) if finding.wording is not None else None
        if text is not None:
            return text
        return self.gettext("%(title)s (the detail, in English, is in the attached findings file)") % {"title": title}


def template_environment(root: Path, lang: Language) -> jinja2.Environment:
    """An autoescaping Jinja environment for ``root/templates`` with ``lang``'s catalogue installed.

    Templates come from their compiled Python shipped in the package when it matches their source
    (see :mod:`une_eval.report.precompiled`), else are compiled when first used.
    """
    env = jinja2.Environment(
        loader=PrecompiledLoader(root / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lang.gettext, lang.ngettext, newstyle=True, pgettext=lang.pgettext
    )
    return env


def document_words(lang: Language) -> dict[str, Any]:
    """The formatting and translating functions every document template gets."""
    catalogue = rule_catalogue()

    def rule_title(rule_id: str) -> str:
        info = catalogue.get(rule_id)
        return lang.rule_title(rule_id, info.title) if info is not None else rule_id

    def finding_text(f: Finding) -> str:
        return lang.finding(f, rule_title(f.rule_id))

    def scheme_text(text: str) -> str:
        return lang.pgettext(SCHEME, text) if lang.has(text, SCHEME) else text

    return {
        "lang": lang.code,
        "num": lambda v, d=4: lang.number(v, d),
        "term": lang.term,
        "date": lang.date,
        "when": lang.datetime,
        "rule_title": rule_title,
        "finding_text": finding_text,
        "scheme_text": scheme_text,
    }
