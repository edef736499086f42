"""Who measures what in a many-node job: the node's name, the launcher's view of the job, device identity.

A job launched by Slurm (``srun``/``sbatch``) or ``torchrun`` runs one measuring process per node (never
one per rank: a sampler per rank counts every GPU of the node once per rank). This module reads what
the launcher tells each process through its environment, so that the merge can compare the devices
that were measured with the devices the job was given:

- :func:`node_name`: ``--node``, else ``SLURMD_NODENAME``, else the host name (fake Slurm nodes on one
  host share a host name; only ``SLURMD_NODENAME`` tells them apart);
- :func:`launcher_from_env`: Slurm's job id, node list (expanded by :func:`expand_hostlist`), node
  index and GPU allocation, or torchrun's world;
- :func:`elected_sampler`: whether this process is its node's sampler (``LOCAL_RANK`` 0 under
  torchrun, else ``SLURM_LOCALID`` 0; ``LOCAL_RANK`` wins because torchrun's workers all inherit the
  ``SLURM_LOCALID`` of the one task that started them);
- :class:`DeviceIdentity`: a device as (host, index, UUID);
- :class:`NodeRecord` and :class:`ClockWatch`: the node's entry in the submission, with its clock offset
  measured at the start and every minute after.

Everything takes the environment as a mapping argument, so tests pass their own.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from une_eval.errors import InputError, SensorError
from une_eval.measure.clocksync import ClockOffset, unmeasured
from une_eval.measure.inventory import safe_identifier

LauncherKind = Literal["slurm", "torchrun", "none"]
MAX_HOSTS = 100_000
_GPU_INDEX = re.compile(r"-gpu(\d+)$")


def expand_hostlist(text: str, *, limit: int = MAX_HOSTS) -> list[str]:
    """Expand a Slurm host list (``n[1-4],gpu-[01-03,7]x``) into names, in order; at most ``limit``."""
    names: list[str] = []
    for item in _split_outside_brackets(text.strip()):
        expanded = [""]
        for literal, ranges in re.findall(r"([^\[\]]*)(?:\[([^\[\]]*)\])?", item):
            expanded = [prefix + literal for prefix in expanded]
            values = _range_values(ranges, text) if ranges else [""]
            if len(names) + len(expanded) * len(values) > limit:
                raise InputError(f"the host list {text[:80]!r} names more than {limit:,} hosts")
            expanded = [prefix + n for prefix in expanded for n in values]
        names += [n for n in expanded if n]
    return names


def _split_outside_brackets(text: str) -> list[str]:
    items: list[str] = []
    depth, current = 0, list[str]()
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if depth < 0 or depth > 1:
            raise InputError(f"the host list {text[:80]!r} has unbalanced brackets")
        if ch == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    if depth:
        raise InputError(f"the host list {text[:80]!r} has unbalanced brackets")
    items.append("".join(current))
    return [i for i in items if i]


def _range_values(ranges: str, whole: str) -> list[str]:
    out: list[str] = []
    for part in ranges.split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part.strip())
        if match is None:
            raise InputError(f"the host list {whole[:80]!r} has a range that is not numeric: {part[:20]!r}")
        first, last = match.group(1), match.group(2) or match.group(1)
        lo, hi = int(first), int(last)
        if hi < lo or len(out) + hi - lo >= MAX_HOSTS:
            raise InputError(f"the host list {whole[:80]!r} has an empty or oversized range {part[:20]!r}")
        out += [str(i).zfill(len(first)) for i in range(lo, hi + 1)]
    return out


def node_name(explicit: str | None, env: Mapping[str, str], hostname: str | None = None) -> str:
    """The node's name: ``--node``, else ``SLURMD_NODENAME``, else the host name (as a safe identifier)."""
    raw = explicit or env.get("SLURMD_NODENAME") or hostname or socket.gethostname()
    name = safe_identifier(raw, fallback="")
    if not name:
        raise InputError(f"the node name {raw[:80]!r} has no letters or digits")
    return name


def _int(env: Mapping[str, str], key: str) -> int | None:
    value = env.get(key, "").strip()
    return int(value) if value.isdigit() else None


def elected_sampler(env: Mapping[str, str]) -> bool:
    """Whether this process samples its node: local rank 0 (torchrun's ``LOCAL_RANK`` before ``SLURM_LOCALID``)."""
    for key in ("LOCAL_RANK", "SLURM_LOCALID"):
        if key in env:
            return _int(env, key) == 0
    return True  # launched alone: the only process on the node


def local_rank(env: Mapping[str, str]) -> tuple[str, int] | None:
    """The launcher's local rank of this process, with the variable it came from (None when launched alone)."""
    for key in ("LOCAL_RANK", "SLURM_LOCALID"):
        if key in env:
            value = _int(env, key)
            return (key, value if value is not None else -1)
    return None


@dataclass(frozen=True, slots=True)
class Launcher:
    """What the launcher says about the job and this node; None or empty where it says nothing.

    ``gpus`` are the GPUs allocated to this node as the launcher names them: NVML indices (``0,1``)
    or UUIDs (``GPU-...``, ``MIG-...``) from ``SLURM_STEP_GPUS``/``SLURM_JOB_GPUS`` or
    ``CUDA_VISIBLE_DEVICES``.
    """

    kind: LauncherKind
    job_id: str | None = None
    nodes: tuple[str, ...] = ()
    node_count: int | None = None
    node_rank: int | None = None
    gpus: tuple[str, ...] | None = None
    gpus_per_node: int | None = None
    world_size: int | None = None
    local_world_size: int | None = None

    def entry(self) -> dict[str, Any]:
        """The submission's ``launcher`` object (absent values left out)."""
        out: dict[str, Any] = {"kind": self.kind}
        optional = {
            "job_id": self.job_id,
            "nodes": list(self.nodes) or None,
            "node_count": self.node_count,
            "node_rank": self.node_rank,
            "gpus": list(self.gpus) if self.gpus is not None else None,
            "gpus_per_node": self.gpus_per_node,
            "world_size": self.world_size,
            "local_world_size": self.local_world_size,
        }
        return out | {k: v for k, v in optional.items() if v is not None}


def _gpu_list(env: Mapping[str, str], *keys: str) -> tuple[str, ...] | None:
    for key in keys:
        if key in env:
            value = env[key].strip()
            if value in ("", "NoDevFiles"):
                return ()
            return tuple(v.strip()[:128] for v in value.split(",") if v.strip())[:64]
    return None


def launcher_from_env(env: Mapping[str, str]) -> Launcher:
    """Read Slurm's or torchrun's variables (torchrun inside a Slurm job: both, Slurm's node list kept)."""
    gpus = _gpu_list(env, "SLURM_STEP_GPUS", "SLURM_JOB_GPUS", "CUDA_VISIBLE_DEVICES")
    torch = "TORCHELASTIC_RUN_ID" in env or "GROUP_RANK" in env or "LOCAL_WORLD_SIZE" in env
    if "SLURM_JOB_ID" in env:
        listed = env.get("SLURM_STEP_NODELIST") or env.get("SLURM_JOB_NODELIST") or env.get("SLURM_NODELIST") or ""
        return Launcher(
            kind="slurm",
            job_id=env["SLURM_JOB_ID"][:128],
            nodes=tuple(expand_hostlist(listed)) if listed else (),
            node_count=_int(env, "SLURM_STEP_NUM_NODES")
            or _int(env, "SLURM_NNODES")
            or _int(env, "SLURM_JOB_NUM_NODES"),
            node_rank=_int(env, "SLURM_NODEID"),
            gpus=gpus,
            gpus_per_node=_int(env, "SLURM_GPUS_ON_NODE") if "SLURM_GPUS_ON_NODE" in env else None,
            world_size=_int(env, "WORLD_SIZE") if torch else None,
            local_world_size=_int(env, "LOCAL_WORLD_SIZE") if torch else None,
        )
    if torch:
        return Launcher(
            kind="torchrun",
            job_id=(env.get("TORCHELASTIC_RUN_ID") or "")[:128] or None,
            node_count=_int(env, "GROUP_WORLD_SIZE"),
            node_rank=_int(env, "GROUP_RANK"),
            gpus=gpus,
            gpus_per_node=_int(env, "LOCAL_WORLD_SIZE"),
            world_size=_int(env, "WORLD_SIZE"),
            local_world_size=_int(env, "LOCAL_WORLD_SIZE"),
        )
    return Launcher(kind="none", gpus=gpus)


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """A device as the merge identifies it: the node and host it is on, its index there, its UUID."""

    node_id: str
    host: str
    index: int | None
    uuid: str | None


def device_index(device_id: str, facts: Mapping[str, Any] | None = None) -> int | None:
    """A GPU's index on its host: the inventory's ``index`` fact, else the ``-gpuN`` suffix of its id."""
    value = (facts or {}).get("index")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _GPU_INDEX.search(device_id)
    return int(match.group(1)) if match else None


class NodeRecord:
    """A node as the submission's ``measurement.nodes`` entry: name, host, launcher, clock offset.

    The clock offset is read from ``clock`` each time the entry is built (a :class:`ClockWatch` adds
    samples while the measurement runs, so every checkpoint carries those taken so far).
    """

    def __init__(self, node_id: str, host: str, launcher: Launcher, clock: Callable[[], ClockOffset]) -> None:
        self.node_id, self.host, self.launcher, self._clock = node_id, host, launcher, clock

    @property
    def clock(self) -> ClockOffset:
        """The clock offset measured so far."""
        return self._clock()

    def entry(self) -> dict[str, Any]:
        """The ``measurement.nodes`` item."""
        return {
            "node_id": self.node_id,
            "host": self.host[:500] or "unknown",
            "launcher": self.launcher.entry(),
            "clock": clock_entry(self.clock),
        }


def clock_entry(offset: ClockOffset) -> dict[str, Any]:
    """The schema's ``clock_offset`` object for a measured (or unmeasured) offset."""
    out: dict[str, Any] = {"method": offset.method, "reference": offset.reference[:500]}
    if offset.offset_s is not None and offset.uncertainty_s is not None:
        out["offset_s"] = round(offset.offset_s, 9)
        out["uncertainty_s"] = round(offset.uncertainty_s, 9)
        out["samples"] = [
            {
                "at": _timestamp(s.at_unix_ns),
                "offset_s": round(s.offset_s, 9),
                "uncertainty_s": round(s.uncertainty_s, 9),
            }
            for s in offset.samples[-10_000:]
        ]
    if offset.reason:
        out["reason"] = offset.reason[:500]
    return out


def _timestamp(unix_ns: int) -> str:
    moment = dt.datetime.fromtimestamp(unix_ns / 1e9, tz=dt.UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


class ClockWatch:
    """Measures the node clock's offset at the start and then every ``every_s`` seconds, on a thread.

    ``measure`` returns one new offset (a :class:`SensorError` once the reference is gone keeps the
    samples taken so far). A first measurement that fails leaves the offset unmeasured, with why.
    """

    def __init__(self, measure: Callable[[], ClockOffset], *, every_s: float = 60.0) -> None:
        self._measure = measure
        self._every_s = every_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            self._offset = measure()
        except SensorError as exc:
            self._offset = unmeasured(str(exc))
        self.first_error = self._offset.reason if self._offset.method == "none" else None

    def current(self) -> ClockOffset:
        """The offset with every sample taken so far."""
        with self._lock:
            return self._offset

    def start(self) -> ClockWatch:
        """Keep measuring in the background (only when the first measurement worked)."""
        if self._offset.samples and self._every_s > 0:
            self._thread = threading.Thread(target=self._loop, name="une-eval-clock-watch", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                latest = self._measure()
            except SensorError:
                continue
            with self._lock:
                for sample in latest.samples:
                    self._offset = self._offset.with_sample(sample)

    def stop(self) -> None:
        """Stop measuring."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
