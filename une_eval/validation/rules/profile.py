"""The profile applied: the one the submission claims, and one that covers its phase (``profile.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, Term, msg, rule


@rule("profile.known")
def known(ctx: RuleContext) -> Iterator[Problem]:
    """The profile the submission claims is one this tool can load; otherwise it was checked against another."""
    claimed = ctx.sub.profile.name
    applied = ctx.profile.name if ctx.profile is not None else None
    if claimed != applied and claimed not in ctx.known_profiles:
        yield Problem(
            pointer("profile", "name"),
            msg(
                "claims profile {claimed!r}, which this tool does not know; checked against {applied!r} instead",
                claimed=claimed,
                applied=str(applied),
            ),
        )


@rule("profile.phase")
def phase(ctx: RuleContext) -> Iterator[Problem]:
    """The profile covers the submission's phase (e.g. ai-energy-score is inference only)."""
    if ctx.profile is None or ctx.sub.phase in ctx.profile.phases:
        return
    yield Problem(
        pointer("phase"),
        msg(
            "profile {profile!r} covers {covered} only; this is a {phase} submission",
            profile=ctx.profile.name,
            covered=Term(ctx.profile.phases[0]) if len(ctx.profile.phases) == 1 else ", ".join(ctx.profile.phases),
            phase=Term(ctx.sub.phase),
        ),
    )
