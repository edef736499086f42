"""The certificate's public page: its address, from the register site's base URL and the number.

The certificate prints this address as text and in its QR code, with its validity dates
(:class:`PublicEntry`); ``une-eval serve`` answers at ``/c/<number>`` and, for machines, at
``/api/certificates/<number>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from une_eval.registry.db import RegistryError

PAGE_PATH = "/c/"
API_PATH = "/api/certificates/"
MAX_BASE_URL_CHARS = 200


@dataclass(frozen=True, slots=True)
class PublicEntry:
    """What a certificate prints about its register entry: where to check it, and its validity."""

    url: str
    valid_from: dt.date
    valid_until: dt.date


def check_base_url(url: str) -> str:
    """Accept the site's base URL: http(s), a host, no credentials, query or fragment; no trailing slash."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = urlsplit("")
    bad = (
        len(url) > MAX_BASE_URL_CHARS
        or not url.isascii()
        or any(c.isspace() or ord(c) < 32 or c in "\"'<>\\`" for c in url)
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
        or not port_ok
    )
    if bad:
        raise RegistryError(
            f"not a register site URL: {url[:80]!r} (http(s)://host[/path], no credentials, query or fragment, "
            f"at most {MAX_BASE_URL_CHARS} characters)"
        )
    return url.rstrip("/")


def page_url(base_url: str, number: str) -> str:
    """The public page of certificate ``number`` on the site at ``base_url``."""
    return f"{check_base_url(base_url)}{PAGE_PATH}{number}"


def api_url(base_url: str, number: str) -> str:
    """The JSON record of certificate ``number`` on the site at ``base_url``."""
    return f"{check_base_url(base_url)}{API_PATH}{number}"
