"""The profile applied: the one the submission claims, and one that covers its phase (``profile.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, rule


@rule("profile.known")
def known(ctx: RuleContext) -> Iterator[Problem]:
    """The profile the submission claims is one this tool can load; otherwise it was checked against another."""
    claimed = ctx.sub.profile.name
    applied = ctx.profile.name if ctx.profile is not None else None
    if claimed != applied and claimed not in ctx.known_profiles:
        yield Problem(
            pointer("profile", "name"),
            f"claims profile {claimed!r}, which this tool does not know; checked against {applied!r} instead",
        )


@rule("profile.phase")
def phase(ctx: RuleContext) -> Iterator[Problem]:
    """The profile covers the submission's phase (e.g. ai-energy-score is inference only)."""
    if ctx.profile is None or ctx.sub.phase in ctx.profile.phases:
        return
    yield Problem(
        pointer("phase"),
        f"profile {ctx.profile.name!r} covers {' and '.join(ctx.profile.phases)} only; "
        f"this is a {ctx.sub.phase} submission",
    )
