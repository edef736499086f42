"""Register entries for tests, without rendering a certificate."""

from __future__ import annotations

import datetime as dt
import hashlib

from une_eval.registry.records import KeyFigure, NewCertificate, Subject

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def entry(
    number: str,
    *,
    organisation: str = "Example AI Labs S.L.",
    model: str = "Llama-3.1-70B-Instruct",
    issued_at: dt.datetime = NOW,
    days: int = 365,
    supersedes: str | None = None,
) -> NewCertificate:
    return NewCertificate(
        number=number,
        submission_sha256=sha("submission " + number),
        subject=Subject(organisation, model, "2024-07", "inference", "sub-" + number),
        profile="une-style",
        profile_version="1.0",
        verdict="conformant",
        assurance="evidence-checked",
        efficiency_class="B",
        rating_scheme="ai-energy-score-2025-02",
        issued_at=issued_at,
        expires_at=issued_at + dt.timedelta(days=days),
        auditor="Marta Ruiz",
        figures=(KeyFigure("energy_per_unit", 71.75, "Wh", "recomputed"),),
        supersedes=supersedes,
    )
