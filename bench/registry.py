"""Lookups per second on the register site's page and JSON API, concurrent clients, SQLite vs PostgreSQL.

    python bench/registry.py [--certificates 2000] [--seconds 5] [--clients 1,8,32] [--postgres URL]

Fills a register with N certificates, starts ``une-eval serve`` on a loopback port (its own process),
and has C client threads fetch random certificates' pages (``/c/<number>``) or JSON records
(``/api/certificates/<number>``) over keep-alive connections for a fixed time. Prints one line per
backend, endpoint and client count: requests per second, median and 95th-percentile latency. Without
``--postgres`` (or ``UNE_EVAL_TEST_POSTGRES``) a throw-away PostgreSQL server is started from the
machine's binaries, as the tests do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.unit.registry.postgres_server import fresh_database, temporary_server  # noqa: E402
from une_eval.registry.db import connect, parse_location  # noqa: E402
from une_eval.registry.migrations import migrate  # noqa: E402
from une_eval.registry.records import KeyFigure, NewCertificate, Subject  # noqa: E402
from une_eval.registry.store import Register  # noqa: E402


def fill(db_url: str, count: int) -> list[str]:
    db = connect(parse_location(db_url), create=True)
    migrate(db)
    reg = Register(db)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    numbers = []
    for i in range(count):
        number = f"UEC-20261126-{i:08X}"
        entry = NewCertificate(
            number=number,
            submission_sha256=hashlib.sha256(number.encode()).hexdigest(),
            subject=Subject(f"Organisation {i % 97}", f"Model {i % 31}", "1.0", "inference", f"sub-{i}"),
            profile="une-style",
            profile_version="1.0",
            verdict="conformant",
            assurance="evidence-checked",
            efficiency_class="BCDE"[i % 4],
            rating_scheme="une-eval-provisional",
            issued_at=now,
            expires_at=now + dt.timedelta(days=365),
            auditor="Bench Auditor",
            figures=(KeyFigure("energy_per_unit", 70.0 + i % 10, "Wh", "recomputed"),),
        )
        reg.reserve(entry, actor="bench", now=now)
        reg.activate(number, hashlib.sha256(b"pdf" + number.encode()).hexdigest(), actor="bench", now=now)
        numbers.append(number)
    reg.close()
    return numbers


def serve(db_url: str, stack: ExitStack) -> tuple[str, int]:
    server = subprocess.Popen(
        [sys.executable, "-m", "une_eval", "serve", "--db", db_url, "--port", "0", "--quiet", "--threads", "8"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    stack.callback(server.wait, 20)
    stack.callback(server.terminate)
    assert server.stdout is not None
    line = server.stdout.readline()
    address = line.split("http://", 1)[1].split("/", 1)[0]
    host, port = address.rsplit(":", 1)
    return host, int(port)


def load(host: str, port: int, paths: list[str], clients: int, seconds: float) -> tuple[float, float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    errors: list[str] = []

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine = []
        while time.monotonic() < deadline:
            start = time.perf_counter()
            conn.request("GET", rng.choice(paths))
            answer = conn.getresponse()
            answer.read()
            if answer.status != 200:
                errors.append(str(answer.status))
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - begin
    assert not errors, f"{len(errors)} failed requests, e.g. {errors[:3]}"
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    return len(latencies) / took, statistics.median(latencies) * 1000, p95 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--postgres", default=os.environ.get("UNE_EVAL_TEST_POSTGRES"))
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    print(f"{args.certificates} certificates, {args.seconds:g} s per run, {os.cpu_count()} CPU(s)")
    print(f"{'backend':<11} {'endpoint':<9} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server_url = args.postgres or stack.enter_context(temporary_server())
        backends = {"sqlite": str(folder / "bench.sqlite"), "postgresql": fresh_database(server_url, "une_eval_bench")}
        for backend, db_url in backends.items():
            numbers = fill(db_url, args.certificates)
            with ExitStack() as site:
                host, port = serve(db_url, site)
                for endpoint, prefix in (("page", "/c/"), ("api", "/api/certificates/")):
                    paths = [prefix + n for n in numbers]
                    for count in clients:
                        rate, p50, p95 = load(host, port, paths, count, args.seconds)
                        print(
                            f"{backend:<11} {endpoint:<9} {count:>7} {rate:>8.0f} {p50:>8.1f} {p95:>8.1f}", flush=True
                        )


if __name__ == "__main__":
    main()
