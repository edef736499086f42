"""``une-eval certify --jobs N``: a batch of certificates on N cores, in the order given, timed.

Each certificate's line is printed as it is written, in the order the submissions were given, and a
last line on stderr says how many were issued, in how long and per certificate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from une_eval.audit import Audit
from une_eval.cli.show import plain
from une_eval.registry.store import Register
from une_eval.report.batch import Job, Signing, issue_many, record_hash, reserved_jobs
from une_eval.report.issue import Issued


def certify_batch(
    submissions: tuple[Path, ...],
    signing: Signing,
    n_workers: int,
    *,
    write: Callable[[Issued], Path],
    register: Register | None,
    registry_url: str | None,
) -> int:
    """Issue every certificate; the worst exit code (0 all conform, 1 a non-conformity report)."""
    start, count, worst = time.perf_counter(), 0, 0
    jobs, actor = _jobs(submissions, signing, register, registry_url)
    try:
        for job, issued in issue_many(jobs, signing, n_workers):
            if issued is None:
                _discard(register, job)
                continue
            try:
                target = write(issued)
            except BaseException:
                _discard(register, job)
                raise
            if register is not None and job.number is not None:
                record_hash(register, job.number, issued.pdf, actor)
            kind = "certificate of conformity" if issued.conformant else "NON-CONFORMITY REPORT"
            click.echo(plain(f"{_source(job)}: {kind} {issued.number} ({issued.verdict}) -> {target}"))
            count, worst = count + 1, max(worst, 0 if issued.conformant else 1)
    finally:
        took = time.perf_counter() - start
        per = f", {took / count:.2f} s per certificate" if count else ""
        click.echo(f"issued {count} certificate(s) in {took:.1f} s with {n_workers} worker(s){per}", err=True)
    return worst


def _jobs(
    submissions: tuple[Path, ...], signing: Signing, register: Register | None, registry_url: str | None
) -> tuple[Iterator[Job], str]:
    from une_eval.registry.issuing import default_actor

    actor = default_actor()
    if register is None:
        return (Job(sub) for sub in submissions), actor
    from une_eval.report.sign import auditor_of
    from une_eval.validation import check_file

    def check(path: Path) -> Audit:
        return check_file(path, profile=signing.profile, rating_scheme=signing.rating_scheme)

    jobs = reserved_jobs(
        register, submissions, check=check, auditor=auditor_of(signing.signer).name,
        public_base_url=registry_url, actor=actor, profile_option=signing.profile,
    )  # fmt: skip
    return jobs, actor


def _discard(register: Register | None, job: Job) -> None:
    if register is not None and job.number is not None:
        register.discard_pending(job.number)


def _source(job: Job) -> str:
    return str(job.submission) if isinstance(job.submission, Path) else job.submission.source
