"""Benchmark the certificate job: render + sign + verify of one certificate, and a batch.

Usage: PYTHONPATH=. python bench/certify.py [--batch 100] [--processes 10]

Prints a table. The batch reuses one Renderer (template environment, stylesheet, fonts) and one
loaded signer; the process-per-certificate figure launches ``python -m une_eval certify`` once per
certificate (a smaller count, reported per certificate) as a user scripting the CLI would.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = [*sorted((ROOT / "fixtures" / "valid").glob("*.json")), ROOT / "fixtures" / "invalid" / "runs.cv.json"]
PASSPHRASE = "bench-only-passphrase"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--processes", type=int, default=10)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from une_eval.report.issue import issue_certificate
    from une_eval.report.keys import init_dev_pki
    from une_eval.report.render import Renderer
    from une_eval.report.sign import load_signer
    from une_eval.report.verify import load_trust_roots, verify_bytes

    import_s = time.perf_counter() - t0

    work = Path(tempfile.mkdtemp(prefix="une-eval-bench-"))
    keys = init_dev_pki(work / "keys", passphrase=PASSPHRASE.encode())
    signer = load_signer(p12=keys.auditor_p12, passphrase=PASSPHRASE.encode())
    roots = load_trust_roots([keys.ca_cert])
    from une_eval.report.crl import load_crls

    crls = load_crls([keys.ca_crl])

    def one(renderer: Renderer, sub: Path) -> tuple[float, float]:
        start = time.perf_counter()
        issued = issue_certificate(sub, renderer=renderer, signer=signer, lang="es")
        mid = time.perf_counter()
        report = verify_bytes(issued.pdf, roots, crls=crls)
        assert report.ok, [c for c in report.checks if not c.ok]
        return mid - start, time.perf_counter() - mid

    t0 = time.perf_counter()
    renderer = Renderer()
    cold_issue, cold_verify = one(renderer, SUBMISSIONS[0])
    cold_s = time.perf_counter() - t0

    warm = [one(renderer, SUBMISSIONS[i % len(SUBMISSIONS)]) for i in range(10)]
    warm_total = [a + b for a, b in warm]

    t0 = time.perf_counter()
    for i in range(args.batch):
        one(renderer, SUBMISSIONS[i % len(SUBMISSIONS)])
    batch_s = time.perf_counter() - t0

    env = dict(os.environ, UNE_EVAL_KEY_PASSPHRASE=PASSPHRASE, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    for i in range(args.processes):
        sub = SUBMISSIONS[i % len(SUBMISSIONS)]
        cmd = [
            sys.executable,
            "-m",
            "une_eval",
            "certify",
            str(sub),
            "--key",
            str(keys.auditor_p12),
            "-o",
            str(work / f"p{i}.pdf"),
        ]
        done = subprocess.run(cmd, env=env, capture_output=True, check=False)
        assert done.returncode in (0, 1), done.stderr.decode()
    proc_s = time.perf_counter() - t0

    batch_per = batch_s / args.batch
    proc_per = proc_s / args.processes
    rows = [
        ("machine", f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"),
        ("import une_eval.report (once per process)", f"{import_s:.2f} s"),
        ("first certificate in a process (env + fonts + render + sign + verify)", f"{cold_s:.2f} s"),
        ("  of which issue (render + sign) / verify", f"{cold_issue:.2f} s / {cold_verify:.3f} s"),
        ("warm certificate, median of 10 (render + sign + verify)", f"{statistics.median(warm_total):.3f} s"),
        ("  of which verify, median", f"{statistics.median(b for _, b in warm):.3f} s"),
        (f"batch of {args.batch}, one Renderer (issue + verify each)", f"{batch_s:.1f} s = {batch_per:.3f} s/cert"),
        (
            f"process per certificate ({args.processes} runs of `une-eval certify`)",
            f"{proc_s:.1f} s = {proc_per:.2f} s/cert",
        ),
        ("batch throughput / process-per-cert throughput", f"{proc_per / batch_per:.1f}x"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure':<{width}} | value |")
    print(f"| {'-' * width} | ----- |")
    for key, value in rows:
        print(f"| {key:<{width}} | {value} |")


if __name__ == "__main__":
    main()
