"""``une-eval measure``: run a workload under the measurement protocol (or replay a recording)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from une_eval.cli.show import escape
from une_eval.errors import InputError, ProtocolError
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
from une_eval.measure.replay import ReplaySensor, load_probe, load_recording
from une_eval.measure.runner import Policy
from une_eval.measure.sensors import Clock, EnergySensor, Unavailable
from une_eval.measure.workload import CommandWorkload, Workload
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


def _profile_minimums(profile: str, phase: str) -> tuple[float, int]:
    rules = load_profile(profile).rules
    idle_min_s = float(rules.get("baseline.duration", {}).get("min_duration_s", 0.0))
    runs_min = int(rules.get("runs.count", {}).get(f"min_runs_{phase}", 1))
    return idle_min_s, runs_min


_Opened = tuple[list[EnergySensor], Clock, Any, list[Unavailable], Workload | None, str | None]


def _sensors(replay: tuple[Path, Path, Path] | None, node_id: str | None, gpus: str | None, rapl_root: Path) -> _Opened:
    if replay is not None:
        trace, probe_path, host_path = replay
        clock = SimulatedClock()
        node = read_host_file(host_path, node_id=node_id)
        probe = load_probe(probe_path)
        sensor = ReplaySensor(load_recording(trace), probe, clock, device_id=f"{node.node_id}-gpu0")
        gaps = [
            Unavailable(c, "not in the replayed recording (the recorded VM exposed no RAPL)") for c in ("cpu", "dram")
        ]
        workload = SimulatedWorkload(clock, sensor.load_duration_s, sensor.play_load)
        return [sensor], clock, node, gaps, workload, str(probe.get("driver") or "") or None
    import pynvml  # the real bindings, only on this path; tests inject fakes through the library API

    system_clock = SystemClock()
    node = read_host(node_id=node_id)
    try:
        indices = [int(i) for i in gpus.split(",")] if gpus else None
    except ValueError:
        raise InputError(f"--gpus takes comma-separated GPU indices, not {gpus!r}") from None
    nvml_sensor = NvmlSensor(pynvml, system_clock, node_id=node.node_id, indices=indices)
    rapl, gaps = open_rapl(rapl_root, node_id=node.node_id, cpu_model=node.cpu_model)
    sensors: list[EnergySensor] = [nvml_sensor] + ([rapl] if rapl is not None else [])
    driver = nvml_sensor.devices()[0].facts.get("driver")
    return sensors, system_clock, node, gaps, None, driver


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
@click.option("--seed", type=int, default=None, help="Seed of the pause lengths (for a repeatable schedule).")
@click.option(
    "--declarations",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="JSON file: submitter, attestation, system (model, software, site), workload.",
)
@click.option("--profile", default="une-style", show_default=True)
@click.option("--submission-id", default=None)
@click.option("--node-id", default=None, help="Node identifier (default: the host name).")
@click.option("--gpus", default=None, help="Comma-separated GPU indices (default: all).")
@click.option("--rapl-root", type=click.Path(path_type=Path), default=Path("/sys/class/powercap"), show_default=True)
@click.option(
    "--replay",
    nargs=3,
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="TRACE PROBE HOST",
    help="Replay a recording on a simulated clock instead of NVML.",
)
@click.option("--allow-foreign-processes", is_flag=True, help="Measure although other processes use a GPU.")
@click.option("--allow-mig", is_flag=True, help="Measure a MIG-enabled GPU (whole-GPU energy).")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("-q", "--quiet", is_flag=True)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def measure_cmd(**opts: Any) -> None:
    """Measure a workload on this node: une-eval measure [OPTIONS] -- COMMAND...

    Exit code 0 when the measurement completed, 2 when it is incomplete (the partial submission is
    still written) or cannot start, 130 on Ctrl-C.
    """
    phase, profile = opts["phase"], opts["profile"]
    idle_min_s, runs_min = _profile_minimums(profile, phase)
    if opts["idle_s"] < idle_min_s or opts["runs"] < runs_min:
        raise InputError(
            f"profile {profile} needs an idle baseline of at least {idle_min_s:g} s and "
            f"at least {runs_min} runs for {phase}"
        )
    if bool(opts["replay"]) == bool(opts["command"]):
        raise InputError("give either a workload command after '--' or --replay TRACE PROBE HOST, not both")
    declared = load_json_document(opts["declarations"])
    sensors, clock, node, gaps, workload, driver = _sensors(
        opts["replay"], opts["node_id"], opts["gpus"], opts["rapl_root"]
    )
    if workload is None:
        workload = CommandWorkload(opts["command"])
    devices = [d for s in sensors for d in s.devices()]
    today = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    setup = Setup(
        phase=phase,
        unit=opts["unit"],
        unit_count=opts["unit_count"] or (1000.0 if opts["unit"] == "query" else 1.0),
        profile=profile,
        submission_id=opts["submission_id"] or f"measure-{node.node_id}-{today}"[:128],
        devices=devices,
        unavailable=gaps,
        node=node,
        driver_version=driver,
    )
    config = ProtocolConfig(
        runs=opts["runs"],
        idle_s=opts["idle_s"],
        warmup=not opts["no_warmup"],
        pause_min_s=min(opts["pause_s"]),
        pause_max_s=max(opts["pause_s"]),
        cooldown_s=opts["cooldown_s"],
        work_units=opts["work_units"],
        seed=opts["seed"],
    )
    _run(
        sensors,
        clock,
        workload,
        setup,
        declared,
        config,
        opts["out_dir"],
        Policy(opts["allow_foreign_processes"], opts["allow_mig"]),
        quiet=opts["quiet"],
    )


def _run(
    sensors: list[EnergySensor],
    clock: Clock,
    workload: Workload,
    setup: Setup,
    declared: dict[str, Any],
    config: ProtocolConfig,
    out_dir: Path,
    policy: Policy,
    *,
    quiet: bool,
) -> None:
    console = Console(highlight=False, soft_wrap=True)
    live = not quiet and sys.stdout.isatty() and not isinstance(clock, SimulatedClock)
    if live:
        with _Display(console, clock) as display:
            result = measure(
                sensors,
                clock,
                workload,
                setup,
                declared,
                config,
                out_dir,
                policy=policy,
                progress=display.progress,
                on_tick=display.tick,
            )
    else:
        result = measure(sensors, clock, workload, setup, declared, config, out_dir, policy=policy)
    if not result.complete:
        raise ProtocolError(f"measurement incomplete: {result.reason}; partial submission in {result.submission_path}")
    verdict = check_document(result.document, source=str(result.submission_path), base_dir=out_dir)
    if not quiet:
        console.print(
            f"wrote {escape(str(result.submission_path))}: {verdict.outcome.value.upper()} under "
            f"profile {escape(verdict.profile)} ({len(verdict.findings)} finding(s))"
        )
        for f in verdict.findings:
            console.print(f"  {f.severity.value} {escape(f.rule_id)} {escape(f.pointer)}: {escape(f.message)}")
