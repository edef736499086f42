"""Disclosure about the model under test: numeric precision and quantization (``model.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("model.precision-declared")
def precision_declared(ctx: RuleContext) -> Iterator[Problem]:
    """The model's numeric precision and its quantization (or 'none') are declared."""
    model = ctx.sub.system.model
    if model.precision is None:
        yield Problem(pointer("system", "model"), msg("the model's precision (e.g. bf16, fp8) is not declared"))
    if model.quantization is None:
        yield Problem(
            pointer("system", "model"), msg("the model's quantization (method 'none' if unquantized) is not declared")
        )
