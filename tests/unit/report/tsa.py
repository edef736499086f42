"""A local RFC 3161 timestamp authority for the tests: pyHanko's in-process one, also served over HTTP on localhost.

Its certificate comes from the session's development CA (so the CA's CRL covers it and ``--trust ca.pem``
trusts it), valid ten years so that a test can verify "after the auditor's certificate expired".
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from une_eval.report.keys import DevPkiPaths, Issued, issue_tsa

PASSPHRASE = b"test-only-passphrase"


def local_tsa(paths: DevPkiPaths, passphrase: bytes = PASSPHRASE) -> DummyTimeStamper:
    """An in-process TSA whose certificate the development CA in ``paths`` issued."""
    ca_key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=passphrase)
    ca_cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    tsa = issue_tsa(Issued(ca_key, ca_cert), days=3650)  # type: ignore[arg-type]
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa.cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
    )


@contextmanager
def served(stamper: DummyTimeStamper) -> Iterator[str]:
    """Serve ``stamper`` as an RFC 3161 HTTP TSA on 127.0.0.1; yield its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = tsp.TimeStampReq.load(body)
            answer = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["local_tsa", "served"]
