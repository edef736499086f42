"""``une-eval registry ...`` and ``une-eval serve``: keep the certificate register and publish it.

Every command takes ``--db``: a file path (SQLite) or a ``postgresql://`` URL; without it the
``UNE_EVAL_REGISTRY`` environment variable, else ``une-eval-registry.sqlite`` here. Status changes
happen only here, by someone with access to the database; the site that ``serve`` runs is read-only.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from une_eval.registry.db import Location, RegistryError, connect, parse_location
from une_eval.registry.issuing import default_actor, pdf_sha256
from une_eval.registry.migrations import SCHEMA_VERSION, migrate
from une_eval.registry.records import CertificateRecord, Change, Status, utc_text
from une_eval.registry.store import Register, check_number, open_register
from une_eval.text import json_text

DB_HELP = (
    "The register: a SQLite file path or a postgresql:// URL "
    "(default: $UNE_EVAL_REGISTRY, else ./une-eval-registry.sqlite)."
)


def add_commands(group: click.Group) -> None:
    """Attach ``registry`` and ``serve`` to the top-level group."""
    group.add_command(registry)
    group.add_command(serve)


def plain(text: str) -> str:
    """A stored string made safe for a terminal: control characters shown as escapes, never sent."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _where(db: str | None) -> Location:
    return parse_location(db)


def _open(db: str | None) -> Register:
    return open_register(_where(db))


@click.group()
def registry() -> None:
    """The certificate register: create it, list and show certificates, change their status."""


@registry.command("init")
@click.option("--db", default=None, help=DB_HELP)
def init(db: str | None) -> None:
    """Create the register, or upgrade it to this une-eval's schema version."""
    where = _where(db)
    conn = connect(where, create=True)
    try:
        before, after = migrate(conn)
    finally:
        conn.close()
    if before is None:
        done = "created"
    elif before == after:
        done = "already at the current version"
    else:
        done = f"upgraded from schema version {before}"
    click.echo(f"register {where.display} ({where.dialect}): schema version {after} ({done})")


def _warn_pending(reg: Register) -> None:
    pending = reg.certificates(Status.PENDING, limit=20)
    if pending:
        numbers = ", ".join(r.number for r in pending)
        click.echo(
            f"une-eval: warning: {len(pending)} certificate(s) pending (issuing was interrupted before the "
            f"signed PDF was recorded): {numbers}; resolve each with `une-eval registry complete NUMBER --pdf "
            "FILE` or `une-eval registry withdraw NUMBER --reason ...`",
            err=True,
        )


@registry.command("list")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--status", "status", type=click.Choice([s.value for s in Status]), default=None)
@click.option("--limit", type=click.IntRange(1, 10_000), default=1000, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_(db: str | None, status: str | None, limit: int, fmt: str) -> None:
    """List certificates, newest first (pending ones are reported on stderr)."""
    now = dt.datetime.now(dt.UTC)
    with _open(db) as reg:
        records = reg.certificates(Status(status) if status else None, now=now, limit=limit)
        if fmt == "json":
            click.echo(json_text({"certificates": [r.to_json(now) for r in records]}))
        else:
            for r in records:
                e = r.entry
                click.echo(
                    f"{r.number:<26} {r.status(now):<10} {e.issued_at:%Y-%m-%d} -> {e.expires_at:%Y-%m-%d}  "
                    f"{plain(e.subject.organisation)} / {plain(e.subject.model)}"
                )
            click.echo(f"{len(records)} certificate(s)")
        _warn_pending(reg)


def _show_text(record: CertificateRecord, now: dt.datetime) -> None:
    data: dict[str, Any] = record.to_json(now)
    subject = data["subject"]
    rating = data["efficiency_class"]
    lines = [
        f"certificate {data['number']}: {data['status']}",
        f"  subject: {subject['organisation']} / {subject['model']} {subject['model_version']} ({subject['phase']})",
        f"  profile: {data['profile']['name']} {data['profile']['version']}  verdict: {data['verdict']}  "
        f"assurance: {data['assurance']}",
        f"  efficiency class: {rating['class'] + ' (' + rating['scheme'] + ')' if rating else 'none'}",
        f"  valid: {data['issued_at']} -> {data['expires_at']}",
        f"  PDF SHA-256: {data['pdf_sha256'] or '(not recorded yet)'}",
        f"  submission SHA-256: {data['submission_sha256']}",
    ]
    if data["supersedes"]:
        lines.append(f"  supersedes: {data['supersedes']}")
    if data["superseded_by"]:
        lines.append(f"  superseded by: {data['superseded_by']}")
    lines.append("  history:")
    lines += [f"    {h['at']}  {h['status']:<10} by {h['by']}: {h['reason']}" for h in data["history"]]
    for line in lines:
        click.echo(plain(line))


@registry.command("show")
@click.argument("number")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show(number: str, db: str | None, fmt: str) -> None:
    """Show one certificate with its history (exit 1 when it is not in the register)."""
    check_number(number)
    now = dt.datetime.now(dt.UTC)
    with _open(db) as reg:
        record = reg.get(number)
    if record is None:
        click.echo(f"une-eval: no certificate {number} in the register", err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(json_text(record.to_json(now)))
    else:
        _show_text(record, now)


def _change(number: str, db: str | None, change: Change, reason: str, by: str | None) -> None:
    check_number(number)
    with _open(db) as reg:
        reg.change(number, change, actor=by or default_actor(), reason=reason)
        record = reg.get(number)
    status = record.status(dt.datetime.now(dt.UTC)) if record else "?"
    click.echo(f"certificate {number}: {status}")


_REASON = click.option("--reason", required=True, help="Why (kept in the public history).")
_BY = click.option("--by", default=None, help="Who makes the change (default: the operating-system user).")


@registry.command("suspend")
@click.argument("number")
@click.option("--db", default=None, help=DB_HELP)
@_REASON
@_BY
def suspend(number: str, db: str | None, reason: str, by: str | None) -> None:
    """Suspend an active certificate (reinstate it later, or withdraw it)."""
    _change(number, db, Change.SUSPEND, reason, by)


@registry.command("withdraw")
@click.argument("number")
@click.option("--db", default=None, help=DB_HELP)
@_REASON
@_BY
def withdraw(number: str, db: str | None, reason: str, by: str | None) -> None:
    """Withdraw a certificate for good (also a pending one that was never issued)."""
    _change(number, db, Change.WITHDRAW, reason, by)


@registry.command("reinstate")
@click.argument("number")
@click.option("--db", default=None, help=DB_HELP)
@_REASON
@_BY
def reinstate(number: str, db: str | None, reason: str, by: str | None) -> None:
    """Make a suspended certificate active again."""
    _change(number, db, Change.REINSTATE, reason, by)


@registry.command("complete")
@click.argument("number")
@click.option("--pdf", "pdf", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--db", default=None, help=DB_HELP)
@_BY
def complete(number: str, pdf: Path, db: str | None, by: str | None) -> None:
    """Record the signed PDF of a pending certificate (after an interrupted `certify`)."""
    from une_eval.registry.pdfinfo import printed_number

    check_number(number)
    found = printed_number(pdf)
    if found != number:
        raise RegistryError(f"{pdf}: the PDF is certificate {found or '(no une-eval number)'}, not {number}")
    with _open(db) as reg:
        reg.activate(number, pdf_sha256(pdf), actor=by or default_actor())
    click.echo(f"certificate {number}: active (PDF SHA-256 recorded)")


@registry.command("reissue")
@click.argument("old_number")
@click.argument("submission", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--key", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--cert", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
@click.option("--db", default=None, help=DB_HELP)
@click.option("--registry-url", default=None, help="The public site's base URL (printed and in the QR code).")
@click.pass_context
def reissue(
    ctx: click.Context, old_number: str, submission: Path, key: Path, cert: Path | None, lang: str,
    output: Path | None, db: str | None, registry_url: str | None,
) -> None:  # fmt: skip
    """Issue a new certificate for SUBMISSION that supersedes OLD_NUMBER (which becomes superseded)."""
    from une_eval.cli.certify import certify

    check_number(old_number)
    ctx.invoke(
        certify, submissions=(submission,), key=key, cert=cert, lang=lang, output=output,
        db=_where(db).target, registry_url=registry_url, supersedes=old_number,
    )  # fmt: skip


@click.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any free port.")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Database connections.")
@click.option(
    "--max-clients",
    type=click.IntRange(1, 10_000),
    default=256,
    show_default=True,
    help="Connections served at once; one more is answered 503 at once.",
)
@click.option("--quiet", is_flag=True, help="No access log on stderr.")
def serve(db: str | None, host: str, port: int, threads: int, max_clients: int, quiet: bool) -> None:
    """Serve the public, read-only verification site of the register (Ctrl-C stops it)."""
    from une_eval.registry.site.server import make_server

    where = _where(db)
    server = make_server(where, host=host, port=port, connections=threads, quiet=quiet, max_clients=max_clients)
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    click.echo(
        f"serving the register {where.display} (schema {SCHEMA_VERSION}) at http://{bound_host}:{bound_port}/ "
        f"since {utc_text(dt.datetime.now(dt.UTC))}; Ctrl-C stops",
    )
    sys.stdout.flush()
    try:
        server.serve_forever()
    finally:
        server.server_close()
