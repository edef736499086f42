"""The command line: the only place that parses arguments, prints and picks exit codes.

Each job has its own module here (validate, measure, certify); this module builds the group and
turns :class:`une_eval.errors.UneEvalError` into one clear message and its exit code.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import click

from une_eval import __version__
from une_eval.errors import UneEvalError
from une_eval.text import printable

DEBUG_ENV = "UNE_EVAL_DEBUG"
# The certificate commands pull in WeasyPrint and pyHanko (about 1.2 s of imports): load their module
# only when one of them runs (or --help lists them), so validate and measure start faster.
_LAZY_COMMANDS = {
    "certify": "une_eval.cli.certify",
    "verify": "une_eval.cli.certify",
    "keys": "une_eval.cli.certify",
    "registry": "une_eval.cli.registry",
    "serve": "une_eval.cli.registry",
    "import": "une_eval.cli.importing",
}


class _Group(click.Group):
    """A group that reports une-eval errors as one line on stderr with the error's exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS and cmd_name not in self.commands:
            importlib.import_module(_LAZY_COMMANDS[cmd_name]).add_commands(self)
        return super().get_command(ctx, cmd_name)

    def main(self, args: Sequence[str] | None = None, *pos: Any, **kwargs: Any) -> Any:
        """Accept ``--debug`` anywhere before a ``--`` (after it, words belong to the measured workload)."""
        words = list(sys.argv[1:] if args is None else args)
        cut = words.index("--") if "--" in words else len(words)
        if "--debug" in words[:cut]:
            words = [w for w in words[:cut] if w != "--debug"] + words[cut:]
            os.environ[DEBUG_ENV] = "1"  # worker processes (batch validation) inherit it
        return super().main(words, *pos, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UneEvalError as exc:
            click.echo(f"une-eval: error: {printable(str(exc))}", err=True)
            _explain(exc)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("une-eval: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: one line for the user, the traceback under --debug
            click.echo(
                f"une-eval: internal error ({type(exc).__name__}: {printable(str(exc))[:300]}); "
                "this is a bug in une-eval; rerun with --debug for the traceback",
                err=True,
            )
            _explain(exc)
            sys.exit(2)


def debugging() -> bool:
    """Whether ``--debug`` (or UNE_EVAL_DEBUG=1) asked for the original exceptions behind clear messages."""
    return os.environ.get(DEBUG_ENV) == "1"


def _explain(exc: BaseException) -> None:
    """Under --debug, print the exception and the original one a clear message replaced (``raise ... from None``)."""
    if not debugging():
        return
    original = exc.__cause__ or exc.__context__
    if original is not None:
        click.echo("une-eval: --debug: the original exception:", err=True)
        click.echo("".join(traceback.format_exception(original)).rstrip(), err=True)
    click.echo("une-eval: --debug: where the message was raised:", err=True)
    click.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="une-eval")
@click.option(
    "--debug",
    "debug_flag",
    is_flag=True,
    help="On an error, also print the original exception and its traceback (accepted after any command too).",
)
def main(debug_flag: bool) -> None:
    """Validate, measure and certify the energy efficiency of AI training and inference.

    UNE-style: profiles encode public references (UNE 0086 public descriptions, ISO/IEC 21031 SCI,
    EU AI Act Annex XI, AI Energy Score); this tool does not claim conformance to UNE 0086.
    """
    if debug_flag:
        os.environ[DEBUG_ENV] = "1"


def _register(*modules: Callable[[click.Group], None]) -> None:
    for add in modules:
        add(main)


from une_eval.cli import measure as _measure  # noqa: E402
from une_eval.cli import validate as _validate  # noqa: E402

_register(_validate.add_commands, _measure.add_commands)
