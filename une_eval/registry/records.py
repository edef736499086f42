"""What the register holds about one certificate, and its status model.

A certificate is ``pending`` from the moment its number is reserved (before signing) until its signed
PDF is written and its hash recorded; then ``active``. An active certificate can be ``suspended``
(and reinstated), ``withdrawn`` (final) or ``superseded`` by a reissue (final). ``expired`` is never
stored: an active or suspended certificate is expired from its expiry instant on. Pending records are
the auditor's business (a crash between signing and recording leaves one) and are never public.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """A certificate's status; the English names are part of the public interface (page, API, verify)."""

    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


PUBLIC_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.WITHDRAWN, Status.EXPIRED, Status.SUPERSEDED)


class Change(enum.StrEnum):
    """What an auditor can do to a certificate, and (in :data:`TRANSITIONS`) from which statuses."""

    ACTIVATE = "activate"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    WITHDRAW = "withdraw"
    SUPERSEDE = "supersede"


# change -> (effective statuses it applies to, stored status it leads to)
TRANSITIONS: dict[Change, tuple[frozenset[Status], Status]] = {
    Change.ACTIVATE: (frozenset({Status.PENDING}), Status.ACTIVE),
    Change.SUSPEND: (frozenset({Status.ACTIVE}), Status.SUSPENDED),
    Change.REINSTATE: (frozenset({Status.SUSPENDED}), Status.ACTIVE),
    Change.WITHDRAW: (
        frozenset({Status.PENDING, Status.ACTIVE, Status.SUSPENDED, Status.EXPIRED}),
        Status.WITHDRAWN,
    ),
    Change.SUPERSEDE: (frozenset({Status.ACTIVE, Status.SUSPENDED}), Status.SUPERSEDED),
}


def effective_status(stored: Status, expires_at: dt.datetime, now: dt.datetime) -> Status:
    """The status a visitor sees at ``now``: active and suspended certificates expire."""
    if stored in (Status.ACTIVE, Status.SUSPENDED) and now >= expires_at:
        return Status.EXPIRED
    return stored


def utc_text(moment: dt.datetime) -> str:
    """How instants are stored: ISO 8601 in UTC to the second, so text order is time order."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_utc(text: str) -> dt.datetime:
    """Inverse of :func:`utc_text`."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class Subject:
    """Who and what the certificate is about."""

    organisation: str
    model: str
    model_version: str
    phase: str
    submission_id: str


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """One result printed on the certificate and shown on its page."""

    key: str
    value: float
    unit: str
    provenance: str

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {"key": self.key, "value": self.value, "unit": self.unit, "provenance": self.provenance}


def figures_from_text(text: str) -> tuple[KeyFigure, ...]:
    """Read the stored key results (JSON written by :func:`figures_to_text`); drop what does not parse."""
    out = []
    for item in json.loads(text or "[]"):
        if isinstance(item, dict):
            out.append(KeyFigure(str(item["key"]), float(item["value"]), str(item["unit"]), str(item["provenance"])))
    return tuple(out)


def figures_to_text(figures: tuple[KeyFigure, ...]) -> str:
    """The key results as stored."""
    return json.dumps([f.to_json() for f in figures], ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One entry of a certificate's history: the status it entered, when, by whom and why."""

    at: dt.datetime
    status: Status
    actor: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {"at": utc_text(self.at), "status": str(self.status), "by": self.actor, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class NewCertificate:
    """What is recorded when a number is reserved, before the certificate is signed."""

    number: str
    submission_sha256: str
    subject: Subject
    profile: str
    profile_version: str
    verdict: str
    assurance: str
    efficiency_class: str | None
    rating_scheme: str | None
    issued_at: dt.datetime
    expires_at: dt.datetime
    auditor: str
    figures: tuple[KeyFigure, ...] = ()
    supersedes: str | None = None


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """A certificate as the register holds it, with its history (oldest first)."""

    entry: NewCertificate
    stored_status: Status
    pdf_sha256: str | None
    superseded_by: str | None
    history: tuple[StatusEvent, ...] = field(default=())

    @property
    def number(self) -> str:
        """The certificate number."""
        return self.entry.number

    def status(self, now: dt.datetime) -> Status:
        """The status at ``now`` (see :func:`effective_status`)."""
        return effective_status(self.stored_status, self.entry.expires_at, now)

    def to_json(self, now: dt.datetime, *, public: bool = False) -> dict[str, Any]:
        """The record as JSON; ``public``: what the page shows and the API serves (no pending step)."""
        e = self.entry
        rating = {"class": e.efficiency_class, "scheme": e.rating_scheme} if e.efficiency_class else None
        return {
            "number": e.number,
            "status": str(self.status(now)),
            "pdf_sha256": self.pdf_sha256,
            "submission_sha256": e.submission_sha256,
            "subject": {
                "organisation": e.subject.organisation,
                "model": e.subject.model,
                "model_version": e.subject.model_version,
                "phase": e.subject.phase,
                "submission_id": e.subject.submission_id,
            },
            "profile": {"name": e.profile, "version": e.profile_version},
            "verdict": e.verdict,
            "assurance": e.assurance,
            "efficiency_class": rating,
            "issued_at": utc_text(e.issued_at),
            "expires_at": utc_text(e.expires_at),
            "auditor": e.auditor,
            "supersedes": e.supersedes,
            "superseded_by": self.superseded_by,
            "key_results": [f.to_json() for f in e.figures],
            "history": [h.to_json() for h in self.history if not (public and h.status is Status.PENDING)],
        }
