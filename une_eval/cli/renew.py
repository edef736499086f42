"""``une-eval renew``: extend a long-term certificate's proof with one more document timestamp."""

from __future__ import annotations

from pathlib import Path

import click

from une_eval.cli.certify import refuse_existing, write_certificate
from une_eval.cli.show import plain
from une_eval.errors import InputError


def add_commands(group: click.Group) -> None:
    """Attach ``renew`` to the top-level group."""
    group.add_command(renew)


@click.command()
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--tsa-url", required=True, help="RFC 3161 timestamp authority for the new document timestamp.")
@click.option(
    "--trust",
    "trust",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Trusted CA certificate(s), PEM or DER (repeatable): the file must verify against them.",
)
@click.option(
    "--crl",
    "crl_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A CA's revocation list (repeatable): used to verify, and embedded for the last timestamp's TSA; "
    "without any, fetched from the certificates' URLs.",
)
@click.option(
    "--chain",
    "chain",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Extra CA certificates on the TSA's path (repeatable).",
)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def renew(
    pdf: Path,
    tsa_url: str,
    trust: tuple[Path, ...],
    crl_files: tuple[Path, ...],
    chain: tuple[Path, ...],
    output: Path,
    force: bool,
) -> None:
    """Renew a PAdES B-LT or B-LTA certificate: add validation data and a new document timestamp.

    Do it before the last timestamp's TSA certificate expires. The file must verify PASSED against
    --trust (and --crl); the auditor's signature and what it covers are not touched, and no signing
    key is needed. The renewed file is verified again before it is written to --output (never over an
    existing file without --force). Exit code 0 when renewed, 2 when it could not be.
    """
    from une_eval.loading import read_bounded
    from une_eval.report.crl import load_crls
    from une_eval.report.renew import renew as renew_pdf
    from une_eval.report.renew import renewal_context
    from une_eval.report.sign import http_timestamper
    from une_eval.report.verify import MAX_PDF_BYTES, load_trust_roots

    refuse_existing(output, force=force)
    roots = load_trust_roots(list(trust))
    crls = load_crls(list(crl_files))
    extra = load_trust_roots(list(chain)) if chain else []  # certificates, read like --trust ones
    try:
        data = read_bounded(pdf, MAX_PDF_BYTES)
    except InputError as exc:
        raise InputError(f"{pdf}: {exc}") from None
    validation = renewal_context(roots, crls, extra, fetch=not crls)
    renewed = renew_pdf(data, roots=roots, crls=crls, timestamper=http_timestamper(tsa_url), validation=validation)
    write_certificate(output, renewed.pdf, force=force)
    stamps = renewed.after.checks
    latest = [c.detail for c in stamps if c.name == "archive timestamp"][-1:]
    click.echo(
        plain(f"renewed {pdf} -> {output}: PAdES {renewed.before.level} -> {renewed.after.level}, verified PASSED")
    )
    for detail in latest:
        click.echo(plain(f"  newest {detail}"))
