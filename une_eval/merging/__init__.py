"""``une-eval merge``: the node folders of one many-node job become one submission for the whole job.

Each node of a job measured under Slurm or torchrun leaves a folder (``une-eval measure --node NAME -o
out/NAME``). :func:`merge_nodes` reads them all, compares the devices measured with the devices the
launcher allocated, accepts or refuses each node's clock offset, reads every device's energy over the
job's common windows from its trace (streamed, one trace at a time), and writes ``submission.json``
with the node folders' submissions and traces copied under ``nodes/<node>/``, each with its SHA-256.
A node that died, never started or cannot be aligned, a missing, extra, changed or duplicated device,
a counter reset: each is a finding in ``measurement.merge.findings``, and invalidates only the runs it
touches; the merged submission is marked incomplete with the reason.

- :mod:`.inputs`: reading node folders under attack.
- :mod:`.expected`: the expected device set and the differences.
- :mod:`.clocks`: accepted offsets, windows moved and widened (shared with the validator).
- :mod:`.evidence`: traces copied, hashed and read over the windows.
- :mod:`.runs`: the common windows and the merged runs.
- :mod:`.job`: the steps in order; :mod:`.document`: the merged submission.
- :mod:`.crosscheck`: Slurm's and DCGM's own totals, recorded beside the measured one.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from une_eval.errors import InputError
from une_eval.merging.clocks import DEFAULT_LIMIT_S
from une_eval.merging.crosscheck import (
    External,
    Runner,
    cross_check_entry,
    read_dcgm_files,
    read_sacct_file,
    run_sacct,
    subprocess_runner,
)
from une_eval.merging.document import build_document, total_energy_j
from une_eval.merging.evidence import copy_evidence
from une_eval.merging.expected import Declared
from une_eval.merging.inputs import NodeInput, read_node
from une_eval.merging.issues import MergeIssue
from une_eval.merging.job import NODES_DIR, Plan, plan_merge
from une_eval.output import write_atomic
from une_eval.prediction import add_prediction
from une_eval.traces import TraceUnusable

SUBMISSION = "submission.json"
_NODE_FILES = ("inventory.json", "run.log")
COMPACT_ABOVE_BYTES = 2 * 2**20


@dataclass(frozen=True, slots=True)
class CrossChecks:
    """Where the external totals come from: captured text files, or ``sacct`` run here."""

    sacct_file: Path | None = None
    run_sacct: bool = False
    dcgm_files: tuple[Path, ...] = ()
    job_id: str | None = None
    """The Slurm job id; without it, the one the nodes recorded, else ``fallback_job_id``."""
    fallback_job_id: str | None = None
    tolerance_pct: float = 5.0
    runner: Runner = subprocess_runner

    def check_files(self) -> None:
        """Read and parse the captured files now, so that an unusable one is refused before the merge's work."""
        if self.sacct_file is not None:
            read_sacct_file(self.sacct_file, self.job_id)
        if self.dcgm_files:
            read_dcgm_files(self.dcgm_files)

    def externals(self, recorded_job: str | None) -> list[External]:
        """Read (or ask for) every external total requested."""
        job = self.job_id or recorded_job or self.fallback_job_id
        out: list[External] = []
        if self.sacct_file is not None:
            out.append(read_sacct_file(self.sacct_file, job))
        elif self.run_sacct:
            reason = "no Slurm job id: none recorded by the nodes; give --job-id"
            out.append(run_sacct(job, self.runner) if job else External("slurm-sacct", None, "", reason))
        if self.dcgm_files:
            out.append(read_dcgm_files(self.dcgm_files))
        return out


@dataclass(frozen=True, slots=True)
class MergeOptions:
    """How to merge: the clock limit, the declared expectations, how work units combine, the id."""

    clock_limit_s: float = DEFAULT_LIMIT_S
    declared: Declared = field(default_factory=Declared)
    work_units: str | None = None
    """``sum`` or ``same``; None: ``same`` for training (global steps), ``sum`` for inference."""
    submission_id: str | None = None
    full_run_units: float | None = None
    """Training: the whole run's size in the functional unit, predicted from the complete runs."""
    cross_checks: CrossChecks = field(default_factory=CrossChecks)
    """Slurm's and DCGM's totals to record beside the measured one."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    """Where the merged submission went, the document, whether it is complete, and the findings."""

    submission_path: Path
    document: dict[str, Any]
    complete: bool
    issues: tuple[MergeIssue, ...]
    prediction_note: str | None = None
    """Why no prediction was added although one was asked for."""


def prepare_output(out_dir: Path, inputs: Sequence[Path], *, force: bool) -> None:
    """Refuse an output folder that holds files (``--force``: une-eval's merge outputs are replaced)."""
    resolved = out_dir.resolve()
    for folder in inputs:
        if folder.resolve() == resolved or resolved in folder.resolve().parents:
            raise InputError(f"the output folder {out_dir} is one of the node folders (or holds one)")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise InputError(f"the output folder {out_dir} is not empty; choose another, or pass --force")
        for name in (SUBMISSION, NODES_DIR):
            target = out_dir / name
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target)
    out_dir.mkdir(parents=True, exist_ok=True)


def _copy_node_files(plan: Plan, out_dir: Path) -> None:
    for inc in plan.included:
        folder = out_dir / NODES_DIR / inc.node.label
        write_atomic(folder / SUBMISSION, inc.node.raw)
        for name in _NODE_FILES:
            try:
                copy_evidence(inc.node.folder, name, folder / name)
            except TraceUnusable:
                continue  # absent or refused: the node's submission and traces are the evidence


def merge_nodes(folders: Sequence[Path], out_dir: Path, options: MergeOptions, *, created_unix_ns: int) -> MergeResult:
    """Merge the node folders into ``out_dir`` (prepared by :func:`prepare_output`)."""
    options.cross_checks.check_files()
    inputs: list[NodeInput] = [read_node(f) for f in folders]
    phases = {n.sub.phase for n in inputs if n.sub is not None}
    if options.full_run_units is not None and phases and phases != {"training"}:
        raise InputError("--full-run-units predicts a training run; these nodes measured inference")
    plan = plan_merge(inputs, out_dir, options.declared, options.clock_limit_s)
    if not plan.included:
        reasons = "; ".join(i.message for i in plan.issues[:3]) or "no node folder was given"
        raise InputError(f"no node can be merged: {reasons}")
    phase = plan.included[0].sub.phase
    mode = options.work_units or ("same" if phase == "training" else "sum")
    first = plan.included[0]
    job = first.node.record.launcher.job_id if first.node.record and first.node.record.launcher else None
    submission_id = options.submission_id or f"merged-{job or first.sub.submission_id}"[:128]
    doc = build_document(plan, submission_id=_identifier(submission_id), created_unix_ns=created_unix_ns, mode=mode)
    note = add_prediction(doc, options.full_run_units) if options.full_run_units is not None else None
    externals = options.cross_checks.externals(job)
    if externals:
        measured_j, tolerance = total_energy_j(doc), options.cross_checks.tolerance_pct
        doc["measurement"]["cross_checks"] = [cross_check_entry(e, measured_j, tolerance) for e in externals]
    _copy_node_files(plan, out_dir)
    path = out_dir / SUBMISSION
    write_atomic(path, _serialise(doc))
    return MergeResult(path, doc, bool(doc["measurement"]["complete"]), tuple(plan.issues), note)


def _serialise(doc: dict[str, Any]) -> str:
    """Indented for people while small; compact for a large job (the validator reads at most 16 MiB)."""
    compact = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    if len(compact) > COMPACT_ABOVE_BYTES:
        return compact + "\n"
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _identifier(text: str) -> str:
    from une_eval.measure.inventory import safe_identifier

    return safe_identifier(text, fallback="merged")


__all__ = ["CrossChecks", "Declared", "MergeOptions", "MergeResult", "merge_nodes", "prepare_output"]
