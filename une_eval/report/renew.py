"""Renewing a long-term certificate: one more document timestamp before the last one's TSA expires.

A PAdES B-LTA file stays verifiable as long as its last document timestamp can be validated: once that
timestamp's TSA certificate expires, or its algorithms weaken, the chain of proof must be extended
(ETSI EN 319 142-1, the "LTA" level's archive time-stamp chain). Renewing appends two incremental
updates to the file, as B-LTA signing does: a Document Security Store update holding the chains and
revocation data of the last signature or timestamp, then a new RFC 3161 document timestamp over the
whole file. Nothing before them changes, so the auditor's signature and everything it covers stay
byte for byte what they were; no signing key is needed, only a timestamp authority.

Only a file that ``une-eval verify`` finds PASSED is renewed (a timestamp over a forged or broken file
would lend it nothing but confusion), and the result is verified again before it is written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from une_eval.errors import SigningError
from une_eval.report.indication import Indication
from une_eval.report.revisions import MAX_LATER_REVISIONS
from une_eval.report.sign import add_document_timestamp, add_long_term_data
from une_eval.report.verify import Verification, verify_bytes

RENEWABLE_LEVELS = ("B-LT", "B-LTA")


@dataclass(frozen=True, slots=True)
class Renewed:
    """The renewed file and the verification of the file before and after."""

    pdf: bytes
    before: Verification
    after: Verification


def later_revisions(pdf: bytes) -> int:
    """How many revisions follow the auditor's signature (of a file that verified: it has one)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signed = next(s for s in reader.embedded_signatures if s.sig_object_type == "/Sig")
    return int(reader.xrefs.total_revisions - 1 - signed.signed_revision)


def renewal_context(roots: list[Any], crls: list[Any], chain: list[Any], *, fetch: bool) -> ValidationContext:
    """What the new DSS entries are collected with: the ``--trust`` anchors, extra certificates, CRLs."""
    return ValidationContext(
        trust_roots=roots, other_certs=chain, crls=crls, allow_fetching=fetch, revocation_mode="require"
    )


def renew(
    pdf: bytes, *, roots: list[Any], crls: list[Any], timestamper: TimeStamper, validation: ValidationContext
) -> Renewed:
    """Verify ``pdf``; when it PASSED at level B-LT or B-LTA, append a DSS update and a document timestamp."""
    before = verify_bytes(pdf, roots, crls=crls)
    if before.indication is not Indication.PASSED:
        raise SigningError(
            f"only a certificate that verifies can be renewed; this one is {before.indication}"
            f"{' ' + before.sub_indication if before.sub_indication else ''}: {before.sentence}"
        )
    if before.level not in RENEWABLE_LEVELS:
        raise SigningError(
            f"only a long-term certificate (PAdES B-LT or B-LTA) can be renewed; this one is PAdES {before.level}"
        )
    later = later_revisions(pdf)
    if later + 2 > MAX_LATER_REVISIONS:
        raise SigningError(
            f"this certificate has been renewed as often as verify accepts ({later} revisions follow the "
            f"signature, at most {MAX_LATER_REVISIONS}): issue a new certificate instead"
        )
    try:
        data = add_document_timestamp(add_long_term_data(pdf, validation), timestamper)
    except Exception as exc:  # a TSA that is down, revocation data missing for the last timestamp's path
        raise SigningError(f"cannot renew the certificate: {exc.__class__.__name__}: {exc}") from None
    after = verify_bytes(data, roots, crls=crls)
    if after.indication is not Indication.PASSED or after.level != "B-LTA":
        raise SigningError(
            f"the renewed file does not verify ({after.indication} {after.sub_indication}: {after.sentence}); "
            "nothing was written"
        )
    return Renewed(data, before, after)


__all__ = ["RENEWABLE_LEVELS", "Renewed", "later_revisions", "renew", "renewal_context"]
