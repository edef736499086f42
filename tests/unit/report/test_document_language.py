"""Every string a certificate prints is in the document's language: every fixture, every language.

The words of each language are the catalogues' own: a word that only the English messages use (not the
Spanish translations) must not appear in a Spanish document, and the other way round. A document's
vendor strings (anything in the submission) are the vendor's, in whatever language, and codes (rule
ids, JSON Pointers, method names, hashes) are not words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from une_eval.errors import InputError
from une_eval.loading import parse_json_bytes
from une_eval.report.content import Prepared, prepare
from une_eval.report.language import catalogue_path, languages, locale_root
from une_eval.report.render import Renderer
from une_eval.report.sign import Auditor

ROOT = Path(__file__).resolve().parents[3]
AUDITOR = Auditor("Marta Ruiz", "Auditoría Energética Ejemplo S.L.")
_WORD = re.compile(r"[^\W\d_]{3,}")


def _fixtures() -> list[Path]:
    out = sorted((ROOT / "fixtures" / "valid").glob("*.json"))
    out += sorted(p for p in (ROOT / "fixtures" / "invalid").glob("*.json") if not p.name.endswith(".expected.json"))
    out += sorted((ROOT / "fixtures" / "evidence" / "h200").glob("*.json"))
    return out


def _words(text: str) -> set[str]:
    """The words of ``text``: tokens without digits or inner punctuation (codes are not words)."""
    out: set[str] = set()
    for token in text.split():
        token = token.strip("()[]{}«»\"'.,;:!?¿¡·–—…%×=+<>*")
        if not token or re.search(r"[\d._/\\@#~-]", token):
            continue
        out |= {w.lower() for w in _WORD.findall(token)}
    return out


def _message_words(text: str) -> set[str]:
    return _words(re.sub(r"%\([a-z_]+\)s|\{[a-z_]+(![rs])?\}", " ", text))


def _catalogue_words() -> dict[str, set[str]]:
    """Every word each language's messages use (English: the message ids and the English catalogue)."""
    words: dict[str, set[str]] = {}
    with (locale_root() / "messages.pot").open("rb") as fh:
        ids = [m.id if isinstance(m.id, str) else " ".join(m.id) for m in read_po(fh) if m.id]
        english = {w for text in ids for w in _message_words(text)}
    for lang in languages():
        if not catalogue_path(lang).is_file():
            continue
        with catalogue_path(lang).open("rb") as fh:
            catalogue = read_po(fh)
        for m in catalogue:
            strings = [m.string] if isinstance(m.string, str) else list(m.string or ())
            words.setdefault(lang, set()).update(w for s in strings if s for w in _message_words(s))
    words["en"] = words.get("en", set()) | english
    return words


class _Text(HTMLParser):
    """The text a reader sees: body text, the title and the description, without markup or code (commands)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "code"):
            self.skip += 1
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "description":
            self.parts.append(a.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "code"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts).replace("\u200b", "")


def vendor_words(prepared: Prepared) -> set[str]:
    """The words of every string in the submission: the vendor's, not ours."""
    found: set[str] = set()
    stack: list[Any] = [
        parse_json_bytes(prepared.submission_bytes),
        prepared.source_name,
        AUDITOR.name,
        AUDITOR.organisation,
    ]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found |= {w.lower() for w in _WORD.findall(item)}
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
    return found


def foreign_words(text: str, lang: str, prepared: Prepared, catalogue: dict[str, set[str]]) -> set[str]:
    """Words of ``text`` that only another language's messages use."""
    others = set().union(*(w for code, w in catalogue.items() if code != lang))
    only_others = others - catalogue[lang]
    return (_words(text) & only_others) - vendor_words(prepared)


def _prepared_fixtures() -> Iterator[Prepared]:
    for path in _fixtures():
        try:
            yield prepare(path)
        except InputError:  # schema-invalid: no document is issued for it
            continue


@pytest.fixture(scope="module")
def prepared_all() -> list[Prepared]:
    return list(_prepared_fixtures())


@pytest.fixture(scope="module")
def catalogue() -> dict[str, set[str]]:
    return _catalogue_words()


def test_the_fixtures_cover_every_rule_and_both_verdicts(prepared_all: list[Prepared]) -> None:
    assert len(prepared_all) >= 40
    assert {p.conformant for p in prepared_all} == {True, False}
    assert len({f.rule_id for p in prepared_all for f in p.audit.findings}) >= 40


@pytest.mark.parametrize("lang", languages())
def test_every_fixture_renders_in_one_language(
    lang: str, prepared_all: list[Prepared], catalogue: dict[str, set[str]], renderer: Renderer
) -> None:
    assert catalogue[lang], f"no words for {lang}"
    problems = []
    for prepared in prepared_all:
        html = renderer.html(
            prepared,
            number="UEC-TEST-LANG",
            issued_at=dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC),
            auditor=AUDITOR,
            lang=lang,
            findings_sha256="0" * 64,
        )
        foreign = foreign_words(visible_text(html), lang, prepared, catalogue)
        if foreign:
            problems.append(f"{prepared.source_name}: {sorted(foreign)}")
    assert problems == []


def test_the_check_finds_a_word_of_the_other_language(
    prepared_all: list[Prepared], catalogue: dict[str, set[str]]
) -> None:
    prepared = prepared_all[0]
    assert foreign_words("Certificado de conformidad", "es", prepared, catalogue) == set()
    assert foreign_words("Certificado of conformity", "es", prepared, catalogue) == {"conformity"}
    assert foreign_words("Certificate of conformity", "en", prepared, catalogue) == set()
    assert foreign_words("Certificate de la conformidad", "en", prepared, catalogue) >= {"conformidad"}
    # Codes are not words; vendor strings are the vendor's.
    assert foreign_words("runs.cv /measurement/runs/0 nvml-energy-counter", "es", prepared, catalogue) == set()
    assert prepared.submission.system.model.provider.lower() not in foreign_words(
        prepared.submission.system.model.provider, "es", prepared, catalogue
    )


def test_numbers_and_dates_follow_the_language(renderer: Renderer, prepared_all: list[Prepared]) -> None:
    prepared = next(p for p in prepared_all if p.source_name == "llm-inference-h100.json")
    html = {
        lang: visible_text(
            renderer.html(
                prepared,
                number="UEC-TEST-LANG",
                issued_at=dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC),
                auditor=AUDITOR,
                lang=lang,
                findings_sha256="0" * 64,
            )
        )
        for lang in ("en", "es")
    }
    assert "26 de noviembre de 2026" in html["es"]
    assert "November 26, 2026" in html["en"]
    total_j = prepared.results["energy_total"]["total_j"]
    assert f"{total_j:,.0f}" in html["en"]
    assert f"{total_j:,.0f}".replace(",", ".") in html["es"]


def test_the_catalogues_are_current_and_complete() -> None:
    from une_eval.report.language import SOURCE_CONTEXTS
    from une_eval.report.messages import extract, stale

    assert stale() == [], "run python -m une_eval.report.messages"
    template = extract()
    assert len(template) > 150
    for lang in languages():
        if not catalogue_path(lang).is_file():
            continue
        with catalogue_path(lang).open("rb") as fh:
            catalogue = read_po(fh)
        needs = [m for m in template if m.id and (lang != "en" or m.context in SOURCE_CONTEXTS)]
        missing = []
        for m in needs:
            got = catalogue.get(m.id, context=m.context)
            strings = got.string if got is not None and isinstance(got.string, tuple) else (got.string if got else "",)
            if got is None or got.fuzzy or not all(strings):
                missing.append((m.context, m.id))
        assert missing == [], f"{lang}: untranslated {missing[:5]}"
