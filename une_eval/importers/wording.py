"""The wording of import findings: English templates that documents can print in their own language.

An importer words a finding with :func:`une_eval.findings.msg` and a template that starts with
``{file}, {location}: `` (:data:`PREFIX`), for example
``msg("{file}, {location}: {count} negative reading(s); left out", count=3)``. The draft stores the
template and its other parameters beside the English sentence; the ``import.*`` rules fill in the file
and location when the submission is validated, so that a certificate in Spanish words the finding in
Spanish. A stored template is read from a hostile file: :func:`finding_message` accepts it only when
its fields are plain names, every one given, and nothing else is given.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from une_eval.findings import Message

PREFIX = "{file}, {location}: "
MAX_TEMPLATE_CHARS = 1000


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


def finding_message(template: Any, params: Any, file: str, location: str) -> Message | None:
    """A recorded finding's template and parameters as a :class:`Message`, or None when they cannot be trusted."""
    if not isinstance(template, str) or not isinstance(params, Mapping) or len(template) > MAX_TEMPLATE_CHARS:
        return None
    if not template.startswith(PREFIX) or "file" in params or "location" in params:
        return None
    fields = _fields(template)
    if fields is None or set(fields) != {"file", "location", *params}:
        return None
    return Message.from_json(template, {**params, "file": file, "location": location})
