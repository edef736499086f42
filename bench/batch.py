"""Batch validation at scale: ``--jobs`` scaling, the progress display's cost, and peak memory.

    PYTHONPATH=. python bench/batch.py scaling [--files 3000] [--rounds 3] [--baseline-src DIR] [--jobs 1,2,4]
    PYTHONPATH=. python bench/batch.py progress [--files 2000] [--rounds 3]
    PYTHONPATH=. python bench/batch.py memory --files 10000 [--baseline-src DIR] [--tmp DIR]

The corpus is ``bench/validate.py``'s (the bundled valid examples with fresh ids, pretty-printed; a
quarter are the 23 KB training example), built in a temporary folder (``--tmp``, default the system's).

With ``--no-traces`` the files have no traces beside them: each is lighter (no evidence to recompute;
every file then does not conform), which makes the parent's share of the work larger.

- ``scaling``: whole ``une-eval validate --format json --jobs N`` processes for N = 1 and every count
  up to the cores, run interleaved; CPU (the process and its workers, from the kernel) and wall time.
  Speed-up is wall(1 job) / wall(N); efficiency is speed-up / N (1.0 is linear). The CPU ratio says
  how much extra work the parallel run does: on a machine shared with other jobs the wall speed-up
  is capped by the cores the others leave, the CPU ratio is not.
- ``progress``: in one process, the same batch through ``iter_audits`` with 2 jobs, with and without a
  rich progress bar drawing to a (discarded) terminal, interleaved.
- ``memory``: one ``une-eval validate --jobs 2 --format json`` with CSV, Parquet and JSON summaries,
  sampling the resident memory of the process and of its workers every 50 ms (/proc); peak of the
  parent, and of the whole tree.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.processes import interleaved, machine_line, median_cpu, median_wall, python_command
from bench.validate import build_corpus

REPO = Path(__file__).resolve().parent.parent


def scaling(
    corpus: Path, n_files: int, rounds: int, baseline: Path | None, ok: tuple[int, ...], jobs: tuple[int, ...]
) -> None:
    trees = [("after", REPO)] + ([("before", baseline)] if baseline else [])
    counts = sorted({1, *(jobs or range(2, (os.cpu_count() or 1) + 1))})
    commands = [
        python_command(
            f"{name} --jobs {n}", src, "validate", "--format", "json", "--jobs", str(n), str(corpus), ok_codes=ok
        )
        for name, src in trees
        for n in counts
    ]
    timings = interleaved(commands, rounds)
    print(
        f"\n| {n_files} files, median of {rounds} | CPU s | wall s | files/s | speed-up | efficiency | CPU vs 1 job |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, _ in trees:
        one = timings[f"{name} --jobs 1"]
        for n in counts:
            t = timings[f"{name} --jobs {n}"]
            cpu, wall = median_cpu(t), median_wall(t)
            speed_up = median_wall(one) / wall
            print(
                f"| {name}, `--jobs {n}` | {cpu:.2f} | {wall:.2f} | {n_files / wall:,.0f} "
                f"| {speed_up:.2f} | {speed_up / n:.2f} | {cpu / median_cpu(one):.2f} |"
            )


def progress_cost(files: list[Path], rounds: int) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from une_eval.validation.batch import iter_audits

    def plain() -> None:
        for _ in iter_audits(files, jobs=2):
            pass

    def with_bar() -> None:
        console = Console(file=io.StringIO(), force_terminal=True, width=100)
        columns = (TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True, auto_refresh=False) as bar:
            task = bar.add_task("files", total=len(files))
            for _ in iter_audits(files, jobs=2, progress=lambda n: bar.update(task, advance=n, refresh=True)):
                pass

    walls: dict[str, list[float]] = {"no display": [], "progress bar": []}
    cpus: dict[str, list[float]] = {"no display": [], "progress bar": []}
    for _ in range(rounds):
        for label, fn in (("no display", plain), ("progress bar", with_bar)):
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            walls[label].append(time.perf_counter() - start)
            cpus[label].append(time.process_time() - cpu)
    print(f"\n| {len(files)} files, 2 jobs, median of {rounds} | wall s | parent CPU s |")
    print("| --- | ---: | ---: |")
    for label in walls:
        print(f"| {label} | {statistics.median(walls[label]):.2f} | {statistics.median(cpus[label]):.3f} |")


def _tree_rss_kib(pid: int) -> tuple[int, int]:
    """Resident KiB of ``pid`` and of ``pid`` with all its descendants."""

    def rss(p: int) -> int:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def children(p: int) -> list[int]:
        out: list[int] = []
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
        return out

    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss(p)
        stack += children(p)
    return rss(pid), total


def memory(corpus: Path, n_files: int, src: Path, label: str, out: Path) -> None:
    out = out / label  # each tree its own summaries: an existing summary is not replaced without --force
    out.mkdir()
    summaries = [f"--summary={out / f'summary.{ext}'}" for ext in ("csv", "parquet", "json")]
    argv = [sys.executable, "-m", "une_eval", "validate", "--format", "json", "--jobs", "2", *summaries, str(corpus)]
    peaks = [0, 0]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(src)}, cwd=src, stdout=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            parent, tree = _tree_rss_kib(proc.pid)
            peaks[0], peaks[1] = max(peaks[0], parent), max(peaks[1], tree)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"| {label} | {n_files:,} | {code} | {wall:.1f} | {cpu:.1f} | {peaks[0] / 1024:,.0f} | {peaks[1] / 1024:,.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("what", choices=["scaling", "progress", "memory"])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline-src", type=Path, default=None, help="an earlier une-eval source tree")
    parser.add_argument("--no-traces", action="store_true", help="light files: no traces beside them (exit 1)")
    parser.add_argument("--tmp", type=Path, default=None, help="where to build the corpus (not the repository)")
    parser.add_argument(
        "--jobs",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=(),
        help="scaling: the worker counts to compare, e.g. 1,2,4,8 (default: 1 to the number of cores)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        corpus = Path(tmp) / "corpus"
        files = build_corpus(corpus, args.files, traces=not args.no_traces)
        print(f"# bench/batch.py {args.what}: {args.files} files; {machine_line()}")
        if args.what == "scaling":
            ok = (1,) if args.no_traces else (0,)
            scaling(corpus, args.files, args.rounds, args.baseline_src, ok, args.jobs)
        elif args.what == "progress":
            progress_cost(files, args.rounds)
        else:
            print("\n| tree | files | exit | wall s | CPU s | peak RSS parent MiB | peak RSS all processes MiB |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            memory(corpus, args.files, REPO, "after", Path(tmp))
            if args.baseline_src:
                memory(corpus, args.files, args.baseline_src, "before", Path(tmp))


if __name__ == "__main__":
    main()
