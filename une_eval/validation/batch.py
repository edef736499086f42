"""Batch validation: many files, on all cores, one bad file never stopping the rest.

Files are handed to worker processes by path and come back as :class:`~une_eval.audit.Audit` values
(pickled, without the submission's bytes and model), in the order given.
An unexpected exception while checking one file becomes an ``error`` verdict for that file; only a
broken bundled spec (:class:`une_eval.errors.SpecError`) stops the batch, as every file would fail alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from une_eval.audit import Audit
from une_eval.errors import SpecError
from une_eval.findings import Outcome
from une_eval.spec import DEFAULT_PROFILE
from une_eval.validation.pipeline import check_file

Progress = Callable[[int], None]


def check_one(path: str, profile: str | None, rating_scheme: str | None) -> Audit:
    """Check one file; never raises except for a broken spec (a bug is reported as that file's error).

    What goes back to the parent is the audit without the submission's bytes and typed model: the
    summaries and the text output read the verdict, findings, identity, figures, evidence and rating.
    """
    try:
        audit = check_file(Path(path), profile=profile, rating_scheme=rating_scheme)
    except SpecError:
        raise
    except Exception as exc:  # a bug must not lose the other 999 verdicts; it is reported, not hidden
        if os.environ.get("UNE_EVAL_DEBUG") == "1":
            raise  # --debug: the traceback, not a tidy verdict
        return Audit(
            path,
            Outcome.ERROR,
            profile or DEFAULT_PROFILE,
            error=f"internal error while checking ({type(exc).__name__}: {exc})",
        )
    return replace(audit, document=None, submission=None)


def effective_jobs(jobs: int) -> int:
    """``0`` means all cores."""
    return (os.cpu_count() or 1) if jobs == 0 else jobs


def check_many(
    paths: Sequence[Path],
    *,
    profile: str | None = None,
    rating_scheme: str | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[Audit]:
    """Audits for ``paths``, in the same order; ``progress(n)`` is called as files finish."""
    n_jobs = min(effective_jobs(jobs), max(len(paths), 1))
    if n_jobs <= 1:
        out = []
        for p in paths:
            out.append(check_one(str(p), profile, rating_scheme))
            if progress:
                progress(1)
        return out
    results: list[Audit | None] = [None] * len(paths)
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        pending: dict[Future[Audit], int] = {
            pool.submit(check_one, str(p), profile, rating_scheme): i for i, p in enumerate(paths)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                results[pending.pop(fut)] = fut.result()
            if progress:
                progress(len(done))
    return [r for r in results if r is not None]
