"""``--profile`` and ``--rating-scheme`` for every command that takes them: loaded first, refused clearly."""

from __future__ import annotations

import click

from une_eval.spec import SpecFileError, load_profile
from une_eval.text import json_text


def load_spec_options(profile: str | None, rating_scheme: str | None, fmt: str = "text") -> None:
    """Load ``--profile`` and ``--rating-scheme`` before any file is checked: a broken one stops with exit 2.

    Under ``--format json`` every problem of a refused spec file is printed as JSON first.
    """
    from une_eval.rating import load_scheme  # loaded only when a scheme is named

    try:
        if profile is not None:
            load_profile(profile)
        if rating_scheme is not None:
            load_scheme(rating_scheme)
    except SpecFileError as exc:
        if fmt == "json":
            click.echo(json_text(exc.to_json()))
        raise
