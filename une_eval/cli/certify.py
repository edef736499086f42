"""``une-eval certify`` and ``verify``: the certificate job on the command line (``keys``: :mod:`une_eval.cli.keys`).

Passphrases come from the ``UNE_EVAL_KEY_PASSPHRASE`` environment variable or a hidden prompt,
never from an argument (arguments end up in shell history and process listings).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from une_eval.cli.show import escape, plain
from une_eval.cli.spec_options import load_spec_options
from une_eval.errors import InputError, SigningError
from une_eval.loading import read_bounded
from une_eval.output import write_atomic
from une_eval.registry.db import REGISTRY_ENV
from une_eval.report.issue import Issued, issue_certificate
from une_eval.report.key_files import MIN_PASSPHRASE_CHARS, check_new_passphrase, check_passphrase_length
from une_eval.report.render import LANGUAGES, Renderer
from une_eval.report.sign import Level, http_timestamper, load_signer, validation_context_for
from une_eval.text import json_text

if TYPE_CHECKING:  # rich, the verifier and the register's answers load only for ``verify``, not for every certificate
    from rich.console import Console

    from une_eval.registry.standing import Standing
    from une_eval.registry.store import Register
    from une_eval.report.verify import Verification

MAX_KEY_BYTES = 1024 * 1024
PASSPHRASE_ENV = "UNE_EVAL_KEY_PASSPHRASE"  # noqa: S105 (the variable's name, not a secret)


def add_commands(group: click.Group) -> None:
    """Attach the certificate commands to the top-level group."""
    from une_eval.cli.keys import keys  # the key commands live beside, and read the passphrase from here

    group.add_command(certify)
    group.add_command(verify)
    group.add_command(keys)


def read_passphrase(*, new: bool = False, needed: bool = True) -> bytes | None:
    """Read the key passphrase from the environment, else a hidden prompt (None when not needed).

    A passphrase for ``new`` keys is asked twice and must have at least 12 characters.
    """
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None and not needed:
        return None
    if value is None:
        if not sys.stdin.isatty():
            raise SigningError(f"set {PASSPHRASE_ENV} (no terminal to prompt for the key passphrase)")
        prompt = f"New key passphrase (at least {MIN_PASSPHRASE_CHARS} characters)" if new else "Key passphrase"
        value = str(click.prompt(prompt, hide_input=True, confirmation_prompt=new))
    passphrase = value.encode("utf-8", errors="surrogateescape")
    if new:
        check_new_passphrase(passphrase)
    else:
        check_passphrase_length(passphrase)
    return passphrase


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
@click.option(
    "--profile",
    default=None,
    help="Profile to check against: a bundled name or a profile file, a path ending in .json "
    "(default: the profile the file claims).",
)
@click.option("--number", default=None, help="Certificate number (default: UEC-<date>-<random>); one submission only.")
@click.option("--force", is_flag=True, help="Replace an existing certificate file of the same name.")
@click.option("--tsa-url", default=None, help="RFC 3161 timestamp authority (B-T and above; alone: B-T).")
@click.option(
    "--level",
    type=click.Choice([str(v) for v in Level]),
    default=None,
    help="PAdES level: B-B, B-T (timestamp), B-LT (+ chain and revocation data), B-LTA (+ document timestamp). "
    "Default: B-T with --tsa-url, else B-B.",
)
@click.option(
    "--crl",
    "crl_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="B-LT/B-LTA: a CA's revocation list to embed (repeatable); without it, fetched from the certificates' URLs.",
)
@click.option(
    "--rating-scheme",
    default=None,
    help="Rating scheme for the efficiency class: a bundled name from spec/ratings or a scheme file, "
    "a path ending in .json (default: the provisional one).",
)
@click.option(
    "--db",
    default=None,
    help="Record each certificate in this register (SQLite path or postgresql:// URL; default $UNE_EVAL_REGISTRY).",
)
@click.option("--registry-url", default=None, help="The register site's base URL: its page link goes in the QR code.")
@click.option("--supersedes", default=None, help="With a register: the certificate number this one replaces.")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes rendering and signing (0 = all cores); the key is loaded once for all of them.",
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
    db: str | None = None,
    registry_url: str | None = None,
    supersedes: str | None = None,
    force: bool = False,
    level: str | None = None,
    crl_files: tuple[Path, ...] = (),
    jobs: int = 1,
) -> None:
    """Issue a signed PDF certificate for each submission.

    A conformant submission gets a certificate of conformity, a non-conformant one a non-conformity
    report listing its findings. An existing file is never replaced without --force. Exit code 0
    when every document issued is a certificate of conformity, 1 when any is a non-conformity
    report, 2 when a submission cannot be certified or its certificate cannot be written.
    With a register (--db or $UNE_EVAL_REGISTRY) each certificate is recorded, and with --registry-url
    its public page's link is printed on page 1 and put in the QR code.
    """
    if (number or supersedes) and len(submissions) > 1:
        raise InputError("--number and --supersedes name one certificate; give one submission with them")
    target_for = _targets(output, len(submissions), number, force=force)
    # A certificate written to a file the user named prints that name in its verify hint.
    named = (
        output
        if output is not None and len(submissions) == 1 and not output.is_dir() and output.suffix == ".pdf"
        else None
    )
    load_spec_options(profile, rating_scheme)
    register = _register(db, registry_url, supersedes)
    if register is not None:
        click.get_current_context().call_on_close(register.close)
    passphrase = read_passphrase(needed=_key_is_encrypted(key))
    if key.suffix.lower() in (".p12", ".pfx"):
        signer = load_signer(p12=key, chain=chain, passphrase=passphrase)
    else:
        signer = load_signer(key=key, cert=cert, chain=chain, passphrase=passphrase)
    renderer = Renderer()
    timestamper = http_timestamper(tsa_url) if tsa_url else None
    pades = _signing(signer, Level(level) if level else None, timestamper is not None, crl_files)
    n_workers = min(len(submissions), (os.cpu_count() or 1) if jobs == 0 else jobs)
    if n_workers > 1 and _can_fork():
        from une_eval.cli.certify_batch import certify_batch
        from une_eval.report.batch import Signing

        signing = Signing(renderer, signer, lang, timestamper, profile, rating_scheme, **pades)
        write_to = partial(_write_to, target_for, force=force)
        sys.exit(
            certify_batch(submissions, signing, n_workers, write=write_to, register=register, registry_url=registry_url)
        )
    worst = 0
    for sub in submissions:

        def write(issued: Issued) -> Path:
            target = target_for(issued.number)
            write_certificate(target, issued.pdf, force=force)
            return target

        if register is None:
            issued = issue_certificate(
                sub,
                renderer=renderer,
                signer=signer,
                lang=lang,
                number=number,
                rating_scheme=rating_scheme,
                timestamper=timestamper,
                profile=profile,
                file_name=named.name if named is not None else None,
                **pades,
            )
            target = write(issued)
        else:  # the register hook: the number is reserved before signing, the PDF's hash recorded after writing
            from une_eval.registry.issuing import issue_and_record

            issued, target = issue_and_record(
                register, sub, write, renderer=renderer, signer=signer, lang=lang, number=number,
                rating_scheme=rating_scheme, timestamper=timestamper, profile=profile,
                public_base_url=registry_url, supersedes=supersedes, **pades,
                file_name=named.name if named is not None else None,
            )  # fmt: skip
        kind = "certificate of conformity" if issued.conformant else "NON-CONFORMITY REPORT"
        click.echo(plain(f"{sub}: {kind} {issued.number} ({issued.verdict}) -> {target}"))
        worst = max(worst, 0 if issued.conformant else 1)
    sys.exit(worst)


def _register(db: str | None, registry_url: str | None, supersedes: str | None) -> Register | None:
    """The register to record in (see ``register_for_certify``); its modules load only when one is asked for."""
    if db is None and registry_url is None and supersedes is None and not os.environ.get(REGISTRY_ENV):
        return None
    from une_eval.registry.issuing import register_for_certify

    return register_for_certify(db, registry_url, supersedes)


def _signing(signer: Any, level: Level | None, timestamped: bool, crl_files: tuple[Path, ...]) -> dict[str, Any]:
    """The PAdES level and, for B-LT/B-LTA, the validation data to embed; refused early when something is missing."""
    from une_eval.report.crl import load_crls

    level = level or (Level.B_T if timestamped else Level.B_B)
    if level.needs_timestamp and not timestamped:
        raise SigningError(f"--level {level} needs a timestamp authority: give --tsa-url")
    if crl_files and not level.long_term:
        raise SigningError("--crl embeds revocation data: it goes with --level B-LT or B-LTA")
    if not level.long_term:
        return {"level": level}
    crls = load_crls(list(crl_files))
    return {"level": level, "validation": validation_context_for(signer, crls, fetch=not crls)}


def _can_fork() -> bool:
    from une_eval.report.batch import workers_available

    return workers_available()


def _write_to(target_for: Callable[[str], Path], issued: Issued, *, force: bool) -> Path:
    target = target_for(issued.number)
    write_certificate(target, issued.pdf, force=force)
    return target


def _targets(output: Path | None, count: int, number: str | None, *, force: bool) -> Callable[[str], Path]:
    """Where each certificate goes, by number; a target known now that exists is refused before any work."""
    to_folder = output is not None and (count > 1 or output.is_dir() or output.suffix != ".pdf")

    def target_for(number: str) -> Path:
        name = f"certificate-{number}.pdf"
        return output / name if output is not None and to_folder else output or Path(name)

    known = output if output is not None and not to_folder else target_for(number) if number else None
    if known is not None:
        refuse_existing(known, force=force)
    return target_for


def refuse_existing(target: Path, *, force: bool) -> None:
    """Refuse, before any work, an output that exists (a link too) unless ``force``."""
    if not force and (target.exists() or target.is_symlink()):
        raise InputError(f"{target} already exists; pass --force to replace it")


def write_certificate(target: Path, pdf: bytes, *, force: bool) -> None:
    """Write atomically; without ``force`` never over an existing file (checked again at the rename)."""
    try:
        write_atomic(target, pdf, replace=force)
    except FileExistsError:
        raise InputError(f"{target} already exists; pass --force to replace it") from None
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None


_STYLE = {"PASSED": "bold green", "FAILED": "bold red", "INDETERMINATE": "bold yellow"}


def _print_verification(report: Verification, console: Console) -> None:
    indication = str(report.indication)
    sub = f" {report.sub_indication}" if report.sub_indication else ""
    console.print(f"[{_STYLE[indication]}]{indication}[/]{escape(sub)}  {escape(report.path)}")
    console.print(f"  {escape(report.sentence)}")
    for key, value in report.printed.items():
        console.print(f"  {key}: {escape(value)}")
    if report.signer:
        console.print(
            f"  signer: {escape(report.signer)}  signed at: {escape(report.signed_at)}"
            f"{'  (timestamped)' if report.timestamped else ''}  level: PAdES {escape(report.level)}"
        )
    if report.development_key:
        console.print(
            "  [bold yellow]development key[/]: signed with a key from `une-eval keys init`; "
            "the document is marked not valid and certifies nothing"
        )
    for check in report.checks:
        mark = "[green]ok  [/]" if check.ok else "[red]FAIL[/]"
        said = check.ok or check.detail.startswith(str(check.indication))  # the register's detail names it
        why = "" if said else f" [{check.indication} {check.sub_indication}]"
        console.print(f"  {mark} {escape(check.name)}: {escape(check.detail)}{escape(why)}")


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
@click.option(
    "--crl",
    "crl_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A CA's certificate revocation list, DER or PEM (repeatable); used with any embedded in the file.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--registry", "registry_url", default=None, help="Also check the status at this register site's URL.")
@click.option("--db", default=None, help="Also check the status in this register database (path or postgresql:// URL).")
@click.option("--registry-timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True, help="Seconds.")
def verify(
    pdfs: tuple[Path, ...],
    trust: tuple[Path, ...],
    fmt: str,
    registry_url: str | None = None,
    db: str | None = None,
    registry_timeout: float = 10.0,
    crl_files: tuple[Path, ...] = (),
) -> None:
    """Verify signed certificates: signature, trust, revocation, coverage, attachments, re-validation.

    Each file gets PASSED, FAILED or INDETERMINATE with a sub-indication and one sentence, then the
    per-check lines. Revocation data comes from the file (PAdES B-LT/B-LTA) and --crl; without any,
    the answer is INDETERMINATE (TRY_LATER). With --registry or --db the certificate's status in its
    register is checked last: withdrawn is FAILED; suspended, expired, superseded or an unreachable
    register INDETERMINATE. Exit code 0 when every file PASSED, 1 when any FAILED, else 2 when any
    is INDETERMINATE or a file, trust anchor or CRL cannot be read.
    """
    from rich.console import Console

    from une_eval.registry.standing import registry_exit_code, registry_step
    from une_eval.report.crl import load_crls
    from une_eval.report.verify import load_trust_roots, verify_file

    roots = load_trust_roots(list(trust))
    crls = load_crls(list(crl_files))
    reports = [verify_file(p, roots, crls=crls) for p in pdfs]
    standings: list[Standing | None] = [None] * len(reports)
    if registry_url is not None or db is not None:  # the register step, after the signature checks
        standings = [
            registry_step(r, p, registry_url, db, registry_timeout) for r, p in zip(reports, pdfs, strict=True)
        ]
    if fmt == "json":
        files = [
            r.to_json() | ({"registry": s.to_json()} if s else {}) for r, s in zip(reports, standings, strict=True)
        ]
        click.echo(json_text({"files": files}))
    else:
        console = Console(highlight=False, soft_wrap=True)
        for report in reports:
            _print_verification(report, console)
    sys.exit(registry_exit_code(reports, standings))
