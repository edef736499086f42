"""The public, read-only register site: standard-library HTTP, one thread per request, pooled connections.

Routes (GET and HEAD only; anything else is 405):

- ``/`` the home page with the search box; ``/search?q=`` the results;
- ``/c/<number>`` a certificate's page (status in words and colour, key results, validity, history,
  and the in-browser PDF check); ``/api/certificates/<number>`` the same record as JSON;
  ``/api/search?q=`` the search as JSON;
- ``/static/site.css`` and ``/static/check.js``, the only assets.

Every response carries a strict Content-Security-Policy (scripts and styles only from this site, no
inline code, no connections, no frames), ``nosniff`` and no referrer. Pending certificates are not
public. The register is opened read-only; a visitor can change nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from une_eval.registry.db import Location, RegistryError
from une_eval.registry.link import API_PATH, PAGE_PATH
from une_eval.registry.records import Status
from une_eval.registry.site.pages import STATIC_TYPES, Page, Pages, pick_language
from une_eval.registry.store import MAX_QUERY_CHARS, NUMBER_PATTERN, Register, open_register
from une_eval.text import json_text

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
JSON_TYPE = "application/json; charset=utf-8"
POOL_WAIT_S = 10.0
MAX_PATH_CHARS = 512
SEARCH_LIMIT = 50
MAX_CLIENTS = 256
BUSY_ANSWER = (
    "HTTP/1.1 503 Service Unavailable\r\n"
    + "".join(f"{name}: {value}\r\n" for name, value in SECURITY_HEADERS.items())
    + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nRetry-After: 5\r\n"
    "Cache-Control: no-store\r\nConnection: close\r\n\r\nbusy\n"
).encode("ascii")


class ConnectionPool:
    """Up to ``size`` read-only register connections shared by the request threads."""

    def __init__(self, where: Location, size: int) -> None:
        self.where = where
        self.idle: queue.LifoQueue[Register] = queue.LifoQueue()
        self.slots = threading.BoundedSemaphore(size)

    @contextmanager
    def register(self) -> Iterator[Register]:
        """A connection for one request; a broken one is dropped instead of returned."""
        if not self.slots.acquire(timeout=POOL_WAIT_S):
            raise RegistryError("every connection to the register is busy")
        try:
            try:
                reg = self.idle.get_nowait()
            except queue.Empty:
                reg = open_register(self.where, read_only=True)
            try:
                yield reg
            except Exception:  # the connection may be broken, or in a failed transaction: never reuse it
                reg.close()
                raise
            self.idle.put(reg)
        finally:
            self.slots.release()

    def close(self) -> None:
        """Close the idle connections (at shutdown)."""
        while True:
            try:
                self.idle.get_nowait().close()
            except queue.Empty:
                return


def public_record(reg: Register, number: str, now: dt.datetime) -> dict[str, Any] | None:
    """The public record of ``number``, or None when it is unknown or still pending."""
    record = reg.get(number)
    if record is None or record.stored_status is Status.PENDING:
        return None
    return record.to_json(now, public=True)


def search_results(reg: Register, query: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The public records matching a search."""
    return [r.to_json(now, public=True) for r in reg.search(query, limit=SEARCH_LIMIT)]


def _valid_query(query: str) -> bool:
    query = query.strip()
    return 0 < len(query) <= MAX_QUERY_CHARS and not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in query)


class SiteHandler(BaseHTTPRequestHandler):
    """One request: route it, answer with security headers, never a traceback."""

    server: SiteServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, a keep-alive client's delayed ACK
    # would hold every answer back about 40 ms.
    disable_nagle_algorithm = True
    timeout = 15  # seconds a client may idle mid-request (slow clients do not hold a thread forever)
    # A bare "GET /" (HTTP/0.9) would be answered without any header, so without the security headers.
    default_request_version = "HTTP/1.0"

    def version_string(self) -> str:
        """The Server header: no Python or library version for a visitor to look up."""
        return "une-eval-register"

    def log_message(self, format: str, *args: Any) -> None:
        """Access log on stderr, control characters escaped (a request line is the visitor's text)."""
        if self.server.quiet:
            return
        line = (format % args).encode("unicode_escape").decode("ascii")
        sys.stderr.write(f"{self.address_string()} [{self.log_date_time_string()}] {line}\n")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer the standard library's refusals in plain text with the security headers, then close.

        They come for a bad request line, one too long, too many headers or an unknown method; the
        visitor's text is never echoed.
        """
        del explain
        self.log_error("code %d, message %s", code, message)  # the access log escapes the visitor's text
        self.close_connection = True
        if code == HTTPStatus.NOT_IMPLEMENTED and self.command:  # a method the site does not have
            self._refuse_method()
            return
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        page = Page(code, f"{code} {phrase}\n".encode(), "text/plain; charset=utf-8")
        self._send(page, cache="no-store", head=self.command == "HEAD")

    def _has_body(self) -> bool:
        headers = getattr(self, "headers", None)
        if headers is None:
            return False
        return headers.get("Content-Length", "0").strip() != "0" or "Transfer-Encoding" in headers

    def _send(
        self, page: Page, *, cache: str = "no-cache", head: bool = False, extra: dict[str, str] | None = None
    ) -> None:
        # The site reads no request body: after one, the next bytes on the connection are not a request
        # of this visitor's (a proxy's pipelined requests could be desynchronised). Close instead.
        if self.close_connection or self._has_body():
            self.close_connection = True
            extra = {**(extra or {}), "Connection": "close"}
        self.send_response(page.status)
        for name, value in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(name, value)
        if page.location is not None:
            self.send_header("Location", page.location)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if not head:
            self.wfile.write(page.body)

    def _json(self, status: int, data: dict[str, Any]) -> Page:
        body = (json_text(data) + "\n").encode("utf-8")  # controls and bidi marks escaped
        return Page(status, body, JSON_TYPE)

    def do_GET(self) -> None:
        """Answer a GET."""
        self._answer(head=False)

    def do_HEAD(self) -> None:
        """Answer a HEAD (a GET without the body)."""
        self._answer(head=True)

    def _refuse_method(self) -> None:
        page = Page(405, b"only GET and HEAD\n", "text/plain; charset=utf-8")
        self._send(page, extra={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method

    def _answer(self, *, head: bool) -> None:
        parts = urlsplit(self.path)
        try:
            params = {k: v[0] for k, v in parse_qs(parts.query, max_num_fields=10).items()} if parts.query else {}
        except ValueError:  # more fields than any page takes
            lang, pages = pick_language(None, self.headers.get("Accept-Language")), self.server.pages
            page = pages.message(400, "bad_request_title", pages.text(lang, "bad_query"), lang)
            self._send(page, cache="no-store", head=head)
            return
        lang = pick_language(params.get("lang"), self.headers.get("Accept-Language"))
        path = parts.path
        is_api = path.startswith("/api/")
        try:
            page, cache, extra = self._route(path, params, lang)
        except Exception as exc:  # a visitor gets one page; the log one line, no traceback
            self._fail(exc, is_api, lang, head)
            return
        self._send(page, cache=cache, head=head, extra=extra)

    def _fail(self, exc: Exception, is_api: bool, lang: str, head: bool) -> None:
        """A register that cannot answer is 503 (try later); anything else 500. Never a traceback."""
        pages = self.server.pages
        unavailable = isinstance(exc, RegistryError)
        status = 503 if unavailable else 500
        what = "register error" if unavailable else f"internal error: {type(exc).__name__}"
        self.log_message("%s: %s", what, str(exc)[:300])
        page = (
            self._json(status, {"error": "unavailable" if unavailable else "internal"})
            if is_api
            else pages.message(status, "unavailable_title", pages.text(lang, "unavailable"), lang)
        )
        self._send(page, cache="no-store", head=head, extra={"Retry-After": "30"} if unavailable else {})

    def _route(self, path: str, params: dict[str, str], lang: str) -> tuple[Page, str, dict[str, str]]:
        pages, now = self.server.pages, dt.datetime.now(dt.UTC)
        api_cors = {"Access-Control-Allow-Origin": "*"}
        if len(path) > MAX_PATH_CHARS:
            return pages.message(414, "bad_request_title", pages.text(lang, "bad_number"), lang), "no-store", {}
        if path.startswith("/static/") and path[len("/static/") :] in STATIC_TYPES:
            name = path[len("/static/") :]
            return Page(200, pages.static[name], STATIC_TYPES[name]), "public, max-age=3600", {}
        if path == "/":
            return pages.index(lang), "no-cache", {}
        if path in ("/search", "/api/search"):
            return self._search(path == "/api/search", params.get("q", ""), lang, now)
        for prefix, api in ((PAGE_PATH, False), (API_PATH, True)):
            if path.startswith(prefix):
                page = self._certificate(path[len(prefix) :], api, lang, now)
                return page, "no-cache", api_cors if api else {}
        if path.startswith("/api/"):
            return self._json(404, {"error": "not_found"}), "no-store", api_cors
        return pages.message(404, "not_found_title", pages.text(lang, "not_found", number="—"), lang), "no-store", {}

    def _certificate(self, number: str, api: bool, lang: str, now: dt.datetime) -> Page:
        pages = self.server.pages
        if not NUMBER_PATTERN.fullmatch(number):
            if api:
                return self._json(400, {"error": "bad_number"})
            return pages.message(400, "bad_request_title", pages.text(lang, "bad_number"), lang)
        with self.server.pool.register() as reg:
            record = public_record(reg, number, now)
            spelling = reg.spelling_of(number) if record is None and not api else None
        if spelling is not None and spelling != number and NUMBER_PATTERN.fullmatch(spelling):  # another case
            return Page(301, b"", "text/plain; charset=utf-8", location=f"{PAGE_PATH}{spelling}?lang={lang}")
        if record is None:
            if api:
                return self._json(404, {"error": "not_registered", "number": number})
            return pages.message(404, "not_found_title", pages.text(lang, "not_found", number=number), lang)
        return self._json(200, record) if api else pages.certificate(record, lang)

    def _search(self, api: bool, query: str, lang: str, now: dt.datetime) -> tuple[Page, str, dict[str, str]]:
        pages = self.server.pages
        cors = {"Access-Control-Allow-Origin": "*"} if api else {}
        if not query.strip() and not api:
            return pages.index(lang), "no-cache", {}
        if not _valid_query(query):
            if api:
                return self._json(400, {"error": "bad_query"}), "no-store", cors
            return pages.message(400, "bad_request_title", pages.text(lang, "bad_query"), lang), "no-store", {}
        with self.server.pool.register() as reg:
            results = search_results(reg, query, now)
        if api:
            return self._json(200, {"query": query.strip(), "certificates": results}), "no-cache", cors
        return pages.search(query.strip(), results, lang), "no-cache", {}


class SiteServer(ThreadingHTTPServer):
    """The HTTP server with the register pool and the pages it shares among request threads.

    At most ``max_clients`` connections are served at once (each holds a thread); one more is
    answered 503 at once and closed, so slow or idle clients cannot make the server start threads
    without end.
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], pool: ConnectionPool, *, quiet: bool = False, max_clients: int = MAX_CLIENTS
    ) -> None:
        self.pool = pool
        self.pages = Pages()
        self.quiet = quiet
        self.clients = threading.BoundedSemaphore(max_clients)
        super().__init__(address, SiteHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start the connection's thread, or turn the connection away when every slot is taken."""
        if not self.clients.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.settimeout(1.0)
                request.sendall(BUSY_ANSWER)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.clients.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Serve one connection in its thread, then free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.clients.release()

    def server_close(self) -> None:
        """Stop listening and close the register connections."""
        super().server_close()
        self.pool.close()


def make_server(
    where: Location, *, host: str, port: int, connections: int = 8, quiet: bool = False, max_clients: int = MAX_CLIENTS
) -> SiteServer:
    """Check the register opens read-only at the current schema version, then bind the site."""
    pool = ConnectionPool(where, connections)
    with pool.register():
        pass
    try:
        return SiteServer((host, port), pool, quiet=quiet, max_clients=max_clients)
    except OSError as exc:
        pool.close()
        raise RegistryError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
