"""Inference conditions of the AI Energy Score style: hardware, batch size, query count (``inference.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from une_eval.findings import pointer
from une_eval.validation.rules.base import Problem, RuleContext, msg, rule


@rule("inference.accelerator-count")
def accelerator_count(ctx: RuleContext) -> Iterator[Problem]:
    """Check that the inference ran on exactly the profile's number of accelerators (AI Energy Score: 1)."""
    if ctx.sub.workload.inference is None:
        return
    expected = ctx.param("count")
    count = sum(a.count for n in ctx.sub.system.hardware.nodes for a in n.accelerators)
    if count != expected:
        yield Problem(
            pointer("system", "hardware", "nodes"),
            msg(
                "the system has {count} accelerator(s); the profile's conditions require exactly {expected}",
                count=count,
                expected=expected,
            ),
        )


@rule("inference.reference-hardware")
def reference_hardware(ctx: RuleContext) -> Iterator[Problem]:
    """Check that the accelerators are of the reference class (AI Energy Score runs on an H100 80GB)."""
    if ctx.sub.workload.inference is None:
        return
    names = [str(n).lower() for n in ctx.param("models")]
    for i, node in enumerate(ctx.sub.system.hardware.nodes):
        for j, acc in enumerate(node.accelerators):
            if not any(name in acc.model.lower() for name in names):
                yield Problem(
                    pointer("system", "hardware", "nodes", i, "accelerators", j, "model"),
                    msg(
                        "accelerator {model!r} is not of the reference class ({reference}); results are not "
                        "comparable with reference runs",
                        model=acc.model,
                        reference=", ".join(ctx.param("models")),
                    ),
                )


@rule("inference.batch-size")
def batch_size(ctx: RuleContext) -> Iterator[Problem]:
    """Check that queries are served at the profile's batch size (AI Energy Score: batch size 1)."""
    inf = ctx.sub.workload.inference
    expected = ctx.param("batch_size")
    if inf is not None and inf.batch_size != expected:
        yield Problem(
            pointer("workload", "inference", "batch_size"),
            msg(
                "batch size is {batch_size}; the profile's conditions require {expected}",
                batch_size=inf.batch_size,
                expected=expected,
            ),
        )


@rule("inference.queries")
def queries(ctx: RuleContext) -> Iterator[Problem]:
    """Each run answers the profile's number of queries from a dataset identified by version or SHA-256."""
    inf = ctx.sub.workload.inference
    if inf is None:
        return
    expected = ctx.param("queries")
    if inf.queries != expected:
        yield Problem(
            pointer("workload", "inference", "queries"),
            msg(
                "{queries} queries per run; the profile's conditions require {expected}",
                queries=inf.queries,
                expected=expected,
            ),
        )
    for i, run in enumerate(ctx.sub.measurement.runs):
        if run.complete and run.work_units != inf.queries:
            yield Problem(
                pointer("measurement", "runs", i, "work_units"),
                msg(
                    "run {run} did {work_units} work units, the workload declares {queries} queries",
                    run=i,
                    work_units=run.work_units,
                    queries=inf.queries,
                ),
            )
    if inf.dataset.version is None and inf.dataset.sha256 is None:
        yield Problem(
            pointer("workload", "inference", "dataset"),
            msg("dataset {dataset!r} is identified by neither a version nor a SHA-256", dataset=inf.dataset.name),
        )
