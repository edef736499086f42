"""The many-node options of ``une-eval measure``: the node's name, its clock reference, replayed nodes.

``--node NAME`` names the node (default ``SLURMD_NODENAME``, else the host name); ``--clock-reference``
says what the node's clock offset is measured against (``HOST:PORT`` of ``une-eval clock serve``,
``chrony``, ``none``; ``auto`` asks chrony when it is installed). A process that is not its node's
elected sampler (local rank other than 0) is refused: one runner per node, never one per rank.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from une_eval.errors import InputError, SensorError
from une_eval.measure.clocksync import ClockOffset, measure_offset, unmeasured
from une_eval.measure.inventory import safe_identifier
from une_eval.measure.nodes import ClockWatch, NodeRecord, launcher_from_env, local_rank, node_name
from une_eval.measure.replay import ReplaySensor, load_probe, load_recording
from une_eval.measure.replaygroup import ReplayGroup
from une_eval.measure.sensors import Clock, SimulatedClock
from une_eval.prediction import check_full_run_units

F = TypeVar("F", bound=Callable[..., Any])
MAX_CHRONY_OUTPUT = 64 * 1024


def node_options(command: F) -> F:
    """Add ``--node``, ``--clock-reference``, ``--replay-gpu`` and ``--replay-clock-offset-ms``."""
    options = [
        click.option(
            "--node",
            "node",
            default=None,
            metavar="NAME",
            help=(
                "This node's name in a many-node job (default: SLURMD_NODENAME, else the host name, or with "
                "--replay the recording's host)."
            ),
        ),
        click.option(
            "--clock-reference",
            default="auto",
            show_default=True,
            metavar="HOST:PORT|chrony|none|auto",
            help="What the node clock's offset is measured against: une-eval clock serve at HOST:PORT, "
            "chrony's NTP state, or nothing; auto asks chrony when it is installed.",
        ),
        click.option(
            "--full-run-units",
            type=float,
            default=None,
            metavar="N",
            help="Training: the whole run's size in --unit (steps, tokens or samples); the measured runs "
            "predict its energy, marked estimated.",
        ),
        click.option(
            "--replay-gpu",
            "replay_gpus",
            nargs=2,
            multiple=True,
            type=click.Path(path_type=Path, dir_okay=False),
            metavar="TRACE PROBE",
            help="With --replay: one more replayed GPU on this node (repeatable).",
        ),
        click.option(
            "--replay-clock-offset-ms",
            type=float,
            default=0.0,
            show_default=True,
            help="With --replay: run the replayed node's clock this far ahead of the host's (a rehearsal of skew).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def refuse_other_ranks(env: Mapping[str, str]) -> None:
    """Refuse a runner started once per rank: each would count every GPU of the node again."""
    rank = local_rank(env)
    if rank is not None and rank[1] != 0:
        raise InputError(
            f"une-eval measure runs once per node, and this is local rank {rank[1]} ({rank[0]}); "
            "start it with srun --ntasks-per-node=1 (one sampler per node, never one per rank)"
        )


def resolve_name(opts: dict[str, Any], env: Mapping[str, str], replay_host_node: str | None) -> str:
    """``--node``, else ``--node-id``, else SLURMD_NODENAME, else the replayed host's id or the host name."""
    explicit = opts.get("node") or opts.get("node_id")
    if not explicit and not env.get("SLURMD_NODENAME") and replay_host_node:
        explicit = replay_host_node
    return node_name(explicit, env)


def expand_out(out_dir: Path, node_id: str, env: Mapping[str, str]) -> Path:
    """``-o out/%N``: ``%N`` is the node's name, ``%j`` the Slurm job id, ``%%`` a percent sign.

    ``srun`` expands these in its own options only, not in the command it starts, so the runner does. The
    job id is made a safe name (letters, digits, '.', '_', '-'), so it cannot add a folder or climb out.
    """
    text = str(out_dir)
    if "%" not in text:
        return out_dir
    # A launcher's id (torchrun --rdzv-id) is the user's text: never a separator or '..' in the path.
    job = safe_identifier(env.get("SLURM_JOB_ID") or env.get("TORCHELASTIC_RUN_ID") or "job", fallback="job")
    out, i = [], 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in ("%N", "%j", "%%"):
            out.append({"%N": node_id, "%j": job, "%%": "%"}[pair])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return Path("".join(out))


def replay_offset_ns(opts: dict[str, Any]) -> int:
    """The injected clock offset of a replayed node, checked (a rehearsal of skew, at most a day)."""
    offset_ms = opts.get("replay_clock_offset_ms") or 0.0
    if offset_ms and not opts.get("replay"):
        raise InputError("--replay-clock-offset-ms only applies to --replay")
    if opts.get("replay_gpus") and not opts.get("replay"):
        raise InputError("--replay-gpu only applies to --replay")
    if not abs(offset_ms) <= 86_400_000:
        raise InputError(f"--replay-clock-offset-ms takes a finite number of ms within a day, not {offset_ms!r}")
    return round(offset_ms * 1e6)


def replay_clock(offset_ns: int) -> SimulatedClock:
    """The replayed node's simulated clock: every replayed node starts at the same moment, plus its skew."""
    return SimulatedClock(start_unix_ns=SimulatedClock().unix_ns() + offset_ns)


def replay_sensor(
    first: ReplaySensor, extra: Sequence[tuple[Path, Path]], clock: SimulatedClock, node: str
) -> ReplaySensor | ReplayGroup:
    """The node's replayed GPUs: the first recording alone, or a group with the ``--replay-gpu`` ones."""
    if not extra:
        return first
    sensors = [first] + [
        ReplaySensor(load_recording(trace), load_probe(probe), clock, device_id=f"{node}-gpu{k}")
        for k, (trace, probe) in enumerate(extra, start=1)
    ]
    return ReplayGroup(sensors)


def run_chronyc(command: Sequence[str]) -> str:
    """Run chronyc (bounded in time and output) and return what it printed."""
    try:
        done = subprocess.run(list(command), capture_output=True, timeout=10, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SensorError(f"{command[0]} did not answer ({type(exc).__name__})") from None
    if done.returncode != 0:
        raise SensorError(f"{command[0]} exited with code {done.returncode}")
    return done.stdout[:MAX_CHRONY_OUTPUT].decode("utf-8", "replace")


def _measure(reference: str, now_ns: Callable[[], int]) -> Callable[[], ClockOffset]:
    if reference == "auto":
        if shutil.which("chronyc") is None:
            return lambda: unmeasured("no clock reference was given (--clock-reference) and chrony is not installed")
        reference = "chrony"
    return lambda: measure_offset(reference, now_ns, run=run_chronyc)


def check_node_options(opts: dict[str, Any], env: Mapping[str, str]) -> None:
    """Refuse a runner per rank, the replay-only options where they do not apply, a prediction that cannot be."""
    refuse_other_ranks(env)
    replay_offset_ns(opts)
    full = opts.get("full_run_units")
    if full is not None:
        if opts.get("phase") != "training":
            raise InputError("--full-run-units predicts a training run; this measures inference")
        check_full_run_units(full, str(opts.get("unit")))
        if int(opts.get("runs") or 0) < 2:
            raise InputError("--full-run-units needs at least 2 measured runs (--runs): the spread sets the interval")
    if opts.get("replay_clock_offset_ms") and opts.get("command"):
        raise InputError(
            "--replay-clock-offset-ms applies to a replay on the simulated clock; a rehearsal with a command "
            "runs on the host's clock"
        )


def start_node_record(
    node_id: str, opts: dict[str, Any], env: Mapping[str, str], clock: Clock
) -> tuple[NodeRecord, ClockWatch]:
    """The node's record, with its clock offset measured now and every minute until the watch stops.

    The offset is that of the clock the traces are stamped with; a replayed node's simulated clock
    stands for the host's, shifted by its injected offset.
    """
    simulated = isinstance(clock, SimulatedClock)
    now_ns = host_now_ns(replay_offset_ns(opts)) if simulated else clock.unix_ns
    watch = ClockWatch(_measure(str(opts.get("clock_reference") or "auto"), now_ns)).start()
    if watch.first_error and opts.get("clock_reference") not in (None, "auto", "none"):
        click.echo(f"une-eval: warning: clock offset not measured: {watch.first_error}", err=True)
    return NodeRecord(node_id, socket.gethostname(), launcher_from_env(env), watch.current), watch


def host_now_ns(offset_ns: int = 0) -> Callable[[], int]:
    """The host's wall clock (ns), shifted by an injected offset for a replayed node."""
    return lambda: time.time_ns() + offset_ns


def environment() -> Mapping[str, str]:
    """The process environment (one place, so the commands read it the same way)."""
    return os.environ
