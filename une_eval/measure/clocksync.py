"""A node clock's offset to a common reference, measured, with its uncertainty.

Two ways, both giving ``offset = node clock - reference clock`` (positive: the node is ahead) and an
uncertainty that bounds the error of that figure:

- **Round trips** to a reference server (:class:`ClockReferenceServer`, ``une-eval clock serve``; rank 0
  of a job). The node stamps a request (t0), the server stamps its arrival and its answer (t1, t2), the
  node stamps the answer's arrival (t3): ``offset = ((t0 - t1) + (t3 - t2)) / 2``. Whatever the
  split of the delay between the two directions, the true offset lies within half the round trip
  ``(t3 - t0) - (t2 - t1)`` of that figure; of several rounds the one with the shortest round trip
  is kept.
- **chrony** (``chronyc -c tracking``): the system clock's offset from NTP time (the CSV's signed
  "System time", positive when the clock is slow), bounded by the root dispersion plus half the root
  delay (chrony's own bound on the clock's error). The reference is then UTC as the NTP servers keep it.

The wire format of the round trips is fixed-size (12-byte request, 28-byte answer, big-endian
nanoseconds); the server answers nothing else, and bounds each connection's rounds and time.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from une_eval.errors import SensorError

ClockMethod = Literal["round-trip", "chrony", "none"]
_MAGIC = b"UEC1"
_REQUEST = struct.Struct(">4sq")
_ANSWER = struct.Struct(">4sqqq")
MAX_ROUNDS = 64
CONNECTION_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 2048


@dataclass(frozen=True, slots=True)
class ClockSample:
    """One measurement of the offset: when (node clock), the offset and its uncertainty, in seconds."""

    at_unix_ns: int
    offset_s: float
    uncertainty_s: float


@dataclass(frozen=True, slots=True)
class ClockOffset:
    """A node clock's offset to a reference, as measured (``method`` none: not measured, with the reason)."""

    method: ClockMethod
    reference: str
    samples: tuple[ClockSample, ...] = ()
    reason: str | None = None

    @property
    def offset_s(self) -> float | None:
        """The offset the samples agree on: the middle of their combined range (None if not measured)."""
        if not self.samples:
            return None
        lo = min(s.offset_s - s.uncertainty_s for s in self.samples)
        hi = max(s.offset_s + s.uncertainty_s for s in self.samples)
        return (lo + hi) / 2

    @property
    def uncertainty_s(self) -> float | None:
        """Half the combined range: every sample, with its uncertainty and any drift between them, lies inside."""
        if not self.samples:
            return None
        lo = min(s.offset_s - s.uncertainty_s for s in self.samples)
        hi = max(s.offset_s + s.uncertainty_s for s in self.samples)
        return (hi - lo) / 2

    def with_sample(self, sample: ClockSample) -> ClockOffset:
        """The same offset with one more sample (taken later in the measurement)."""
        return ClockOffset(self.method, self.reference, (*self.samples, sample), self.reason)


def round_trip_sample(t0: int, t1: int, t2: int, t3: int) -> ClockSample:
    """The offset (node - reference) and its bound from one exchange's four stamps (ns)."""
    offset_ns = ((t0 - t1) + (t3 - t2)) / 2
    round_trip_ns = max((t3 - t0) - (t2 - t1), 0)
    return ClockSample(t0, offset_ns * 1e-9, round_trip_ns / 2 * 1e-9)


def parse_address(text: str, default_port: int = 7807) -> tuple[str, int]:
    """``HOST:PORT`` (or ``HOST``) as a (host, port) pair; ``[v6]:port`` for IPv6."""
    host, sep, port = text.rpartition(":")
    if not sep or "]" in port:
        host, port = text, str(default_port)
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SensorError(f"a clock reference is HOST:PORT, not {text[:80]!r}")
    return host, int(port)


def measure_round_trips(
    address: tuple[str, int], now_ns: Callable[[], int], *, rounds: int = 16, timeout_s: float = 5.0
) -> ClockSample:
    """Exchange ``rounds`` stamps with a reference server; the sample of the shortest round trip."""
    rounds = max(1, min(rounds, MAX_ROUNDS))
    best: ClockSample | None = None
    try:
        with socket.create_connection(address, timeout=timeout_s) as conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for _ in range(rounds):
                t0 = now_ns()
                conn.sendall(_REQUEST.pack(_MAGIC, t0))
                answer = _receive(conn, _ANSWER.size)
                t3 = now_ns()
                magic, echoed, t1, t2 = _ANSWER.unpack(answer)
                if magic != _MAGIC or echoed != t0:
                    raise SensorError(f"the clock reference {address[0]}:{address[1]} answered something else")
                sample = round_trip_sample(t0, t1, t2, t3)
                if best is None or sample.uncertainty_s < best.uncertainty_s:
                    best = sample
    except OSError as exc:
        raise SensorError(f"cannot reach the clock reference {address[0]}:{address[1]}: {exc}") from None
    assert best is not None
    return best


def _receive(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the connection closed mid-answer")
        data += chunk
    return data


class _Handler(socketserver.BaseRequestHandler):
    """Answer up to :data:`MAX_ROUNDS` fixed-size requests on one connection; anything else ends it."""

    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(CONNECTION_TIMEOUT_S)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        deadline = time.monotonic() + CONNECTION_TIMEOUT_S
        try:
            for _ in range(MAX_ROUNDS):
                request = _receive(conn, _REQUEST.size)
                t1 = time.time_ns()
                magic, t0 = _REQUEST.unpack(request)
                if magic != _MAGIC or time.monotonic() > deadline:
                    return
                conn.sendall(_ANSWER.pack(_MAGIC, t0, t1, time.time_ns()))
        except OSError:
            return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int]) -> None:
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class ClockReferenceServer:
    """The reference clock of a job: answers round trips with this host's wall clock, on a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        try:
            self._server = _Server((host, port))
        except OSError as exc:
            raise SensorError(f"cannot listen for clock round trips on {host}:{port}: {exc}") from None
        self._thread = threading.Thread(target=self._server.serve_forever, name="une-eval-clock", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        """The host and port it listens on."""
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> ClockReferenceServer:
        """Start answering (returns itself)."""
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Answer in the calling thread until :meth:`stop` (the ``une-eval clock serve`` command)."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop answering and close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> ClockReferenceServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def parse_chrony_tracking(text: str, at_unix_ns: int) -> tuple[str, ClockSample]:
    """The reference name and the offset sample in one line of ``chronyc -c tracking``."""
    fields = next(iter(text.strip().splitlines()), "").split(",")
    if len(fields) < 14:
        raise SensorError("chronyc -c tracking gave no tracking line (is chronyd running?)")
    if fields[13].strip().lower() in ("not synchronised", "unsynchronised", "not synchronized"):
        raise SensorError("chrony is not synchronised to a time source")
    try:
        correction_s = float(fields[4])
        root_delay_s, root_dispersion_s = float(fields[10]), float(fields[11])
    except ValueError:
        raise SensorError("chronyc -c tracking gave fields that are not numbers") from None
    values = (correction_s, root_delay_s, root_dispersion_s)
    if any(v != v or abs(v) > 1e6 for v in values) or root_delay_s < 0 or root_dispersion_s < 0:
        raise SensorError("chronyc -c tracking gave values out of range")
    reference = f"NTP via chrony ({fields[1].strip()[:60] or fields[0].strip()[:16]})"
    # "System time" is positive when the clock is slow of NTP time: the node is behind, a negative offset.
    return reference, ClockSample(at_unix_ns, -correction_s, root_dispersion_s + root_delay_s / 2)


def chrony_offset(run: Callable[[Sequence[str]], str], now_ns: Callable[[], int]) -> ClockOffset:
    """Ask chrony for the clock's offset (``run`` executes a command and returns its standard output)."""
    try:
        text = run(["chronyc", "-c", "tracking"])
    except (OSError, SensorError) as exc:
        raise SensorError(f"cannot ask chrony for the clock's offset: {exc}") from None
    reference, sample = parse_chrony_tracking(text, now_ns())
    return ClockOffset("chrony", reference, (sample,))


def unmeasured(reason: str) -> ClockOffset:
    """An offset that was not measured, and why (the merge refuses to align such a node with others)."""
    return ClockOffset("none", "none", (), reason[:500])


def measure_offset(
    reference: str, now_ns: Callable[[], int], *, run: Callable[[Sequence[str]], str] | None = None
) -> ClockOffset:
    """Measure against ``reference``: ``HOST:PORT`` (round trips), ``chrony``, or ``none``."""
    if reference == "none":
        return unmeasured("no clock reference was given (--clock-reference)")
    if reference == "chrony":
        if run is None:
            raise SensorError("no way to run chronyc was given")
        return chrony_offset(run, now_ns)
    address = parse_address(reference)
    sample = measure_round_trips(address, now_ns)
    return ClockOffset("round-trip", f"{address[0]}:{address[1]}", (sample,))
