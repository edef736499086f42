"""Batch validation: many files, on all cores, one bad file never stopping the rest.

Files are handed to worker processes by path and come back as plain JSON-ready dicts (what
:meth:`une_eval.findings.Verdict.to_json` gives), so nothing but strings and numbers crosses processes.
An unexpected exception while checking one file becomes an ``error`` verdict for that file; only a
broken bundled spec (:class:`une_eval.errors.SpecError`) stops the batch, as every file would fail alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from une_eval.errors import SpecError
from une_eval.findings import Finding, Outcome, Severity, Verdict
from une_eval.spec import DEFAULT_PROFILE
from une_eval.validate.pipeline import check_file

Progress = Callable[[int], None]


def check_one(path: str, profile: str | None, rating_scheme: str | None) -> dict[str, Any]:
    """Check one file and return its verdict as a dict; never raises except for a broken spec."""
    try:
        return check_file(Path(path), profile=profile, rating_scheme=rating_scheme).to_json()
    except SpecError:
        raise
    except Exception as exc:  # a bug must not lose the other 999 verdicts; it is reported, not hidden
        return Verdict(
            path,
            Outcome.ERROR,
            profile or DEFAULT_PROFILE,
            error=f"internal error while checking ({type(exc).__name__}: {exc})",
        ).to_json()


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
) -> list[dict[str, Any]]:
    """Verdict dicts for ``paths``, in the same order; ``progress(n)`` is called as files finish."""
    n_jobs = min(effective_jobs(jobs), max(len(paths), 1))
    if n_jobs <= 1:
        out = []
        for p in paths:
            out.append(check_one(str(p), profile, rating_scheme))
            if progress:
                progress(1)
        return out
    results: list[dict[str, Any] | None] = [None] * len(paths)
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        pending: dict[Future[dict[str, Any]], int] = {
            pool.submit(check_one, str(p), profile, rating_scheme): i for i, p in enumerate(paths)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                results[pending.pop(fut)] = fut.result()
            if progress:
                progress(len(done))
    return [r for r in results if r is not None]


def verdict_from_json(data: dict[str, Any]) -> Verdict:
    """Rebuild a :class:`Verdict` from its dict (for the text report)."""
    known = {"source", "verdict", "profile", "counts", "findings", "error"}
    findings = tuple(
        Finding(f["rule_id"], Severity(f["severity"]), f["pointer"], f["message"]) for f in data.get("findings", [])
    )
    return Verdict(
        data["source"],
        Outcome(data["verdict"]),
        data["profile"],
        findings,
        data.get("error"),
        {k: v for k, v in data.items() if k not in known},
    )
