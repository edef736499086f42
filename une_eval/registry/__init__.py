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

from une_eval.registry.db import Location, RegistryError, parse_location
from une_eval.registry.link import PublicEntry, page_url
from une_eval.registry.records import CertificateRecord, Status
from une_eval.registry.store import Register, open_register

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
