"""Timing whole processes for the benchmarks: CPU time from the kernel's accounting, and wall time.

CPU time (user + system of the child, read with ``wait4``) is the figure compared across tools: on a
shared machine it moves far less than wall time. Commands are run interleaved, round after round, so
that a change in the machine's load hits every command alike; medians are reported.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Command:
    """One command line to time; ``ok_codes`` are the exit codes that mean it did its job."""

    label: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0,)
    cwd: Path | None = None


@dataclass(frozen=True)
class Timing:
    """CPU seconds (user + system) and wall seconds of one run."""

    cpu_s: float
    wall_s: float


def run_once(command: Command, *, extra_args: Sequence[str] = ()) -> tuple[Timing, str]:
    """Run a command to its end; its CPU and wall time, and its standard error."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*command.argv[:1], *extra_args, *command.argv[1:]],
            env={**os.environ, **command.env},
            cwd=command.cwd,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall_s = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode not in command.ok_codes:
        sys.exit(f"{command.label}: exit code {proc.returncode}\n{stderr[-2000:]}")
    return Timing(usage.ru_utime + usage.ru_stime, wall_s), stderr


def interleaved(commands: Sequence[Command], rounds: int) -> dict[str, list[Timing]]:
    """Every command once per round, in the same order each round."""
    timings: dict[str, list[Timing]] = {c.label: [] for c in commands}
    for _ in range(rounds):
        for command in commands:
            timings[command.label].append(run_once(command)[0])
    return timings


def median_cpu(timings: Sequence[Timing]) -> float:
    return statistics.median(t.cpu_s for t in timings)


def median_wall(timings: Sequence[Timing]) -> float:
    return statistics.median(t.wall_s for t in timings)


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(command: Command, *, runs: int = 3, top: int = 8) -> list[tuple[str, float]]:
    """Where a Python command's imports go (``-X importtime``): seconds per package, largest first.

    Each module's own time (without what it imports in turn) goes to its top-level package, so the
    figures add up to the whole import time and name the libraries that cost it. Medians of ``runs``.
    """
    per_run: list[dict[str, float]] = []
    for _ in range(runs):
        _, stderr = run_once(command, extra_args=["-X", "importtime"])
        totals: dict[str, float] = {}
        for line in stderr.splitlines():
            match = _IMPORT_LINE.match(line)
            if match:
                root = match.group(4).split(".")[0]
                totals[root] = totals.get(root, 0.0) + int(match.group(1)) / 1e6
        totals["all imports"] = sum(totals.values())
        per_run.append(totals)
    names = {name for totals in per_run for name in totals}
    medians = {name: statistics.median(t.get(name, 0.0) for t in per_run) for name in names}
    return sorted(medians.items(), key=lambda kv: -kv[1])[: top + 1]


def python_command(
    label: str, src: Path, *args: str, env: dict[str, str] | None = None, ok_codes: tuple[int, ...] = (0,)
) -> Command:
    """``python -m une_eval ARGS`` run from the une-eval source tree ``src`` (first on the path).

    ``BENCH_SITE_PACKAGES``, when set, goes on the path after ``src``: a folder of dependencies
    installed beside a Python that lacks them (bench/gpu_check.sh's ``/tmp/site``).
    """
    argv = [sys.executable, "-m", "une_eval", *args]
    path = os.pathsep.join([str(src), *filter(None, [os.environ.get("BENCH_SITE_PACKAGES")])])
    return Command(label, argv, {"PYTHONPATH": path, **(env or {})}, ok_codes, cwd=src)


def machine_line() -> str:
    import platform

    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
