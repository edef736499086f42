"""Reading a source under attack: only files beneath the folder given, each bounded, each hashed.

The auditor names a file (``emissions.csv``) or a folder (an MLPerf result folder). An importer reads
files through :class:`Source` only: by a plain relative path beneath that folder, opened component by
component without following a symbolic link (:func:`une_eval.traces.open_trace`), a regular file of at
most the size the caller allows, read whole from one descriptor. A source that is one file can read
that file and nothing else. Every file read is recorded once, with its SHA-256 and size, as the
``provenance.files`` entry that values and findings refer to by index.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from une_eval.errors import InputError
from une_eval.traces import TraceUnusable, open_trace

MAX_SOURCE_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file read from the source: its path relative to the source, digest, size and bytes."""

    index: int
    path: str
    sha256: str
    data: bytes

    def text(self) -> str:
        """The file as UTF-8 text (a BOM dropped); :class:`InputError` if it is not UTF-8."""
        try:
            return self.data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.path}: not UTF-8 text (invalid byte at offset {exc.start})") from None

    def entry(self) -> dict[str, object]:
        """The ``provenance.files`` item."""
        return {"path": self.path, "sha256": self.sha256, "size_bytes": len(self.data)}


def _read_all(pread: Callable[[int, int], bytes], limit: int) -> bytes:
    """Read from offset 0 until end of file or ``limit`` bytes (pread may return less than asked)."""
    chunks: list[bytes] = []
    got = 0
    while got < limit:
        block = pread(min(1 << 24, limit - got), got)
        if not block:
            break
        chunks.append(block)
        got += len(block)
    return b"".join(chunks)


class Source:
    """A file or folder given to ``une-eval import``; reads are confined to it."""

    def __init__(self, given: Path) -> None:
        try:
            info = os.stat(given)
        except OSError as exc:
            raise InputError(f"{given}: cannot be read ({exc.strerror})") from None
        if stat.S_ISDIR(info.st_mode):
            self.root, self.only = given, None
        elif stat.S_ISREG(info.st_mode):
            self.root, self.only = given.parent, given.name
        else:
            raise InputError(f"{given}: not a regular file or a folder")
        self.given = given
        self._files: dict[str, SourceFile] = {}

    @property
    def is_folder(self) -> bool:
        """Whether the auditor named a folder."""
        return self.only is None

    @property
    def name(self) -> str:
        """The name of the single file given ('' for a folder)."""
        return self.only or ""

    def files(self) -> list[SourceFile]:
        """The files read so far, in the order they were first read (their provenance indexes)."""
        return sorted(self._files.values(), key=lambda f: f.index)

    def _check_path(self, relative: str) -> None:
        parts = relative.split("/")
        if not relative or relative.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\x00" in relative:
            raise InputError(f"{relative!r} is not a plain relative path inside the source; refused")
        if self.only is not None and relative != self.only:
            raise InputError(f"the source is the single file {self.only!r}; {relative!r} is outside it")

    def exists(self, relative: str) -> bool:
        """Whether a regular file exists at ``relative`` (never following a symbolic link)."""
        self._check_path(relative)
        try:
            with open_trace(self.root, relative):
                return True
        except TraceUnusable:
            return False

    def read(self, relative: str, max_bytes: int = MAX_SOURCE_FILE_BYTES) -> SourceFile:
        """Read a file beneath the source (at most ``max_bytes``), record it and return it."""
        known = self._files.get(relative)
        if known is not None:
            return known
        self._check_path(relative)
        try:
            with open_trace(self.root, relative) as opened:
                if opened.size > max_bytes:
                    raise InputError(f"{relative}: {opened.size} bytes, over the limit of {max_bytes} bytes")
                data = _read_all(opened.pread, max_bytes + 1)
                opened.check_unchanged()
        except TraceUnusable as exc:
            message = str(exc).replace("trace path", "path").replace("trace file", "file")
            raise InputError(f"{self.given}: {message}") from None
        if len(data) > max_bytes:
            raise InputError(f"{relative}: over the limit of {max_bytes} bytes")
        entry = SourceFile(len(self._files), relative, hashlib.sha256(data).hexdigest(), data)
        self._files[relative] = entry
        return entry

    def peek(self, relative: str, size: int = 4096) -> bytes:
        """The first ``size`` bytes of a file, without recording it (for recognising the format)."""
        self._check_path(relative)
        try:
            with open_trace(self.root, relative) as opened:
                return opened.pread(size, 0)
        except TraceUnusable:
            return b""
