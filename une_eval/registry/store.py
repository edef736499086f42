"""The register: reserve a number, record a signed certificate, change its status, look certificates up.

:class:`Register` is the only code that reads or writes the register's tables. Numbers are unique by
the primary key, so two auditors issuing at once can never record the same number: the second is told
so. Every status change is checked against :data:`~une_eval.registry.records.TRANSITIONS` inside the
write transaction that makes it, and appended to the certificate's history with who, when and why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from une_eval.registry.db import Database, Location, RegistryError, Row, connect
from une_eval.registry.migrations import require_current
from une_eval.registry.records import (
    PUBLIC_STATUSES,
    TRANSITIONS,
    CertificateRecord,
    Change,
    NewCertificate,
    Status,
    StatusEvent,
    Subject,
    figures_from_text,
    figures_to_text,
    parse_utc,
    utc_text,
)

NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
MAX_QUERY_CHARS = 100
MAX_REASON_CHARS = 500
_DONE = {
    Change.ACTIVATE: "activated",
    Change.SUSPEND: "suspended",
    Change.REINSTATE: "reinstated",
    Change.WITHDRAW: "withdrawn",
    Change.SUPERSEDE: "superseded",
}
_COLUMNS = (
    "number, status, pdf_sha256, submission_sha256, organisation, model, model_version, phase, submission_id, "
    "profile, profile_version, verdict, assurance, efficiency_class, rating_scheme, issued_at, expires_at, "
    "auditor, key_results, supersedes, superseded_by"
)

_NULLABLE = frozenset({2, 13, 14, 19, 20})  # pdf_sha256, efficiency_class, rating_scheme, supersedes, superseded_by


def check_number(number: str) -> str:
    """Accept a certificate number only in the issuing pattern (1-64 letters, digits, ``. _ -``)."""
    if not NUMBER_PATTERN.fullmatch(number):
        shown = number[:70].encode("ascii", "backslashreplace").decode("ascii")
        raise RegistryError(
            f"not a certificate number: {shown!r} (1-64 letters, digits, '.', '_' or '-'; "
            "it starts with a letter or digit)"
        )
    return number


def check_text(value: str, what: str, *, limit: int) -> str:
    """A free-text field (reason, name, query): printable, not empty, bounded."""
    value = value.strip()
    if not value or len(value) > limit or any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise RegistryError(f"the {what} must be 1-{limit} printable characters")
    return value


def _record(row: Row, history: tuple[StatusEvent, ...]) -> CertificateRecord:
    (number, status, pdf, sub_sha, org, model, model_version, phase, sub_id, profile, profile_version) = row[:11]
    (verdict, assurance, grade, scheme, issued, expires, auditor, figures, supersedes, superseded_by) = row[11:]
    entry = NewCertificate(
        number=number,
        submission_sha256=sub_sha,
        subject=Subject(org, model, model_version, phase, sub_id),
        profile=profile,
        profile_version=profile_version,
        verdict=verdict,
        assurance=assurance,
        efficiency_class=grade,
        rating_scheme=scheme,
        issued_at=parse_utc(issued),
        expires_at=parse_utc(expires),
        auditor=auditor,
        figures=figures_from_text(figures),
        supersedes=supersedes,
    )
    return CertificateRecord(entry, Status(status), pdf, superseded_by, history)


class Register:
    """A register opened at the current schema version (see :func:`open_register`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _event(self, number: str, status: Status, actor: str, reason: str, at: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO status_events (number, at, status, actor, reason) VALUES (?, ?, ?, ?, ?)",
            (number, utc_text(at), str(status), actor, reason),
        )

    def reserve(self, new: NewCertificate, *, actor: str, now: dt.datetime | None = None) -> None:
        """Record a certificate as pending before it is signed; refuse a number already recorded."""
        check_number(new.number)
        now = now or dt.datetime.now(dt.UTC)
        e, s = new, new.subject
        with self.db.write():
            if self._locked_status(e.number) is not None:
                raise RegistryError(f"certificate number {e.number} is already in the register {self.db.where.display}")
            self._refuse_look_alike(e.number)
            if e.supersedes is not None:
                self._check_change(e.supersedes, Change.SUPERSEDE, now)  # locks the old row: reissues queue here
                self._refuse_second_reissue(e.supersedes)
            values: tuple[Any, ...] = (
                e.number, str(Status.PENDING), None, e.submission_sha256, s.organisation, s.model, s.model_version,
                s.phase, s.submission_id, e.profile, e.profile_version, e.verdict, e.assurance, e.efficiency_class,
                e.rating_scheme, utc_text(e.issued_at), utc_text(e.expires_at), e.auditor, figures_to_text(e.figures),
                e.supersedes, None,
            )  # fmt: skip
            marks = ", ".join("?" * len(values))
            # A row lock cannot be taken on a row that does not exist yet: two auditors may both pass
            # the check above. The unique number decides; the loser gets the same clear refusal.
            inserted = self.db.execute(
                f"INSERT INTO certificates ({_COLUMNS}) VALUES ({marks}) ON CONFLICT (number) DO NOTHING",  # noqa: S608
                values,
            )
            if inserted != 1:
                raise RegistryError(f"certificate number {e.number} is already in the register {self.db.where.display}")
            self._event(e.number, Status.PENDING, actor, "number reserved; signing", now)

    def _refuse_look_alike(self, number: str) -> None:
        """Refuse a number that differs from a recorded one only in case: a reader could not tell them apart.

        SQLite holds the whole file for the writer; PostgreSQL takes a lock on the lower-case number
        until the transaction ends, so two auditors reserving ``ABC`` and ``abc`` at once queue here.
        """
        if self.db.dialect == "postgresql":
            self.db.query("SELECT pg_advisory_xact_lock(hashtext(lower(?)))", (number,))
        rows = self.db.query("SELECT number FROM certificates WHERE lower(number) = lower(?) LIMIT 1", (number,))
        if rows:
            raise RegistryError(
                f"certificate number {number} differs only in case from {rows[0][0]}, already in the register "
                f"{self.db.where.display}"
            )

    def _refuse_second_reissue(self, old: str) -> None:
        """Refuse to reissue a certificate whose reissue is already pending (only one can supersede it)."""
        rows = self.db.query(
            "SELECT number FROM certificates WHERE supersedes = ? AND status = ? LIMIT 1", (old, str(Status.PENDING))
        )
        if rows:
            raise RegistryError(
                f"certificate {old} is already being reissued as {rows[0][0]} (pending): complete or withdraw "
                "that one first"
            )

    def _locked_status(self, number: str) -> str | None:
        sql = f"SELECT status FROM certificates WHERE number = ?{self.db.for_update()}"  # noqa: S608 (a constant)
        rows = self.db.query(sql, (number,))
        return str(rows[0][0]) if rows else None

    def discard_pending(self, number: str) -> bool:
        """Remove a pending record whose certificate was never written (signing failed); True if removed."""
        with self.db.write():
            if self._locked_status(number) != Status.PENDING:
                return False
            self.db.execute("DELETE FROM status_events WHERE number = ?", (number,))
            self.db.execute("DELETE FROM certificates WHERE number = ?", (number,))
            return True

    def activate(self, number: str, pdf_sha256: str, *, actor: str, now: dt.datetime | None = None) -> None:
        """Record the signed PDF's hash: pending becomes active (and what it supersedes, superseded)."""
        if not SHA256_PATTERN.fullmatch(pdf_sha256):
            raise RegistryError("a PDF hash is 64 lower-case hex digits")
        now = now or dt.datetime.now(dt.UTC)
        with self.db.write():
            record = self._check_change(number, Change.ACTIVATE, now)
            self.db.execute(
                "UPDATE certificates SET status = ?, pdf_sha256 = ? WHERE number = ?",
                (str(Status.ACTIVE), pdf_sha256, number),
            )
            self._event(number, Status.ACTIVE, actor, "issued: signed PDF recorded", now)
            old = record.entry.supersedes
            if old is not None:
                self._supersede(old, number, actor, now)

    def _supersede(self, old: str, new: str, actor: str, now: dt.datetime) -> None:
        """Mark ``old`` superseded by ``new``; one withdrawn or expired meanwhile keeps that status.

        The new certificate is signed and written by now: refusing it would leave it pending for good.
        """
        previous = self.get(old, lock=True)
        if previous is None or previous.status(now) not in TRANSITIONS[Change.SUPERSEDE][0]:
            return
        self.db.execute(
            "UPDATE certificates SET status = ?, superseded_by = ? WHERE number = ?",
            (str(Status.SUPERSEDED), new, old),
        )
        self._event(old, Status.SUPERSEDED, actor, f"superseded by {new}", now)

    def change(self, number: str, change: Change, *, actor: str, reason: str, now: dt.datetime | None = None) -> None:
        """Suspend, reinstate or withdraw a certificate, with who and why in its history."""
        if change not in (Change.SUSPEND, Change.REINSTATE, Change.WITHDRAW):
            raise RegistryError(f"{change} is not a status change an auditor makes directly")
        actor = check_text(actor, "name of who makes the change", limit=200)
        reason = check_text(reason, "reason", limit=MAX_REASON_CHARS)
        now = now or dt.datetime.now(dt.UTC)
        with self.db.write():
            self._check_change(number, change, now)
            target = TRANSITIONS[change][1]
            self.db.execute("UPDATE certificates SET status = ? WHERE number = ?", (str(target), number))
            self._event(number, target, actor, reason, now)

    def _check_change(self, number: str, change: Change, now: dt.datetime) -> CertificateRecord:
        record = self.get(number, lock=True)
        if record is None:
            raise RegistryError(f"no certificate {number} in the register {self.db.where.display}")
        allowed = TRANSITIONS[change][0]
        current = record.status(now)
        if current not in allowed:
            raise RegistryError(f"certificate {number} is {current}: it cannot be {_DONE[change]}")
        return record

    def get(self, number: str, *, lock: bool = False) -> CertificateRecord | None:
        """One certificate with its history, or None."""
        check_number(number)
        suffix = self.db.for_update() if lock else ""
        rows = self.db.query(f"SELECT {_COLUMNS} FROM certificates WHERE number = ?{suffix}", (number,))  # noqa: S608
        if not rows:
            return None
        events = self.db.query(
            "SELECT at, status, actor, reason FROM status_events WHERE number = ? ORDER BY id", (number,)
        )
        try:
            history = tuple(StatusEvent(parse_utc(a), Status(s), actor, r) for a, s, actor, r in events)
        except (ValueError, TypeError, AttributeError):
            raise self._damaged(number) from None
        return self._read(rows[0], history)

    def _damaged(self, number: object) -> RegistryError:
        shown = str(number)[:70].encode("ascii", "backslashreplace").decode("ascii")
        return RegistryError(
            f"the register {self.db.where.display} holds a damaged record ({shown!r}): a value no une-eval writes"
        )

    def _read(self, row: Row, history: tuple[StatusEvent, ...]) -> CertificateRecord:
        """A stored row as a record; a row that no une-eval wrote (edited by hand, damaged) is an error."""
        try:
            if any(not isinstance(v, str) and not (v is None and i in _NULLABLE) for i, v in enumerate(row)):
                raise TypeError("a stored value of another type")
            return _record(row, history)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            raise self._damaged(row[0]) from None

    def _select(self, where: str, params: Sequence[Any], limit: int) -> list[CertificateRecord]:
        sql = f"SELECT {_COLUMNS} FROM certificates WHERE {where} ORDER BY issued_at DESC, number LIMIT ?"  # noqa: S608
        return [self._read(row, ()) for row in self.db.query(sql, (*params, max(1, min(limit, 10_000))))]

    def certificates(
        self, status: Status | None = None, *, now: dt.datetime | None = None, limit: int = 1000
    ) -> list[CertificateRecord]:
        """Certificates, newest first, optionally only those in one (effective) status."""
        stamp = utc_text(now or dt.datetime.now(dt.UTC))
        if status is None:
            return self._select("1 = 1", (), limit)
        if status is Status.EXPIRED:
            return self._select("status IN ('active', 'suspended') AND expires_at <= ?", (stamp,), limit)
        if status in (Status.ACTIVE, Status.SUSPENDED):
            return self._select("status = ? AND expires_at > ?", (str(status), stamp), limit)
        return self._select("status = ?", (str(status),), limit)

    def spelling_of(self, number: str) -> str | None:
        """The one published number that ``number`` names when case is ignored; None when none or several do.

        Numbers differing only in case cannot both be recorded (:meth:`reserve`), but a register from before
        that rule may hold such a pair: then no spelling is guessed. Pending numbers are never named.
        """
        check_number(number)
        rows = self.db.query(
            "SELECT number FROM certificates WHERE lower(number) = lower(?) AND status <> ? LIMIT 2",
            (number, Status.PENDING.value),
        )
        return str(rows[0][0]) if len(rows) == 1 else None

    def search(self, query: str, *, limit: int = 50) -> list[CertificateRecord]:
        """Public search: a number (exact or prefix), or part of an organisation's or a model's name.

        Pending certificates are never found. The query is matched as text, never as a pattern.
        """
        query = check_text(query, "search text", limit=MAX_QUERY_CHARS)
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        public = ", ".join(f"'{s}'" for s in PUBLIC_STATUSES if s is not Status.EXPIRED)
        return self._select(
            f"status IN ({public}) AND (number = ? OR lower(number) LIKE ? ESCAPE '\\' "
            "OR lower(organisation) LIKE ? ESCAPE '\\' OR lower(model) LIKE ? ESCAPE '\\')",
            (query, f"{escaped}%", f"%{escaped}%", f"%{escaped}%"),
            limit,
        )


def open_register(where: Location, *, read_only: bool = False) -> Register:
    """Open an existing register at the current schema version (a clear error otherwise)."""
    db = connect(where, read_only=read_only)
    try:
        require_current(db)
    except BaseException:
        db.close()
        raise
    return Register(db)
