"""Where the register lives and how to talk to it: a SQLite file or a PostgreSQL database, one interface.

This module owns the ``--db`` value (a plain path or ``sqlite:///path`` is a SQLite file, a
``postgresql://`` URL a server), opening a connection with bounded waits, write transactions, and
turning every driver error into a :class:`RegistryError`: one line that names the register (never its
password) and says what to do. SQL is written once with ``?`` placeholders; PostgreSQL gets ``%s``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from une_eval.errors import UneEvalError

REGISTRY_ENV = "UNE_EVAL_REGISTRY"
DEFAULT_SQLITE_FILE = "une-eval-registry.sqlite"
LOCK_WAIT_S = 5.0
CONNECT_TIMEOUT_S = 5
Dialect = Literal["sqlite", "postgresql"]
Row = tuple[Any, ...]


class RegistryError(UneEvalError):
    """The register cannot be used: missing, locked, unreachable, on another schema version, or a bad request."""


@dataclass(frozen=True, slots=True)
class Location:
    """Which register: the dialect, what the driver needs, and a printable name without secrets."""

    dialect: Dialect
    target: str  # a file path (SQLite) or a connection URL (PostgreSQL)
    display: str


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def parse_location(value: str | None, *, default_file: bool = True) -> Location:
    """Read a ``--db`` value; ``None`` means the ``UNE_EVAL_REGISTRY`` variable, else the default file."""
    raw = value if value is not None else os.environ.get(REGISTRY_ENV)
    if raw is None or raw == "":
        if not default_file:
            raise RegistryError(f"no register given: use --db PATH_OR_URL or set {REGISTRY_ENV}")
        raw = DEFAULT_SQLITE_FILE
    if len(raw) > 2000 or any(ord(c) < 32 for c in raw):
        raise RegistryError("the register location is not a printable path or URL of at most 2000 characters")
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    if scheme in ("postgresql", "postgres"):
        try:
            urlsplit(raw).port  # noqa: B018 (parsing it raises on a bad port)
        except ValueError:
            raise RegistryError(f"{_redact(raw)}: not a valid PostgreSQL URL (bad port)") from None
        return Location("postgresql", raw, _redact(raw))
    if scheme == "sqlite":
        path = raw[len("sqlite://") :]
        if not path:
            raise RegistryError("a sqlite:// register URL needs a path: sqlite:///absolute/path.sqlite")
        return Location("sqlite", path, path)
    if scheme:
        raise RegistryError(f"unsupported register URL scheme {scheme!r}: give a file path or a postgresql:// URL")
    return Location("sqlite", raw, raw)


def _sqlite_message(exc: sqlite3.Error, where: Location) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"the register {where.display} is locked by another process (waited {LOCK_WAIT_S:.0f} s); try again"
    if "not a database" in text or "malformed" in text:
        return f"{where.display}: not a une-eval register (not a readable SQLite database)"
    if "unable to open" in text:
        return f"cannot open the register {where.display}: no such file (create one with `une-eval registry init`)"
    if "readonly" in text:
        return f"the register {where.display} is read-only here"
    return f"the register {where.display}: database error: {text.splitlines()[0] if text else type(exc).__name__}"


@contextmanager
def driver_errors(where: Location) -> Iterator[None]:
    """Turn SQLite and PostgreSQL errors into one-line :class:`RegistryError` messages."""
    try:
        yield
    except sqlite3.Error as exc:
        raise RegistryError(_sqlite_message(exc, where)) from None
    except RegistryError:
        raise
    except Exception as exc:
        if type(exc).__module__.startswith("psycopg"):
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            verb = "cannot reach" if type(exc).__name__ == "OperationalError" else "error from"
            raise RegistryError(f"{verb} the register {where.display}: {first}") from None
        raise


class Database:
    """One connection to the register; statements with ``?`` placeholders, explicit write transactions."""

    def __init__(self, conn: Any, where: Location) -> None:
        self.conn = conn
        self.where = where
        self.dialect: Dialect = where.dialect
        self._in_write = False

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one statement and return its rows (none for statements that return none)."""
        with driver_errors(self.where):
            cur = self.conn.execute(self._sql(sql), tuple(params))
            rows = cur.fetchall() if cur.description is not None else []
            return [tuple(r) for r in rows]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        with driver_errors(self.where):
            cur = self.conn.execute(self._sql(sql), tuple(params))
            return int(cur.rowcount or 0)

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction: every statement inside commits together or not at all.

        SQLite takes the write lock at the start (``BEGIN IMMEDIATE``), so two writers wait for each
        other (up to the lock wait) instead of failing half-way; PostgreSQL rows are locked with
        ``SELECT ... FOR UPDATE`` by the callers that read before they write.
        """
        if self._in_write:
            yield self
            return
        with driver_errors(self.where):
            if self.dialect == "sqlite":
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    self._in_write = True
                    yield self
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:  # also when COMMIT itself failed (a reader held the file)
                        self.conn.execute("ROLLBACK")
                    raise
                finally:
                    self._in_write = False
            else:
                with self.conn.transaction():
                    self._in_write = True
                    try:
                        yield self
                    finally:
                        self._in_write = False

    def for_update(self) -> str:
        """The row-lock suffix for a read that precedes a write (empty on SQLite, locked as a whole)."""
        return " FOR UPDATE" if self.dialect == "postgresql" else ""

    def close(self) -> None:
        """Close the connection (errors on close are of no use to anyone)."""
        with contextlib.suppress(Exception):  # closing a broken connection may fail; nothing to do about it
            self.conn.close()


def _open_sqlite(where: Location, *, create: bool, read_only: bool) -> Database:
    path = Path(where.target)
    if path.is_dir():
        raise RegistryError(f"{where.display}: is a folder, not a register file")
    if path.exists() and not path.is_file():  # a device, a pipe, a socket: SQLite would read or write it as a file
        raise RegistryError(f"{where.display}: is not a regular file, not a register file")
    if not create and not path.exists():
        raise RegistryError(f"no register at {where.display} (create one with `une-eval registry init --db ...`)")
    mode = "ro" if read_only else ("rwc" if create else "rw")
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    with driver_errors(where):
        conn = sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT_S, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn, where)


def _open_postgresql(where: Location, *, read_only: bool) -> Database:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a declared dependency
        raise RegistryError("PostgreSQL registers need the psycopg package") from None
    options = f"-c lock_timeout={int(LOCK_WAIT_S * 1000)} -c statement_timeout=30000"
    if read_only:
        options += " -c default_transaction_read_only=on"
    with driver_errors(where):
        conn = psycopg.connect(where.target, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, options=options)
    return Database(conn, where)


def connect(where: Location, *, create: bool = False, read_only: bool = False) -> Database:
    """Open the register (``create`` lets a SQLite file be made; ``read_only`` for the public site)."""
    if where.dialect == "sqlite":
        return _open_sqlite(where, create=create, read_only=read_only)
    return _open_postgresql(where, read_only=read_only)
