"""``une-eval validate``, ``schema`` and ``rules``: the validation job on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from une_eval.errors import InputError
from une_eval.findings import Outcome, Severity, Verdict, exit_code_for
from une_eval.spec import rule_catalogue, submission_schema
from une_eval.validate import check_file

_OUTCOME_STYLE = {
    Outcome.CONFORMANT: "bold green",
    Outcome.NON_CONFORMANT: "bold red",
    Outcome.INVALID: "bold magenta",
    Outcome.ERROR: "bold yellow",
}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def collect_files(paths: tuple[Path, ...]) -> list[Path]:
    """Expand folders into their ``*.json`` files (sorted); keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.json") if p.is_file())
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    if not files:
        raise InputError("no submission files found")
    return files


def print_text(verdicts: list[Verdict], console: Console) -> None:
    """Human-readable output: one heading per file, a table of findings."""
    for v in verdicts:
        style = _OUTCOME_STYLE[v.outcome]
        head = f"[{style}]{v.outcome.value.upper()}[/]  {escape(v.source)}  (profile {escape(v.profile)})"
        console.print(head)
        if v.error:
            console.print(f"  cannot check: {escape(v.error)}")
            continue
        if v.findings:
            table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 2, 0, 2))
            for col in ("severity", "rule", "where", "finding"):
                table.add_column(col, overflow="fold")
            for f in v.findings:
                table.add_row(f"[{_SEVERITY_STYLE[f.severity]}]{f.severity.value}[/]", escape(f.rule_id),
                              escape(f.pointer or "/"), escape(f.message))
            console.print(table)
    if len(verdicts) > 1:
        counts = {o: sum(1 for v in verdicts if v.outcome is o) for o in Outcome}
        console.print(", ".join(f"{n} {o.value}" for o, n in counts.items() if n) + f" ({len(verdicts)} files)")


def add_commands(group: click.Group) -> None:
    """Attach the validation commands to the top-level group."""
    group.add_command(validate)
    group.add_command(schema)
    group.add_command(rules)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--profile", "profile", default=None, help="Profile to check against (default: the one the file claims).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(paths: tuple[Path, ...], profile: str | None, fmt: str) -> None:
    """Check submission files (or folders of them) against the schema and a profile's rules.

    Exit code 0 when every file conforms, 1 when any does not, 2 when any cannot be checked.
    """
    files = collect_files(paths)
    verdicts = [check_file(p, profile=profile) for p in files]
    if fmt == "json":
        click.echo(json.dumps({"files": [v.to_json() for v in verdicts]}, indent=2, ensure_ascii=False))
    else:
        print_text(verdicts, Console(highlight=False, soft_wrap=False))
    sys.exit(exit_code_for(verdicts))


@click.command()
def schema() -> None:
    """Print the submission JSON Schema (draft 2020-12)."""
    click.echo(json.dumps(submission_schema(), indent=2, ensure_ascii=False))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(fmt: str) -> None:
    """List the rule catalogue: id, default severity, title and source."""
    cat = rule_catalogue()
    if fmt == "json":
        click.echo(json.dumps([{"id": r.rule_id, "severity": r.severity.value, "title": r.title,
                                "rationale": r.rationale, "source": r.source, "parameters": r.parameters}
                               for r in cat.values()], indent=2))
        return
    table = Table("rule", "severity", "title", "source", box=None)
    for r in cat.values():
        table.add_row(r.rule_id, r.severity.value, r.title, r.source)
    Console().print(table)
