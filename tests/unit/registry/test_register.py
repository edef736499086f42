"""The register on SQLite and PostgreSQL: schema versions, the status model, search, and the CLI's errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.unit.registry.records_factory import NOW, entry, sha
from une_eval.cli import main
from une_eval.registry.db import RegistryError, connect, parse_location
from une_eval.registry.migrations import SCHEMA_VERSION, migrate
from une_eval.registry.records import Change, Status
from une_eval.registry.store import Register, open_register


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def init(db_url: str) -> Register:
    code, out, err = cli("registry", "init", "--db", db_url)
    assert code == 0, err
    assert f"schema version {SCHEMA_VERSION} (created)" in out
    return open_register(parse_location(db_url))


def issued(reg: Register, number: str, **kwargs: object) -> None:
    reg.reserve(entry(number, **kwargs), actor="Marta Ruiz", now=NOW)  # type: ignore[arg-type]
    reg.activate(number, sha("pdf " + number), actor="Marta Ruiz", now=NOW)


def test_init_is_idempotent_and_upgrades_an_older_schema(db_url: str) -> None:
    conn = connect(parse_location(db_url), create=True)
    assert migrate(conn, target=1) == (None, 1)
    conn.close()
    code, _, err = cli("registry", "list", "--db", db_url)
    assert code == 2
    assert "schema version 1" in err
    assert "registry init" in err
    code, out, _ = cli("registry", "init", "--db", db_url)
    assert code == 0
    assert "upgraded from schema version 1" in out
    code, out, _ = cli("registry", "init", "--db", db_url)
    assert code == 0
    assert "already at the current version" in out


def test_a_register_on_a_newer_schema_is_refused_by_every_command(db_url: str) -> None:
    init(db_url).close()
    conn = connect(parse_location(db_url))
    conn.execute("UPDATE registry_meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    for args in (["list"], ["show", "UEC-1"], ["suspend", "UEC-1", "--reason", "x"], ["init"]):
        code, out, err = cli("registry", *args, "--db", db_url)
        assert code == 2, args
        assert "schema version 99, newer than this une-eval" in err
        assert "Traceback" not in out + err


def test_status_model_with_history(db_url: str) -> None:
    with init(db_url) as reg:
        reg.reserve(entry("UEC-A"), actor="Marta Ruiz", now=NOW)
        assert reg.get("UEC-A").status(NOW) is Status.PENDING  # type: ignore[union-attr]
        reg.activate("UEC-A", sha("pdf"), actor="Marta Ruiz", now=NOW)
        later = NOW + dt.timedelta(days=10)
        reg.change("UEC-A", Change.SUSPEND, actor="Luis Gil", reason="complaint under review", now=later)
        with pytest.raises(RegistryError, match="is suspended: it cannot be suspended"):
            reg.change("UEC-A", Change.SUSPEND, actor="Luis Gil", reason="again", now=later)
        reg.change("UEC-A", Change.REINSTATE, actor="Luis Gil", reason="complaint unfounded", now=later)
        reg.change("UEC-A", Change.WITHDRAW, actor="Luis Gil", reason="false declaration", now=later)
        with pytest.raises(RegistryError, match="is withdrawn: it cannot be reinstated"):
            reg.change("UEC-A", Change.REINSTATE, actor="Luis Gil", reason="no", now=later)
        record = reg.get("UEC-A")
    assert record is not None
    assert record.status(later) is Status.WITHDRAWN
    assert [(h.status, h.actor) for h in record.history] == [
        (Status.PENDING, "Marta Ruiz"),
        (Status.ACTIVE, "Marta Ruiz"),
        (Status.SUSPENDED, "Luis Gil"),
        (Status.ACTIVE, "Luis Gil"),
        (Status.WITHDRAWN, "Luis Gil"),
    ]
    assert record.history[2].reason == "complaint under review"
    assert record.to_json(later)["history"][4] == {
        "at": "2026-12-06T10:00:00Z",
        "status": "withdrawn",
        "by": "Luis Gil",
        "reason": "false declaration",
    }


def test_expiry_is_computed_and_listed(db_url: str) -> None:
    with init(db_url) as reg:
        issued(reg, "UEC-OLD", issued_at=NOW - dt.timedelta(days=400))
        issued(reg, "UEC-NEW")
        assert reg.get("UEC-OLD").status(NOW) is Status.EXPIRED  # type: ignore[union-attr]
        assert [r.number for r in reg.certificates(Status.EXPIRED, now=NOW)] == ["UEC-OLD"]
        assert [r.number for r in reg.certificates(Status.ACTIVE, now=NOW)] == ["UEC-NEW"]
        with pytest.raises(RegistryError, match="is expired: it cannot be suspended"):
            reg.change("UEC-OLD", Change.SUSPEND, actor="x", reason="y", now=NOW)
        reg.change("UEC-OLD", Change.WITHDRAW, actor="x", reason="fraud found after expiry", now=NOW)
        assert reg.get("UEC-OLD").status(NOW) is Status.WITHDRAWN  # type: ignore[union-attr]


def test_reissue_supersedes_the_old_certificate_when_the_new_one_is_recorded(db_url: str) -> None:
    with init(db_url) as reg:
        issued(reg, "UEC-1")
        reg.reserve(entry("UEC-2", supersedes="UEC-1"), actor="Marta Ruiz", now=NOW)
        assert reg.get("UEC-1").status(NOW) is Status.ACTIVE  # type: ignore[union-attr]
        reg.activate("UEC-2", sha("pdf 2"), actor="Marta Ruiz", now=NOW)
        old, new = reg.get("UEC-1"), reg.get("UEC-2")
        assert old is not None
        assert new is not None
        assert old.status(NOW) is Status.SUPERSEDED
        assert old.superseded_by == "UEC-2"
        assert new.entry.supersedes == "UEC-1"
        assert old.history[-1].reason == "superseded by UEC-2"
        with pytest.raises(RegistryError, match="is superseded"):
            reg.reserve(entry("UEC-3", supersedes="UEC-1"), actor="x", now=NOW)


def test_search_matches_text_never_patterns_and_hides_pending(db_url: str) -> None:
    with init(db_url) as reg:
        issued(reg, "UEC-20261126-AAA", organisation="100% Green_AI S.A.", model="Mistral-7B")
        issued(reg, "UEC-20261126-BBB", organisation="Other Corp", model="Llama")
        reg.reserve(entry("UEC-20261126-CCC", organisation="Pending Corp"), actor="x", now=NOW)
        assert [r.number for r in reg.search("100%")] == ["UEC-20261126-AAA"]
        assert [r.number for r in reg.search("green_ai")] == ["UEC-20261126-AAA"]
        # A literal % or _ finds only the names that hold one; as patterns they would match everything.
        assert [r.number for r in reg.search("%")] == ["UEC-20261126-AAA"]
        assert [r.number for r in reg.search("_")] == ["UEC-20261126-AAA"]
        assert reg.search("r_C") == []
        assert [r.number for r in reg.search("mistral")] == ["UEC-20261126-AAA"]
        assert {r.number for r in reg.search("UEC-20261126")} == {"UEC-20261126-AAA", "UEC-20261126-BBB"}
        assert reg.search("Pending Corp") == []
        for bad in ("", " ", "x" * 101, "a\x00b", "a\nb"):
            with pytest.raises(RegistryError, match="search text"):
                reg.search(bad)


def test_cli_list_show_and_changes(db_url: str) -> None:
    with init(db_url) as reg:
        issued(reg, "UEC-1", organisation="Evil\x1b[31mCorp")
        reg.reserve(entry("UEC-2"), actor="x", now=NOW)
    code, out, err = cli("registry", "list", "--db", db_url)
    assert code == 0
    assert "UEC-1" in out
    assert "Evil\\x1b[31mCorp" in out
    assert "\x1b" not in out
    assert "1 certificate(s) pending" in err
    assert "UEC-2" in err
    code, out, _ = cli("registry", "suspend", "UEC-1", "--db", db_url, "--reason", "under review", "--by", "Luis Gil")
    assert (code, out.strip()) == (0, "certificate UEC-1: suspended")
    code, out, _ = cli("registry", "show", "UEC-1", "--db", db_url, "--format", "json")
    record = json.loads(out)
    assert record["status"] == "suspended"
    assert record["history"][-1]["by"] == "Luis Gil"
    code, out, _ = cli("registry", "list", "--db", db_url, "--status", "suspended", "--format", "json")
    assert [c["number"] for c in json.loads(out)["certificates"]] == ["UEC-1"]
    code, _, err = cli("registry", "show", "UEC-404", "--db", db_url)
    assert code == 1
    assert "no certificate UEC-404" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "../etc/passwd"], "not a certificate number"),
        (["show", "UEC 1"], "not a certificate number"),
        (["suspend", "UEC-1", "--reason", "  "], "reason must be"),
        (["suspend", "UEC-1", "--reason", "x\x07"], "reason must be"),
        (["suspend", "UEC-404", "--reason", "x"], "no certificate UEC-404"),
    ],
)
def test_malformed_requests_are_one_line_exit_2(db_url: str, args: list[str], message: str) -> None:
    init(db_url).close()
    code, out, err = cli("registry", *args, "--db", db_url)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_missing_foreign_and_garbage_sqlite_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    code, _, err = cli("registry", "list", "--db", str(missing))
    assert code == 2
    assert "no register at" in err
    assert "registry init" in err
    assert not missing.exists()
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    code, _, err = cli("registry", "list", "--db", str(garbage))
    assert code == 2
    assert "not a une-eval register" in err
    import sqlite3

    foreign = tmp_path / "foreign.sqlite"
    sqlite3.connect(foreign).execute("CREATE TABLE x (a)").connection.close()
    code, _, err = cli("registry", "init", "--db", str(foreign))
    assert code == 2
    assert "holds other tables but no une-eval register" in err
    code, _, err = cli("registry", "list", "--db", "mysql://x/y")
    assert code == 2
    assert "unsupported register URL scheme" in err


def test_a_locked_sqlite_register_is_reported_after_a_bounded_wait(tmp_path: Path) -> None:
    import sqlite3
    import time

    db = str(tmp_path / "r.sqlite")
    init(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        start = time.monotonic()
        code, _, err = cli("registry", "suspend", "UEC-1", "--db", db, "--reason", "x")
        waited = time.monotonic() - start
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    assert "is locked by another process" in err
    assert 4 <= waited < 30


def test_an_unreachable_postgresql_register_is_one_line(tmp_path: Path) -> None:
    code, _, err = cli("registry", "list", "--db", f"postgresql://u:secret@/db?host={tmp_path}")
    assert code == 2
    assert "cannot reach the register" in err
    assert "secret" not in err
