"""Attacks on the public site from the internet: raw HTTP that a browser would never send.

Each test sends bytes on a socket and reads every byte back until the server closes, so that a
dropped connection, a second (smuggled) answer or a missing header shows.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.registry.site_support import STATUS_NUMBERS, fill, serving
from une_eval.registry.db import parse_location
from une_eval.registry.site.server import SECURITY_HEADERS, make_server

ACTIVE = STATUS_NUMBERS["active"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    db = str(tmp_path_factory.mktemp("redteam") / "register.sqlite")
    fill(db)
    with serving(db) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def exchange(site: tuple[str, int], raw: bytes, *, timeout_s: float = 20.0) -> bytes:
    """Send ``raw``, half-close, and read until the server closes the connection."""
    with socket.create_connection(site, timeout=timeout_s) as conn:
        conn.sendall(raw)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def answers_or_reset(site: tuple[str, int], raw: bytes) -> list[tuple[int, dict[str, str]]] | None:
    """The answers to ``raw``; None when the connection was reset first.

    A server that turns a connection away answers 503 and closes at once: when the request arrives after
    that, the client's system may see the connection reset before it reads the answer.
    """
    try:
        return answers(exchange(site, raw))
    except (ConnectionResetError, BrokenPipeError):
        return None
    except OSError as exc:
        if exc.errno == errno.ENOTCONN:
            return None
        raise


def answers(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The status line and headers of every HTTP answer in ``data``."""
    found = []
    for part in data.split(b"HTTP/1.")[1:]:
        head = part.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        if not head[0][2:5].isdigit():
            continue
        headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        found.append((int(head[0][2:5]), {k.lower(): v for k, v in headers.items()}))
    return found


def assert_guarded(headers: dict[str, str]) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, name


def test_too_many_query_fields_is_a_400_not_a_dropped_connection(site: tuple[str, int]) -> None:
    query = "&".join(f"f{i}=1" for i in range(40))
    data = exchange(site, f"GET /search?q=x&{query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    [(status, headers)] = answers(data)
    assert status == 400
    assert_guarded(headers)
    assert b"Traceback" not in data


@pytest.mark.parametrize(
    "request_line",
    [
        "TRACE / HTTP/1.1",
        "CONNECT 127.0.0.1:22 HTTP/1.1",
        "PROPFIND / HTTP/1.1",
        "GET / HTTP/9.9",
        "GET " + "/c/" + "A" * 70_000 + " HTTP/1.1",
        "garbage",
    ],
)
def test_requests_the_standard_library_refuses_still_carry_the_security_headers(
    site: tuple[str, int], request_line: str
) -> None:
    data = exchange(site, f"{request_line}\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    [(status, headers)] = answers(data)
    assert 400 <= status < 600
    assert_guarded(headers)
    assert b"<script" not in data.lower()


def test_a_bare_http09_request_is_answered_with_headers(site: tuple[str, int]) -> None:
    data = exchange(site, f"GET /c/{ACTIVE}\r\n".encode())
    assert data.startswith(b"HTTP/1.")  # an HTTP/0.9 answer is the body alone: no security header at all
    [(_, headers)] = answers(data)
    assert_guarded(headers)


def test_trace_is_refused_like_the_other_methods(site: tuple[str, int]) -> None:
    data = exchange(site, b"TRACE / HTTP/1.1\r\nHost: x\r\nX-Secret: cookie\r\nConnection: close\r\n\r\n")
    [(status, headers)] = answers(data)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"
    assert b"cookie" not in data


def test_too_many_headers_are_refused_with_the_security_headers(site: tuple[str, int]) -> None:
    many = "".join(f"X-{i}: {i}\r\n" for i in range(200))
    data = exchange(site, f"GET / HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n".encode())
    [(status, headers)] = answers(data)
    assert status == 431
    assert_guarded(headers)


@pytest.mark.parametrize("method", ["POST", "GET", "PUT"])
def test_a_request_body_cannot_smuggle_a_second_request(site: tuple[str, int], method: str) -> None:
    smuggled = f"GET /c/{ACTIVE} HTTP/1.1\r\nHost: x\r\n\r\n"
    raw = f"{method} / HTTP/1.1\r\nHost: x\r\nContent-Length: {len(smuggled)}\r\n\r\n{smuggled}"
    data = exchange(site, raw.encode())
    statuses = [status for status, _ in answers(data)]
    assert len(statuses) == 1, statuses
    assert ACTIVE.encode() not in data


def test_a_chunked_body_cannot_smuggle_a_second_request(site: tuple[str, int]) -> None:
    smuggled = f"GET /c/{ACTIVE} HTTP/1.1\r\nHost: x\r\n\r\n"
    raw = f"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smuggled}"
    data = exchange(site, raw.encode())
    assert len(answers(data)) == 1
    assert ACTIVE.encode() not in data


@pytest.mark.parametrize(
    "path",
    [
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/..%2fserver.py",
        "/static/%c0%ae%c0%ae/server.py",
        "/static/site.css%00.py",
        "/static/./site.css",
        "/c/..%2f..%2fetc%2fpasswd",
        "/c/" + ACTIVE + "%00",
        "/c/" + ACTIVE + "%0d%0aSet-Cookie:%20a=b",
        "/api/certificates/..%2F..%2Fstore.py",
        "/templates/base.html",
        "/static/",
    ],
)
def test_traversal_and_encoded_paths_reach_no_file(site: tuple[str, int], path: str) -> None:
    data = exchange(site, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    [(status, headers)] = answers(data)
    assert status in (400, 404)
    assert_guarded(headers)
    assert "set-cookie" not in headers
    assert b"ThreadingHTTPServer" not in data  # a line of the site's own source
    assert b"Traceback" not in data
    assert str(Path(__file__).parents[3]).encode() not in data


def test_the_host_header_never_reaches_a_page(site: tuple[str, int]) -> None:
    for path in ("/", f"/c/{ACTIVE}", "/search?q=Model", f"/api/certificates/{ACTIVE}", "/c/UEC-NOPE"):
        evil = "Host: evil.example\r\nX-Forwarded-Host: evil.example\r\n"
        raw = f"GET {path} HTTP/1.1\r\n{evil}Connection: close\r\n\r\n"
        data = exchange(site, raw.encode())
        assert b"evil.example" not in data, path


def test_idle_connections_past_the_limit_are_turned_away_not_given_threads(tmp_path: Path) -> None:
    db = str(tmp_path / "register.sqlite")
    fill(db)
    server = make_server(parse_location(db), host="127.0.0.1", port=0, quiet=True, max_clients=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = ("127.0.0.1", int(server.server_address[1]))
    try:
        idle = [socket.create_connection(address, timeout=10) for _ in range(2)]  # slowloris: never a request
        turned_away = []
        for _ in range(20):  # each try is turned away; the 503 is read unless the request crossed the closing
            answered = answers_or_reset(address, f"GET /c/{ACTIVE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert answered is None or [s for s, _ in answered] == [503]
            turned_away += answered or []
            if turned_away:
                break
        [(status, headers)] = turned_away
        assert status == 503
        assert_guarded(headers)
        for conn in idle:
            conn.close()
        statuses: list[int] = []
        for _ in range(200):  # the slots come free once the server sees the idle clients gone
            answered = answers_or_reset(address, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            statuses = [s for s, _ in answered or []]
            if statuses == [200]:
                break
            threading.Event().wait(0.05)
        assert statuses == [200]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


XSS = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}\u202e"


def test_hostile_text_in_every_shown_field_is_escaped(tmp_path: Path) -> None:
    import datetime as dt
    import json

    from tests.unit.registry.records_factory import sha
    from une_eval.registry.db import connect
    from une_eval.registry.migrations import migrate
    from une_eval.registry.records import Change, KeyFigure, NewCertificate, Subject
    from une_eval.registry.store import Register

    db = str(tmp_path / "xss.sqlite")
    conn = connect(parse_location(db), create=True)
    migrate(conn)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    new = NewCertificate(
        number="UEC-XSS", submission_sha256=sha("s"), subject=Subject(XSS, XSS, XSS, XSS, XSS), profile=XSS,
        profile_version=XSS, verdict=XSS, assurance=XSS, efficiency_class=XSS, rating_scheme=XSS, issued_at=now,
        expires_at=now + dt.timedelta(days=9), auditor=XSS, figures=(KeyFigure(XSS, 1e308, XSS, XSS),),
    )  # fmt: skip
    with Register(conn) as reg:
        reg.reserve(new, actor=XSS.replace("\u202e", ""), now=now)
        reg.activate("UEC-XSS", sha("pdf"), actor="x", now=now)
        reg.change("UEC-XSS", Change.SUSPEND, actor=XSS.replace("\u202e", ""), reason=XSS.replace("\u202e", ""))
    with serving(db) as base:
        host, port = base.removeprefix("http://").split(":")
        for path in ("/c/UEC-XSS?lang=en", "/c/UEC-XSS?lang=es", "/search?q=script"):
            data = exchange((host, int(port)), f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            [(status, headers)] = answers(data)
            assert status == 200, path
            body = data.split(b"\r\n\r\n", 1)[1].decode()
            assert "<script>" not in body
            assert "<img" not in body
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
            assert "{{7*7}}" in body  # shown, never evaluated
            assert_guarded(headers)
        data = exchange(
            (host, int(port)), b"GET /api/certificates/UEC-XSS HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        [(status, headers)] = answers(data)
        assert headers["content-type"] == "application/json; charset=utf-8"
        assert json.loads(data.split(b"\r\n\r\n", 1)[1])["subject"]["organisation"] == XSS
        assert "\u202e".encode() not in data  # a reader's terminal shows the escape, not reversed text


def test_the_access_log_shows_a_hostile_request_line_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "register.sqlite")
    fill(db)
    server = make_server(parse_location(db), host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = ("127.0.0.1", int(server.server_address[1]))
    try:
        for line in (b"GET /\x1b[2J\x1b]0;pwned\x07 HTTP/1.1", b"\x1b[31mBOGUS\x1b[0m", b"GET / HTTP/1.1\x1b[1A"):
            assert answers(exchange(address, line + b"\r\nHost: x\r\nConnection: close\r\n\r\n"))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    log = capsys.readouterr().err
    assert "pwned" in log
    assert "BOGUS" in log
    assert "\x1b" not in log
    assert "\x07" not in log
