"""Issue a certificate and record it: the number is reserved before signing, the PDF's hash after writing.

The order makes a crash safe. The register knows a number (as ``pending``) before any PDF carrying it
exists; a failure while rendering, signing or writing removes that reservation again; a crash (or a
register that fails after the PDF was written) leaves it ``pending``, which ``une-eval registry list``
reports and ``registry complete`` or ``registry withdraw`` resolves. So no certificate exists that the
register does not know.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from une_eval.audit import Audit
from une_eval.errors import InputError
from une_eval.findings import Outcome
from une_eval.registry.db import RegistryError
from une_eval.registry.link import PublicEntry, page_url
from une_eval.registry.records import KeyFigure, NewCertificate, Subject
from une_eval.registry.store import Register, check_number

if TYPE_CHECKING:
    from pyhanko.sign import signers
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko_certvalidator import ValidationContext

    from une_eval.report.issue import Issued
    from une_eval.report.render import Renderer
    from une_eval.report.sign import Level

# The figures the public page shows, in this order, when the certificate has them.
KEY_FIGURES = (
    "energy_per_unit",
    "statistics.ci95_low",
    "statistics.ci95_high",
    "energy_total.total_j",
    "emissions_g_co2e",
    "water_l",
    "sci.score_g_co2e_per_unit",
)
NUMBER_TRIES = 5


def default_actor() -> str:
    """Who is recorded as making a change when nobody is named: the operating-system user."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no user name in this environment (a container without /etc/passwd entry)
        return "unknown"


def new_entry(
    audit: Audit,
    *,
    number: str,
    issued_at: dt.datetime,
    auditor: str,
    supersedes: str | None = None,
    profile_option: str | None = None,
) -> NewCertificate:
    """What the register records about the certificate of ``audit`` (a checked, certifiable submission).

    ``profile_option`` is the ``--profile`` it was checked against (a name or a profile file), if any.
    """
    from une_eval.loading import parse_json_bytes
    from une_eval.validation import resolve_profile

    sub = audit.submission
    if sub is None or audit.document is None:
        raise RegistryError(f"{audit.source}: the submission could not be checked, so nothing can be recorded")
    profile = resolve_profile(parse_json_bytes(audit.document), profile_option)
    wanted = {f.key: f for f in audit.figures if f.key in KEY_FIGURES}
    figures = tuple(
        KeyFigure(k, wanted[k].value, wanted[k].unit, str(wanted[k].provenance)) for k in KEY_FIGURES if k in wanted
    )
    return NewCertificate(
        number=number,
        submission_sha256=hashlib.sha256(audit.document).hexdigest(),
        subject=Subject(
            sub.submitter.organisation,
            sub.system.model.name,
            sub.system.model.version or "",
            sub.phase,
            sub.submission_id,
        ),
        profile=profile.name,
        profile_version=profile.version,
        verdict=str(audit.verdict),
        assurance=str(audit.assurance),
        efficiency_class=audit.rating.grade if audit.rating else None,
        rating_scheme=audit.rating.scheme if audit.rating else None,
        issued_at=issued_at,
        expires_at=issued_at + dt.timedelta(days=profile.validity_days),
        auditor=auditor,
        figures=figures,
        supersedes=supersedes,
    )


@dataclass(frozen=True, slots=True)
class Reservation:
    """A number recorded as pending, with what the certificate must print about it."""

    entry: NewCertificate
    public: PublicEntry | None


def reserve(
    register: Register,
    audit: Audit,
    *,
    auditor: str,
    number: str | None,
    public_base_url: str | None,
    supersedes: str | None = None,
    actor: str | None = None,
    issued_at: dt.datetime | None = None,
    profile_option: str | None = None,
) -> Reservation:
    """Record the certificate of ``audit`` as pending under ``number`` (or a new random number)."""
    from une_eval.report.content import new_certificate_number

    issued_at = issued_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    actor = actor or default_actor()
    for attempt in range(NUMBER_TRIES):
        chosen = check_number(number) if number else new_certificate_number(issued_at)
        entry = new_entry(
            audit, number=chosen, issued_at=issued_at, auditor=auditor, supersedes=supersedes,
            profile_option=profile_option,
        )  # fmt: skip
        try:
            register.reserve(entry, actor=actor, now=issued_at)
        except RegistryError as exc:
            # A random number that is already taken (48 bits: practically never) is simply drawn again.
            if number or "already in the register" not in str(exc) or attempt == NUMBER_TRIES - 1:
                raise
            continue
        public = None
        if public_base_url:
            public = PublicEntry(page_url(public_base_url, chosen), issued_at.date(), entry.expires_at.date())
        return Reservation(entry, public)
    raise AssertionError("unreachable")  # pragma: no cover


def certifiable(audit: Audit) -> bool:
    """Whether a certificate (of conformity or a non-conformity report) can be issued for ``audit``."""
    return audit.verdict not in (Outcome.INVALID, Outcome.ERROR) and audit.submission is not None


def refuse_uncertifiable(audit: Audit, submission: Path | Audit) -> None:
    """Raise :class:`InputError` saying why no certificate can be issued for ``audit``, if none can."""
    if certifiable(audit):
        return
    from une_eval.report.content import prepare_audit

    try:  # the certificate code words the refusal; nothing is recorded
        prepare_audit(audit, base_dir=None)
    except InputError as exc:
        raise InputError(f"{submission}: {exc}") from None
    raise InputError(f"{submission}: cannot be certified ({audit.verdict})")


def issue_recorded(
    register: Register,
    audit: Audit,
    *,
    auditor: str,
    issue: Callable[[Reservation], bytes],
    write: Callable[[bytes], None],
    number: str | None = None,
    public_base_url: str | None = None,
    supersedes: str | None = None,
    actor: str | None = None,
    profile_option: str | None = None,
) -> Reservation:
    """Reserve a number, sign with ``issue`` (returns the PDF), ``write`` it, then record its hash.

    When ``issue`` or ``write`` fails, the reservation is removed (nothing was issued). When recording
    the hash fails after the PDF was written, the certificate stays pending and the error says how to
    complete it.
    """
    actor = actor or default_actor()
    reservation = reserve(
        register, audit, auditor=auditor, number=number, public_base_url=public_base_url,
        supersedes=supersedes, actor=actor, profile_option=profile_option,
    )  # fmt: skip
    chosen = reservation.entry.number
    try:
        pdf = issue(reservation)
        write(pdf)
    except BaseException:
        register.discard_pending(chosen)
        raise
    try:
        register.activate(chosen, hashlib.sha256(pdf).hexdigest(), actor=actor)
    except RegistryError as exc:
        raise RegistryError(
            f"certificate {chosen} was written but stays pending in the register ({exc}); once the register "
            f"is reachable, run `une-eval registry complete {chosen} --pdf FILE`"
        ) from None
    return reservation


def issue_and_record(
    register: Register,
    submission: Path | Audit,
    write: Callable[[Issued], Path],
    *,
    renderer: Renderer,
    signer: signers.SimpleSigner,
    lang: str = "es",
    number: str | None = None,
    rating_scheme: str | None = None,
    timestamper: TimeStamper | None = None,
    profile: str | None = None,
    public_base_url: str | None = None,
    supersedes: str | None = None,
    actor: str | None = None,
    level: Level | None = None,
    validation: ValidationContext | None = None,
    file_name: str | None = None,
) -> tuple[Issued, Path]:
    """Check ``submission``, then issue its certificate with :func:`issue_recorded`; ``write`` stores the PDF.

    ``file_name``: the name the certificate is saved under, for its verify hint (default
    ``certificate-<number>.pdf``). Returns the issued certificate and where ``write`` put it. A
    submission that cannot be certified is refused (``InputError``) before anything is recorded.
    """
    from une_eval.report.issue import issue_certificate
    from une_eval.report.sign import auditor_of
    from une_eval.validation import check_file

    if isinstance(submission, Audit):
        audit = submission
    else:
        audit = check_file(submission, profile=profile, rating_scheme=rating_scheme)
    done: list[Issued] = []
    written: list[Path] = []

    def issue(reservation: Reservation) -> bytes:
        issued = issue_certificate(
            audit, renderer=renderer, signer=signer, lang=lang, number=reservation.entry.number,
            timestamper=timestamper, issued_at=reservation.entry.issued_at, registry=reservation.public,
            level=level, validation=validation, file_name=file_name,
        )  # fmt: skip
        done.append(issued)
        return issued.pdf

    refuse_uncertifiable(audit, submission)
    issue_recorded(
        register, audit, auditor=auditor_of(signer).name, issue=issue, write=lambda _: written.append(write(done[-1])),
        number=number, public_base_url=public_base_url, supersedes=supersedes, actor=actor, profile_option=profile,
    )  # fmt: skip
    return done[-1], written[-1]


def register_for_certify(db: str | None, public_base_url: str | None, supersedes: str | None) -> Register | None:
    """The register ``certify`` records in: ``--db``, else ``UNE_EVAL_REGISTRY``; None when neither is set."""
    import os

    from une_eval.registry.db import REGISTRY_ENV, parse_location
    from une_eval.registry.link import check_base_url
    from une_eval.registry.store import open_register

    if db is None and not os.environ.get(REGISTRY_ENV):
        if public_base_url or supersedes:
            raise RegistryError(
                f"--registry-url and --supersedes need a register to record in: give --db or set {REGISTRY_ENV}"
            )
        return None
    if public_base_url:
        check_base_url(public_base_url)
    if supersedes:
        check_number(supersedes)
    return open_register(parse_location(db))


def pdf_sha256(path: Path) -> str:
    """SHA-256 of a certificate file, for ``registry complete``."""
    from une_eval.loading import read_bounded

    return hashlib.sha256(read_bounded(path, 64 * 1024 * 1024)).hexdigest()
