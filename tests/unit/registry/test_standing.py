"""verify's register step against a live site and against sites that misbehave: never a hang, never PASSED."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import pytest

from tests.unit.registry.records_factory import sha
from tests.unit.registry.site_support import STATUS_NUMBERS, fill, serving
from une_eval.registry.standing import Indication, standing_online


@pytest.mark.parametrize(
    ("status", "indication", "sub"),
    [
        ("active", Indication.PASSED, "ACTIVE"),
        ("suspended", Indication.INDETERMINATE, "SUSPENDED"),
        ("expired", Indication.INDETERMINATE, "EXPIRED"),
        ("superseded", Indication.INDETERMINATE, "SUPERSEDED"),
        ("withdrawn", Indication.FAILED, "WITHDRAWN"),
    ],
)
def test_each_status_through_the_json_api(db_url: str, status: str, indication: Indication, sub: str) -> None:
    fill(db_url)
    number = STATUS_NUMBERS[status]
    with serving(db_url) as site:
        standing = standing_online(site, number, sha("pdf " + number))
        other = standing_online(site, number, sha("a modified file"))
        unknown = standing_online(site, "UEC-NEVER-ISSUED", sha("x"))
        pending = standing_online(site, "UEC-20261126-PENDING", sha("x"))
    assert (standing.indication, standing.sub_indication, standing.status) == (indication, sub, status)
    assert (other.indication, other.sub_indication) == (Indication.FAILED, "HASH_MISMATCH")
    assert (unknown.indication, unknown.sub_indication) == (Indication.FAILED, "NOT_REGISTERED")
    assert pending.indication is Indication.FAILED  # pending certificates are not public


@contextmanager
def fake_site(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback TCP server that handles each connection with ``answer``."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def loop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def silent(conn: socket.socket) -> None:
    time.sleep(5)
    conn.close()


def trickle(conn: socket.socket) -> None:
    conn.recv(4096)
    try:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(50):
            conn.sendall(b" ")
            time.sleep(0.1)
    except OSError:
        pass
    conn.close()


def html_404(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\nnot here\n")
    conn.close()


def liar(conn: socket.socket) -> None:
    conn.recv(4096)
    body = b'{"number": "UEC-OTHER", "status": "active", "pdf_sha256": "' + sha("x").encode() + b'"}'
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    conn.close()


def huge(conn: socket.socket) -> None:
    conn.recv(4096)
    with suppress(OSError):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3000000\r\n\r\n" + b"[" * 3_000_000)
    conn.close()


@pytest.mark.parametrize(
    ("behaviour", "sub"),
    [(silent, "UNREACHABLE"), (trickle, "UNREACHABLE"), (html_404, "MALFORMED_ANSWER"), (liar, "MALFORMED_ANSWER"),
     (huge, "MALFORMED_ANSWER")],
)  # fmt: skip
def test_a_misbehaving_register_is_indeterminate_within_the_timeout(
    behaviour: Callable[[socket.socket], None], sub: str
) -> None:
    with fake_site(behaviour) as site:
        start = time.monotonic()
        standing = standing_online(site, "UEC-OTHER-1", sha("x"), timeout_s=1.5)
        took = time.monotonic() - start
    assert (standing.indication, standing.sub_indication) == (Indication.INDETERMINATE, sub)
    assert took < 6.0  # the bound under test: a 1.5 s whole-request timeout, never a hang (4x margin for a busy runner)


def test_nobody_listening_is_indeterminate() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    standing = standing_online(f"http://127.0.0.1:{port}", "UEC-1", sha("x"), timeout_s=2)
    assert (standing.indication, standing.sub_indication) == (Indication.INDETERMINATE, "UNREACHABLE")
