"""``une-eval import``: turn a vendor's tool output into a submission draft and say what it still lacks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
import zoneinfo
from pathlib import Path

import click
from rich.console import Console

from une_eval.cli.show import escape
from une_eval.errors import InputError
from une_eval.importers.formats import FORMATS, Options
from une_eval.importers.run import ImportResult, import_source
from une_eval.vocabulary import phases

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def parse_timezone(text: str) -> dt.tzinfo:
    """``UTC``, an offset such as ``+01:00``, or an IANA zone name such as ``Europe/Madrid``."""
    if text in ("UTC", "Z"):
        return dt.UTC
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = dt.timedelta(hours=int(hours), minutes=int(minutes))
        if delta >= dt.timedelta(hours=24):
            raise InputError(f"--timezone {text!r}: an offset must be under 24 hours")
        return dt.timezone(delta if sign == "+" else -delta)
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(f"--timezone {text!r}: not UTC, an offset like +01:00 or a known zone name") from None


def _sources_help() -> str:
    return "\n".join(f"  {f.name}: {f.title}" for f in FORMATS)


def _line(console: Console, text: str) -> None:
    console.print(text, crop=False, overflow="ignore", no_wrap=True)


def print_result(result: ImportResult, console: Console) -> None:
    """The import in a few lines: what was written, what the source held that is suspicious, what is missing.

    Each line is printed whole, never wrapped or cut (it holds file names and JSON Pointers that are copied
    from here); a terminal folds a line longer than its width.
    """
    doc = result.document
    runs = len(doc.get("measurement", {}).get("runs", []))
    traces = len(doc.get("measurement", {}).get("traces", []))
    _line(console, f"imported {result.source_format.name} -> {escape(result.path)}: {runs} run(s), {traces} trace(s)")
    prov = doc.get("provenance", {})
    files = prov.get("files", [])
    for found in prov.get("findings", []):
        path = files[found["file"]]["path"] if found["file"] < len(files) else "?"
        where = f"{path}, {found['location']}"
        _line(console, f"  finding {escape(found['rule_id'])}: {escape(where)}: {escape(found['message'])}")
    for note in prov.get("notes", []):
        _line(console, f"  note: {escape(note)}")
    for problem in result.check.other_errors:
        _line(console, f"  [red]draft problem (a bug in the importer)[/]: {escape(problem)}")
    if result.check.missing:
        _line(console, "  still to supply, for every profile: " + ", ".join(escape(p) for p in result.check.missing))
    for needs in result.needs:
        if needs.probe_problem:
            _line(console, f"  {needs.profile}: {escape(needs.probe_problem)}")
        for f in needs.rules:
            _line(console, f"  {needs.profile} also needs: {f.rule_id} {escape(f.pointer)}: {escape(f.message)}")


@click.command(
    "import",
    epilog="\b\nSources (recognised from their content; --from names one):\n" + _sources_help(),
)
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the draft (submission.json and traces/).",
)
@click.option(
    "--from",
    "source_format",
    type=click.Choice([f.name for f in FORMATS]),
    default=None,
    help="The source's format, when recognising it from its content is not wanted.",
)
@click.option(
    "--phase",
    type=click.Choice(phases()),
    default=None,
    help="The life-cycle phase measured, when the source does not say.",
)
@click.option(
    "--timezone",
    "timezone",
    default=None,
    help="The time zone of timestamps the source writes without one (UTC, +01:00, Europe/Madrid).",
)
@click.option(
    "--select",
    default=None,
    help="The row to import from a leaderboard of many: a model id, or COLUMN=VALUE pairs joined by commas.",
)
@click.option("--force", is_flag=True, help="Replace an existing submission.json in the output folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def import_command(
    source: Path,
    out_dir: Path,
    source_format: str | None,
    phase: str | None,
    timezone: str | None,
    select: str | None,
    force: bool,
    fmt: str,
) -> None:
    """Turn a vendor's measurement (CodeCarbon, MLPerf Power, ...) into a submission draft.

    Every value is converted to une-eval's units with its origin recorded in the draft's provenance
    block; nothing the source lacks is invented: it is listed, per profile, as still to supply. Exit
    code 0 when the draft was written, 2 when the source could not be read.
    """
    options = Options(phase=phase, timezone=parse_timezone(timezone) if timezone else None)
    options = dataclasses.replace(options, select=select)
    result = import_source(source, out_dir, source_format=source_format, options=options, force=force)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        width = None if sys.stdout.isatty() else 160
        print_result(result, Console(highlight=False, soft_wrap=False, width=width))


def add_commands(group: click.Group) -> None:
    """Attach ``import`` to the top-level group."""
    group.add_command(import_command)
