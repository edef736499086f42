"""A throw-away PostgreSQL server for the register tests, from the machine's PostgreSQL binaries.

CI starts one in ``.ci/run`` and names it in ``UNE_EVAL_TEST_POSTGRES``; without that variable the tests
start their own here: ``initdb`` and ``postgres`` on a temporary folder, on a unix socket only, as the
``postgres`` user when run as root. Only when no PostgreSQL is installed at all do the tests skip (and
under ``CI=true`` they fail instead: CI must run them).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "UNE_EVAL_TEST_POSTGRES"


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries folder (Debian keeps them in /usr/lib/postgresql/N/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    exe = shutil.which("postgres")
    return Path(exe).resolve().parent if exe else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", *command]


@contextmanager
def temporary_server() -> Iterator[str]:
    """Start a server on a unix socket in a temporary folder; yield its URL; stop it by its PID."""
    binaries = postgres_bin()
    if binaries is None:
        raise FileNotFoundError("no PostgreSQL server binaries (install Debian's postgresql package)")
    folder = Path(tempfile.mkdtemp(prefix="une-eval-test-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    data = folder / "data"
    subprocess.run(
        _as_server_user([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = subprocess.Popen(
        _as_server_user(
            [
                str(binaries / "postgres"),
                "-D",
                str(data),
                "-k",
                str(folder),
                "-c",
                "listen_addresses=",
                "-c",
                "fsync=off",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql://postgres@/postgres?host={folder}"
    try:
        wait_ready(url)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def wait_ready(url: str, timeout_s: float = 30.0) -> None:
    """Wait until the server accepts connections."""
    import psycopg

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fresh_database(server_url: str, name: str) -> str:
    """Create an empty database on the server; return its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = server_url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
