"""``une-eval measure``: run a workload under the measurement protocol (or replay a recording).

Exit codes: 0 the measurement completed and its submission conforms; 1 it completed but the
submission does not conform to the profile; 2 it could not be measured (refused options,
declarations or output folder, an incomplete measurement, a submission that is not schema-valid);
128 + N when stop signal N ended it (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP). Every failure is one line
on stderr.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from une_eval.cli import nodes as cli_nodes
from une_eval.cli.show import escape
from une_eval.errors import InputError
from une_eval.loading import load_json_document
from une_eval.measure import (
    NvmlSensor,
    ProtocolConfig,
    Setup,
    SimulatedClock,
    SimulatedWorkload,
    SystemClock,
    measure,
    open_rapl,
    read_host,
    read_host_file,
)
from une_eval.measure.nodes import NodeRecord
from une_eval.measure.rehearsal import HostTimedReplay
from une_eval.measure.replay import ReplaySensor, load_probe, load_recording, replay_record
from une_eval.measure.runner import Policy, Result
from une_eval.measure.sensors import Clock, EnergySensor, Unavailable
from une_eval.measure.submission import check_declarations
from une_eval.measure.work_units import MAX_WORK_UNITS, MIN_WORK_UNITS
from une_eval.measure.workload import OWN_PREFIX, CommandWorkload, Workload
from une_eval.spec import load_profile
from une_eval.validation import check_document
from une_eval.vocabulary import phases, unit_names


class _Display:
    """The live view: phase, run k of N, elapsed time, power per GPU (off when not a TTY or --quiet)."""

    def __init__(self, console: Console, clock: Clock) -> None:
        self._console, self._clock = console, clock
        self._start_s = clock.monotonic_s()
        self._phase, self._k, self._n = "preflight", 0, 0
        self._live = Live(self._table({}), console=console, refresh_per_second=4, transient=False)

    def _table(self, power_w: dict[str, float]) -> Table:
        table = Table(
            title=f"phase {self._phase}   run {self._k}/{self._n}   {self._clock.monotonic_s() - self._start_s:7.1f} s",
            box=None,
        )
        table.add_column("device")
        table.add_column("power W", justify="right")
        for dev_id, watts in power_w.items():
            table.add_row(escape(dev_id), f"{watts:8.1f}")
        return table

    def progress(self, phase: str, k: int, n: int) -> None:
        self._phase, self._k, self._n = phase, k, n

    def tick(self, phase: str, power_w: dict[str, float]) -> None:
        self._live.update(self._table(power_w))

    def __enter__(self) -> _Display:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)


def open_standard_streams() -> None:
    """Put ``/dev/null`` where the runner was started with stdin, stdout or stderr closed (``>&-``, a daemon).

    Otherwise the first file the runner opens would take that number (a trace written as stdout), and the
    first line it prints would fail after the measurement.
    """
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115 - for the run


def _fail(code: int, message: str) -> NoReturn:
    click.echo(f"une-eval: {message}", err=True)
    sys.exit(code)


def _check_options(opts: dict[str, Any]) -> None:
    """Refuse what would make the measurement meaningless or endless, before anything starts."""
    phase, profile = opts["phase"], opts["profile"]
    durations = {"--idle-s": opts["idle_s"], "--cooldown-s": opts["cooldown_s"], "--pause-s": min(opts["pause_s"])}
    durations["--pause-s "] = max(opts["pause_s"])
    for name, value in durations.items():
        if not math.isfinite(value) or value < 0:
            raise InputError(f"{name.strip()} takes a finite number of seconds >= 0, not {value!r}")
    timeout = opts["run_timeout"]
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise InputError(f"--run-timeout takes a finite number of seconds > 0, not {timeout!r}")
    units = opts["work_units"]
    if units is not None and not (math.isfinite(units) and MIN_WORK_UNITS <= units <= MAX_WORK_UNITS):
        raise InputError(f"--work-units takes a number in [{MIN_WORK_UNITS:g}, {MAX_WORK_UNITS:g}], not {units!r}")
    per = opts["unit_count"]
    if per is not None and not (math.isfinite(per) and MIN_WORK_UNITS <= per <= MAX_WORK_UNITS):
        raise InputError(f"--per takes a number in [{MIN_WORK_UNITS:g}, {MAX_WORK_UNITS:g}], not {per!r}")
    loaded = load_profile(profile)
    if phase not in loaded.phases:
        raise InputError(f"profile {profile} covers {' and '.join(loaded.phases)} only, not --phase {phase}")
    idle_min_s = float(loaded.rules.get("baseline.duration", {}).get("min_duration_s", 0.0))
    runs_min = int(loaded.rules.get("runs.count", {}).get(f"min_runs_{phase}", 1))
    rehearsal = bool(opts["replay"] and opts["command"])  # checks the job, not the energy: may be short
    if not rehearsal and (opts["idle_s"] < idle_min_s or opts["runs"] < runs_min):
        raise InputError(
            f"profile {profile} needs an idle baseline of at least {idle_min_s:g} s and "
            f"at least {runs_min} runs for {phase}"
        )
    if opts["runs"] < 1:
        raise InputError("--runs takes a count of at least 1")
    for name in opts["pass_env"]:
        if name.startswith(OWN_PREFIX) or not name.isidentifier():
            raise InputError(f"--pass-env takes the name of a variable that is not une-eval's own, not {name!r}")
    command = opts["command"]
    if command and shutil.which(command[0]) is None:
        raise InputError(f"the workload command {command[0]!r} is not an executable file here (nor on PATH)")


_Opened = tuple[list[EnergySensor], Clock, Any, list[Unavailable], Workload, str | None]


def _replay(paths: tuple[Path, Path, Path], opts: dict[str, Any], command: tuple[str, ...]) -> _Opened:
    """The replay sensor: on a simulated clock, or, with a command, a rehearsal on the host's clock."""
    trace, probe_path, host_path = paths
    replay_clock = cli_nodes.replay_clock(cli_nodes.replay_offset_ns(opts))
    recorded = read_host_file(host_path).node_id
    node = read_host_file(host_path, node_id=cli_nodes.resolve_name(opts, cli_nodes.environment(), recorded))
    probe = load_probe(probe_path)
    sensor = ReplaySensor(load_recording(trace), probe, replay_clock, device_id=f"{node.node_id}-gpu0")
    gaps = [Unavailable(c, "not in the replayed recording (the recorded VM exposed no RAPL)") for c in ("cpu", "dram")]
    driver = str(probe.get("driver") or "") or None
    group = cli_nodes.replay_sensor(sensor, opts["replay_gpus"], replay_clock, node.node_id)
    if not command:
        workload = SimulatedWorkload(replay_clock, group.load_duration_s, group.play_load)
        return [group], replay_clock, node, gaps, workload, driver
    host_clock = SystemClock()
    rehearsal = HostTimedReplay(group, replay_clock, host_clock)
    command_workload = CommandWorkload(command, on_start=rehearsal.play_load, pass_env=opts["pass_env"])
    return [rehearsal], host_clock, node, gaps, command_workload, driver


def _nvml(opts: dict[str, Any], gpus: str | None, rapl_root: Path, command: tuple[str, ...]) -> _Opened:
    import pynvml  # the real bindings, only on this path; tests inject fakes through the library API

    system_clock = SystemClock()
    node = read_host(node_id=cli_nodes.resolve_name(opts, cli_nodes.environment(), None))
    try:
        indices = [int(i) for i in gpus.split(",")] if gpus else None
    except ValueError:
        raise InputError(f"--gpus takes comma-separated GPU indices, not {gpus!r}") from None
    nvml_sensor = NvmlSensor(pynvml, system_clock, node_id=node.node_id, indices=indices)
    rapl, gaps = open_rapl(rapl_root, node_id=node.node_id, cpu_model=node.cpu_model)
    sensors: list[EnergySensor] = [nvml_sensor] + ([rapl] if rapl is not None else [])
    driver = nvml_sensor.devices()[0].facts.get("driver")
    return sensors, system_clock, node, gaps, CommandWorkload(command, pass_env=opts["pass_env"]), driver


def add_commands(group: click.Group) -> None:
    """Attach ``measure`` to the top-level group."""
    group.add_command(measure_cmd)


@click.command("measure", context_settings={"ignore_unknown_options": False})
@click.option("--phase", type=click.Choice(phases()), required=True)
@click.option("--unit", type=click.Choice(unit_names()), required=True, help="Functional unit of the work units.")
@click.option(
    "--per",
    "unit_count",
    type=float,
    default=None,
    help="Results per this many units (default 1000 for queries, else 1).",
)
@click.option(
    "--work-units",
    type=float,
    default=None,
    help="Work units per run, when the workload does not write $UNE_EVAL_RESULT_FILE.",
)
@click.option("--runs", type=int, default=5, show_default=True)
@click.option("--idle-s", type=float, default=60.0, show_default=True, help="Idle baseline length.")
@click.option("--no-warmup", is_flag=True, help="Skip the uncounted warm-up execution.")
@click.option(
    "--pause-s",
    nargs=2,
    type=float,
    default=(5.0, 15.0),
    show_default=True,
    help="Random pause between runs, from MIN to MAX seconds.",
)
@click.option("--cooldown-s", type=float, default=0.0, show_default=True)
@click.option(
    "--run-timeout",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Stop an execution (its whole process group) that runs longer, and record it as a failed run.",
)
@click.option("--seed", type=int, default=None, help="Seed of the pause lengths (for a repeatable schedule).")
@click.option(
    "--declarations",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="JSON file: submitter, attestation, system (model, software, site), workload.",
)
@click.option("--profile", default="une-style", show_default=True)
@click.option("--submission-id", default=None)
@click.option("--node-id", default=None, help="Another spelling of --node (--node wins when both are given).")
@click.option("--gpus", default=None, help="Comma-separated GPU indices (default: all).")
@click.option("--rapl-root", type=click.Path(path_type=Path), default=Path("/sys/class/powercap"), show_default=True)
@click.option(
    "--replay",
    nargs=3,
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="TRACE PROBE HOST",
    help="Replay a recording instead of NVML: on a simulated clock, or with a COMMAND a rehearsal in real time.",
)
@click.option(
    "--pass-env",
    multiple=True,
    metavar="NAME",
    help="Pass this secret-looking variable (a token, key, password) to the workload; repeatable.",
)
@click.option("--allow-foreign-processes", is_flag=True, help="Measure although other processes use a GPU.")
@click.option("--allow-mig", is_flag=True, help="Measure a MIG-enabled GPU (whole-GPU energy).")
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Output folder; %N is replaced by the node's name, %j by the job id (srun -o out/%N style).",
)
@click.option("--force", is_flag=True, help="Measure into a folder that holds files (une-eval's outputs are replaced).")
@click.option("-q", "--quiet", is_flag=True)
@cli_nodes.node_options
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def measure_cmd(**opts: Any) -> None:
    """Measure a workload on this node: une-eval measure [OPTIONS] -- COMMAND...

    Exit code 0 when the measurement completed and conforms, 1 when it completed but does not
    conform, 2 when it is incomplete (the partial submission is still written), cannot start or is
    not schema-valid, 128 + N on stop signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
    """
    open_standard_streams()
    if not opts["replay"] and not opts["command"]:
        raise InputError("give a workload command after '--', or --replay TRACE PROBE HOST")
    _check_options(opts)
    cli_nodes.check_node_options(opts, cli_nodes.environment())
    declared = load_json_document(opts["declarations"])
    check_declarations(declared, opts["phase"])
    if opts["replay"]:
        opened = _replay(opts["replay"], opts, opts["command"])
    else:
        opened = _nvml(opts, opts["gpus"], opts["rapl_root"], opts["command"])
    _, clock, node, _, _, _ = opened
    opts["out_dir"] = cli_nodes.expand_out(opts["out_dir"], node.node_id, cli_nodes.environment())
    record, watch = cli_nodes.start_node_record(node.node_id, opts, cli_nodes.environment(), clock)
    try:
        _measure(opts, opened, declared, _setup(opts, opened, record))
    finally:
        watch.stop()


def _measure(opts: dict[str, Any], opened: _Opened, declared: dict[str, Any], setup: Setup) -> None:
    sensors, clock, _, _, workload, _ = opened
    config = _config(opts)
    policy = Policy(opts["allow_foreign_processes"], opts["allow_mig"])
    console = Console(highlight=False, soft_wrap=True)
    live = not opts["quiet"] and sys.stdout.isatty() and not isinstance(clock, SimulatedClock)
    kwargs: dict[str, Any] = {"policy": policy, "force": opts["force"]}
    if live:
        with _Display(console, clock) as display:
            result = measure(
                sensors, clock, workload, setup, declared, config, opts["out_dir"],
                progress=display.progress, on_tick=display.tick, **kwargs,
            )  # fmt: skip
    else:
        result = measure(sensors, clock, workload, setup, declared, config, opts["out_dir"], **kwargs)
    _report(result, opts["out_dir"], console, quiet=opts["quiet"])


def _setup(opts: dict[str, Any], opened: _Opened, record: NodeRecord) -> Setup:
    sensors, _, node, gaps, _, driver = opened
    today = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "rehearsal" if opts["replay"] and opts["command"] else "measure"
    devices = [d for s in sensors for d in s.devices()]
    replay = None
    if opts["replay"]:
        recordings = [Path(opts["replay"][0]), *(Path(pair[0]) for pair in opts["replay_gpus"] or ())]
        replay = replay_record("rehearsal" if opts["command"] else "replay", recordings, devices)
    return Setup(
        phase=opts["phase"],
        unit=opts["unit"],
        unit_count=opts["unit_count"] or (1000.0 if opts["unit"] == "query" else 1.0),
        profile=opts["profile"],
        submission_id=opts["submission_id"] or f"{kind}-{node.node_id}-{today}"[:128],
        devices=devices,
        unavailable=gaps,
        node=node,
        driver_version=driver,
        node_record=record,
        full_run_units=opts["full_run_units"],
        replay=replay,
    )


def _config(opts: dict[str, Any]) -> ProtocolConfig:
    return ProtocolConfig(
        runs=opts["runs"],
        idle_s=opts["idle_s"],
        warmup=not opts["no_warmup"],
        pause_min_s=min(opts["pause_s"]),
        pause_max_s=max(opts["pause_s"]),
        cooldown_s=opts["cooldown_s"],
        work_units=opts["work_units"],
        seed=opts["seed"],
        run_timeout_s=opts["run_timeout"],
    )


def _report(result: Result, out_dir: Path, console: Console, *, quiet: bool) -> None:
    """Say how the measurement ended and exit with its code (see the module docstring)."""
    where = result.submission_path
    if result.signal is not None:
        _fail(128 + result.signal, f"error: measurement {result.reason}; partial submission in {where}")
    if not result.complete:
        _fail(2, f"error: measurement incomplete: {result.reason}; partial submission in {where}")
    verdict = check_document(result.document, source=str(where), base_dir=out_dir)
    if not quiet:
        console.print(
            f"wrote {escape(str(where))}: {verdict.outcome.value.upper()} under "
            f"profile {escape(verdict.profile)} ({len(verdict.findings)} finding(s))"
        )
        for f in verdict.findings:
            console.print(f"  {f.severity.value} {escape(f.rule_id)} {escape(f.pointer)}: {escape(f.message)}")
    first = next((f for f in verdict.findings if f.severity.value == "error"), None)
    why = f"{first.rule_id} {first.pointer or '/'}: {first.message}" if first else "no finding given"
    if verdict.outcome.value == "invalid":
        _fail(2, f"error: the submission written to {where} is not schema-valid: {why}")
    if verdict.outcome.value != "conformant":
        _fail(1, f"the submission written to {where} does not conform to profile {verdict.profile}: {why}")
