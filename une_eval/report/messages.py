"""The messages to translate: extracted from the templates, the rule modules and the bundled spec.

:func:`extract` builds the catalogue template (``reports/locale/messages.pot``) from every source of a
printed string: ``_()``, ``ngettext()`` and ``pgettext()`` in the Jinja templates of ``reports/``;
``msg()`` and ``template()`` in the rule modules (the English finding messages); the rule titles of
``spec/rules.json``; the texts of the bundled rating schemes; and the vocabulary words a document
prints (phases, functional units, components, rating metrics), which even English words through its
catalogue. :func:`update` rewrites the template and merges it into each language's catalogue (new
messages arrive untranslated, and the language test fails until someone translates them).

    python -m une_eval.report.messages          # update reports/locale/messages.pot and every .po
    python -m une_eval.report.messages --check  # exit 1 when they are stale
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2.ext
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po, write_po

from une_eval.rating import METRICS, load_scheme, scheme_names
from une_eval.report.language import (
    DOMAIN,
    METRIC,
    RULE_TITLE,
    SCHEME,
    TERM,
    catalogue_path,
    languages,
    locale_root,
)
from une_eval.spec import rule_catalogue
from une_eval.vocabulary import components, phases, unit_names

_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# Python functions whose argument is a message template, and which argument (msg() in rules, _at() in evidence).
_PYTHON_KEYWORDS = {"msg": 0, "template": 0, "gettext": 0, "ngettext": 0, "_at": 1}

Entry = tuple[str | tuple[str, str], str | None, str, int]  # (id or singular/plural, context, file, line)


def _template_messages(root: Path) -> Iterator[Entry]:
    for path in sorted(root.rglob("*.j2")):
        with path.open("rb") as fh:
            for line, _func, message, _comments in jinja2.ext.babel_extract(fh, list(_KEYWORDS), [], {}):
                where = f"reports/{path.relative_to(root)}"
                if isinstance(message, str):
                    yield message, None, where, line
                    continue
                first, second = (message or (None, None))[:2] if len(message or ()) >= 2 else (None, None)
                if _func in ("_", "gettext") and first:
                    yield first, None, where, line
                elif _func == "ngettext" and first and second:
                    yield (first, second), None, where, line
                elif _func == "pgettext" and first and second:
                    yield second, first, where, line


def _python_messages(package: Path) -> Iterator[Entry]:
    for path in sorted(package.rglob("*.py")):
        with path.open("rb") as fh:
            for line, func, found, _comments in extract_python(fh, dict.fromkeys(_PYTHON_KEYWORDS), [], {}):
                where = f"une_eval/{path.relative_to(package)}"
                if func == "ngettext" and isinstance(found, tuple) and len(found) >= 2:
                    if isinstance(found[0], str) and isinstance(found[1], str):
                        yield (found[0], found[1]), None, where, line
                    continue
                index = _PYTHON_KEYWORDS.get(str(func), 0)
                message = found[index] if isinstance(found, tuple) and len(found) > index else found
                if isinstance(message, str) and message:
                    yield message, None, where, line


def _spec_messages() -> Iterator[Entry]:
    for info in rule_catalogue().values():
        yield info.title, RULE_TITLE, "spec/rules.json", 0
    for word in (*phases(), *unit_names(), *components(), *(c.upper() for c in components())):
        yield word, TERM, "spec/schemas/1.0/common.schema.json", 0
    for metric in METRICS:
        yield metric, METRIC, "une_eval/rating.py", 0
    for name in scheme_names():
        scheme = load_scheme(name)
        texts = (scheme["title"], scheme["notice"], scheme["provenance"], scheme["unit"])
        reference = scheme.get("reference_set", {})
        names = tuple(reference[key] for key in ("name", "edition") if key in reference)
        for text in (*texts, *names, *(group["label"] for group in scheme["groups"])):
            yield text, SCHEME, f"spec/ratings/{name}.json", 0


def extract() -> Catalog:
    """The catalogue template: every message a document can print, with where it comes from."""
    reports = locale_root().parent
    package = Path(__file__).resolve().parents[1]
    catalogue = Catalog(
        domain=DOMAIN,
        project="une-eval",
        version="1",
        header_comment="# une-eval: the messages a certificate or a summary prints.",
        fuzzy=False,
    )
    for message, context, path, line in (
        *_template_messages(reports),
        *_python_messages(package),
        *_spec_messages(),
    ):
        known = catalogue.get(message if isinstance(message, str) else message[0], context=context)
        locations = [*known.locations, (path, line)] if known is not None else [(path, line)]
        catalogue.add(message, context=context, locations=locations)
    return catalogue


def _po_bytes(catalogue: Catalog, *, template: bool) -> bytes:
    out = io.BytesIO()
    write_po(out, catalogue, width=100, sort_output=True, include_previous=False, include_lineno=False)
    text = out.getvalue()
    if template:  # the creation date would make every run differ
        text = b"\n".join(
            line for line in text.split(b"\n") if not line.startswith((b'"POT-Creation-Date', b'"Generated-By'))
        )
    return text


def updated() -> dict[Path, bytes]:
    """The template and every catalogue as :func:`update` would write them."""
    template = extract()
    out = {locale_root() / "messages.pot": _po_bytes(template, template=True)}
    for lang in languages():
        path = catalogue_path(lang)
        if not path.is_file():
            continue
        with path.open("rb") as fh:
            catalogue = read_po(fh, locale=lang, domain=DOMAIN)
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalogue.obsolete.clear()
        out[path] = _po_bytes(catalogue, template=True)
    return out


def stale() -> list[Path]:
    """The catalogue files that :func:`update` would change."""
    return [path for path, data in updated().items() if not path.is_file() or path.read_bytes() != data]


def update() -> list[Path]:
    """Write the template and merge it into every catalogue; return the files changed."""
    changed = stale()
    for path, data in updated().items():
        if path in changed:
            path.write_bytes(data)
    return changed


def main(argv: list[str]) -> int:
    """Update the catalogues, or with ``--check`` say which are stale."""
    if argv[1:] == ["--check"]:
        late = stale()
        for path in late:
            print(f"stale: {path}")
        return 1 if late else 0
    for path in update():
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
