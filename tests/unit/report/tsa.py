"""A local RFC 3161 timestamp authority for the tests: ``une-eval keys tsa``'s, in-process or served on localhost.

Its certificate comes from the session's development CA (so the CA's CRL covers it and ``--trust ca.pem``
trusts it), valid ten years so that a test can verify "after the auditor's certificate expired".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from une_eval.report.dev_tsa import dev_timestamper, tsa_server
from une_eval.report.keys import DevPkiPaths

PASSPHRASE = b"test-only-passphrase"


def local_tsa(paths: DevPkiPaths, passphrase: bytes = PASSPHRASE) -> DummyTimeStamper:
    """An in-process TSA whose certificate the development CA in ``paths`` issued."""
    return dev_timestamper(paths.ca_cert.parent, passphrase, days=3650)


@contextmanager
def served(stamper: DummyTimeStamper) -> Iterator[str]:
    """Serve ``stamper`` as an RFC 3161 HTTP TSA on 127.0.0.1, from a thread; yield its URL."""
    server = tsa_server(stamper)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["local_tsa", "served"]
