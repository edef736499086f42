"""The wording of ``evidence.assurance``: each reason the evidence is declared-only, worded with the profile.

A profile that needs evidence-checked assurance needs every accelerator's energy in every complete
run recomputed from its raw trace. Each reason the evidence falls short
(:mod:`une_eval.validation.assurance`) has a template here that a document can print in its own
language; the rule (:mod:`une_eval.validation.rules.evidence`) yields one finding per reason.
"""

from __future__ import annotations

from une_eval.validation import assurance as assurance_reasons
from une_eval.validation.rules.base import Message, RuleContext, template

# Each reason the evidence is declared-only (une_eval.validation.assurance), worded with the profile.
_DECLARED_ONLY = {
    assurance_reasons.NO_TRACES_READ: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: no raw traces were read (none listed, or no folder to "
        "find them in)"
    ),
    assurance_reasons.NO_WINDOW_ENERGY: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: run {run}, {device}: no energy could be recomputed from "
        "the trace for this run's window"
    ),
    assurance_reasons.NOT_COVERED: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: run {run}, {device}: the trace does not cover the run's "
        "whole window"
    ),
    assurance_reasons.COUNTER_RESET: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: run {run}, {device}: the energy counter reset inside "
        "the run"
    ),
    assurance_reasons.AMBIGUOUS_DECREASE: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: run {run}, {device}: the counter decreased and the "
        "trace declares no wrap range to tell a wrap from a reset"
    ),
    assurance_reasons.NO_TRACE: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: {device}: no trace is listed for this accelerator"
    ),
    assurance_reasons.TRACE_UNUSABLE: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: {device}: its trace cannot be used ({issue})"
    ),
    assurance_reasons.NO_ACCELERATOR: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: the measurement lists no accelerator device"
    ),
    assurance_reasons.FEWER_LISTED: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: the hardware has {hardware} accelerators; the "
        "measurement lists {listed}"
    ),
    assurance_reasons.NO_COMPLETE_RUN: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: the measurement has no complete run"
    ),
    assurance_reasons.MORE_REASONS: template(
        "profile {profile} needs every accelerator's energy in every complete run recomputed from its raw trace "
        "(evidence-checked); the evidence is declared-only: and {count} more reason(s)"
    ),
}


def worded(ctx: RuleContext, profile: str) -> list[Message] | None:
    """One message per reason, worded with the profile; None when a reason has no known wording."""
    if ctx.evidence is not None and ctx.evidence.assurance_wording:
        reasons = ctx.evidence.assurance_wording
    elif ctx.assurance_reasons == (assurance_reasons.NO_TRACES_READ,):
        reasons = (Message(assurance_reasons.NO_TRACES_READ),)
    else:
        return None
    if not all(r.template in _DECLARED_ONLY for r in reasons):
        return None
    return [Message(_DECLARED_ONLY[r.template], (("profile", profile), *r.params)) for r in reasons]
