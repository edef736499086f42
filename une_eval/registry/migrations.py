"""The register's schema and its versions: each migration is numbered, and a register records its version.

``registry init`` creates a register or brings one up to :data:`SCHEMA_VERSION`, one migration at a
time, each in its own transaction. Every other command opens a register only at exactly this version:
an older one is refused with the command that upgrades it, a newer one (written by a later une-eval)
with a request to upgrade une-eval, so no version ever writes rows it does not understand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from une_eval.registry.db import Database, Dialect, RegistryError

SCHEMA_VERSION = 2
META_TABLE = "registry_meta"


def _identity(dialect: Dialect) -> str:
    if dialect == "sqlite":
        return "INTEGER PRIMARY KEY AUTOINCREMENT"
    return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"


def _v1(dialect: Dialect) -> list[str]:
    statuses = "'pending', 'active', 'suspended', 'withdrawn', 'superseded'"
    return [
        f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE certificates (
            number TEXT PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ({statuses})),
            pdf_sha256 TEXT,
            submission_sha256 TEXT NOT NULL,
            organisation TEXT NOT NULL,
            model TEXT NOT NULL,
            model_version TEXT NOT NULL,
            phase TEXT NOT NULL,
            submission_id TEXT NOT NULL,
            profile TEXT NOT NULL,
            profile_version TEXT NOT NULL,
            verdict TEXT NOT NULL,
            assurance TEXT NOT NULL,
            efficiency_class TEXT,
            rating_scheme TEXT,
            issued_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            auditor TEXT NOT NULL,
            key_results TEXT NOT NULL,
            supersedes TEXT REFERENCES certificates (number),
            superseded_by TEXT REFERENCES certificates (number)
        )""",
        f"""CREATE TABLE status_events (
            id {_identity(dialect)},
            number TEXT NOT NULL REFERENCES certificates (number) ON DELETE CASCADE,
            at TEXT NOT NULL,
            status TEXT NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL
        )""",
    ]


def _v2(dialect: Dialect) -> list[str]:
    # The status list, the history of one certificate and the public search read these columns.
    return [
        "CREATE INDEX certificates_status ON certificates (status, expires_at)",
        "CREATE INDEX status_events_number ON status_events (number, id)",
        "CREATE INDEX certificates_organisation ON certificates (lower(organisation))",
        "CREATE INDEX certificates_model ON certificates (lower(model))",
    ]


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: the version it brings the register to, and its statements."""

    version: int
    summary: str
    statements: Callable[[Dialect], list[str]]


MIGRATIONS = (
    Migration(1, "certificates, their status history and the register's metadata", _v1),
    Migration(2, "indexes for the status list, the history and the public search", _v2),
)


def _tables(db: Database) -> tuple[bool, bool]:
    """(the register's own table exists, any table exists), read in one statement so both come from one snapshot.

    Two reads could straddle another `init` committing, and see "no register, yet other tables".
    """
    if db.dialect == "sqlite":
        sql = "SELECT coalesce(max(name = ?), 0), count(*) FROM sqlite_master WHERE type = 'table'"
    else:
        sql = (
            "SELECT coalesce(bool_or(table_name = ?), false), count(*) FROM information_schema.tables"
            " WHERE table_schema = current_schema()"
        )
    ((own, count),) = db.query(sql, (META_TABLE,))
    return bool(own), int(count) > 0


def schema_version(db: Database) -> int | None:
    """The register's schema version, or None for an empty database; refuses a foreign one."""
    own, any_table = _tables(db)
    if not own:
        if any_table:
            raise RegistryError(f"{db.where.display}: holds other tables but no une-eval register")
        return None
    rows = db.query(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'")  # noqa: S608 (a constant)
    if not rows or not (str(rows[0][0]).isascii() and str(rows[0][0]).isdigit()):
        raise RegistryError(f"{db.where.display}: the register records no schema version (damaged?)")
    return int(rows[0][0])


def require_current(db: Database) -> None:
    """Refuse a register that is not at exactly :data:`SCHEMA_VERSION`, saying what to do."""
    found = schema_version(db)
    if found is None:
        raise RegistryError(f"{db.where.display}: empty database, no register yet (run `une-eval registry init`)")
    if found > SCHEMA_VERSION:
        raise RegistryError(
            f"the register {db.where.display} is at schema version {found}, newer than this une-eval "
            f"understands ({SCHEMA_VERSION}): upgrade une-eval"
        )
    if found < SCHEMA_VERSION:
        raise RegistryError(
            f"the register {db.where.display} is at schema version {found}; this une-eval needs "
            f"{SCHEMA_VERSION}: run `une-eval registry init --db ...` to upgrade it"
        )


# An arbitrary constant naming the migration lock among this database's advisory locks ("UNEEVAL1").
_MIGRATION_LOCK_KEY = 0x554E455645414C31


def migrate(db: Database, *, target: int = SCHEMA_VERSION) -> tuple[int | None, int]:
    """Create the register or upgrade it to ``target``; return (version before, version after)."""
    before = schema_version(db)
    if before is not None and before > SCHEMA_VERSION:
        require_current(db)  # raises: newer than this une-eval
    current = before or 0
    for step in MIGRATIONS:
        if current < step.version <= target:
            with db.write():
                if db.dialect == "postgresql":
                    # Two `init`s at once: the second waits here (PostgreSQL has no table lock before
                    # the tables exist), then sees the step done.
                    db.query(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
                # Re-read inside the lock: another `init` may have run this step meanwhile.
                now = schema_version(db) or 0
                if now >= step.version:
                    current = now
                    continue
                for statement in step.statements(db.dialect):
                    db.execute(statement)
                if step.version == 1:
                    db.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES ('schema_version', '1')")  # noqa: S608
                else:
                    db.execute(
                        f"UPDATE {META_TABLE} SET value = ? WHERE key = 'schema_version'",  # noqa: S608
                        (str(step.version),),
                    )
            current = step.version
    if db.dialect == "sqlite":
        db.query("PRAGMA journal_mode = WAL")  # readers (the site) never wait for a writer
    return before, current
