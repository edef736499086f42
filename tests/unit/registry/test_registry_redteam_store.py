"""Attacks on the register: damaged rows, look-alike numbers, impossible transitions, concurrent writers.

A register edited by hand or damaged must give a one-line error (INDETERMINATE for verify), never a
traceback; no writer's change is lost or half-made.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.unit.registry.records_factory import NOW, entry, sha
from tests.unit.registry.site_support import STATUS_NUMBERS, fill, serving
from une_eval.cli import main
from une_eval.registry.db import RegistryError, parse_location
from une_eval.registry.records import Change
from une_eval.registry.standing import Indication, standing_in_database
from une_eval.registry.store import open_register

ACTIVE = STATUS_NUMBERS["active"]


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def filled(tmp_path: Path) -> str:
    db = str(tmp_path / "register.sqlite")
    fill(db)
    return db


DAMAGE = {
    "unknown status in the history": "UPDATE status_events SET status = 'revoked' WHERE number = ?",
    "unreadable issue date": "UPDATE certificates SET issued_at = 'yesterday' WHERE number = ?",
    "key results not JSON": "UPDATE certificates SET key_results = '{oops' WHERE number = ?",
    "key results not a list": "UPDATE certificates SET key_results = '5' WHERE number = ?",
    "key results nested": "UPDATE certificates SET key_results = '" + "[" * 100_000 + "' WHERE number = ?",
    "a figure without value": """UPDATE certificates SET key_results = '[{"key": "k"}]' WHERE number = ?""",
    "organisation stored as a blob": "UPDATE certificates SET organisation = x'00ff' WHERE number = ?",
    "unknown stored status": "UPDATE certificates SET status = 'revoked' WHERE number = ?",
}


def damage(db: str, sql: str, number: str = ACTIVE) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute(sql, (number,) if "?" in sql else ())
    conn.close()


@pytest.mark.parametrize("sql", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_record_is_a_clear_refusal_everywhere(filled: str, sql: str) -> None:
    damage(filled, sql)
    with open_register(parse_location(filled)) as reg, pytest.raises(RegistryError, match="damaged record"):
        reg.get(ACTIVE)
    standing = standing_in_database(parse_location(filled), ACTIVE, sha("pdf " + ACTIVE))
    assert (standing.indication, standing.sub_indication) == (Indication.INDETERMINATE, "UNREACHABLE")
    code, _, err = cli("registry", "show", ACTIVE, "--db", filled)
    assert code == 2
    assert "damaged record" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = cli("registry", "list", "--db", filled)  # the list reads no history
    assert (code, "damaged record" in err) == ((0, False) if "status_events" in sql else (2, True))
    assert "internal error" not in err
    with serving(filled) as base:
        for path in (f"/c/{ACTIVE}", f"/api/certificates/{ACTIVE}"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(base + path, timeout=10)
            assert answer.value.code == 503, path
            assert b"damaged" not in answer.value.read()  # the register's details stay in the log
        try:  # the search reads no history, and finds no row in a status it does not know
            code = urllib.request.urlopen(base + "/search?q=UEC", timeout=10).status
        except urllib.error.HTTPError as exc:
            code = exc.code
        assert code in (200, 503)


def test_a_schema_version_in_other_digits_is_refused_as_damaged(filled: str) -> None:
    damage(filled, "UPDATE registry_meta SET value = '\u00b2' WHERE key = 'schema_version'")
    code, _, err = cli("registry", "list", "--db", filled)
    assert code == 2
    assert "records no schema version" in err


def test_numbers_that_differ_only_in_case_are_refused(db_url: str) -> None:
    fill(db_url)
    with open_register(parse_location(db_url)) as reg:
        with pytest.raises(RegistryError, match="differs only in case from " + ACTIVE):
            reg.reserve(entry(ACTIVE.lower()), actor="Mallory", now=NOW)
        assert reg.get(ACTIVE.lower()) is None


def test_look_alike_numbers_reserved_at_once_are_refused(db_url: str) -> None:
    fill(db_url)
    refused: list[str] = []
    with open_register(parse_location(db_url)) as first, open_register(parse_location(db_url)) as second:

        def other_auditor() -> None:
            try:
                second.reserve(entry("uec-race"), actor="Luis Gil", now=NOW)
            except RegistryError as exc:
                refused.append(str(exc))

        with first.db.write():  # the first auditor's transaction is still open while the second reserves
            first.reserve(entry("UEC-RACE"), actor="Marta Ruiz", now=NOW)
            worker = threading.Thread(target=other_auditor)
            worker.start()
            worker.join(0.5)  # the second waits for the first (or has not started yet): either way it must refuse
        worker.join(30)
        assert first.get("uec-race") is None
    assert len(refused) == 1
    assert "differs only in case from UEC-RACE" in refused[0]


@pytest.mark.parametrize(
    "number", ["UEC-\uff11\uff12", "UEC-\u212a", "UEC-1\n", "UEC-\u0131", "\u0660UEC", "UEC-1\x00"]
)
def test_numbers_outside_ascii_or_with_controls_are_refused(filled: str, number: str) -> None:
    with open_register(parse_location(filled)) as reg, pytest.raises(RegistryError, match="not a certificate number"):
        reg.reserve(entry(number), actor="Mallory", now=NOW)
    code, _, err = cli("registry", "show", number, "--db", filled)
    assert code == 2
    assert "not a certificate number" in err
    assert "\x00" not in err
    assert "\n" not in err.strip()


def test_a_certificate_being_reissued_cannot_be_reissued_again(db_url: str) -> None:
    fill(db_url)
    with open_register(parse_location(db_url)) as reg:
        reg.reserve(entry("UEC-REISSUE-1", supersedes=ACTIVE), actor="Marta Ruiz", now=NOW)
        with pytest.raises(RegistryError, match="already being reissued as UEC-REISSUE-1"):
            reg.reserve(entry("UEC-REISSUE-2", supersedes=ACTIVE), actor="Luis Gil", now=NOW)
        reg.activate("UEC-REISSUE-1", sha("pdf 1"), actor="Marta Ruiz")
        old = reg.get(ACTIVE)
        assert old is not None
        assert (old.stored_status.value, old.superseded_by) == ("superseded", "UEC-REISSUE-1")
        assert reg.get("UEC-REISSUE-2") is None


def test_a_reissue_completes_even_when_the_old_certificate_was_withdrawn_meanwhile(db_url: str) -> None:
    fill(db_url)
    with open_register(parse_location(db_url)) as reg:
        reg.reserve(entry("UEC-REISSUE-1", supersedes=ACTIVE), actor="Marta Ruiz", now=NOW)
        reg.change(ACTIVE, Change.WITHDRAW, actor="Luis Gil", reason="false declaration")
        reg.activate("UEC-REISSUE-1", sha("pdf 1"), actor="Marta Ruiz")  # signed and written: not left pending
        new, old = reg.get("UEC-REISSUE-1"), reg.get(ACTIVE)
        assert new is not None
        assert old is not None
        assert (new.stored_status.value, old.stored_status.value, old.superseded_by) == ("active", "withdrawn", None)


def test_terminal_controls_from_a_submission_never_reach_the_terminal(tmp_path: Path) -> None:
    db = str(tmp_path / "r.sqlite")
    fill(db)
    hostile = "Evil\x1b]0;pwned\x07 \x9b31m S.L.\u202e"
    with open_register(parse_location(db)) as reg:
        reg.reserve(entry("UEC-TERM", organisation=hostile, model=hostile), actor="Marta Ruiz", now=NOW)
        reg.activate("UEC-TERM", sha("pdf"), actor="Marta Ruiz", now=NOW)
    outputs = [cli("registry", *args, "--db", db) for args in (["list"], ["list", "--format", "json"])]
    outputs += [cli("registry", "show", "UEC-TERM", "--db", db, *fmt) for fmt in ([], ["--format", "json"])]
    for code, out, _ in outputs:
        assert code == 0
        assert "Evil" in out
        assert not any(c in out for c in "\x1b\x07\x9b\u202e")
    assert json.loads(outputs[3][1])["subject"]["organisation"] == hostile  # JSON readers get the very text


def test_impossible_transitions_are_refused_and_leave_no_trace(db_url: str) -> None:
    fill(db_url)
    with open_register(parse_location(db_url)) as reg:
        refused = [
            (STATUS_NUMBERS["withdrawn"], Change.REINSTATE),
            (STATUS_NUMBERS["withdrawn"], Change.SUSPEND),
            (STATUS_NUMBERS["superseded"], Change.REINSTATE),
            (STATUS_NUMBERS["superseded"], Change.SUSPEND),
            (STATUS_NUMBERS["expired"], Change.REINSTATE),
            (ACTIVE, Change.REINSTATE),
            (ACTIVE, Change.SUPERSEDE),
            (ACTIVE, Change.ACTIVATE),
        ]
        for number, change in refused:
            before = reg.get(number)
            with pytest.raises(RegistryError):
                reg.change(number, change, actor="Mallory", reason="try")
            assert reg.get(number) == before, (number, change)
        with pytest.raises(RegistryError, match="cannot be superseded"):  # superseding twice
            reg.reserve(entry("UEC-TWICE", supersedes=STATUS_NUMBERS["superseded"]), actor="Mallory", now=NOW)
        with pytest.raises(RegistryError, match="no certificate"):
            reg.reserve(entry("UEC-SELF", supersedes="UEC-SELF"), actor="Mallory", now=NOW)
        assert reg.get("UEC-TWICE") is None
        assert reg.get("UEC-SELF") is None


def test_sql_in_every_cli_argument_is_text(filled: str) -> None:
    payloads = ["x' OR '1'='1", "x'; DROP TABLE certificates; --", '" OR 1=1 --', "%", "_"]
    for payload in payloads:
        code, _, err = cli("registry", "show", payload, "--db", filled)
        assert code == 2
        assert "not a certificate number" in err
        code, _, err = cli("registry", "suspend", ACTIVE, "--db", filled, "--reason", payload, "--by", payload)
        assert code == 0, err
        code, _, err = cli("registry", "reinstate", ACTIVE, "--db", filled, "--reason", payload, "--by", payload)
        assert code == 0, err
    code, out, _ = cli("registry", "show", ACTIVE, "--db", filled, "--format", "json")
    history = json.loads(out)["history"]
    assert [h["reason"] for h in history[-2:]] == ["_", "_"]
    code, out, _ = cli("registry", "list", "--db", filled)
    assert code == 0
    assert "7 certificate(s)" in out


def test_many_writers_changing_one_register_at_once_lose_nothing(db_url: str) -> None:
    fill(db_url)
    filled = db_url
    numbers = [STATUS_NUMBERS["suspended"], ACTIVE]
    done: list[int] = []
    refusals: list[str] = []

    def toggle(number: str) -> None:
        with open_register(parse_location(filled)) as reg:
            count = 0
            for _ in range(15):
                for change in (Change.SUSPEND, Change.REINSTATE):
                    try:
                        reg.change(number, change, actor="worker", reason="load")
                        count += 1
                    except RegistryError as exc:
                        refusals.append(str(exc))
            done.append(count)

    workers = [threading.Thread(target=toggle, args=(n,)) for n in numbers for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert all("cannot be" in text for text in refusals)  # another worker got there first; never "locked"
    with open_register(parse_location(filled)) as reg:
        records = [reg.get(n) for n in numbers]
    events = sum(len(r.history) for r in records if r is not None)
    assert events == sum(done) + 2 + 2 + 1  # each success is one event; plus what fill() recorded


def test_a_commit_that_fails_leaves_the_connection_usable(filled: str) -> None:
    # A register the operator moved off WAL (a network file system): a reader holds the file, so COMMIT waits, fails.
    sqlite3.connect(filled, isolation_level=None).execute("PRAGMA journal_mode = DELETE").connection.close()
    reader = sqlite3.connect(filled, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM certificates").fetchall()
    try:
        with open_register(parse_location(filled)) as reg:
            reg.db.conn.execute("PRAGMA busy_timeout = 200")  # no need to wait the full lock wait here
            with pytest.raises(RegistryError, match="locked by another process"):
                reg.change(ACTIVE, Change.SUSPEND, actor="Marta Ruiz", reason="complaint")
            assert not reg.db.conn.in_transaction
            reader.execute("ROLLBACK")
            reg.change(ACTIVE, Change.SUSPEND, actor="Marta Ruiz", reason="complaint")  # the same connection
            record_now = reg.get(ACTIVE)
    finally:
        reader.close()
    assert record_now is not None
    assert [h.reason for h in record_now.history].count("complaint") == 1


def test_a_read_only_or_symlinked_or_folder_register(filled: str, tmp_path: Path) -> None:
    link = tmp_path / "link.sqlite"
    link.symlink_to(filled)
    code, out, _ = cli("registry", "list", "--db", str(link))
    assert code == 0
    assert "7 certificate(s)" in out
    with open_register(parse_location(filled), read_only=True) as reg:  # as the site opens it
        with pytest.raises(RegistryError, match="is read-only here"):
            reg.change(ACTIVE, Change.SUSPEND, actor="Mallory", reason="through the site")
        assert str(reg.get(ACTIVE).status(dt.datetime.now(dt.UTC))) == "active"  # type: ignore[union-attr]
    code, _, err = cli("registry", "list", "--db", str(tmp_path))
    assert code == 2
    assert "is a folder" in err


@pytest.mark.parametrize("command", ["init", "list"])
def test_a_device_or_pipe_is_never_opened_as_a_register(tmp_path: Path, command: str) -> None:
    import os

    fifo = tmp_path / "fifo.sqlite"
    os.mkfifo(fifo)
    for target in ("/dev/null", "/dev/zero", str(fifo)):
        code, _, err = cli("registry", command, "--db", target)
        assert code == 2, target
        assert "is not a regular file" in err
    assert not Path("/dev/null-journal").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.sqlite"]


def test_a_number_in_another_case_is_spelled_as_issued_unless_an_old_register_holds_two(filled: str) -> None:
    with open_register(parse_location(filled)) as reg:
        assert reg.spelling_of(ACTIVE.lower()) == ACTIVE
        assert reg.spelling_of("UEC-20261126-PENDING".lower()) is None  # a pending number is never named
    with sqlite3.connect(filled) as raw:  # a look-alike pair recorded before such pairs were refused
        raw.execute("UPDATE certificates SET number = ? WHERE number = ?", (ACTIVE.lower(), STATUS_NUMBERS["expired"]))
    with open_register(parse_location(filled)) as reg:
        assert reg.spelling_of(ACTIVE.swapcase()) is None  # two candidates: none is guessed
        assert reg.spelling_of(ACTIVE) is None
