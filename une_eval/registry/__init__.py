"""The certificate register: every issued certificate with its number, hashes, subject, validity and status.

A body keeps one register (a SQLite file for one auditor, PostgreSQL for a team behind the public site):

- :mod:`une_eval.registry.db` opens it from a ``--db`` value and reports driver errors as one line;
- :mod:`une_eval.registry.migrations` holds the versioned schema;
- :mod:`une_eval.registry.records` the typed records and the status model (active, suspended,
  withdrawn, expired, superseded; pending while a certificate is being signed);
- :mod:`une_eval.registry.store` the :class:`Register` that reads and changes them;
- :mod:`une_eval.registry.issuing` issuing with recording (:func:`issue_recorded`);
- :mod:`une_eval.registry.standing` the check ``verify --registry`` / ``--db`` runs;
- :mod:`une_eval.registry.site` the public, read-only web site of ``une-eval serve``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from une_eval.registry.db import Location, RegistryError, parse_location
    from une_eval.registry.link import PublicEntry, page_url
    from une_eval.registry.records import CertificateRecord, Status
    from une_eval.registry.store import Register, open_register

# The names below load their module on first use: a command that records nothing (a certificate
# without a register) does not load the register's storage (SQLite, its records and migrations).
_HOMES = {
    "CertificateRecord": "records",
    "Location": "db",
    "PublicEntry": "link",
    "Register": "store",
    "RegistryError": "db",
    "Status": "records",
    "open_register": "store",
    "page_url": "link",
    "parse_location": "db",
}

__all__ = [
    "CertificateRecord",
    "Location",
    "PublicEntry",
    "Register",
    "RegistryError",
    "Status",
    "open_register",
    "page_url",
    "parse_location",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module when the name is first used."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
