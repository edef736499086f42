"""Each device's energy in the job's common windows, streamed from the copy of its node's trace.

A trace is first copied beside the merged submission (hashed while it is copied, so the digest the
merged submission declares is that of the bytes it read), then read once, in bounded batches, through
the same recomputation the validator uses (:func:`une_eval.validation.evidence.recompute`): the
point windows on the node's clock, and the windows widened and narrowed by the node's clock margin,
in one pass. Nothing of a trace stays in memory beyond a batch.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from une_eval.model import Trace
from une_eval.nodeclocks import NodeWindows, combine
from une_eval.traces import TraceContent, TraceUnusable, open_trace
from une_eval.validation.evidence import recompute
from une_eval.validation.windows import WindowEnergy

COPY_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class DeviceWindow:
    """One device's energy in one common window: the point, and the interval it lies in."""

    energy_j: float | None
    min_j: float | None
    max_j: float | None
    covered: bool
    resets: int
    ambiguous_decreases: int
    end_uncovered_s: float

    @property
    def problem(self) -> str | None:
        """Why this window cannot count (None when it can)."""
        if self.energy_j is None or not self.covered:
            if self.end_uncovered_s > 0:
                return (
                    f"its trace ends {self.end_uncovered_s * 1000:.1f} ms before the job's window does: the node "
                    "died, or stopped sampling before the last node finished (measure with --cooldown-s longer "
                    "than the spread of the nodes' ends)"
                )
            return "its trace does not cover the window"
        if self.resets:
            return "its energy counter reset inside the window (driver reloaded?)"
        if self.ambiguous_decreases:
            return "its counter decreased and the trace declares no wrap range"
        return None


def copy_evidence(src_dir: Path, relative: str, dst: Path) -> tuple[str, int]:
    """Copy a file from beneath ``src_dir`` (no link followed) to ``dst``; its SHA-256 and size."""
    digest = hashlib.sha256()
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp")
    size = 0
    with open_trace(src_dir, relative) as opened, tmp.open("wb") as out:
        while size < opened.size:
            block = opened.pread(min(COPY_BLOCK, opened.size - size), size)
            if not block:
                break
            digest.update(block)
            out.write(block)
            size += len(block)
        opened.check_unchanged()
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, dst)
    return digest.hexdigest(), size


def _window(w: WindowEnergy) -> DeviceWindow:
    return DeviceWindow(
        energy_j=w.energy_j,
        min_j=w.min_j,
        max_j=w.max_j,
        covered=w.start_uncovered_s <= 0 and w.end_uncovered_s <= 0,
        resets=w.resets,
        ambiguous_decreases=w.ambiguous_decreases,
        end_uncovered_s=w.end_uncovered_s,
    )


def device_windows(base_dir: Path, trace: Trace, windows: NodeWindows) -> list[DeviceWindow]:
    """The device's energy in every window, from its trace beneath ``base_dir``; :class:`TraceUnusable` if not."""
    n = len(windows.point)
    with open_trace(base_dir, trace.path) as opened:
        _, got = recompute(TraceContent(opened, trace.format), trace, windows.all())
    return [_window(w) for w in combine(got, n)]


__all__ = ["DeviceWindow", "TraceUnusable", "copy_evidence", "device_windows"]
