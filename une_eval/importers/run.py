"""One import from start to finish: read and convert the source, write the draft, list what it lacks.

The draft's folder receives ``submission.json`` and, where the source has samples, ``traces/*.csv``
written through :class:`une_eval.traces.TraceWriter` and referenced with their SHA-256. Everything is
first written to a hidden folder beside it and moved into place at the end (the submission last, with
:func:`une_eval.output.write_atomic`), so a failed import leaves nothing half-written; an existing
``submission.json`` is only replaced with ``force``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from une_eval.errors import InputError
from une_eval.importers.draft import Draft, PendingTrace
from une_eval.importers.formats import Format, Options, format_named, recognise
from une_eval.importers.source import Source
from une_eval.importers.supply import DraftCheck, ProfileNeeds, check_draft, still_to_supply
from une_eval.output import write_atomic
from une_eval.traces import TraceWriter

SUBMISSION_NAME = "submission.json"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote and what the draft still lacks."""

    source_format: Format
    path: Path
    document: dict[str, Any]
    check: DraftCheck
    needs: tuple[ProfileNeeds, ...]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``une-eval import --format json``)."""
        prov = self.document.get("provenance", {})
        return {
            "draft": str(self.path),
            "source_format": self.source_format.name,
            "files": prov.get("files", []),
            "findings": prov.get("findings", []),
            "notes": prov.get("notes", []),
            "missing": list(self.check.missing),
            "draft_problems": list(self.check.other_errors),
            "profiles": [n.to_json() for n in self.needs],
        }


def convert(given: Path, *, source_format: str | None, options: Options, now: dt.datetime) -> tuple[Format, Draft]:
    """Read and convert a source into a draft (nothing written yet)."""
    source = Source(given)
    try:
        fmt = format_named(source_format) if source_format else recognise(source)
        draft = Draft(source, fmt.name, now)
        fmt.converter().convert(source, draft, options)
    except csv.Error as exc:  # a reader that did not turn the csv module's refusal into a message of its own
        raise InputError(f"{given}: not CSV that can be read ({exc})") from None
    if not source.files():
        raise InputError(f"{given}: the {fmt.name} importer read no file")
    return fmt, draft


def _write_traces(pending: list[PendingTrace], staging: Path) -> list[dict[str, Any]]:
    refs = []
    (staging / "traces").mkdir(parents=True, exist_ok=True)
    for trace in pending:
        writer = TraceWriter(staging / trace.path, trace.columns)
        try:
            for row in trace.rows:
                writer.write(row, 0.0)
        finally:
            writer.close()
        refs.append(writer.reference(staging, trace.device_id))
    return refs


def _refuse_overwrite(out_dir: Path, names: list[str], *, force: bool) -> None:
    """Refuse to write through a ``traces`` link (it leads out of the folder) or, without ``force``, over a file."""
    folder = out_dir / "traces"
    if names and (folder.is_symlink() or (folder.exists() and not folder.is_dir())):
        raise InputError(f"{folder} is a symbolic link or not a folder; the draft's traces are not written there")
    for name in [SUBMISSION_NAME, *names]:
        path = out_dir / name
        if not force and (path.exists() or path.is_symlink()):
            raise InputError(f"{path} already exists; choose another folder or replace it with --force")


def write_draft(draft: Draft, out_dir: Path, *, force: bool) -> dict[str, Any]:
    """Write the draft's traces and submission into ``out_dir``; return the document written."""
    target = out_dir / SUBMISSION_NAME
    _refuse_overwrite(out_dir, [trace.path for trace in draft.traces], force=force)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=out_dir))
    try:
        doc = draft.document()
        if draft.traces:
            doc.setdefault("measurement", {})["traces"] = _write_traces(draft.traces, staging)
            (out_dir / "traces").mkdir(exist_ok=True)
            for trace in draft.traces:
                os.replace(staging / trace.path, out_dir / trace.path)
        write_atomic(target, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return doc


def import_source(
    given: Path,
    out_dir: Path,
    *,
    source_format: str | None = None,
    options: Options | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
    profiles: list[str] | None = None,
) -> ImportResult:
    """Import ``given`` into a draft in ``out_dir`` and list, per profile, what it still lacks."""
    stamp = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    fmt, draft = convert(given, source_format=source_format, options=options or Options(), now=stamp)
    doc = write_draft(draft, out_dir, force=force)
    needs = tuple(still_to_supply(doc, out_dir, profiles))
    return ImportResult(fmt, out_dir / SUBMISSION_NAME, doc, check_draft(doc), needs)
