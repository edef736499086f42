"""A register with one certificate in each public status, and the site serving it in a thread."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.unit.registry.records_factory import entry, sha
from une_eval.registry.db import connect, parse_location
from une_eval.registry.migrations import migrate
from une_eval.registry.records import Change
from une_eval.registry.site.server import make_server
from une_eval.registry.store import Register

HOSTILE = '<script>alert("x")</script> & "Quotes" \'S.L.\''
STATUS_NUMBERS = {
    "active": "UEC-20261126-ACTIVE",
    "suspended": "UEC-20261126-SUSPENDED",
    "withdrawn": "UEC-20261126-WITHDRAWN",
    "expired": "UEC-20250101-EXPIRED",
    "superseded": "UEC-20261126-OLD",
}


def fill(db_url: str) -> None:
    """Create the register and record a certificate in each status (plus a pending one and a reissue)."""
    db = connect(parse_location(db_url), create=True)
    migrate(db)
    reg = Register(db)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    year_ago = now - dt.timedelta(days=400)

    def issue(number: str, when: dt.datetime = now, **kwargs: object) -> None:
        reg.reserve(entry(number, issued_at=when, **kwargs), actor="Marta Ruiz", now=when)  # type: ignore[arg-type]
        reg.activate(number, sha("pdf " + number), actor="Marta Ruiz", now=when)

    issue(STATUS_NUMBERS["active"], organisation=HOSTILE, model="Model <b>bold</b>")
    issue(STATUS_NUMBERS["suspended"])
    reg.change(STATUS_NUMBERS["suspended"], Change.SUSPEND, actor="Luis Gil", reason="complaint <i>under</i> review")
    issue(STATUS_NUMBERS["withdrawn"])
    reg.change(STATUS_NUMBERS["withdrawn"], Change.WITHDRAW, actor="Luis Gil", reason="false declaration")
    issue(STATUS_NUMBERS["expired"], when=year_ago)
    issue(STATUS_NUMBERS["superseded"])
    issue("UEC-20261126-NEW", supersedes=STATUS_NUMBERS["superseded"])
    reg.reserve(entry("UEC-20261126-PENDING"), actor="Marta Ruiz", now=now)
    reg.close()


@contextmanager
def serving(db_url: str) -> Iterator[str]:
    """The site on a free loopback port, in a thread; yields its base URL."""
    server = make_server(parse_location(db_url), host="127.0.0.1", port=0, connections=4, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
