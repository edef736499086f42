"""A certificate batch through the command line: ``une-eval certify FILES --jobs N -o DIR --db REGISTER``.

    PYTHONPATH=. python bench/certify_batch.py [--files 1000] [--sequential 100] [--baseline-src DIR] [--tmp DIR]

Builds submissions from the bundled valid examples (with their traces, so each certificate carries
evidence-checked figures and a chart) and a non-conformant one (a non-conformity report), a fresh
development key and a fresh SQLite register, then times whole ``une-eval certify`` processes: ``--jobs``
= every core over ``--files`` submissions, and one process certifying ``--sequential`` of them one at
a time (also from ``--baseline-src``, an earlier tree, when given). CPU is the process and its workers
(from the kernel); per certificate = wall / certificates. Afterwards every certificate must be in the
register, active, once, with the hash of its file, and a sample of 20 must verify.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.processes import machine_line

REPO = Path(__file__).resolve().parent.parent
ENV = {"UNE_EVAL_KEY_PASSPHRASE": "bench-only-passphrase"}


def une_eval(src: Path, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Run ``python -m une_eval ARGS`` from tree ``src``; its CPU (with workers) and wall seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "une_eval", *args],
        env={**os.environ, **ENV, "PYTHONPATH": str(src)}, cwd=src, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f"une-eval {' '.join(args[:1])}: exit {code}\n{err.decode()[-2000:]}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start


def corpus(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True)
    shutil.copytree(REPO / "fixtures" / "valid" / "traces", folder / "traces")
    sources = [*sorted((REPO / "fixtures" / "valid").glob("*.json")), REPO / "fixtures" / "invalid" / "runs.cv.json"]
    out = []
    for i in range(n):
        path = folder / f"s{i:05d}.json"
        path.write_bytes(sources[i % len(sources)].read_bytes())
        out.append(path)
    return out


def check_register(src: Path, db: Path, out: Path, n: int) -> str:
    """Every certificate written is in the register once, active, with its file's hash; a sample verifies."""
    sys.path.insert(0, str(src))
    from une_eval.registry.db import parse_location
    from une_eval.registry.store import open_register

    pdfs = sorted(out.glob("*.pdf"))
    with open_register(parse_location(str(db))) as reg:
        records = reg.certificates(limit=n + 10)
    hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in pdfs}
    assert len(pdfs) == len(records) == len({r.number for r in records}) == n, (len(pdfs), len(records))
    assert {str(r.stored_status) for r in records} == {"active"}
    assert {r.pdf_sha256 for r in records} == hashes
    sample = random.Random(0).sample(pdfs, min(20, len(pdfs)))
    keys = db.parent / "keys"
    crl = ["--crl", str(keys / "ca.crl")] if (keys / "ca.crl").exists() else []  # versions before the dev CRL have none
    une_eval(src, "verify", *map(str, sample), "--trust", str(keys / "ca.pem"), *crl, "--db", str(db))
    return f"{n} in the register, active, unique, hashes match; {len(sample)} verified"


def batch(src: Path, label: str, subs: list[Path], work: Path, jobs: int) -> None:
    db, out = work / f"{label}.sqlite", work / label
    une_eval(src, "registry", "init", "--db", str(db))
    out.mkdir()
    args = ["certify", *map(str, subs), "--key", str(work / "keys" / "auditor.p12"), "-o", str(out), "--db", str(db)]
    cpu, wall = une_eval(src, *args, *(["--jobs", str(jobs)] if jobs != 1 else []), ok=(0, 1))
    checked = check_register(src, db, out, len(subs))
    n = len(subs)
    print(f"| {label} | {n} | {jobs} | {wall:.1f} | {cpu:.1f} | {wall / n:.3f} | {cpu / n:.3f} | {checked} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--baseline-src", type=Path, default=None)
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        work = Path(tmp)
        subs = corpus(work / "subs", args.files)
        une_eval(REPO, "keys", "init", "--dir", str(work / "keys"))
        print(f"# bench/certify_batch.py: {machine_line()}\n")
        print("| run | certificates | jobs | wall s | CPU s | wall s per cert. | CPU s per cert. | register |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        if args.baseline_src:
            batch(args.baseline_src, "before, one at a time", subs[: args.sequential], work, 1)
        batch(REPO, "after, one at a time", subs[: args.sequential], work, 1)
        batch(REPO, f"after, --jobs {cores}", subs, work, cores)


if __name__ == "__main__":
    main()
