"""The three answers of ``une-eval verify``, as the EU's DSS validator gives them (ETSI EN 319 102-1).

PASSED: every check holds. FAILED: something proves the certificate wrong (a hash or signature that
does not check, a revoked signing key, content outside the signature, evidence that does not match,
a withdrawn certificate). INDETERMINATE: something needed to decide is missing (a trust anchor,
revocation data, proof of existence before the signing certificate expired, a register that answers).
Each failing check carries a sub-indication: the standard's name where it has one (HASH_FAILURE,
SIG_CRYPTO_FAILURE, REVOKED, NO_CERTIFICATE_CHAIN_FOUND, OUT_OF_BOUNDS_NO_POE, TRY_LATER, ...) and
une-eval's own otherwise (UNSIGNED_CONTENT, EVIDENCE_MISMATCH, and the register's statuses).
"""

from __future__ import annotations

import enum


class Indication(enum.StrEnum):
    """The three DSS-style answers."""

    PASSED = "PASSED"
    INDETERMINATE = "INDETERMINATE"
    FAILED = "FAILED"

    @property
    def exit_code(self) -> int:
        """``verify``'s exit code for this answer: 0 PASSED, 1 FAILED, 2 INDETERMINATE."""
        return {Indication.PASSED: 0, Indication.FAILED: 1, Indication.INDETERMINATE: 2}[self]


def worst(indications: list[Indication]) -> Indication:
    """FAILED over INDETERMINATE over PASSED (PASSED for none)."""
    for candidate in (Indication.FAILED, Indication.INDETERMINATE):
        if candidate in indications:
            return candidate
    return Indication.PASSED


# What a failed check means when its code gives no finer answer (by check name).
DEFAULT_FAILURE: dict[str, tuple[Indication, str]] = {
    "readable PDF": (Indication.INDETERMINATE, "FORMAT_FAILURE"),
    "one signature": (Indication.FAILED, "FORMAT_FAILURE"),
    "covers whole file": (Indication.FAILED, "UNSIGNED_CONTENT"),
    "later revisions": (Indication.FAILED, "UNSIGNED_CONTENT"),
    "coverage (pyHanko)": (Indication.FAILED, "UNSIGNED_CONTENT"),
    "signature intact": (Indication.FAILED, "HASH_FAILURE"),
    "signature valid": (Indication.FAILED, "SIG_CRYPTO_FAILURE"),
    "signer certificate": (Indication.INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE"),
    "signer trusted": (Indication.INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND"),
    "revocation": (Indication.INDETERMINATE, "TRY_LATER"),
    "timestamp": (Indication.FAILED, "HASH_FAILURE"),
    "archive timestamp": (Indication.FAILED, "HASH_FAILURE"),
    "certificate number": (Indication.FAILED, "FORMAT_FAILURE"),
}
EVIDENCE_FAILURE = (Indication.FAILED, "EVIDENCE_MISMATCH")  # attachments and re-validation


def default_failure(check: str) -> tuple[Indication, str]:
    """The indication and sub-indication of a failed check named ``check``."""
    return DEFAULT_FAILURE.get(check, EVIDENCE_FAILURE)


__all__ = ["DEFAULT_FAILURE", "Indication", "default_failure", "worst"]
