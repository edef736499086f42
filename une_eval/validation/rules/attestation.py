"""The submitter's attestation (``attestation.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("attestation.affirmed")
def attestation(ctx: RuleContext) -> Iterator[Problem]:
    """The submitter affirms the data is accurate and unaltered and the model is the production one."""
    att = ctx.sub.attestation
    if not att.data_accurate_and_unaltered:
        yield Problem(
            pointer("attestation", "data_accurate_and_unaltered"),
            msg("the submitter does not attest that the data is accurate and unaltered"),
        )
    if not att.production_model:
        yield Problem(
            pointer("attestation", "production_model"),
            msg("the submitter does not attest that the measured model is the production model"),
        )
