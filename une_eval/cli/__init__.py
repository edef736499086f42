"""The command line: the only place that parses arguments, prints and picks exit codes.

Each job has its own module here (validate, measure, certify); this module builds the group and
turns :class:`une_eval.errors.UneEvalError` into one clear message and its exit code.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import click

from une_eval import __version__
from une_eval.errors import UneEvalError

# The certificate commands pull in WeasyPrint and pyHanko (about 1.2 s of imports): load their module
# only when one of them runs (or --help lists them), so validate and measure start faster.
_LAZY_COMMANDS = {"certify": "une_eval.cli.certify", "verify": "une_eval.cli.certify", "keys": "une_eval.cli.certify"}


class _Group(click.Group):
    """A group that reports une-eval errors as one line on stderr with the error's exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS and cmd_name not in self.commands:
            importlib.import_module(_LAZY_COMMANDS[cmd_name]).add_commands(self)
        return super().get_command(ctx, cmd_name)

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


from une_eval.cli import measure as _measure  # noqa: E402
from une_eval.cli import validate as _validate  # noqa: E402

_register(_validate.add_commands, _measure.add_commands)
