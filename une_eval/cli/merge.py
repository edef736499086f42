"""``une-eval merge`` and ``une-eval clock``: one submission for a many-node job, and the job's reference clock.

``une-eval merge out/* -o merged/`` reads the node folders ``une-eval measure --node`` left and writes
``merged/submission.json`` with every node's evidence under ``merged/nodes/``. Exit code 0 when the
merged measurement is complete, 1 when it is incomplete (the submission is written and says which node
and why), 2 when nothing could be merged (no usable node, refused options or output folder).

``une-eval clock serve --listen HOST:PORT`` answers the nodes' clock round trips (start it on the
job's first node before ``srun``); ``une-eval clock offset HOST:PORT`` measures this host's offset.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from une_eval.cli.show import plain as printable
from une_eval.errors import InputError
from une_eval.loading import load_json_document
from une_eval.measure.clocksync import ClockReferenceServer, measure_offset, parse_address
from une_eval.measure.nodes import expand_hostlist
from une_eval.merging import CrossChecks, Declared, MergeOptions, merge_nodes, prepare_output
from une_eval.merging.clocks import DEFAULT_LIMIT_S
from une_eval.spec import load_profile

MAX_DECLARED_GPUS = 64
DEFAULT_CROSS_CHECK_TOLERANCE_PCT = 5.0


def add_commands(group: click.Group) -> None:
    """Attach ``merge`` and ``clock`` to the top-level group."""
    group.add_command(merge_cmd)
    group.add_command(clock_group)


def _declared_devices(path: Path | None) -> dict[str, tuple[str, ...]]:
    if path is None:
        return {}
    doc = load_json_document(path)
    out: dict[str, tuple[str, ...]] = {}
    for node, uuids in doc.items():
        ok = isinstance(uuids, list) and len(uuids) <= MAX_DECLARED_GPUS and all(isinstance(u, str) for u in uuids)
        if not ok:
            raise InputError(f"{path}: each node maps to a list of at most {MAX_DECLARED_GPUS} GPU UUIDs (strings)")
        out[str(node)[:128]] = tuple(u[:128] for u in uuids)
    return out


def _limit_s(profile: str | None, limit_ms: float | None) -> float:
    if limit_ms is not None:
        if not 0 < limit_ms <= 60_000:
            raise InputError(f"--clock-limit-ms takes a number of ms in (0, 60000], not {limit_ms!r}")
        return limit_ms / 1000
    if profile is None:
        return DEFAULT_LIMIT_S
    rule = load_profile(profile).rules.get("nodes.clock-offset")
    return float(rule["max_offset_s"]) if rule and "max_offset_s" in rule else DEFAULT_LIMIT_S


def _tolerance_pct(profile: str | None) -> float:
    if profile is None:
        return DEFAULT_CROSS_CHECK_TOLERANCE_PCT
    rule = load_profile(profile).rules.get("nodes.cross-check")
    return float(rule["tolerance_pct"]) if rule and "tolerance_pct" in rule else DEFAULT_CROSS_CHECK_TOLERANCE_PCT


def _cross_checks(opts: dict[str, Any]) -> CrossChecks:
    env_job = os.environ.get("SLURM_JOB_ID") or None
    return CrossChecks(
        sacct_file=opts["sacct_file"],
        run_sacct=opts["sacct"],
        dcgm_files=tuple(opts["dcgm_stats_files"]),
        job_id=opts["job_id"][:200] if opts["job_id"] else None,
        fallback_job_id=env_job[:200] if env_job else None,
        tolerance_pct=_tolerance_pct(opts["profile"]),
    )


def _options(opts: dict[str, Any]) -> MergeOptions:
    gpus = opts["expect_gpus_per_node"]
    if gpus is not None and not 0 <= gpus <= MAX_DECLARED_GPUS:
        raise InputError(f"--expect-gpus-per-node takes 0 to {MAX_DECLARED_GPUS}, not {gpus}")
    declared = Declared(
        nodes=tuple(expand_hostlist(opts["expect_nodes"])) if opts["expect_nodes"] else (),
        gpus_per_node=gpus,
        devices=_declared_devices(opts["expect_devices"]),
    )
    return MergeOptions(
        clock_limit_s=_limit_s(opts["profile"], opts["clock_limit_ms"]),
        declared=declared,
        work_units=opts["work_units"],
        submission_id=opts["submission_id"],
        full_run_units=opts["full_run_units"],
        cross_checks=_cross_checks(opts),
    )


@click.command("merge")
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Write into a folder that holds files (the merge's outputs are replaced).")
@click.option("--profile", default=None, help="The profile whose clock limit applies (default: 400 ms).")
@click.option("--clock-limit-ms", type=float, default=None, help="Refuse node clocks further off than this.")
@click.option("--expect-nodes", default=None, metavar="HOSTLIST", help="The job's nodes (Slurm syntax: n[1-4]).")
@click.option("--expect-gpus-per-node", type=int, default=None, help="GPUs each node should have measured.")
@click.option(
    "--expect-devices",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help='JSON: {"node": ["GPU-uuid", ...]}, each node\'s GPUs in index order.',
)
@click.option(
    "--work-units",
    type=click.Choice(["sum", "same"]),
    default=None,
    help="How node work units combine (default: same for training, sum for inference).",
)
@click.option(
    "--full-run-units",
    type=float,
    default=None,
    metavar="N",
    help="Training: the whole run's size in the functional unit; its energy is predicted, marked estimated.",
)
@click.option(
    "--sacct-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Cross-check: the output of sacct -j JOB --parsable2 --format=JobID,ConsumedEnergyRaw,ElapsedRaw.",
)
@click.option("--sacct", is_flag=True, help="Cross-check: run sacct for the job (timeout 30 s) and record its energy.")
@click.option(
    "--dcgm-stats-file",
    "dcgm_stats_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Cross-check: the output of dcgmi stats -v -j JOB, one file per node (repeatable).",
)
@click.option("--job-id", default=None, help="The Slurm job for sacct (default: the nodes' job, else SLURM_JOB_ID).")
@click.option("--submission-id", default=None)
@click.option("-q", "--quiet", is_flag=True)
def merge_cmd(**opts: Any) -> None:
    """Merge the node folders of one job into one submission (une-eval merge out/* -o merged/).

    Exit code 0 when the merged measurement is complete, 1 when it is incomplete (written, with the
    reasons), 2 when nothing could be merged.
    """
    options = _options(opts)
    prepare_output(opts["out_dir"], opts["folders"], force=opts["force"])
    result = merge_nodes(opts["folders"], opts["out_dir"], options, created_unix_ns=time.time_ns())
    doc = result.document
    runs = doc["measurement"]["runs"]
    done = [r for r in runs if r["complete"]]
    total_kwh = sum(r["energy"]["total_j"] for r in done) / 3.6e6
    nodes = doc["measurement"]["nodes"]
    state = "complete" if result.complete else "INCOMPLETE"
    if not opts["quiet"]:
        click.echo(
            f"wrote {printable(str(result.submission_path))}: {state}, {len(nodes)} node(s), "
            f"{len(done)}/{len(runs)} run(s) complete, {total_kwh:.6g} kWh in the complete runs"
        )
        for issue in result.issues:
            click.echo(f"  {issue.code}: {printable(issue.message)}")
        prediction = doc.get("results", {}).get("prediction")
        if prediction is not None:
            click.echo(
                f"  predicted full run (estimated, not measured): {prediction['energy_j'] / 3.6e6:.6g} kWh, "
                f"{prediction['confidence']:.0%} interval {prediction['low_j'] / 3.6e6:.6g} to "
                f"{prediction['high_j'] / 3.6e6:.6g} kWh"
            )
        for check in doc["measurement"].get("cross_checks", []):
            click.echo(f"  cross-check: {printable(_cross_check_line(check))}")
    if result.prediction_note is not None:
        click.echo(f"une-eval: warning: {printable(result.prediction_note)}", err=True)
    if not result.complete:
        reason = doc["measurement"].get("incomplete_reason", "")
        click.echo(f"une-eval: the merged measurement is incomplete: {printable(reason)}", err=True)
        sys.exit(1)


def _cross_check_line(check: dict[str, Any]) -> str:
    """One cross-check in words: the external total beside the measured one, or why there is none."""
    if check["status"] != "recorded":
        return f"{check['source']}: unavailable ({check.get('reason', '')})"
    pct = check.get("difference_pct")
    diff = f", {pct:+.2f} %" if pct is not None else ""
    return (
        f"{check['source']}: {check['energy_j'] / 3.6e6:.6g} kWh (sourced, {check.get('scope', '')}) beside "
        f"{check['measured_j'] / 3.6e6:.6g} kWh measured in the complete runs: difference "
        f"{check['difference_j'] / 3.6e6:+.6g} kWh{diff}"
    )


@click.group("clock")
def clock_group() -> None:
    """The job's reference clock: serve it, or measure this host's offset to it."""


@clock_group.command("serve")
@click.option("--listen", default="0.0.0.0:7807", show_default=True, metavar="HOST:PORT")
def clock_serve(listen: str) -> None:
    """Answer clock round trips until stopped (Ctrl-C or SIGTERM)."""
    host, port = parse_address(listen)
    server = ClockReferenceServer(host, port)
    click.echo(f"une-eval: clock reference on {server.address[0]}:{server.address[1]}", err=True)
    try:
        server.serve_forever()
    finally:
        server.stop()


@clock_group.command("offset")
@click.argument("reference")
def clock_offset(reference: str) -> None:
    """Measure this host's clock offset to REFERENCE (HOST:PORT, or chrony)."""
    from une_eval.cli.nodes import run_chronyc

    offset = measure_offset(reference, time.time_ns, run=run_chronyc)
    if offset.offset_s is None or offset.uncertainty_s is None:
        raise InputError(f"no offset measured: {offset.reason}")
    click.echo(
        f"{offset.offset_s * 1000:+.3f} ms ± {offset.uncertainty_s * 1000:.3f} ms "
        f"(this host minus {printable(offset.reference)}, {offset.method})"
    )
