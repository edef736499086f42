"""``une-eval keys``: development signing keys, the development CA's revocation list, revoking a key, a trial TSA.

Passphrases come from ``UNE_EVAL_KEY_PASSPHRASE`` or a hidden prompt (see :func:`une_eval.cli.certify.read_passphrase`).
"""

from __future__ import annotations

import signal
from pathlib import Path

import click

from une_eval.cli.certify import read_passphrase
from une_eval.cli.show import plain
from une_eval.errors import InputError
from une_eval.report.crl import REASONS
from une_eval.report.keys import KEY_TYPES, init_dev_pki, republish_dev_crl


@click.group()
def keys() -> None:
    """Development signing keys (a real auditor uses a certificate from a trusted CA instead)."""


@keys.command("revoke")
@click.argument("certificate", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--dir", "folder", required=True, type=click.Path(path_type=Path, file_okay=False), help="The CA's folder."
)
@click.option("--reason", type=click.Choice(list(REASONS)), default="key-compromise", show_default=True)
def keys_revoke(certificate: Path, folder: Path, reason: str) -> None:
    """Revoke an auditor's signing certificate (PEM) in the development CA, and publish its new CRL (ca.crl).

    Certificates it signed then verify as FAILED (REVOKED) wherever the new CRL is used.
    """
    crl = republish_dev_crl(folder, passphrase=read_passphrase() or b"", revoke=certificate, reason=reason)
    click.echo(plain(f"revoked {certificate} ({reason}); new revocation list: {crl}"))


@keys.command("crl")
@click.option(
    "--dir", "folder", required=True, type=click.Path(path_type=Path, file_okay=False), help="The CA's folder."
)
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True, help="How long the CRL is valid.")
def keys_crl(folder: Path, days: int) -> None:
    """Publish the development CA's revocation list again, valid for --days more days (same revocations)."""
    crl = republish_dev_crl(folder, passphrase=read_passphrase() or b"", validity_days=days)
    click.echo(plain(f"new revocation list: {crl}"))


@keys.command("tsa")
@click.option(
    "--dir",
    "folder",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The development CA's folder (from une-eval keys init).",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port on 127.0.0.1 (0: any free one)."
)
def keys_tsa(folder: Path, port: int) -> None:
    """Serve a development timestamp authority (RFC 3161) on 127.0.0.1 until Ctrl-C or SIGTERM.

    Its certificate is issued now by the development CA in --dir (the CA key's passphrase is asked
    for), so verify --trust ca.pem trusts its timestamps. The first line printed is its URL, for
    certify --tsa-url and renew --tsa-url. For trying PAdES B-T, B-LT and B-LTA: never for real
    certificates.
    """
    from une_eval.report.dev_tsa import TSA_NAME, dev_timestamper, expires, tsa_server

    stamper = dev_timestamper(folder, read_passphrase() or b"")
    try:
        server = tsa_server(stamper, port)
    except OSError as exc:
        raise InputError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    previous = signal.signal(signal.SIGTERM, _interrupt)  # before the URL is out: a caller may stop it at once
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        click.echo(url)
        until = expires(stamper).strftime("%Y-%m-%d")
        click.echo(f"{TSA_NAME} (certificate valid until {until}) at {url}; Ctrl-C or SIGTERM stops it", err=True)
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("development TSA stopped", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@keys.command("init")
@click.option("--dir", "folder", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--auditor", default="Development Auditor", show_default=True, help="Auditor's name (certificate CN).")
@click.option("--organisation", default="une-eval development", show_default=True)
@click.option(
    "--key-type", type=click.Choice(KEY_TYPES), default="ec", show_default=True, help="EC P-256 (fast) or RSA 3072."
)
@click.option("--force", is_flag=True, help="Use an existing folder (files already in it are still never replaced).")
def keys_init(folder: Path, auditor: str, organisation: str, key_type: str, force: bool) -> None:
    """Write a development CA and an auditor key + certificate into a new folder.

    The folder is created mode 0700, private keys 0600 (encrypted with a passphrase of at least 12
    characters, from UNE_EVAL_KEY_PASSPHRASE or a prompt), certificates 0644.
    """
    paths = init_dev_pki(
        folder,
        passphrase=read_passphrase(new=True) or b"",
        auditor=auditor,
        organisation=organisation,
        key_type=key_type,
        force=force,
    )
    click.echo(plain(f"trust anchor (for verify --trust): {paths.ca_cert}"))
    click.echo(plain(f"auditor key + certificate (for certify --key): {paths.auditor_p12}"))
    click.echo(plain(f"revocation list (for certify/verify --crl): {paths.ca_crl}"))
    click.echo(plain(f"also: {paths.auditor_cert}, {paths.auditor_key}, {paths.ca_key}"))
    click.echo("These are development keys: do not use them to certify anything real.")
