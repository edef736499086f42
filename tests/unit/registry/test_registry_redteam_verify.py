"""Attacks on verify's register step: records and answers that lie, are stale, malformed or come unauthenticated.

Each must give INDETERMINATE or FAILED with its reason, never PASSED.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.unit.registry.records_factory import sha
from tests.unit.registry.site_support import STATUS_NUMBERS, fill, serving
from une_eval.registry.standing import Indication, authenticated_channel, judge, standing_online

ACTIVE = STATUS_NUMBERS["active"]


def record(number: str = "UEC-1", **changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "number": number,
        "status": "active",
        "pdf_sha256": sha("pdf"),
        "expires_at": "2099-01-01T00:00:00Z",
        "superseded_by": None,
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("answer", "indication", "sub"),
    [
        (record(), Indication.PASSED, "ACTIVE"),
        (record(expires_at="2020-01-01T00:00:00Z"), Indication.INDETERMINATE, "EXPIRED"),
        (record(status="suspended", expires_at="2020-01-01T00:00:00Z"), Indication.INDETERMINATE, "EXPIRED"),
        (record(expires_at="soon"), Indication.INDETERMINATE, "MALFORMED_ANSWER"),
        (record(expires_at=None), Indication.INDETERMINATE, "MALFORMED_ANSWER"),
        (record(expires_at=20990101), Indication.INDETERMINATE, "MALFORMED_ANSWER"),
        (record(number="uec-1"), Indication.INDETERMINATE, "MALFORMED_ANSWER"),
        (record(status="ACTIVE"), Indication.INDETERMINATE, "MALFORMED_ANSWER"),
        (record(pdf_sha256=sha("pdf").upper()), Indication.INDETERMINATE, "MALFORMED_ANSWER"),
        (record(pdf_sha256=sha("other")), Indication.FAILED, "HASH_MISMATCH"),
    ],
)
def test_judging_a_record_never_trusts_more_than_it_says(
    answer: dict[str, object], indication: Indication, sub: str
) -> None:
    standing = judge("UEC-1", sha("pdf"), answer, now=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    assert (standing.indication, standing.sub_indication) == (indication, sub)


def test_a_superseding_number_from_the_register_reaches_no_terminal_unchecked() -> None:
    hostile = record(status="superseded", superseded_by="\x1b]0;pwned\x07UEC-2")
    standing = judge("UEC-1", sha("pdf"), hostile)
    assert standing.sub_indication == "SUPERSEDED"
    assert "\x1b" not in standing.detail


@contextmanager
def answering(body: bytes, status: str = "200 OK") -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            conn.sendall(head.encode() + body)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        thread.join(5)
        listener.close()


@pytest.mark.parametrize(
    "body",
    [b"[" * 200_000, b'{"a":' * 100_000, b"\xff\xfe\x00garbage", b"null", b'"active"', b"[]"],
    ids=["nested-list", "nested-object", "binary", "null", "string", "list"],
)
def test_a_hostile_json_answer_is_indeterminate(body: bytes) -> None:
    with answering(body) as site:
        standing = standing_online(site, "UEC-1", sha("pdf"), timeout_s=5)
    assert (standing.indication, standing.sub_indication) == (Indication.INDETERMINATE, "MALFORMED_ANSWER")


def test_a_stale_active_answer_past_its_expiry_is_not_passed() -> None:
    body = json.dumps(record(expires_at="2021-01-01T00:00:00Z")).encode()
    with answering(body) as site:
        standing = standing_online(site, "UEC-1", sha("pdf"), timeout_s=5)
    assert (standing.indication, standing.sub_indication) == (Indication.INDETERMINATE, "EXPIRED")


def test_verify_against_the_real_site_still_passes_an_active_file(tmp_path: Path) -> None:
    filled = str(tmp_path / "register.sqlite")
    fill(filled)
    with serving(filled) as base:
        standing = standing_online(base, ACTIVE, sha("pdf " + ACTIVE), timeout_s=5)
    assert (standing.indication, standing.sub_indication) == (Indication.PASSED, "ACTIVE")


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://certs.example.org/api/certificates/UEC-1", True),
        ("http://127.0.0.1:8080/api/certificates/UEC-1", True),
        ("http://127.8.9.10/x", True),
        ("http://[::1]:8080/x", True),
        ("http://[::ffff:127.0.0.1]:8080/x", True),
        ("http://localhost./x", True),
        ("http://certs.example.org/api/certificates/UEC-1", False),
        ("http://127.0.0.1.example.org/x", False),
        ("http://10.0.0.5/x", False),
        ("ftp://127.0.0.1/x", False),
    ],
)
def test_which_channels_can_carry_an_active_answer(url: str, trusted: bool) -> None:
    assert authenticated_channel(url) is trusted


def test_an_active_answer_over_plain_http_from_afar_is_not_passed() -> None:
    body = json.dumps(record()).encode()
    answered_by: list[str] = []

    def fetch(url: str, timeout_s: float) -> tuple[int, bytes, str]:
        answered_by.append(url)
        return 200, body, "http://mirror.example.org/api/certificates/UEC-1"  # redirected from https

    standing = standing_online("https://certs.example.org", "UEC-1", sha("pdf"), fetch=fetch)
    assert (standing.indication, standing.sub_indication) == (Indication.INDETERMINATE, "INSECURE_CHANNEL")
    assert answered_by == ["https://certs.example.org/api/certificates/UEC-1"]
    withdrawn = json.dumps(record(status="withdrawn")).encode()
    standing = standing_online(
        "http://certs.example.org", "UEC-1", sha("pdf"), fetch=lambda url, t: (200, withdrawn, url)
    )
    assert (standing.indication, standing.sub_indication) == (Indication.FAILED, "WITHDRAWN")  # bad news stands
    standing = standing_online("https://certs.example.org", "UEC-1", sha("pdf"), fetch=lambda url, t: (200, body, url))
    assert (standing.indication, standing.sub_indication) == (Indication.PASSED, "ACTIVE")
