"""Reading the node folders given to ``une-eval merge``: each node's submission, checked, and its files.

A node folder is what ``une-eval measure -o out/<node>`` left: ``submission.json``, ``traces/``,
``inventory.json`` and ``run.log``. Every file is hostile: opened beneath the folder without following
a link, bounded, the submission parsed by the safe loader and checked against the schema and the model
before anything is taken from it. A folder that cannot be used is not an error of the merge: it is a
node the merge reports, with the reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from une_eval.errors import InputError
from une_eval.loading import MAX_FILE_BYTES, json_type_name, parse_json_bytes
from une_eval.measure.inventory import safe_identifier
from une_eval.model import NodeRecord, Submission
from une_eval.schemas import submission_validator
from une_eval.traces import TraceUnusable, open_trace

SUBMISSION = "submission.json"


@dataclass(frozen=True, slots=True)
class NodeInput:
    """One node folder: its submission when usable, else ``problem`` says why not."""

    folder: Path
    label: str
    doc: dict[str, Any] | None = None
    sub: Submission | None = None
    raw: bytes = b""
    problem: str | None = None

    @property
    def sha256(self) -> str:
        """SHA-256 of the submission file's bytes as read."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def record(self) -> NodeRecord | None:
        """The node's own record (launcher, clock) when the submission has exactly one."""
        if self.sub is None or len(self.sub.measurement.nodes) != 1:
            return None
        return self.sub.measurement.nodes[0]


def read_bytes_beneath(folder: Path, relative: str, max_bytes: int) -> bytes:
    """A regular file beneath ``folder`` (no link followed), at most ``max_bytes``."""
    try:
        with open_trace(folder, relative) as opened:
            if opened.size > max_bytes:
                raise InputError(f"{relative} is {opened.size:,} bytes, over the limit of {max_bytes:,}")
            data = opened.pread(opened.size + 1, 0)
            opened.check_unchanged()
            return data
    except TraceUnusable as exc:
        raise InputError(str(exc).replace("trace path", "file").replace("trace file", "file")) from None


def _first_schema_error(doc: dict[str, Any]) -> str | None:
    errors = sorted(submission_validator().iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return None
    where = "/" + "/".join(str(p) for p in errors[0].absolute_path)
    return f"{where}: {errors[0].message[:200]}"


def _node_label(sub: Submission, folder: Path) -> str:
    if len(sub.measurement.nodes) == 1:
        return sub.measurement.nodes[0].node_id
    node_ids = {d.node_id for d in sub.measurement.devices}
    return node_ids.pop() if len(node_ids) == 1 else safe_identifier(folder.name)


def read_node(folder: Path) -> NodeInput:
    """Read one node folder; never raises for what is wrong with the folder's content."""
    label = safe_identifier(folder.name.strip() or "node")
    if not folder.is_dir():
        return NodeInput(folder, label, problem=f"{folder} is not a folder")
    try:
        raw = read_bytes_beneath(folder, SUBMISSION, MAX_FILE_BYTES)
        doc = parse_json_bytes(raw)
    except InputError as exc:
        return NodeInput(folder, label, problem=f"its {SUBMISSION} cannot be read: {exc}")
    if not isinstance(doc, dict):
        return NodeInput(folder, label, raw=raw, problem=f"its {SUBMISSION} holds a JSON {json_type_name(doc)}")
    error = _first_schema_error(doc)
    if error is not None:
        return NodeInput(folder, label, doc, raw=raw, problem=f"its {SUBMISSION} is not schema-valid ({error})")
    try:
        sub = Submission.model_validate(doc)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        return NodeInput(folder, label, doc, raw=raw, problem=f"its {SUBMISSION} is not valid ({first['msg'][:200]})")
    if sub.measurement.merge is not None:
        return NodeInput(folder, label, doc, sub, raw, f"its {SUBMISSION} is itself a merged submission")
    return NodeInput(folder, _node_label(sub, folder), doc, sub, raw)
