"""The wording of import findings: English templates that documents can print in their own language.

An importer words a finding with :func:`une_eval.findings.msg` and a template that starts with
``{file}, {location}: `` (:data:`PREFIX`), for example
``msg("{file}, {location}: {count} negative reading(s); left out", count=3)``. The draft stores the
template and its other parameters beside the English sentence; the ``import.*`` rules fill in the file
and location when the submission is validated, so that a certificate in Spanish words the finding in
Spanish. A stored template is read from a hostile file: :func:`finding_message` accepts it only when
its fields are plain names, every one given, and nothing else is given.

A location ("line 12", "front matter, co2_eq_emissions") is stored as English text; :func:`location`
reads it back as a phrase of :data:`LOCATIONS` so that its words are translated too, with the names the
source uses (columns, keys) kept as they are. A parameter whose name ends in ``location`` (``first_location``:
where a repeated row was first seen) is read the same way.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from une_eval.findings import Message, Param, msg

PREFIX = "{file}, {location}: "
MAX_TEMPLATE_CHARS = 1000

# The phrases of a location, most specific first; {key}, {column} and {label} are the source's own names.
LOCATIONS = (
    msg("line {line}, column {column}"),
    msg("line {line}, training table row {label}"),
    msg("line {line}, location-based emissions"),
    msg("line {line}, {key}"),
    msg("line {line}"),
    msg("lines {first}..{last} ({count} rows)"),
    msg("lines {first}..{last}"),
    msg("front matter, {key}"),
    msg("front matter"),
    msg("top level, {key}"),
    msg("top level"),
    msg("power column"),
    msg("all samples"),
    msg("epoch {epoch}"),
    msg("Actual consumption for {epochs} epoch(s)"),
    msg("Actual consumption"),
    msg("Predicted consumption for {epochs} epoch(s)"),
    msg("Predicted consumption"),
)
_NUMBERS = frozenset({"line", "first", "last", "count", "epoch", "epochs"})


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(rf"(?P<{name}>\d+)" if name in _NUMBERS else rf"(?P<{name}>.+)")
    return re.compile("".join(parts))


_PATTERNS = tuple((phrase.template, _pattern(phrase.template)) for phrase in LOCATIONS)


def location(text: str) -> Param:
    """A location as a phrase to translate, or the text itself when it is only the source's names.

    Numbers stay as written (a line number is not grouped by thousands).
    """
    for template, pattern in _PATTERNS:
        if (found := pattern.fullmatch(text)) is not None:
            return Message(template, tuple(found.groupdict().items()))
    return text


def inner(message: Message) -> str:
    """The English sentence without the file and location (what the draft records as ``message``)."""
    return str(Message(message.template.removeprefix(PREFIX), message.params))


def _fields(template: str) -> list[str] | None:
    """The template's field names, or None when a field is more than a plain name (``{a.b}``, ``{0}``, ``{a!r}``)."""
    names = []
    try:
        for _, name, spec, conversion in string.Formatter().parse(template):
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                return None
            names.append(name)
    except ValueError:
        return None
    return names


def finding_message(template: Any, params: Any, file: str, where: str) -> Message | None:
    """A recorded finding's template and parameters as a :class:`Message`, or None when they cannot be trusted."""
    if not isinstance(template, str) or not isinstance(params, Mapping) or len(template) > MAX_TEMPLATE_CHARS:
        return None
    if not template.startswith(PREFIX) or "file" in params or "location" in params:
        return None
    fields = _fields(template)
    if fields is None or set(fields) != {"file", "location", *params}:
        return None
    message = Message.from_json(template, {**params, "file": file}, nested=False)
    phrases = tuple((k, location(v) if k.endswith("location") and isinstance(v, str) else v) for k, v in message.params)
    return Message(message.template, (*phrases, ("location", location(where))))
