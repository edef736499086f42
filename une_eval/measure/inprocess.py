"""The protocol from Python, for workloads that live inside a training or serving script.

The caller drives the phases and reports work units as it goes; a background thread samples the
sensors at 10 Hz on the host clock. Example::

    with Session(sensors, SystemClock(), setup, declared, Path("out")) as session:
        session.idle_baseline(60)
        with session.warmup():
            train(steps=20)
        for _ in range(5):
            session.pause(10)
            with session.run() as run:
                for batch in loader:
                    step(batch)
                    run.add(len(batch))

Leaving the ``with`` block writes the submission; an exception (or Ctrl-C) inside it writes a partial
one marked incomplete with the reason, and propagates.

GPU work is queued: when a Python call returns, the GPU may still be running what it asked for. At
every boundary (baseline, warm-up, run, pause) the session therefore calls ``sync`` before it reads
the energy counters, so that queued work is counted in the phase that queued it and not in the next.
By default ``sync`` is ``torch.cuda.synchronize`` when the script has imported torch and initialised
CUDA, and nothing otherwise (the session never imports torch itself); pass your framework's own
(``jax.block_until_ready`` on the last result, ``cupy.cuda.Device().synchronize``) where needed.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

from une_eval.errors import ProtocolError, SensorError
from une_eval.measure.protocol import ProtocolRecord, RunRecord, Window
from une_eval.measure.runner import Outputs, Policy, Result
from une_eval.measure.sampler import COUNTER_INTERVAL_S, Sampler
from une_eval.measure.sensors import Clock, EnergySensor
from une_eval.measure.submission import Setup


class RunCounter:
    """Work units of one measured run, reported by the workload as it goes."""

    def __init__(self) -> None:
        self.work_units = 0.0

    def add(self, units: float) -> None:
        """Count ``units`` more work units (queries, tokens, samples, steps)."""
        if units < 0:
            raise ProtocolError("work units cannot be negative")
        self.work_units += units


def synchronize_gpu() -> None:
    """Wait for queued CUDA work when the process uses torch with CUDA initialised; otherwise do nothing.

    It looks torch up in ``sys.modules`` instead of importing it: a script that does not use torch
    neither pays for the import nor initialises CUDA by calling this.
    """
    torch: Any = sys.modules.get("torch")
    if torch is None:
        return
    cuda = getattr(torch, "cuda", None)
    if cuda is not None and cuda.is_initialized():
        cuda.synchronize()


class Session:
    """One in-process measurement: idle baseline, warm-up and runs, driven by the caller.

    ``sync`` is called at every boundary before the counters are read (default :func:`synchronize_gpu`);
    ``force`` allows an output folder that already holds files (see :mod:`une_eval.measure.outdir`).
    """

    def __init__(
        self,
        sensors: Sequence[EnergySensor],
        clock: Clock,
        setup: Setup,
        declared: dict[str, Any],
        out_dir: Path,
        *,
        policy: Policy | None = None,
        interval_s: float = 0.1,
        counter_interval_s: float = COUNTER_INTERVAL_S,
        sync: Callable[[], None] = synchronize_gpu,
        force: bool = False,
    ) -> None:
        self._sensors = list(sensors)
        self._clock = clock
        self._sync = sync
        self._outputs = Outputs(out_dir, setup, declared, clock, policy or Policy(), force=force)
        self._sampler = Sampler(
            self._sensors, clock, self._outputs.writers, interval_s=interval_s, counter_interval_s=counter_interval_s
        )
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._phase = "setup"
        self._error: SensorError | None = None
        self._thread = threading.Thread(target=self._loop, name="une-eval-sampler", daemon=True)
        self.record = ProtocolRecord()
        self.result: Result | None = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                with self._lock:
                    self._sampler.tick(self._phase)
            except SensorError as exc:
                self._error = exc
                return
            self._stop.wait(self._sampler.interval_s)

    def _boundary(self, phase: str) -> Any:
        if self._error is not None:
            raise self._error
        self._sync()  # outside the lock: the sampler thread keeps sampling while queued work drains
        with self._lock:
            self._phase = phase
            return self._sampler.mark(phase)

    def _window(self, phase: str, start: Any) -> Window:
        end = self._boundary(phase)
        window = self._sampler.window
        return Window(start, end, dict(window.peak_w), window.peak_total_w)

    def idle_baseline(self, duration_s: float) -> None:
        """Let the GPUs idle for ``duration_s`` and record their mean power."""
        self._sampler.open_window()
        start = self._boundary("idle")
        self._clock.sleep(duration_s)
        self.record.baseline = self._window("idle", start)
        self._checkpoint()

    def pause(self, duration_s: float) -> None:
        """Wait between runs (sampled, not counted)."""
        self._boundary("pause")
        self._clock.sleep(duration_s)

    @contextmanager
    def warmup(self) -> Iterator[RunCounter]:
        """Run an uncounted execution that brings caches, clocks and temperatures to steady state."""
        self._sampler.open_window()
        start = self._boundary("warmup")
        yield RunCounter()
        self.record.warmup = self._window("warmup", start)

    @contextmanager
    def run(self) -> Iterator[RunCounter]:
        """One measured run; an exception inside it makes it a failed run."""
        k = len(self.record.runs)
        self._sampler.open_window()
        start = self._boundary(f"run-{k}")
        counter = RunCounter()
        try:
            yield counter
        except BaseException as exc:
            window = self._window(f"run-{k}", start)
            self.record.runs.append(
                RunRecord(k, window, 1, counter.work_units, f"the workload raised {type(exc).__name__}")
            )
            raise
        window = self._window(f"run-{k}", start)
        resets = window.reset_devices()
        problem = f"energy counter reset on {', '.join(resets)}" if resets else None
        self.record.runs.append(RunRecord(k, window, 0, counter.work_units, problem))
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Save the partial submission while the sampler thread waits: each trace is hashed as it was written."""
        with self._lock:
            self._outputs.checkpoint(self.record)

    def _final_read(self) -> None:
        """Stopped by an exception (Ctrl-C): one last counter read of every device, so the traces end on one."""
        if self._error is not None:
            return
        with suppress(SensorError), self._lock:
            self._sampler.mark(self._phase)

    def __enter__(self) -> Session:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        failed = [r for r in self.record.runs if r.problem]
        if exc is not None:
            self._final_read()
            why = (
                "interrupted by the operator (Ctrl-C)"
                if isinstance(exc, KeyboardInterrupt)
                else (f"the workload raised {type(exc).__name__}: {exc}")
            )
            self.record.complete, self.record.incomplete_reason = False, why[:500]
        elif failed:
            reason = f"run {failed[0].index}: {failed[0].problem}"
            self.record.complete, self.record.incomplete_reason = False, reason
        elif self.record.baseline is None or not self.record.runs:
            self.record.complete = False
            self.record.incomplete_reason = "the session recorded no idle baseline or no measured run"
        else:
            self.record.complete = True
        self.result = self._outputs.finish(self._sensors, self.record)
