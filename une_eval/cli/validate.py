"""``une-eval validate``, ``schema``, ``rules`` and ``profiles``: the validation job on the command line."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from une_eval.audit import Audit
from une_eval.cli.batch_output import Rendered, Rendering, TextStyle, render_file
from une_eval.cli.show import escape
from une_eval.cli.spec_options import load_spec_options
from une_eval.errors import InputError
from une_eval.findings import Outcome, Severity, exit_code_for
from une_eval.nodetable import text_lines
from une_eval.spec import (
    SchemaKind,
    bundled_schema,
    load_profile,
    profile_names,
    rule_catalogue,
    schema_of,
)
from une_eval.text import JsonArrayWriter, json_item_text, json_text, printable

if TYPE_CHECKING:
    from rich.console import Console

    from une_eval.validation.scan import Scan, Skipped
    from une_eval.validation.summary_stream import SummarySink

_OUTCOME_STYLE = {
    Outcome.CONFORMANT: "bold green",
    Outcome.NON_CONFORMANT: "bold red",
    Outcome.INVALID: "bold magenta",
    Outcome.ERROR: "bold yellow",
}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def collect_files(paths: tuple[Path, ...]) -> Scan:
    """The files to check: those named, and every ``*.json`` in a folder that claims to be a submission."""
    from une_eval.validation.scan import scan  # the validation stack loads for validate only

    found = scan(paths)
    if not found.files:
        left = f" ({len(found.skipped)} JSON file(s) skipped: none claims to be a submission)" if found.skipped else ""
        raise InputError(f"no submission files found{left}")
    return found


def print_skipped(skipped: tuple[Skipped, ...], console: Console) -> None:
    """Name the files a folder scan left out, on stderr, one line each."""
    if skipped:
        console.print(f"skipped {len(skipped)} file(s) that do not claim to be submissions:", markup=False)
    for item in skipped:
        console.print(f"  {printable(str(item.path))}: {item.reason}", markup=False, crop=False, overflow="ignore")


def print_lines(verdicts: Iterable[Audit], write: Callable[[str], object] | None = None) -> None:
    """One line per finding, ``file:pointer: rule: message`` (for terminals, grep and editors); nothing is cut."""
    out = write or (lambda line: click.echo(line, nl=False))
    for v in verdicts:
        source = printable(v.source)
        if v.error:
            out(f"{source}: error: {printable(v.error)}\n")
        for f in v.findings:
            out(f"{source}:{printable(f.pointer or '/')}: {printable(f.rule_id)}: {printable(f.message)}\n")


def print_text(verdicts: Iterable[Audit], console: Console) -> None:
    """Human-readable output: one heading per file, then each finding, then the counts when there are several."""
    counts: Counter[Outcome] = Counter()
    for v in verdicts:
        print_audit(v, console)
        counts[v.outcome] += 1
    print_counts(counts, console)


def print_counts(counts: Counter[Outcome], console: Console) -> None:
    """The batch's counts by verdict, when it has several files."""
    total = sum(counts.values())
    if total > 1:
        console.print(", ".join(f"{counts[o]} {o.value}" for o in Outcome if counts[o]) + f" ({total} files)")


def print_audit(v: Audit, console: Console) -> None:
    """One file for people: its heading, then each finding.

    A finding's severity, rule id and JSON Pointer share one line that is never wrapped or cut (ids and
    pointers are copied from here into searches and editors; the terminal folds a line longer than its
    width), and its message follows, indented and wrapped between words.
    """
    style = _OUTCOME_STYLE[v.outcome]
    head = f"[{style}]{v.outcome.value.upper()}[/]  {escape(v.source)}  (profile {escape(v.profile)})"
    console.print(head, crop=False, overflow="ignore")
    if v.error:
        console.print(f"  cannot check: {escape(v.error)}")
        return
    print_extras(v, console)
    for f in v.findings:
        severity = f"[{_SEVERITY_STYLE[f.severity]}]{f.severity.value:<7}[/]"
        console.print(
            f"  {severity} {escape(f.rule_id)}  {escape(f.pointer or '/')}",
            crop=False,
            overflow="ignore",
            no_wrap=True,
        )
        _print_message(f.message, console)


def _print_message(message: str, console: Console) -> None:
    """A finding's message under its heading line: indented 10 columns, wrapped between words, no trailing blanks."""
    width = max(console.width - 10, 40)
    for line in textwrap.wrap(printable(message), width, break_long_words=False, break_on_hyphens=False) or [""]:
        console.print(" " * 10 + escape(line), crop=False, overflow="ignore", no_wrap=True)


def print_extras(v: Audit, console: Console) -> None:
    """Print the assurance level, the efficiency class and the evidence recomputation, one line each."""
    if v.imported is not None:
        for line in v.imported.lines():
            console.print(f"  {escape(line)}")
    need = f" (profile needs {v.required_assurance})" if v.required_assurance else ""
    console.print(f"  assurance: {v.assurance}{need}")
    if v.rating is not None:
        r = v.rating.to_json()
        note = " (provisional scheme)" if r["provisional"] else ""
        ref = r.get("reference_set")
        basis = f"relative to {ref['name']}, {ref['edition']} ({ref['date']})" if ref else f"{r['kind']} thresholds"
        console.print(
            f"  rating: class {escape(r['class'])}, {r['value']:.4g} {escape(r['unit'])}, {escape(basis)}; "
            f"scheme {escape(r['scheme'])}{note}; group {escape(r['group'])}",
            crop=False,
            overflow="ignore",
            no_wrap=True,
        )
    if v.evidence is not None:
        windows = v.evidence.windows
        methods = ", ".join(sorted({w.method for w in windows if w.method})) or "none"
        bad = len({i.trace_index for i in v.evidence.issues})
        console.print(
            f"  evidence: {len(windows)} run window(s) recomputed from traces ({methods}); {bad} unusable trace(s)"
        )
    print_nodes(v, console)


def print_nodes(v: Audit, console: Console) -> None:
    """A many-node submission's nodes and cross-checks, and a predicted full run, marked estimated."""
    if v.nodes is not None:
        for line in text_lines(v.nodes):
            console.print(f"  {escape(line)}", crop=False, overflow="ignore")
    figure = v.figure("prediction.energy_j")
    low, high = v.figure("prediction.low_j"), v.figure("prediction.high_j")
    if figure is not None and low is not None and high is not None:
        console.print(
            f"  predicted full run ({figure.provenance}, not measured): {figure.value / 3.6e6:.6g} kWh, "
            f"prediction interval {low.value / 3.6e6:.6g} to {high.value / 3.6e6:.6g} kWh"
        )


PROFILE_HELP = (
    "Profile to check against: a bundled name (une-eval profiles) or a profile file, a path ending in .json "
    "(default: the profile the file claims)."
)
SCHEME_HELP = (
    "Rating scheme: a bundled name from spec/ratings or a scheme file, a path ending in .json "
    "(default: the provisional one)."
)


def add_commands(group: click.Group) -> None:
    """Attach the validation commands to the top-level group."""
    group.add_command(validate)
    group.add_command(schema)
    group.add_command(rules)
    group.add_command(profiles)


def _stderr_may_be_terminal() -> bool:
    """False only where rich's console on stderr would not be a terminal either (rich is not loaded to ask).

    Rich takes a stream for a terminal when ``TTY_COMPATIBLE=1``, when ``FORCE_COLOR`` is set and not
    empty, or when the stream is a TTY; when none of these holds, no progress bar is drawn.
    """
    if os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR"):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def rendered_files(
    files: list[Path], how: Rendering, profile: str | None, rating_scheme: str | None, jobs: int
) -> Iterator[Iterator[Rendered]]:
    """Each file's outputs as they are known, with a progress bar on stderr when that is a terminal.

    The bar advances and redraws once per chunk of files from the workers, from this thread: a timer
    thread of its own would be running when the workers are forked. Output printed meanwhile appears
    above it.
    """
    from une_eval.validation.batch import iter_rendered  # the validation stack loads for validate only

    render = partial(render_file, how=how)
    if len(files) < 2 or not _stderr_may_be_terminal():
        yield iter_rendered(files, render, profile=profile, rating_scheme=rating_scheme, jobs=jobs)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True)
    if not err.is_terminal:
        yield iter_rendered(files, render, profile=profile, rating_scheme=rating_scheme, jobs=jobs)
        return
    columns = (TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, auto_refresh=False) as bar:
        task = bar.add_task("files", total=len(files))
        yield iter_rendered(
            files, render, profile=profile, rating_scheme=rating_scheme, jobs=jobs,
            progress=lambda n: bar.update(task, advance=n, refresh=True),
        )  # fmt: skip


def write_rendered(results: Iterable[Rendered], sinks: list[SummarySink], *, as_json: bool) -> Counter[Outcome]:
    """Write each file's outputs in order (stdout, summaries); the counts by verdict.

    ``--format json`` is one document on stdout, written one file at a time.
    """
    counts: Counter[Outcome] = Counter()
    files = JsonArrayWriter(partial(click.echo, nl=False)) if as_json else None
    if files is not None:
        click.echo('{\n  "files": ', nl=False)
    for result in results:
        if files is not None and result.json is not None:
            files.add_text(result.json)
        elif result.printed:
            click.echo(result.printed, nl=False)
        if result.item is not None:
            for sink in sinks:
                sink.add(result.item)
        counts[result.outcome] += 1
    if files is not None:
        files.close()
    return counts


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--profile", "profile", default=None, help=PROFILE_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "lines", "json"]),
    default="text",
    show_default=True,
    help="text: per file, for people; lines: one line per finding, file:pointer: rule: message; json: everything.",
)
@click.option(
    "--summary",
    "summaries",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a summary; the extension picks the format (.html, .csv, .parquet, .json). Repeatable.",
)
@click.option(
    "--jobs", type=click.IntRange(min=0), default=1, show_default=True, help="Worker processes; 0 = all cores."
)
@click.option("--rating-scheme", default=None, help=SCHEME_HELP)
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help="Language of the HTML summary: its words, findings and number formats (en, es: every language with a "
    "message catalogue).",
)
@click.option("--force", is_flag=True, help="Replace summary files that already exist.")
def validate(
    paths: tuple[Path, ...],
    profile: str | None,
    fmt: str,
    summaries: tuple[Path, ...],
    jobs: int,
    rating_scheme: str | None,
    lang: str,
    force: bool = False,
) -> None:
    """Check submission files (or folders of them) against the schema and a profile's rules.

    Recomputes each run's energy from the raw traces a submission lists, and rates its efficiency.
    Exit code 0 when every file conforms, 1 when any does not, 2 when any cannot be checked.
    """
    if summaries:
        # Summaries need pyarrow and jinja2: loaded only when one is asked for.
        from une_eval.validation.summary import format_for

        for path in summaries:
            format_for(path)
        refuse_existing_summaries(summaries, force=force)
    if summaries or lang != "en":
        from une_eval.report.language import languages  # the catalogues load only for a summary

        if lang not in languages():
            raise InputError(f"--lang {lang!r}: no message catalogue (languages: {', '.join(languages())})")
    load_spec_options(profile, rating_scheme, fmt)
    found = collect_files(paths)
    console = _text_console() if fmt == "text" else None
    if fmt != "json":
        from rich.console import Console  # rich loads only for the formats it prints

        print_skipped(found.skipped, Console(stderr=True, highlight=False, soft_wrap=True))
    how = Rendering(fmt, bool(summaries), TextStyle.of(console) if console is not None else None)
    with (
        summary_outputs(summaries, lang, replace=force) as sinks,
        rendered_files(list(found.files), how, profile, rating_scheme, jobs) as results,
    ):
        counts = write_rendered(results, sinks, as_json=fmt == "json")
    if fmt == "json":
        click.echo(f',\n  "skipped": {json_item_text([s.to_json() for s in found.skipped], 1)}\n}}')
    elif console is not None:
        print_counts(counts, console)
    sys.exit(exit_code_for(counts))


def _text_console() -> Console:
    """The console of ``--format text``: piped output (CI logs, files) gets a wide page, not rich's 80 columns."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def refuse_existing_summaries(summaries: tuple[Path, ...], *, force: bool) -> None:
    """Before anything is checked: a summary named twice, or one that exists without ``--force``, is refused."""
    seen: set[Path] = set()
    for path in summaries:
        where = path.absolute()
        if where in seen:
            raise InputError(f"--summary {path} is given twice")
        seen.add(where)
        if not force and (path.exists() or path.is_symlink()):
            raise InputError(f"{path} already exists; choose another name (or pass --force to replace it)")


@contextmanager
def summary_outputs(summaries: tuple[Path, ...], lang: str, *, replace: bool) -> Iterator[list[SummarySink]]:
    """The summaries' sinks (none asked for: no sink, and nothing of the summary code loaded)."""
    if not summaries:
        yield []
        return
    from une_eval.validation.summary_stream import summary_sinks

    with summary_sinks(summaries, lang=lang, replace=replace) as sinks:
        yield sinks


@click.command()
@click.argument("kind", type=click.Choice([k.value for k in SchemaKind]), default=SchemaKind.SUBMISSION.value)
@click.option(
    "--bundle",
    is_flag=True,
    help="One self-contained document (references to the other schema files moved into its $defs), "
    "for editors and standard validators working offline.",
)
def schema(kind: str, bundle: bool) -> None:
    """Print a JSON Schema (draft 2020-12): of submissions (default), or of spec files.

    KIND is submission, declarations (une-eval measure --declarations), profile, rules (the rule
    catalogue) or rating-scheme.
    """
    chosen = SchemaKind(kind)
    document = bundled_schema(chosen) if bundle else schema_of(chosen)
    click.echo(json_text(document))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(fmt: str) -> None:
    """List the rule catalogue: id, default severity, title and source."""
    cat = rule_catalogue()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": r.rule_id,
                        "severity": r.severity.value,
                        "title": r.title,
                        "rationale": r.rationale,
                        "source": r.source,
                        "parameters": r.parameters,
                    }
                    for r in cat.values()
                ],
                indent=2,
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("rule", "severity", "title", "source", box=None)
    for r in cat.values():
        table.add_row(escape(r.rule_id), r.severity.value, escape(r.title), escape(r.source))
    Console().print(table)


@click.command()
@click.option("--show", "name", default=None, help="Print one profile's rules and parameters (a name or a file).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def profiles(name: str | None, fmt: str) -> None:
    """List the bundled profiles and what each checks."""
    if name is None:
        rows = [load_profile(n) for n in profile_names()]
        if fmt == "json":
            click.echo(
                json.dumps(
                    [
                        {
                            "name": p.name,
                            "version": p.version,
                            "title": p.title,
                            "phases": p.phases,
                            "extends": p.extends,
                            "required_assurance": p.required_assurance.value,
                            "rules": len(p.rules),
                        }
                        for p in rows
                    ],
                    indent=2,
                )
            )
            return
        from rich.console import Console
        from rich.table import Table

        table = Table("profile", "phases", "extends", "rules", "title", box=None)
        for p in rows:
            table.add_row(
                escape(p.name), escape(", ".join(p.phases)), escape(p.extends or ""), str(len(p.rules)), escape(p.title)
            )
        Console().print(table)
        return
    prof = load_profile(name)
    rules_: list[dict[str, Any]] = [
        {
            "id": r,
            "severity": prof.severity_of(r).value,
            "parameters": prof.params(r),
            "title": rule_catalogue()[r].title,
        }
        for r in prof.rules
    ]
    if fmt == "json":
        click.echo(
            json_text(
                {
                    "name": prof.name,
                    "version": prof.version,
                    "title": prof.title,
                    "description": prof.description,
                    "sources": prof.sources,
                    "phases": prof.phases,
                    "extends": prof.extends,
                    "required_assurance": prof.required_assurance.value,
                    "path": prof.path,
                    "rules": rules_,
                },
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{escape(prof.name)}[/] {escape(prof.version)}: {escape(prof.title)}")
    console.print(escape(prof.description))
    console.print(
        f"phases: {escape(', '.join(prof.phases))}; required assurance: {prof.required_assurance.value}"
        + (f"; extends {escape(prof.extends)}" if prof.extends else "")
    )
    console.print("sources: " + "; ".join(escape(s) for s in prof.sources))
    table = Table("rule", "severity", "parameters", "title", box=None)
    for r in rules_:
        params = ", ".join(f"{k}={json.dumps(v)}" for k, v in r["parameters"].items())
        table.add_row(escape(r["id"]), r["severity"], escape(params), escape(r["title"]))
    console.print(table)
