"""Cross-checks of a merged total: Slurm's accounting (``sacct``) and DCGM job statistics (``dcgmi stats``).

Both are the cluster's own accounting of the job's energy, read from text the operator captured (or,
for ``sacct``, run here with a timeout). They are recorded beside the measured total in
``measurement.cross_checks`` (provenance ``sourced``), never in its place, with the difference.

Both cover the whole job (or whatever the operator started DCGM's recording for): the idle baseline,
warm-up, pauses and cool-down as well as the measured runs, and ``sacct`` counts whatever its energy
plugin measures (whole nodes through IPMI, or only GPUs). So the external figure should be at least
the measured energy of the complete runs: the rule ``nodes.cross-check`` warns when it is lower by more
than the profile's tolerance (one of the two is wrong); a higher figure is expected and only recorded.

Formats read (every input is hostile: bounded, and anything unexpected is a clear refusal):

- ``sacct --parsable2 --format=JobID,ConsumedEnergyRaw[,...]``: a header naming the columns, then
  one ``|``-separated line per job and step. The job's own line (``JobID`` = the job id) holds the
  allocation's energy in joules; without it, the steps' lines are summed (``.extern`` left out: it
  spans the whole allocation). An empty, zero or unset (``NO_VAL``) value means no energy plugin.
- ``dcgmi stats -v -j ID``: boxes of ``| key | value |`` lines, one per GPU (``| GPU ID: N |``) with
  ``Energy Consumed (Joules)``; the per-GPU values are summed (each GPU once: MIG instances repeat
  their GPU). Without ``-v``, the summary's value. Several files (one per node) add up.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from une_eval.errors import InputError
from une_eval.loading import read_bounded

MAX_TEXT_BYTES = 16 * 2**20
SACCT_TIMEOUT_S = 30.0
NO_VAL64 = 2**64 - 2  # Slurm's "not set" for 64-bit counters (values this large mean the same)
_DCGM_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|\s*$")
_GPU_ID = re.compile(r"^\|\s*GPU ID:\s*(\d+)\s*\|\s*$")
SACCT_ARGS = ("--parsable2", "--format=JobID,ConsumedEnergyRaw,ElapsedRaw")

Runner = Callable[[Sequence[str], float], "CommandOutput"]


@dataclass(frozen=True, slots=True)
class CommandOutput:
    """What a command printed, and its exit code."""

    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True, slots=True)
class External:
    """One external total: its energy (None when unavailable), what it covers, or why it is unavailable."""

    source: str  # slurm-sacct or dcgm-stats
    energy_j: float | None
    scope: str
    reason: str | None = None
    job_id: str | None = None


def _text(path: Path) -> str:
    try:
        return read_bounded(path, MAX_TEXT_BYTES).decode("utf-8", errors="replace")
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def _joules(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 < value < NO_VAL64 else None


def parse_sacct(text: str, job_id: str | None) -> External:
    """The job's energy from ``sacct --parsable2`` output (see the module docstring)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return External("slurm-sacct", None, "", "sacct printed nothing (no such job, or accounting is disabled)")
    header = [h.strip() for h in lines[0].split("|")]
    if "JobID" not in header or "ConsumedEnergyRaw" not in header:
        raise InputError("sacct output must be --parsable2 with a header naming JobID and ConsumedEnergyRaw")
    jid, col = header.index("JobID"), header.index("ConsumedEnergyRaw")
    rows = [ln.split("|") for ln in lines[1:]]
    rows = [r for r in rows if len(r) > max(jid, col)]
    ids = [r[jid].strip() for r in rows]
    job = job_id or (ids[0].split(".")[0] if ids else None)
    if job is None:
        return External("slurm-sacct", None, "", "sacct lists no job")
    own = [r for r in rows if r[jid].strip() == job]
    steps = [r for r in rows if r[jid].strip().startswith(f"{job}.") and not r[jid].strip().endswith(".extern")]
    if own and _joules(own[0][col]) is not None:
        return External("slurm-sacct", _joules(own[0][col]), f"sacct ConsumedEnergyRaw of job {job}", job_id=job)
    values = [_joules(r[col]) for r in steps]
    if steps and all(v is not None for v in values):
        scope = f"sacct ConsumedEnergyRaw of job {job}, summed over its {len(steps)} step(s)"
        return External("slurm-sacct", math.fsum(v for v in values if v is not None), scope, job_id=job)
    if not own and not steps:
        return External("slurm-sacct", None, "", f"sacct lists no job {job}", job)
    reason = f"sacct reports no energy for job {job} (ConsumedEnergyRaw empty or 0: no energy accounting plugin)"
    return External("slurm-sacct", None, "", reason, job)


def parse_dcgm(texts: Sequence[str]) -> External:
    """The job's GPU energy from ``dcgmi stats -j`` output, one text per node (see the module docstring)."""
    total: list[float] = []
    gpus = 0
    for k, text in enumerate(texts):
        per_gpu, summary = _dcgm_values(text)
        if per_gpu:
            total += per_gpu.values()
            gpus += len(per_gpu)
        elif summary is not None:
            total.append(summary)
        else:
            reason = f"DCGM statistics {k + 1} report no energy (no 'Energy Consumed (Joules)' value)"
            return External("dcgm-stats", None, "", reason)
    scope = f"dcgmi stats job energy, {len(texts)} file(s)" + (f", {gpus} GPU(s)" if gpus else "")
    return External("dcgm-stats", math.fsum(total), scope)


def _dcgm_values(text: str) -> tuple[dict[str, float], float | None]:
    """Each GPU's energy (by GPU ID, counted once) and the summary's, from one ``dcgmi stats`` text."""
    per_gpu: dict[str, float] = {}
    summary: float | None = None
    gpu: str | None = None
    for line in text.splitlines():
        head = _GPU_ID.match(line.strip())
        if head:
            gpu = head.group(1)
            continue
        if "Summary" in line and line.strip().startswith("|"):
            gpu = None
            continue
        row = _DCGM_ROW.match(line.strip())
        if row is None or row.group(1) != "Energy Consumed (Joules)":
            continue
        value = _joules(row.group(2))
        if value is None:
            continue
        if gpu is None:
            summary = value
        else:
            per_gpu.setdefault(gpu, value)
    return per_gpu, summary


def run_sacct(job_id: str, runner: Runner, timeout_s: float = SACCT_TIMEOUT_S) -> External:
    """Ask ``sacct`` for the job's energy (``runner`` runs the command: :func:`subprocess_runner` by default)."""
    try:
        out = runner(["sacct", "-j", job_id, *SACCT_ARGS], timeout_s)
    except FileNotFoundError:
        return External("slurm-sacct", None, "", "sacct is not on PATH", job_id)
    except subprocess.TimeoutExpired:
        return External("slurm-sacct", None, "", f"sacct did not answer within {timeout_s:g} s", job_id)
    if out.returncode != 0:
        said = " ".join(out.stderr.split())[:300] or f"exit code {out.returncode}"
        return External("slurm-sacct", None, "", f"sacct failed: {said}", job_id)
    return parse_sacct(out.stdout, job_id)


def subprocess_runner(args: Sequence[str], timeout_s: float) -> CommandOutput:
    """Run a command with a timeout, its output bounded (the default :data:`Runner`)."""
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout_s, check=False)  # noqa: S603
    return CommandOutput(done.returncode, done.stdout[:MAX_TEXT_BYTES], done.stderr[:4096])


def read_sacct_file(path: Path, job_id: str | None) -> External:
    """Parse a captured ``sacct --parsable2`` output."""
    try:
        return parse_sacct(_text(path), job_id)
    except InputError as exc:
        raise InputError(str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}") from None


def read_dcgm_files(paths: Sequence[Path]) -> External:
    """Parse captured ``dcgmi stats -v -j`` outputs, one file per node."""
    return parse_dcgm([_text(p) for p in paths])


def cross_check_entry(external: External, measured_j: float, tolerance_pct: float) -> dict[str, Any]:
    """The ``measurement.cross_checks`` entry: the external total beside the measured one, and the difference."""
    entry: dict[str, Any] = {"source": external.source, "provenance": "sourced", "tolerance_pct": tolerance_pct}
    if external.job_id:
        entry["job_id"] = external.job_id[:200]
    if external.energy_j is None:
        return entry | {"status": "unavailable", "reason": (external.reason or "no energy reported")[:500]}
    difference_j = external.energy_j - measured_j
    entry |= {
        "status": "recorded",
        "scope": external.scope[:500],
        "energy_j": round(external.energy_j, 6),
        "measured_j": round(measured_j, 6),
        "difference_j": round(difference_j, 6),
    }
    if measured_j > 0:
        entry["difference_pct"] = round(difference_j / measured_j * 100, 4)
    return entry


__all__ = [
    "SACCT_ARGS",
    "CommandOutput",
    "External",
    "Runner",
    "cross_check_entry",
    "parse_dcgm",
    "parse_sacct",
    "read_dcgm_files",
    "read_sacct_file",
    "run_sacct",
    "subprocess_runner",
]
