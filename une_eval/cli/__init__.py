"""The command line: the only place that parses arguments, prints and picks exit codes.

Each job has its own module here (validate, measure, certify); this module builds the group and
turns :class:`une_eval.errors.UneEvalError` into one clear message and its exit code. A job's module
is imported only when one of its commands runs (or ``--help`` lists them): ``une-eval validate``
never loads the measurement stack, nor WeasyPrint and pyHanko, and starts in a fraction of the time.
"""

from __future__ import annotations

import gc
import importlib
import os
import select
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from une_eval import __version__
from une_eval.errors import UneEvalError
from une_eval.text import printable

DEBUG_ENV = "UNE_EVAL_DEBUG"
OWN_PROCESS_GC_THRESHOLD = 10_000  # allocations between collections of young objects (Python's default: 700)
_VALIDATE, _MEASURE, _CERTIFY = "une_eval.cli.validate", "une_eval.cli.measure", "une_eval.cli.certify"
# Each command, and the module whose ``add_commands`` attaches it (with its siblings) to the group.
_LAZY_COMMANDS = {
    "validate": _VALIDATE,
    "schema": _VALIDATE,
    "rules": _VALIDATE,
    "profiles": _VALIDATE,
    "measure": _MEASURE,
    "certify": _CERTIFY,
    "verify": _CERTIFY,
    "keys": _CERTIFY,
    "renew": "une_eval.cli.renew",
    "registry": "une_eval.cli.registry",
    "serve": "une_eval.cli.registry",
    "import": "une_eval.cli.importing",
    "merge": "une_eval.cli.merge",
    "clock": "une_eval.cli.merge",
}


class _Group(click.Group):
    """A group that reports une-eval errors as one line on stderr with the error's exit code."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        """Run the command line; ``args`` None (the console script, ``python -m une_eval``) means a process of its own.

        ``--debug`` is accepted anywhere before a ``--`` (after it, words belong to the measured workload).
        A process of its own collects no cycles while its command's modules import (long-lived objects:
        once imported they are frozen out of the collector's way, see :meth:`get_command`) and none at
        exit, where the collector would walk everything just before the OS frees it. That is a fifth of a
        certificate's CPU time. In-process callers (tests, embedding) are left alone.
        """
        own_process = args is None
        words = list(sys.argv[1:] if args is None else args)
        cut = words.index("--") if "--" in words else len(words)
        if "--debug" in words[:cut]:
            words = [w for w in words[:cut] if w != "--debug"] + words[cut:]
            os.environ[DEBUG_ENV] = "1"  # worker processes (batch validation) inherit it
        if not own_process:
            return super().main(words, *rest, **kwargs)
        gc.disable()
        try:
            return super().main(words, *rest, **kwargs)
        finally:
            gc.freeze()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS and cmd_name not in self.commands:
            importlib.import_module(_LAZY_COMMANDS[cmd_name]).add_commands(self)
            if not gc.isenabled():  # a process of its own (see main): collect again, past the imports
                gc.freeze()
                # Young objects are collected every 10,000 allocations rather than 700: still bounded,
                # and a certificate's layout no longer pays some 150 collections (~0.05 s of CPU).
                gc.set_threshold(OWN_PROCESS_GC_THRESHOLD, *gc.get_threshold()[1:])
                gc.enable()
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:  # a reader that went away shows here, not as click's exit code 1 later
                sys.stdout.flush()
        except UneEvalError as exc:
            click.echo(f"une-eval: error: {printable(str(exc))}", err=True)
            _explain(exc)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("une-eval: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            if not _stdout_gone():
                raise
            sys.exit(EXIT_STDOUT_CLOSED)
        except Exception as exc:  # a bug: one line for the user, the traceback under --debug
            click.echo(
                f"une-eval: internal error ({type(exc).__name__}: {printable(str(exc))[:300]}); "
                "this is a bug in une-eval; rerun with --debug for the traceback",
                err=True,
            )
            _explain(exc)
            sys.exit(2)


# The reader of standard output went away (``une-eval validate ... | head``): stop quietly, with the
# status a process killed by SIGPIPE has (128 + 13), as other command-line tools do.
EXIT_STDOUT_CLOSED = 141


def _stdout_gone() -> bool:
    """Whether standard output is a pipe whose reader has gone; if so, point it at /dev/null.

    A pipe's writing end polls as an error once its reading end is closed. Python would otherwise report
    the broken pipe again when it flushes standard output at exit.
    """
    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        gone = any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False
    if gone:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    return gone


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
