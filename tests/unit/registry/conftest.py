"""Registers to test against: a SQLite file and a PostgreSQL database, each fresh per test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.registry.postgres_server import ENV, fresh_database, postgres_bin, temporary_server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server: CI's (``UNE_EVAL_TEST_POSTGRES``), else one started for this session."""
    if os.environ.get(ENV):
        yield os.environ[ENV]
        return
    if postgres_bin() is None:
        reason = f"PostgreSQL is not installed (Debian: apt-get install postgresql) and {ENV} is not set"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL register tests: {reason}")
        pytest.skip(reason)
    with temporary_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A --db value for an empty register location: a SQLite file path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "register.sqlite")
    server: str = request.getfixturevalue("postgres_server")
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return fresh_database(server, name)


@pytest.fixture(scope="session")
def auditor_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Development keys (passphrase ``test-only-passphrase``): the folder with auditor.p12 and ca.pem."""
    from une_eval.report.keys import init_dev_pki

    folder = tmp_path_factory.mktemp("registry-keys") / "auditor"
    init_dev_pki(folder, passphrase=b"test-only-passphrase", auditor="Marta Ruiz", organisation="Auditoría Ejemplo")
    return folder


@pytest.fixture(scope="session")
def auditor_p12(auditor_keys: Path) -> Path:
    return auditor_keys / "auditor.p12"
