"""Run `une-eval measure` as a real subprocess, the way a scheduler or an operator does."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "fixtures" / "traces"
DECLARATIONS = FIX / "h200-declarations.json"
# A replay measures nothing of a system: checked against the profile for replays and rehearsals.
REPLAY = [
    "--profile",
    "replay-rehearsal",
    "--replay",
    str(FIX / "h200-trace.csv"),
    str(FIX / "h200-probe.json"),
    str(FIX / "h200-host.json"),
]
WORKLOAD = [sys.executable, str(Path(__file__).with_name("rehearsal_workload.py"))]


def cli_env(workload_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI run: this checkout first on the path, the workload's folder set."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["WL_DIR"] = str(workload_dir)
    env.update(extra or {})
    return env


def rehearsal_args(out: Path, *options: str, runs: int = 2, idle_s: float = 0.5) -> list[str]:
    """A short rehearsal: the replayed H200 recording, the test workload as the command."""
    return [
        sys.executable,
        "-m",
        "une_eval",
        "measure",
        "--phase",
        "inference",
        "--unit",
        "query",
        "--runs",
        str(runs),
        "--idle-s",
        str(idle_s),
        "--pause-s",
        "0.1",
        "0.2",
        "--seed",
        "1",
        "--declarations",
        str(DECLARATIONS),
        *REPLAY,
        "-o",
        str(out),
        *options,
        "--",
        *WORKLOAD,
    ]


def replay_args(out: Path, *options: str, declarations: Path = DECLARATIONS) -> list[str]:
    """The replay demo (simulated clock, no command): 3 runs, 30 s baseline."""
    return [
        sys.executable,
        "-m",
        "une_eval",
        "measure",
        "--phase",
        "inference",
        "--unit",
        "query",
        "--work-units",
        "1000",
        "--runs",
        "3",
        "--idle-s",
        "30",
        "--seed",
        "1",
        "--declarations",
        str(declarations),
        *REPLAY,
        "-o",
        str(out),
        *options,
    ]


def run_cli(
    args: Sequence[str], env: Mapping[str, str], timeout_s: float = 120, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """Run to the end and capture stdout and stderr."""
    return subprocess.run(
        list(args), env=dict(env), capture_output=True, text=True, timeout=timeout_s, check=False, **kw
    )


def start_cli(args: Sequence[str], env: Mapping[str, str]) -> subprocess.Popen[str]:
    """Start in the background (stdout and stderr captured)."""
    return subprocess.Popen(list(args), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    """Poll ``condition`` every 20 ms; fail the test with ``what`` after ``timeout_s``."""
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def log_says(out: Path, text: str) -> Callable[[], bool]:
    """A condition: run.log holds ``text``."""
    return lambda: (out / "run.log").is_file() and text in (out / "run.log").read_text()


def process_gone(pid: int) -> bool:
    """The process has exited (absent, or a zombie nobody has reaped yet: it runs no code)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def submission(out: Path) -> dict[str, Any]:
    """The submission the runner left."""
    doc: dict[str, Any] = json.loads((out / "submission.json").read_text())
    return doc


def trace_digests_match(out: Path, doc: dict[str, Any]) -> bool:
    """Every trace the submission lists has the SHA-256 the submission records."""
    refs = doc["measurement"]["traces"]
    return bool(refs) and all(
        hashlib.sha256((out / ref["path"]).read_bytes()).hexdigest() == ref["sha256"] for ref in refs
    )
