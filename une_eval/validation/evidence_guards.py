"""Guards on what a submission asks of its evidence: one device's file given for another, windows in bulk.

A device's trace must be its own: a trace that is the very file of an earlier device's (the same path or a
hard link, caught before it is read, so that one large file listed for thousands of devices is hashed once)
or a byte-for-byte copy of it (caught by its SHA-256 once read) is no evidence for a second device. And the
windows recomputed (runs x devices with a trace) are bounded by :data:`MAX_RUN_WINDOWS`: each costs time and
memory, and a 16 MiB submission could otherwise ask for tens of millions of them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from une_eval.model import Submission, Trace
from une_eval.traces.files import open_trace
from une_eval.traces.format import TraceUnusable

if TYPE_CHECKING:
    from une_eval.validation.evidence import TraceRecord

# A 1,000-node job of 8 GPUs and 25 runs.
MAX_RUN_WINDOWS = 200_000


class SameBytes:
    """Traces that are another device's: the same file (a path or a hard link: caught before it is read) or a copy."""

    def __init__(self) -> None:
        self._by_file: dict[tuple[int, int], Trace] = {}
        self._by_digest: dict[str, Trace] = {}

    @staticmethod
    def _why(trace: Trace, first: Trace) -> str:
        return (
            f"trace {trace.path!r} of device {trace.device_id} has the same bytes as trace {first.path!r} of device "
            f"{first.device_id}; one device's samples are not evidence for another"
        )

    def same_file(self, base_dir: Path, trace: Trace) -> str | None:
        """Why ``trace`` is not read: it is the very file of an earlier trace (hashing it again costs its size)."""
        try:
            with open_trace(base_dir, trace.path) as opened:
                info = os.fstat(opened.fd)
        except (TraceUnusable, OSError):
            return None  # reading it says why
        first = self._by_file.setdefault((info.st_dev, info.st_ino), trace)
        return None if first is trace else self._why(trace, first)

    def same_digest(self, trace: Trace, k: int, records: list[TraceRecord]) -> str | None:
        """Why trace ``k``, just read, is not its device's evidence: it has the bytes of an earlier trace."""
        digest = records[-1].sha256 if records and records[-1].trace_index == k else None
        first = self._by_digest.setdefault(digest, trace) if digest is not None else trace
        return None if first is trace else self._why(trace, first)


def too_many_windows(sub: Submission) -> str | None:
    """Why the traces are not read: more run windows than :data:`MAX_RUN_WINDOWS` (None when within it)."""
    devices = len({trace.device_id for trace in sub.measurement.traces})
    windows = len(sub.measurement.runs) * devices
    if windows <= MAX_RUN_WINDOWS:
        return None
    return (
        f"the submission asks for {windows:,} run windows ({len(sub.measurement.runs):,} runs x {devices:,} "
        f"devices with a trace), more than the {MAX_RUN_WINDOWS:,} une-eval recomputes; no trace was read"
    )


__all__ = ["MAX_RUN_WINDOWS", "SameBytes", "too_many_windows"]
