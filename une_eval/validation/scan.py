"""Which files in a folder are submissions: those that say so, by their content (not their name).

A submission is a JSON object with the top-level members ``schema_version`` and ``submission_id``.
A folder scan takes every ``*.json`` file that claims to be one, and skips (and names) the others:
une-eval's own outputs (inventories, expected-findings files, JSON summaries), editor settings, data
files. A file that names both members but cannot be parsed, or cannot be read at all, is not skipped:
it might be a damaged submission, so it is checked and reported (fail closed). Files named on the
command line are always checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import msgspec

from une_eval.errors import InputError
from une_eval.loading import MAX_FILE_BYTES, parse_json_bytes, read_bounded

CLAIM_KEYS = ("schema_version", "submission_id")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file a folder scan left out, and why."""

    path: Path
    reason: str

    def to_json(self) -> dict[str, str]:
        """Plain JSON-ready dict."""
        return {"path": str(self.path), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Scan:
    """The files to check and the ones left out."""

    files: tuple[Path, ...]
    skipped: tuple[Skipped, ...]


def claim_of(path: Path) -> str | None:
    """None when ``path`` claims to be a submission (or cannot be read: it is checked); else why it does not."""
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
    except InputError:
        return None
    # Cheap first: a file that never names both members cannot have them at its top level.
    if not all(f'"{key}"'.encode() in data for key in CLAIM_KEYS):
        return "no top-level schema_version and submission_id"
    if _plainly_claims(data):
        return None  # checked whether or not the safe loader accepts it: no need to run it here
    try:
        doc = parse_json_bytes(data)
    except InputError:
        return None
    if not isinstance(doc, dict):
        return "not a JSON object"
    missing = [key for key in CLAIM_KEYS if key not in doc]
    return f"no top-level {' and '.join(missing)}" if missing else None


def _plainly_claims(data: bytes) -> bool:
    """Whether a plain compiled parse finds both members at the top level (then the file is checked).

    The safe loader would either refuse the file (checked too) or give the same top level, so a file
    that plainly claims is taken without it; only the files a scan may skip go through the safe loader,
    which decides their reason exactly as before.
    """
    try:
        doc = msgspec.json.decode(data)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and all(key in doc for key in CLAIM_KEYS)


def _not_a_file(path: Path) -> str:
    """Why a ``*.json`` entry that is not a regular file is skipped (it is never opened: a FIFO would block)."""
    if path.is_symlink() and not path.exists():
        return "a symbolic link to nothing"
    return "not a regular file (a FIFO, socket or device): not read"


def scan(paths: Iterable[Path]) -> Scan:
    """Expand folders into the ``*.json`` files that claim to be submissions (sorted); keep files as given."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*.json")):
                if found.is_dir():
                    continue  # a folder named *.json: what it holds is scanned like the rest
                reason = claim_of(found) if found.is_file() else _not_a_file(found)
                if reason is None:
                    files.append(found)
                else:
                    skipped.append(Skipped(found, reason))
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return Scan(tuple(files), tuple(skipped))


__all__ = ["CLAIM_KEYS", "Scan", "Skipped", "claim_of", "scan"]
