"""A development RFC 3161 timestamp authority on the loopback interface, to try PAdES B-T, B-LT and B-LTA.

Its certificate is issued when it starts by the development CA of ``une-eval keys init`` (named "une-eval
development TSA"), so ``verify --trust ca.pem`` trusts its timestamps and the CA's revocation list covers
it, exactly as for the development auditor's key: what it stamps proves nothing outside a trial.

It answers ``POST`` requests of type ``application/timestamp-query`` of at most :data:`MAX_REQUEST_BYTES`
with a timestamp token; anything else gets an HTTP error and no traceback. It listens on 127.0.0.1
only, so nothing outside the machine can ask it for a timestamp.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from une_eval.report.keys import issue_tsa, load_dev_ca

MAX_REQUEST_BYTES = 64 * 1024  # a request holds a hash, a nonce and a policy: a few hundred bytes
REQUEST_TIMEOUT_S = 10.0  # a client that stops sending is dropped
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
TSA_NAME = "une-eval development TSA"


def dev_timestamper(folder: Path, passphrase: bytes, *, days: int = 3650) -> DummyTimeStamper:
    """A timestamper whose certificate the development CA in ``folder`` issues now, valid ``days`` days."""
    tsa = issue_tsa(load_dev_ca(folder, passphrase), TSA_NAME, days=days, organisation="une-eval development")
    der_key = tsa.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa.cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
    )


def tsa_server(stamper: DummyTimeStamper, port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server for ``stamper`` bound to 127.0.0.1:``port`` (0: any free port); call serve_forever()."""

    class Handler(BaseHTTPRequestHandler):
        timeout = REQUEST_TIMEOUT_S

        def do_POST(self) -> None:
            problem, body = _request_body(self)
            if problem:
                self._answer(problem[0], problem[1].encode(), "text/plain; charset=utf-8")
                return
            try:
                request = tsp.TimeStampReq.load(body)
                _ = request.native  # parse it all now: a malformed request is refused here, not half-answered
                reply = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            except Exception:  # asn1crypto and pyHanko raise many types for a request they cannot read
                self._answer(400, b"not a timestamp request (RFC 3161 TimeStampReq)", "text/plain; charset=utf-8")
                return
            self._answer(200, reply, REPLY_TYPE)

        def do_GET(self) -> None:
            self._answer(405, f"POST an {QUERY_TYPE}".encode(), "text/plain; charset=utf-8")

        def _answer(self, status: int, payload: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def _request_body(handler: BaseHTTPRequestHandler) -> tuple[tuple[int, str] | None, bytes]:
    """The request's bytes, or (HTTP status, reason) when it is not a bounded timestamp query."""
    kind = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if kind != QUERY_TYPE:
        return (415, f"the request must be of type {QUERY_TYPE}"), b""
    length = handler.headers.get("Content-Length", "")
    if not length.isascii() or not length.isdigit():
        return (411, "the request must give its length (Content-Length)"), b""
    if int(length) > MAX_REQUEST_BYTES:
        return (413, f"a timestamp request is at most {MAX_REQUEST_BYTES} bytes"), b""
    body = handler.rfile.read(int(length))
    if len(body) != int(length):
        return (400, "the request ended before its length"), b""
    return None, body


def expires(stamper: DummyTimeStamper) -> dt.datetime:
    """When the TSA's certificate expires."""
    when: dt.datetime = stamper.tsa_cert["tbs_certificate"]["validity"]["not_after"].native
    return when
