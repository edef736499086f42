"""Disclosure: attestation, precision and quantization, reporting precision of training energy."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.energy import significant_figures
from une_eval.findings import pointer
from une_eval.loading import JsonNumber
from une_eval.validate.rules import Problem, RuleContext, rule


@rule("attestation.affirmed")
def attestation(ctx: RuleContext) -> Iterator[Problem]:
    """The submitter affirms the data is accurate and unaltered and the model is the production one."""
    att = ctx.sub.attestation
    if not att.data_accurate_and_unaltered:
        yield Problem(
            pointer("attestation", "data_accurate_and_unaltered"),
            "the submitter does not attest that the data is accurate and unaltered",
        )
    if not att.production_model:
        yield Problem(
            pointer("attestation", "production_model"),
            "the submitter does not attest that the measured model is the production model",
        )


@rule("model.precision-declared")
def precision_declared(ctx: RuleContext) -> Iterator[Problem]:
    """The model's numeric precision and its quantization (or 'none') are declared."""
    model = ctx.sub.system.model
    if model.precision is None:
        yield Problem(pointer("system", "model"), "the model's precision (e.g. bf16, fp8) is not declared")
    if model.quantization is None:
        yield Problem(
            pointer("system", "model"), "the model's quantization (method 'none' if unquantized) is not declared"
        )


@rule("training.significant-figures")
def training_significant_figures(ctx: RuleContext) -> Iterator[Problem]:
    """Training energy is reported to at least the profile's number of significant figures."""
    if ctx.sub.phase != "training":
        return
    raw = ctx.doc.get("results", {}).get("energy_per_unit", {}).get("value")
    minimum = ctx.param("min_significant_figures")
    literal = raw.literal if isinstance(raw, JsonNumber) else (str(raw) if isinstance(raw, int) else None)
    if literal is not None and significant_figures(literal) < minimum:
        yield Problem(
            pointer("results", "energy_per_unit", "value"),
            f"training energy {literal} is written to {significant_figures(literal)} significant "
            f"figure(s); at least {minimum} are required",
        )
