"""Every string the command line prints goes through :func:`escape` (or :func:`plain` outside rich).

Strings from files (names, submission fields, PDF metadata, error messages that quote them) may carry
terminal escape sequences or bidirectional controls; :func:`une_eval.text.printable` shows them as
visible escapes, and rich's markup escaping keeps ``[...]`` from being read as a style.
"""

from __future__ import annotations

from une_eval.text import printable


def escape(value: object) -> str:
    """``value`` made safe for ``Console.print``: controls shown as escapes, rich markup neutralised."""
    from rich.markup import escape as markup_escape  # rich loads only for commands that print with it

    return markup_escape(printable(value))


def plain(value: object) -> str:
    """``value`` made safe for ``click.echo``: controls shown as escapes."""
    return printable(value)
