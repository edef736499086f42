"""Issuing many certificates on all cores: one signing key loaded once, rendering and signing in workers.

Worker processes are forked from the command's process once the key is loaded and the renderer
made, so each starts with the signer and the renderer already in memory (the key is read and
decrypted once, by the parent; nothing secret travels between processes). A worker checks a
submission (unless the parent already has), renders and signs it, and sends the PDF back; the
parent writes each certificate and prints its line in the order the submissions were given.

With a register, the parent checks each submission and reserves its number before handing it to a
worker, and records the PDF's hash after writing it (as :mod:`une_eval.registry.issuing` does for
one): numbers are drawn and recorded by one process, so they stay unique, and at most a few
certificates per worker are pending at any moment. The first failure stops the batch as it would
one at a time: nothing more is handed out, the certificates already in flight are finished and
written, a failed one's reservation is removed, and the error is raised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from une_eval.audit import Audit
from une_eval.registry.link import PublicEntry
from une_eval.validation.batch import frozen_for_workers

if TYPE_CHECKING:
    from pyhanko.sign import signers
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko_certvalidator import ValidationContext

    from une_eval.registry.store import Register
    from une_eval.report.issue import Issued
    from une_eval.report.render import Renderer
    from une_eval.report.sign import Level

JOBS_PER_WORKER = 2  # certificates in flight per worker: keeps each busy, bounds pending reservations


@dataclass(frozen=True, slots=True)
class Signing:
    """What every certificate of a batch is issued with (inherited by the workers, never pickled)."""

    renderer: Renderer
    signer: signers.SimpleSigner
    lang: str
    timestamper: TimeStamper | None = None
    profile: str | None = None
    rating_scheme: str | None = None
    level: Level | None = None  # the PAdES baseline level (B-LT/B-LTA with ``validation``)
    validation: ValidationContext | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """One certificate to issue: the submission (a file, or its audit when checked already) and its number."""

    submission: Path | Audit
    number: str | None = None
    issued_at: dt.datetime | None = None
    registry: PublicEntry | None = None


_signing: Signing | None = None  # set in the parent before the workers fork; read in the workers


def issue_job(job: Job) -> Issued:
    """Issue one certificate with the batch's :class:`Signing` (in a worker, or in the parent for one job)."""
    from une_eval.report.issue import issue_certificate

    assert _signing is not None, "issue_job runs inside issue_many"
    s = _signing
    return issue_certificate(
        job.submission, renderer=s.renderer, signer=s.signer, lang=s.lang, number=job.number,
        rating_scheme=s.rating_scheme, timestamper=s.timestamper, profile=s.profile, issued_at=job.issued_at,
        registry=job.registry, level=s.level, validation=s.validation,
    )  # fmt: skip


def workers_available() -> bool:
    """Whether this platform can fork workers that inherit the loaded key (Linux and the BSDs can)."""
    return "fork" in multiprocessing.get_all_start_methods()


def issue_many(jobs: Iterator[Job], signing: Signing, n_workers: int) -> Iterator[tuple[Job, Issued | None]]:
    """Each job with its issued certificate (None: it failed), in the order given.

    ``jobs`` is drawn only as workers free up. The first exception (from drawing a job or from issuing
    one) stops the drawing and is raised once the certificates already in flight have been yielded.
    """
    global _signing  # the workers inherit it through fork: the key is never pickled
    _signing = signing
    try:
        if n_workers <= 1:
            yield from _run(None, jobs, 1)
            return
        # The first certificate is issued here, before the workers fork: they inherit what it loaded
        # (WeasyPrint and its fonts, the templates, the validation stack) instead of each loading it again.
        first = next(jobs, None)
        if first is None:
            return
        yield from _run(None, iter([first]), 1)
        fork = multiprocessing.get_context("fork")
        with frozen_for_workers(), ProcessPoolExecutor(max_workers=n_workers, mp_context=fork) as pool:
            yield from _run(pool, jobs, n_workers * JOBS_PER_WORKER)
    finally:
        _signing = None


def _run(pool: ProcessPoolExecutor | None, jobs: Iterator[Job], window: int) -> Iterator[tuple[Job, Issued | None]]:
    in_flight: deque[tuple[Job, Future[Issued]]] = deque()
    failure: BaseException | None = None
    while True:
        while failure is None and len(in_flight) < window:
            try:
                job = next(jobs, None)
            except Exception as exc:  # checking or reserving the next one failed: finish those in flight
                failure = exc
                break
            if job is None:
                break
            in_flight.append((job, _start(pool, job)))
        if not in_flight:
            break
        job, future = in_flight.popleft()
        try:
            issued: Issued | None = future.result()
        except Exception as exc:
            failure, issued = failure or exc, None
        yield job, issued
    if failure is not None:
        raise failure


def _start(pool: ProcessPoolExecutor | None, job: Job) -> Future[Issued]:
    if pool is not None:
        return pool.submit(issue_job, job)
    future: Future[Issued] = Future()
    try:
        future.set_result(issue_job(job))
    except Exception as exc:
        future.set_exception(exc)
    return future


def record_hash(register: Register, number: str, pdf: bytes, actor: str) -> None:
    """Record a written certificate's hash (its reservation becomes active), as for one certificate."""
    from une_eval.registry.db import RegistryError

    try:
        register.activate(number, hashlib.sha256(pdf).hexdigest(), actor=actor)
    except RegistryError as exc:
        raise RegistryError(
            f"certificate {number} was written but stays pending in the register ({exc}); once the register "
            f"is reachable, run `une-eval registry complete {number} --pdf FILE`"
        ) from None


def reserved_jobs(
    register: Register,
    submissions: Sequence[Path],
    *,
    check: Callable[[Path], Audit],
    auditor: str,
    public_base_url: str | None,
    actor: str,
    profile_option: str | None,
) -> Iterator[Job]:
    """Check each submission and reserve its number in ``register`` just before it is handed to a worker."""
    from une_eval.registry.issuing import refuse_uncertifiable, reserve

    for sub in submissions:
        audit = check(sub)
        refuse_uncertifiable(audit, sub)
        reservation = reserve(
            register, audit, auditor=auditor, number=None, public_base_url=public_base_url, actor=actor,
            profile_option=profile_option,
        )  # fmt: skip
        yield Job(audit, reservation.entry.number, reservation.entry.issued_at, reservation.public)
