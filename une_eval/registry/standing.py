"""A certificate's standing in its register: the check ``verify --registry URL`` or ``--db`` adds.

It runs after the signature checks, on the number the signed PDF carries and the PDF's own SHA-256,
and answers in the three values of the EU's DSS validator: PASSED (recorded, active, this very file),
INDETERMINATE (the register cannot be reached or answers nonsense within the timeout, says active
over plain HTTP from another machine, or the certificate is suspended, expired, superseded or still
pending) or FAILED (withdrawn, not in the
register, or the register recorded another file under this number). A register that cannot be asked
never yields PASSED.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from une_eval.registry.db import Location, RegistryError
from une_eval.registry.link import api_url, check_base_url
from une_eval.registry.records import Status, parse_utc, utc_text
from une_eval.registry.store import NUMBER_PATTERN, SHA256_PATTERN, open_register
from une_eval.report.indication import Indication as Indication  # re-exported: the register's answers use it
from une_eval.text import printable

if TYPE_CHECKING:
    from une_eval.report.verify import Verification

DEFAULT_TIMEOUT_S = 10.0
MAX_ANSWER_BYTES = 1024 * 1024
MAX_PDF_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Standing:
    """What the register says about one certificate file."""

    indication: Indication
    sub_indication: str  # e.g. ACTIVE, SUSPENDED, WITHDRAWN, NOT_REGISTERED, HASH_MISMATCH, UNREACHABLE
    detail: str  # one sentence
    status: str | None = None  # the English status name, when the register gave one

    @property
    def passed(self) -> bool:
        """True only for PASSED."""
        return self.indication is Indication.PASSED

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "indication": str(self.indication),
            "sub_indication": self.sub_indication,
            "detail": self.detail,
            "status": self.status,
        }


_OUTCOME = {
    Status.ACTIVE: (Indication.PASSED, "the register records this file as certificate {n}, active until {until}"),
    Status.SUSPENDED: (Indication.INDETERMINATE, "certificate {n} is suspended in the register: not valid for now"),
    Status.EXPIRED: (Indication.INDETERMINATE, "certificate {n} expired on {until}"),
    Status.SUPERSEDED: (Indication.INDETERMINATE, "certificate {n} is superseded by {by}: check the new one"),
    Status.PENDING: (Indication.INDETERMINATE, "certificate {n} is still pending in the register (issuing unfinished)"),
    Status.WITHDRAWN: (Indication.FAILED, "certificate {n} is withdrawn by the certification body"),
}


def _expiry(record: dict[str, Any]) -> dt.datetime | None:
    text = record.get("expires_at")
    try:
        return parse_utc(text) if isinstance(text, str) and len(text) <= 40 else None
    except ValueError:
        return None


def judge(number: str, pdf_sha256: str, record: dict[str, Any] | None, now: dt.datetime | None = None) -> Standing:
    """The standing of a file from the register's public record of its number (None: not recorded).

    A record that says active (or suspended) past its own expiry instant (a stale copy from a cache,
    a register whose clock is wrong) is judged expired: the file's validity never outlives what it says.
    """
    if record is None:
        return Standing(Indication.FAILED, "NOT_REGISTERED", f"certificate {number} is not in the register")
    status_text = record.get("status")
    recorded = record.get("pdf_sha256")
    if record.get("number") != number or status_text not in {s.value for s in Status}:
        return Standing(Indication.INDETERMINATE, "MALFORMED_ANSWER", "the register's answer is not a une-eval record")
    status = Status(str(status_text))
    if status is not Status.PENDING and not (isinstance(recorded, str) and SHA256_PATTERN.fullmatch(recorded)):
        return Standing(Indication.INDETERMINATE, "MALFORMED_ANSWER", "the register's record holds no valid PDF hash")
    if status is not Status.PENDING and recorded != pdf_sha256:
        return Standing(
            Indication.FAILED,
            "HASH_MISMATCH",
            f"the register recorded another file as certificate {number} (SHA-256 {recorded})",
            str(status),
        )
    expires_at = _expiry(record)
    if expires_at is None and status is not Status.PENDING:
        return Standing(Indication.INDETERMINATE, "MALFORMED_ANSWER", "the register's record holds no valid expiry")
    live = status in (Status.ACTIVE, Status.SUSPENDED)
    if live and expires_at is not None and expires_at <= (now or dt.datetime.now(dt.UTC)):
        status = Status.EXPIRED
    indication, text = _OUTCOME[status]
    until = utc_text(expires_at)[:10] if expires_at else "?"
    by = record.get("superseded_by")  # the register's text reaches a terminal only when it is a number
    by = by if isinstance(by, str) and NUMBER_PATTERN.fullmatch(by) else "another certificate"
    detail = text.format(n=number, until=until, by=by)
    return Standing(indication, status.name, detail, str(status))


def standing_in_database(where: Location, number: str, pdf_sha256: str) -> Standing:
    """Ask a register database directly (``verify --db``)."""
    if not NUMBER_PATTERN.fullmatch(number):
        return Standing(Indication.FAILED, "NOT_REGISTERED", "the certificate carries no valid number")
    try:
        with open_register(where, read_only=True) as reg:
            record = reg.get(number)
    except RegistryError as exc:
        return Standing(Indication.INDETERMINATE, "UNREACHABLE", f"the register cannot be read: {exc}")
    return judge(number, pdf_sha256, record.to_json(dt.datetime.now(dt.UTC)) if record else None)


def _fetch(url: str, timeout_s: float) -> tuple[int, bytes, str]:
    """(HTTP status, body, the address that answered after any redirect)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "une-eval verify"})  # noqa: S310 (http(s) only, checked)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310
            return int(answer.status), answer.read(MAX_ANSWER_BYTES + 1), str(answer.geturl())
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(MAX_ANSWER_BYTES + 1), str(exc.geturl() or url)


Fetch = Callable[[str, float], tuple[int, bytes, str]]


def _online_answer(url: str, timeout_s: float, fetch: Fetch) -> tuple[int, bytes, str] | str:
    """GET ``url`` within ``timeout_s`` overall: (status, body, final address) or why not.

    A thread bounds the whole request: a server that trickles its answer cannot hold verify.
    """
    outcome: list[tuple[int, bytes, str] | str] = []

    def run() -> None:
        try:
            outcome.append(fetch(url, timeout_s))
        except Exception as exc:  # refused, reset, DNS, TLS, timeout: all mean "could not ask"
            outcome.append(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}")

    worker = threading.Thread(target=run, name="une-eval-registry-check", daemon=True)
    worker.start()
    worker.join(timeout_s)
    return outcome[0] if outcome else f"no complete answer within {timeout_s:g} s"


def authenticated_channel(url: str) -> bool:
    """True for HTTPS, and for plain HTTP to this machine; anyone on the path can rewrite other HTTP answers."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme != "http" or not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (mapped or address).is_loopback


def standing_online(
    base_url: str, number: str, pdf_sha256: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, fetch: Fetch | None = None
) -> Standing:
    """Ask a register site's JSON API (``verify --registry URL``), with a bounded wait.

    ``fetch`` (url, timeout) -> (HTTP status, body, the address that answered) is the network; the
    default uses urllib. An active answer counts only when it came over HTTPS or from this machine.
    """
    check_base_url(base_url)
    if not NUMBER_PATTERN.fullmatch(number):
        return Standing(Indication.FAILED, "NOT_REGISTERED", "the certificate carries no valid number")
    answer = _online_answer(api_url(base_url, number), timeout_s, fetch or _fetch)
    if isinstance(answer, str):
        return Standing(
            Indication.INDETERMINATE, "UNREACHABLE", f"the register at {base_url} cannot be asked: {answer}"
        )
    code, body, answered_by = answer
    try:
        data = json.loads(body) if len(body) <= MAX_ANSWER_BYTES else None
    except (ValueError, RecursionError):  # not JSON, or nested past what the parser follows
        data = None
    if not isinstance(data, dict):
        return Standing(
            Indication.INDETERMINATE, "MALFORMED_ANSWER", f"{base_url} answered HTTP {code} without a register record"
        )
    if code == 404 and data.get("error") == "not_registered" and data.get("number") == number:
        return judge(number, pdf_sha256, None)
    if code != 200:
        return Standing(Indication.INDETERMINATE, "UNREACHABLE", f"the register at {base_url} answered HTTP {code}")
    standing = judge(number, pdf_sha256, data)
    if standing.passed and not authenticated_channel(answered_by):
        return Standing(
            Indication.INDETERMINATE,
            "INSECURE_CHANNEL",
            f"{printable(answered_by)[:200]} answered over plain HTTP, which anyone on the way can rewrite: "
            "an active status is accepted only over HTTPS",
            standing.status,
        )
    return standing


def standing_of_file(
    path: Path, number: str | None, *, registry_url: str | None, db: str | None, timeout_s: float = DEFAULT_TIMEOUT_S
) -> Standing:
    """The standing of the certificate file at ``path`` (``number``: what its signed metadata says)."""
    from une_eval.loading import read_bounded
    from une_eval.registry.db import parse_location

    if not number:
        return Standing(Indication.INDETERMINATE, "NO_NUMBER", "no signed certificate number to look up")
    digest = hashlib.sha256(read_bounded(path, MAX_PDF_BYTES)).hexdigest()
    if registry_url is not None:
        return standing_online(registry_url, number, digest, timeout_s=timeout_s)
    return standing_in_database(parse_location(db), number, digest)


def registry_step(
    report: Verification, path: Path, registry_url: str | None, db: str | None, timeout_s: float
) -> Standing:
    """Add the register check to a verification, as its last check; return the standing."""
    number = report.printed.get("number")  # set only once the signature and its coverage held
    standing = standing_of_file(path, number, registry_url=registry_url, db=db, timeout_s=timeout_s)
    shown = f" ({standing.status})" if standing.status else ""
    report.add(
        "registry",
        standing.passed,
        f"{standing.indication} {standing.sub_indication}{shown}: {standing.detail}",
        indication=standing.indication,
        sub_indication=standing.sub_indication,
    )
    return standing


def registry_exit_code(reports: list[Verification], standings: list[Standing | None]) -> int:
    """Verify's exit code: 1 when any file is FAILED, else 2 when any is INDETERMINATE, else 0 (all PASSED)."""
    from une_eval.report.indication import worst

    del standings  # the register's answer is one of each report's checks
    return worst([r.indication for r in reports]).exit_code
