"""``une-eval certify``, ``verify`` and ``keys init``: the certificate job on the command line.

Passphrases come from the ``UNE_EVAL_KEY_PASSPHRASE`` environment variable or a hidden prompt,
never from an argument (arguments end up in shell history and process listings).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from une_eval.errors import InputError, SigningError
from une_eval.loading import read_bounded
from une_eval.output import write_atomic
from une_eval.report.issue import issue_certificate
from une_eval.report.keys import KEY_TYPES, init_dev_pki
from une_eval.report.render import LANGUAGES, Renderer
from une_eval.report.sign import http_timestamper, load_signer

if TYPE_CHECKING:  # rich and the verifier load only for ``verify``, not for every certificate
    from rich.console import Console

    from une_eval.report.verify import Verification

# pyHanko logs a traceback for a wrong passphrase and WeasyPrint logs layout notes; the CLI reports
# failures as one clear line, so their log records go nowhere instead of Python's last-resort stderr.
for _name in ("pyhanko", "pyhanko_certvalidator", "weasyprint", "fontTools"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

MAX_KEY_BYTES = 1024 * 1024
PASSPHRASE_ENV = "UNE_EVAL_KEY_PASSPHRASE"  # noqa: S105 (the variable's name, not a secret)


def add_commands(group: click.Group) -> None:
    """Attach the certificate commands to the top-level group."""
    group.add_command(certify)
    group.add_command(verify)
    group.add_command(keys)


def read_passphrase(*, confirm: bool = False, needed: bool = True) -> bytes | None:
    """Read the key passphrase from the environment, else a hidden prompt (None when not needed)."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None:
        return value.encode("utf-8")
    if not needed:
        return None
    if not sys.stdin.isatty():
        raise SigningError(f"set {PASSPHRASE_ENV} (no terminal to prompt for the key passphrase)")
    return str(click.prompt("Key passphrase", hide_input=True, confirmation_prompt=confirm)).encode("utf-8")


def _key_is_encrypted(key: Path) -> bool:
    try:
        head = read_bounded(key, MAX_KEY_BYTES)[:4096]
    except InputError as exc:
        raise SigningError(f"{key}: {exc}") from None
    return key.suffix.lower() in (".p12", ".pfx") or b"ENCRYPTED" in head


@click.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--key",
    "key",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="PKCS#12 file (.p12/.pfx), or a PEM private key used with --cert.",
)
@click.option(
    "--cert", "cert", type=click.Path(path_type=Path, dir_okay=False), help="PEM certificate for a PEM --key."
)
@click.option(
    "--chain",
    "chain",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Extra CA certificates to embed (repeatable).",
)
@click.option("--lang", type=click.Choice(LANGUAGES), default="es", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="A .pdf file (one submission) or a folder. Default: certificate-<number>.pdf here.",
)
@click.option("--profile", default=None, help="Profile to check against (default: the one the file claims).")
@click.option("--number", default=None, help="Certificate number (default: UEC-<date>-<random>); one submission only.")
@click.option("--tsa-url", default=None, help="RFC 3161 timestamp authority: signs PAdES B-T instead of B-B.")
@click.option(
    "--rating-scheme",
    default=None,
    help="Rating scheme from spec/ratings/ for the efficiency class (default: the provisional one).",
)
def certify(
    submissions: tuple[Path, ...],
    key: Path,
    cert: Path | None,
    chain: tuple[Path, ...],
    lang: str,
    output: Path | None,
    profile: str | None,
    number: str | None,
    tsa_url: str | None,
    rating_scheme: str | None,
) -> None:
    """Issue a signed PDF certificate for each submission.

    A conformant submission gets a certificate of conformity, a non-conformant one a non-conformity
    report listing its findings. Exit code 0 when every document issued is a certificate of
    conformity, 1 when any is a non-conformity report, 2 when a submission cannot be certified.
    """
    if number and len(submissions) > 1:
        raise InputError("--number names one certificate; give one submission with it")
    passphrase = read_passphrase(needed=_key_is_encrypted(key))
    if key.suffix.lower() in (".p12", ".pfx"):
        signer = load_signer(p12=key, chain=chain, passphrase=passphrase)
    else:
        signer = load_signer(key=key, cert=cert, chain=chain, passphrase=passphrase)
    renderer = Renderer()
    timestamper = http_timestamper(tsa_url) if tsa_url else None
    worst = 0
    for sub in submissions:
        issued = issue_certificate(
            sub,
            renderer=renderer,
            signer=signer,
            lang=lang,
            number=number,
            rating_scheme=rating_scheme,
            timestamper=timestamper,
            profile=profile,
        )
        name = f"certificate-{issued.number}.pdf"
        to_folder = output is not None and (len(submissions) > 1 or output.is_dir() or output.suffix != ".pdf")
        target = output / name if output is not None and to_folder else output or Path(name)
        write_atomic(target, issued.pdf)
        kind = "certificate of conformity" if issued.conformant else "NON-CONFORMITY REPORT"
        click.echo(f"{sub}: {kind} {issued.number} ({issued.verdict}) -> {target}")
        worst = max(worst, 0 if issued.conformant else 1)
    sys.exit(worst)


def _print_verification(report: Verification, console: Console) -> None:
    from rich.markup import escape

    style = "bold green" if report.ok else "bold red"
    console.print(f"[{style}]{'VERIFIED' if report.ok else 'NOT VERIFIED'}[/]  {escape(report.path)}")
    for key, value in report.printed.items():
        console.print(f"  {key}: {escape(value)}")
    if report.signer:
        console.print(
            f"  signer: {escape(report.signer)}  signed at: {escape(report.signed_at)}"
            f"{'  (timestamped)' if report.timestamped else ''}"
        )
    for check in report.checks:
        mark = "[green]ok  [/]" if check.ok else "[red]FAIL[/]"
        console.print(f"  {mark} {escape(check.name)}: {escape(check.detail)}")


@click.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--trust",
    "trust",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Trusted CA certificate(s), PEM or DER (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(pdfs: tuple[Path, ...], trust: tuple[Path, ...], fmt: str) -> None:
    """Verify signed certificates: signature, trust, whole-file coverage, attachments, re-validation.

    Exit code 0 only when every check holds for every file, 1 when any fails, 2 when a file
    or trust anchor cannot be read.
    """
    from rich.console import Console

    from une_eval.report.verify import load_trust_roots, verify_file

    roots = load_trust_roots(list(trust))
    reports = [verify_file(p, roots) for p in pdfs]
    if fmt == "json":
        click.echo(json.dumps({"files": [r.to_json() for r in reports]}, indent=2, ensure_ascii=False))
    else:
        console = Console(highlight=False, soft_wrap=True)
        for report in reports:
            _print_verification(report, console)
    sys.exit(0 if all(r.ok for r in reports) else 1)


@click.group()
def keys() -> None:
    """Development signing keys (a real auditor uses a certificate from a trusted CA instead)."""


@keys.command("init")
@click.option("--dir", "folder", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--auditor", default="Development Auditor", show_default=True, help="Auditor's name (certificate CN).")
@click.option("--organisation", default="une-eval development", show_default=True)
@click.option(
    "--key-type", type=click.Choice(KEY_TYPES), default="ec", show_default=True, help="EC P-256 (fast) or RSA 3072."
)
def keys_init(folder: Path, auditor: str, organisation: str, key_type: str) -> None:
    """Write a development CA and an auditor key + certificate (private keys mode 0600)."""
    paths = init_dev_pki(
        folder,
        passphrase=read_passphrase(confirm=True) or b"",
        auditor=auditor,
        organisation=organisation,
        key_type=key_type,
    )
    click.echo(f"trust anchor (for verify --trust): {paths.ca_cert}")
    click.echo(f"auditor key + certificate (for certify --key): {paths.auditor_p12}")
    click.echo(f"also: {paths.auditor_cert}, {paths.auditor_key}, {paths.ca_key}")
    click.echo("These are development keys: do not use them to certify anything real.")
