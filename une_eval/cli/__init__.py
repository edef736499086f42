"""The command line: the only place that parses arguments, prints and picks exit codes.

Each job has its own module here (validate, measure, certify); this module builds the group and
turns :class:`une_eval.errors.UneEvalError` into one clear message and its exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from une_eval import __version__
from une_eval.errors import UneEvalError


class _Group(click.Group):
    """A group that reports une-eval errors as one line on stderr with the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UneEvalError as exc:
            click.echo(f"une-eval: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("une-eval: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="une-eval")
def main() -> None:
    """Validate, measure and certify the energy efficiency of AI training and inference.

    UNE-style: profiles encode public references (UNE 0086 public descriptions, ISO/IEC 21031 SCI,
    EU AI Act Annex XI, AI Energy Score); this tool does not claim conformance to UNE 0086.
    """


def _register(*modules: Callable[[click.Group], None]) -> None:
    for add in modules:
        add(main)


from une_eval.cli import certify as _certify  # noqa: E402
from une_eval.cli import measure as _measure  # noqa: E402
from une_eval.cli import validate as _validate  # noqa: E402

_register(_validate.add_commands, _measure.add_commands, _certify.add_commands)
