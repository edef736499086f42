"""Opening trace files under attack: once, beneath the submission's folder, never through a link.

Each path component is opened relative to its parent's descriptor with ``O_NOFOLLOW``, so swapping a
folder for a symbolic link, at any moment, cannot lead outside the submission's folder; the file itself
is opened with ``O_NONBLOCK`` (a FIFO cannot hang the reader), checked with ``fstat`` to be a regular
file within the size limit, and then hashed and parsed from that one descriptor. A file whose size,
modification or inode-change time moves while it is read is refused.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from une_eval.traces.format import MAX_TRACE_BYTES, TraceUnusable

_OPEN_ERRORS = {
    errno.ENOENT: ("does not exist beside the submission", "missing"),
    errno.ELOOP: ("is or passes through a symbolic link, which is not followed; refused", "outside"),
    errno.ENOTDIR: ("passes through something that is not a folder", "missing"),
    errno.EACCES: ("cannot be read (permission denied)", "unusable"),
}
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def _open_beneath(base_dir: Path, relative: str) -> int:
    """Open ``relative`` under ``base_dir`` component by component, never following a symbolic link."""
    parts = relative.split("/")
    if relative.startswith("/") or "\x00" in relative or any(p in ("", ".", "..") for p in parts):
        raise TraceUnusable(f"trace path {relative!r} is not a plain relative path; refused", "outside")
    try:
        dir_fd = os.open(base_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        raise TraceUnusable(f"the folder of trace {relative!r} cannot be opened", "missing") from None
    part = parts[0]
    try:
        for part in parts[:-1]:
            next_fd = os.open(part, os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=dir_fd)
            os.close(dir_fd)
            dir_fd = next_fd
        part = parts[-1]
        return os.open(part, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        code = errno.ELOOP if _is_link(part, dir_fd) else exc.errno or 0
        what, kind = _OPEN_ERRORS.get(code, (f"cannot be opened ({exc.strerror})", "unusable"))
        raise TraceUnusable(f"trace path {relative!r} {what}", kind) from None
    finally:
        os.close(dir_fd)


def _is_link(name: str, dir_fd: int) -> bool:
    """Whether ``name`` in ``dir_fd`` is a symbolic link (only to word a refusal; never to decide one)."""
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _identity(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class OpenedTrace:
    """One trace file, open on one descriptor: hashing and reading both go through it."""

    def __init__(self, fd: int, name: str) -> None:
        self.fd = fd
        self.name = name
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise TraceUnusable(f"trace path {name!r} is not a regular file", "missing")
        if st.st_size > MAX_TRACE_BYTES:
            raise TraceUnusable(f"trace file {name!r} is larger than {MAX_TRACE_BYTES // 2**30} GiB; refused")
        self.size = st.st_size
        self._identity = _identity(st)

    def pread(self, size: int, offset: int) -> bytes:
        """Read up to ``size`` bytes at ``offset`` (the descriptor's position is not used)."""
        try:
            return os.pread(self.fd, size, offset)
        except OSError as exc:
            raise TraceUnusable(f"trace file {self.name!r} cannot be read: {exc.strerror}") from None

    def sha256(self) -> str:
        """Hex SHA-256 of the file's bytes, read from the descriptor in 1 MiB blocks."""
        digest = hashlib.sha256()
        offset = 0
        while offset < self.size:
            block = self.pread(min(1 << 20, self.size - offset), offset)
            if not block:
                break
            digest.update(block)
            offset += len(block)
        self.check_unchanged()
        return digest.hexdigest()

    def check_unchanged(self) -> None:
        """Refuse a file that changed since it was opened (size, modification or inode change time)."""
        if _identity(os.fstat(self.fd)) != self._identity:
            raise TraceUnusable(f"trace file {self.name!r} changed while it was being read; refused")

    def binary(self) -> io.FileIO:
        """A file object over the same descriptor, at its start (it does not close the descriptor)."""
        stream = io.FileIO(self.fd, "rb", closefd=False)
        stream.seek(0)
        return stream


@contextlib.contextmanager
def open_trace(base_dir: Path, relative: str) -> Iterator[OpenedTrace]:
    """Open a trace beneath ``base_dir`` for the duration of the block; :class:`TraceUnusable` if refused."""
    fd = _open_beneath(base_dir, relative)
    try:
        yield OpenedTrace(fd, relative)
    finally:
        os.close(fd)


@contextlib.contextmanager
def open_local(path: Path) -> Iterator[OpenedTrace]:
    """Open a file the operator named (a recording to replay) with the same checks, links allowed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise TraceUnusable(f"{path} cannot be opened ({exc.strerror})", "missing") from None
    try:
        yield OpenedTrace(fd, str(path))
    finally:
        os.close(fd)
