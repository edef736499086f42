"""Batch validation: many files, on all cores, one bad file never stopping the rest, in bounded memory.

:func:`iter_rendered` hands files to worker processes in chunks (one task per chunk, not per file)
and yields, in the order given, what a rendering function made of each file's
:class:`~une_eval.audit.Audit` in the worker that checked it (the command's outputs, ready to write),
as soon as its chunk is back. Only a few chunks per worker are ever in flight, so a batch of 100,000
files holds a few hundred results at a time, whatever its size. :func:`iter_audits` yields the audits
themselves, without the submission's bytes and typed model (the outputs read the verdict, findings,
identity, figures, evidence and rating).

An unexpected exception while checking one file becomes an ``error`` verdict for that file; only a
broken bundled spec (:class:`une_eval.errors.SpecError`) stops the batch, as every file would fail alike.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from une_eval.audit import Audit
from une_eval.errors import SpecError
from une_eval.findings import Outcome
from une_eval.spec import DEFAULT_PROFILE
from une_eval.validation.pipeline import check_file

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import Future

Progress = Callable[[int], None]
T = TypeVar("T")

MAX_CHUNK_FILES = 32  # files per task: enough to make a task's overhead negligible, few enough to balance
CHUNKS_PER_WORKER = 4  # chunks in flight per worker: keeps every worker busy, bounds what waits in memory


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


def check_chunk(
    paths: Sequence[str], profile: str | None, rating_scheme: str | None, render: Callable[[Audit], T]
) -> list[T]:
    """What ``render`` makes of each file's audit, for a chunk of files in order (one task of a worker)."""
    return [render(check_one(p, profile, rating_scheme)) for p in paths]


def as_is(audit: Audit) -> Audit:
    """The audit itself (the rendering :func:`iter_audits` uses)."""
    return audit


def effective_jobs(jobs: int) -> int:
    """``0`` means all cores."""
    return (os.cpu_count() or 1) if jobs == 0 else jobs


def chunk_size(n_files: int, n_jobs: int) -> int:
    """Files per task out of ``n_files`` left: at most :data:`MAX_CHUNK_FILES`, fewer as few remain, at least 1."""
    return max(1, min(MAX_CHUNK_FILES, n_files // (n_jobs * CHUNKS_PER_WORKER)))


def iter_audits(
    paths: Sequence[Path],
    *,
    profile: str | None = None,
    rating_scheme: str | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> Iterator[Audit]:
    """Audits for ``paths``, in the same order, each yielded as soon as it is known.

    ``progress(n)`` is called with the number of files just finished (once per chunk with several jobs).
    """
    return iter_rendered(paths, as_is, profile=profile, rating_scheme=rating_scheme, jobs=jobs, progress=progress)


def iter_rendered(
    paths: Sequence[Path],
    render: Callable[[Audit], T],
    *,
    profile: str | None = None,
    rating_scheme: str | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> Iterator[T]:
    """``render(audit)`` of each file, in order, computed where the file is checked (in the workers).

    Rendering in the workers (a report's text, its JSON) leaves the parent only the writing, so it
    never becomes the bottleneck; ``render`` must be picklable (a module-level function or a
    ``functools.partial`` of one) and what it returns is what travels back.
    """
    n_jobs = min(effective_jobs(jobs), max(len(paths), 1))
    if n_jobs <= 1:
        for p in paths:
            yield render(check_one(str(p), profile, rating_scheme))
            if progress:
                progress(1)
        return
    # The first file is checked here, before the workers exist: forked from this process, they start with
    # what that check loaded (numpy, pyarrow, the evidence code, the checked profile) instead of each
    # loading it again, which cost ~0.75 s of CPU per worker on 16 cores.
    yield render(check_one(str(paths[0]), profile, rating_scheme))
    if progress:
        progress(1)
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing loads only for --jobs above 1

    with frozen_for_workers(), ProcessPoolExecutor(max_workers=n_jobs, mp_context=_worker_context()) as pool:
        in_flight: deque[Future[list[T]]] = deque()
        for chunk in chunks(paths[1:], n_jobs):
            in_flight.append(pool.submit(check_chunk, chunk, profile, rating_scheme, render))
            if len(in_flight) >= n_jobs * CHUNKS_PER_WORKER:
                yield from _collect(in_flight.popleft(), progress)
        while in_flight:
            yield from _collect(in_flight.popleft(), progress)


@contextlib.contextmanager
def frozen_for_workers() -> Iterator[None]:
    """Keep what this process holds out of the garbage collector's way while forked workers run.

    The workers' collector would otherwise walk every inherited object, writing to its header and so
    copying each page they share with this process. A process that had frozen nothing before is
    unfrozen again afterwards, so that an embedding program's cycles are still collected.
    """
    was_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not was_frozen:
            gc.unfreeze()


def chunks(paths: Sequence[Path], n_jobs: int) -> Iterator[tuple[str, ...]]:
    """The files in order, in tasks that shrink as the batch nears its end (guided self-scheduling).

    Each task holds :func:`chunk_size` of the files not yet handed out: up to :data:`MAX_CHUNK_FILES`
    while many remain, then fewer, down to one file, so that at the end no worker still has a long
    task while the others wait with nothing to do.
    """
    start = 0
    while start < len(paths):
        size = chunk_size(len(paths) - start, n_jobs)
        yield tuple(str(p) for p in paths[start : start + size])
        start += size


def _worker_context() -> multiprocessing.context.BaseContext | None:
    """Fork where the system has it (the workers inherit the loaded checker); else Python's default.

    No thread of this process may be running when the workers are forked: a progress display redraws
    from the thread that advances it (une_eval.cli.validate), never from a timer thread of its own.
    """
    import multiprocessing

    return multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


def _collect(future: Future[list[T]], progress: Progress | None) -> list[T]:
    results = future.result()
    if progress:
        progress(len(results))
    return results


def check_many(
    paths: Sequence[Path],
    *,
    profile: str | None = None,
    rating_scheme: str | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[Audit]:
    """Audits for ``paths``, in the same order, as one list (:func:`iter_audits` streams them)."""
    return list(iter_audits(paths, profile=profile, rating_scheme=rating_scheme, jobs=jobs, progress=progress))
