"""The in-process protocol in a many-node training script: one sampler per node, windows marked together.

Every rank of a torchrun or Slurm job runs the same script; :class:`NodeSession` gives each the same
calls (``idle_baseline``, ``warmup``, ``run``, ``pause``), but only the node's elected rank
(``LOCAL_RANK`` 0, else ``SLURM_LOCALID`` 0: :func:`une_eval.measure.nodes.elected_sampler`) samples
and writes a node folder; the others only take part in the barriers. A barrier (``torch.distributed``'s
``barrier``, say) is passed before every boundary, so every node marks a window when the slowest rank
reaches it: rank 0 marks the windows for all. The job's rank 0 also serves the reference clock that
each node's sampler measures its offset against::

    import torch.distributed as dist
    from une_eval.measure.cluster import NodeSession

    def open_session(record):           # called on each node's elected rank only
        setup = Setup(..., node=read_host(node_id=record.node_id), node_record=record)
        return Session(sensors, clock, setup, declared, Path("out") / record.node_id)

    with NodeSession(open_session, barrier=dist.barrier, clock_port=29600) as node:
        node.idle_baseline(60)
        with node.warmup():
            train(steps=20)
        with node.run() as run:
            for batch in loader:
                step(batch)
                run.add(1)

Leaving the block samples ``tail_s`` more seconds (the job's last window ends with its slowest node,
so every node's trace must reach past its own last boundary), then writes each node's submission.
Then ``une-eval merge out/* -o merged/`` combines the node folders.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from une_eval.measure.clocksync import ClockReferenceServer, measure_offset
from une_eval.measure.inprocess import RunCounter, Session
from une_eval.measure.nodes import ClockWatch, NodeRecord, elected_sampler, launcher_from_env, node_name
from une_eval.measure.sensors import Clock, SystemClock


def _nothing() -> None:
    """No barrier: a single process."""


def global_rank(env: Mapping[str, str]) -> int:
    """The job-wide rank (torchrun's ``RANK``, else Slurm's ``SLURM_PROCID``; 0 when launched alone)."""
    for key in ("RANK", "SLURM_PROCID"):
        value = env.get(key, "").strip()
        if value.isdigit():
            return int(value)
    return 0


class NodeSession:
    """One rank's view of the node's measurement: the elected rank measures, every rank meets the barriers."""

    def __init__(
        self,
        open_session: Callable[[NodeRecord], Session],
        *,
        barrier: Callable[[], Any] | None = None,
        clock_port: int | None = None,
        reference_host: str | None = None,
        env: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        tail_s: float = 2.0,
    ) -> None:
        self._env = dict(os.environ if env is None else env)
        self._barrier = barrier or _nothing
        self._clock = clock or SystemClock()
        self._tail_s = tail_s
        self.elected = elected_sampler(self._env)
        self._server: ClockReferenceServer | None = None
        if clock_port is not None and global_rank(self._env) == 0:
            self._server = ClockReferenceServer("0.0.0.0", clock_port).start()  # noqa: S104 - the job's nodes ask it
        self._barrier()  # the reference answers before any node asks it
        self._watch: ClockWatch | None = None
        self._session: Session | None = None
        if self.elected:
            self._session = open_session(self._record(clock_port, reference_host))

    def _record(self, port: int | None, host: str | None) -> NodeRecord:
        reference = "none"
        if port is not None:
            reference = f"{host or self._env.get('MASTER_ADDR') or '127.0.0.1'}:{port}"
        self._watch = ClockWatch(lambda: measure_offset(reference, self._clock.unix_ns)).start()
        name = node_name(None, self._env)
        return NodeRecord(name, os.uname().nodename, launcher_from_env(self._env), self._watch.current)

    @property
    def session(self) -> Session | None:
        """The node's session on its elected rank; None on the others."""
        return self._session

    def idle_baseline(self, duration_s: float) -> None:
        """Every node idles together; the elected ranks record their node's idle power."""
        self._barrier()
        if self._session is not None:
            self._session.idle_baseline(duration_s)
        self._barrier()

    def pause(self, duration_s: float) -> None:
        """A pause between runs (sampled, not counted)."""
        self._barrier()
        if self._session is not None:
            self._session.pause(duration_s)
        else:
            time.sleep(max(duration_s, 0.0))

    @contextmanager
    def warmup(self) -> Iterator[RunCounter]:
        """The uncounted warm-up, its boundaries marked together on every node."""
        with self._window(self._session.warmup if self._session is not None else None) as counter:
            yield counter

    @contextmanager
    def run(self) -> Iterator[RunCounter]:
        """One measured run, its boundaries marked together on every node."""
        with self._window(self._session.run if self._session is not None else None) as counter:
            yield counter

    @contextmanager
    def _window(self, phase: Callable[[], Any] | None) -> Iterator[RunCounter]:
        self._barrier()
        if phase is None:
            yield RunCounter()  # counted by the elected rank of this node, not here
            self._barrier()
            return
        with phase() as counter:
            yield counter
            self._barrier()

    def __enter__(self) -> NodeSession:
        if self._session is not None:
            self._session.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc is None:
                self._barrier()
                if self._session is not None:
                    # Sampled past the last boundary: the job's last window ends with its slowest node.
                    self._session.pause(self._tail_s)
            if self._session is not None:
                self._session.__exit__(exc_type, exc, tb)
        finally:
            if self._watch is not None:
                self._watch.stop()
            if self._server is not None:
                self._server.stop()
