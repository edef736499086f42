"""The host's inventory: node id, CPU model, sockets, cores, memory, operating system.

Read from ``/proc`` (the root is an argument, so tests pass a fake tree) or, for a replayed recording,
from a small JSON file describing the host the recording came from.
"""

from __future__ import annotations

import json
import platform
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from une_eval.errors import InputError

_IDENTIFIER_BAD = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class NodeInventory:
    """The facts about one node that the submission's ``system.hardware`` and ``software`` need."""

    node_id: str
    cpu_model: str
    sockets: int
    cores_per_socket: int | None
    memory_gb: float
    os: str


def safe_identifier(text: str, fallback: str = "node0") -> str:
    """Turn a host name into a schema identifier (letters, digits, '.', '_', '-'; at most 128)."""
    cleaned = _IDENTIFIER_BAD.sub("-", text).strip("-._")[:128]
    return cleaned or fallback


def _cpuinfo(proc_root: Path) -> tuple[str, int, int | None]:
    model, sockets, cores = "unknown CPU", set(), {}
    try:
        text = (proc_root / "cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return model, 1, None
    for block in text.split("\n\n"):
        fields = dict(line.split(":", 1) for line in block.splitlines() if ":" in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        if "model name" in fields:
            model = fields["model name"]
        if "physical id" in fields:
            sockets.add(fields["physical id"])
            if "cpu cores" in fields and fields["cpu cores"].isdigit():
                cores[fields["physical id"]] = int(fields["cpu cores"])
    per_socket = max(cores.values()) if cores else None
    return model, max(len(sockets), 1), per_socket


def _memory_gb(proc_root: Path) -> float:
    try:
        for line in (proc_root / "meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) * 1024 / 1e9, 1)
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def read_host(proc_root: Path = Path("/proc"), *, node_id: str | None = None) -> NodeInventory:
    """Read the inventory of this machine."""
    model, sockets, per_socket = _cpuinfo(proc_root)
    os_name = platform.platform(terse=True)
    try:
        info = platform.freedesktop_os_release()
        os_name = info.get("PRETTY_NAME", os_name)
    except OSError:
        pass
    # Ids name trace files: always reduced to a safe identifier, never used as given.
    return NodeInventory(
        safe_identifier(node_id or socket.gethostname()), model, sockets, per_socket, _memory_gb(proc_root), os_name
    )


def read_host_file(path: Path, *, node_id: str | None = None) -> NodeInventory:
    """Read a recorded host's inventory: JSON with cpu_model, sockets, cores_per_socket, memory_gb, os."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        name = safe_identifier(node_id or str(data.get("node_id", "node0")))
        return NodeInventory(
            name,
            str(data["cpu_model"]),
            int(data["sockets"]),
            int(data["cores_per_socket"]),
            float(data["memory_gb"]),
            str(data["os"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"cannot read the host description {path}: {exc}") from None
