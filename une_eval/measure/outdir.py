"""The output folder of one measurement: locked, empty unless forced, files created without following links.

A measurement owns its folder from start to end. :class:`OutputFolder` takes an exclusive lock
(``fcntl.flock`` on ``.une-eval-measure.lock``, released when the runner exits, however it exits),
so a second runner pointed at the same folder stops at once instead of interleaving its traces with
the first. A folder that already holds files is refused unless ``force`` is given; then une-eval's
own outputs in it (``submission.json``, ``inventory.json``, ``run.log``, ``traces/``, ``work/``, and
the temporary file of an atomic write cut short by SIGKILL) are removed first and everything else is
left alone. Every file the runner creates is created exclusively (``O_CREAT | O_EXCL``, which never
follows a link) inside sub-folders opened with ``O_NOFOLLOW``, so a symbolic link planted in the
folder cannot redirect a write outside it. Any
``OSError`` (read-only folder, full disk, a file where a folder belongs) becomes an
:class:`OutputError`: one line and exit code 2.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
from pathlib import Path
from typing import IO

from une_eval.errors import ProtocolError

LOCK_NAME = ".une-eval-measure.lock"
RUNNER_FILES = ("submission.json", "inventory.json", "run.log")
RUNNER_FOLDERS = ("traces", "work")
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_LOCK = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class OutputError(ProtocolError):
    """The output folder cannot be used or written (exit code 2)."""


def output_error(what: str, exc: OSError) -> OutputError:
    """One line for an OSError met while writing ``what``."""
    return OutputError(f"cannot write {what}: {exc.strerror or exc}")


def _leftover_temporary(name: str) -> bool:
    """``.submission.json.<random>.tmp``: an atomic write of one of the runner's files, cut short (SIGKILL)."""
    return any(name.startswith(f".{f}.") and name.endswith(".tmp") for f in RUNNER_FILES)


class OutputFolder:
    """The locked output folder and its ``traces/`` and ``work/`` sub-folders, held open by descriptor."""

    def __init__(self, path: Path, *, force: bool = False) -> None:
        self.path = path
        self._fds: list[int] = []
        self._inodes: dict[Path, tuple[int, int]] = {}
        self._traces: dict[Path, int] = {}
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._fd = self._keep(os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
        except OSError as exc:
            raise OutputError(f"cannot use the output folder {path}: {exc.strerror or exc}") from None
        try:
            self._lock()
            self._check_empty(force)
            self.traces_fd = self._subfolder("traces")
            self.work_fd = self._subfolder("work")
        except BaseException:
            self.close()
            raise

    def _keep(self, fd: int) -> int:
        self._fds.append(fd)
        return fd

    def _lock(self) -> None:
        try:
            fd = self._keep(os.open(LOCK_NAME, _LOCK, 0o644, dir_fd=self._fd))
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OutputError(f"{self.path / LOCK_NAME} is not a regular file; remove it")
        except OSError as exc:
            raise OutputError(f"cannot lock the output folder {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise OutputError(
                f"another une-eval measure (pid {holder}) is writing to {self.path}; "
                "wait for it to finish or choose another folder"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)

    def _check_empty(self, force: bool) -> None:
        entries = sorted(n for n in os.listdir(self._fd) if n != LOCK_NAME and not self._empty_runner_folder(n))
        if not entries:
            return
        if not force:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise OutputError(
                f"the output folder {self.path} is not empty ({shown}); choose an empty folder, "
                "or pass --force to replace une-eval's outputs in it"
            )
        for name in (*RUNNER_FILES, *RUNNER_FOLDERS, *(n for n in entries if _leftover_temporary(n))):
            self._remove(name, folder=name in RUNNER_FOLDERS)

    def _empty_runner_folder(self, name: str) -> bool:
        """An empty ``traces/`` or ``work/`` (left by a run refused before it measured) counts as nothing."""
        if name not in RUNNER_FOLDERS:
            return False
        try:
            fd = os.open(name, _FOLDER, dir_fd=self._fd)
        except OSError:
            return False
        try:
            return not os.listdir(fd)
        finally:
            os.close(fd)

    def _remove(self, name: str, *, folder: bool) -> None:
        try:
            info = os.lstat(name, dir_fd=self._fd)
        except FileNotFoundError:
            return
        kind_ok = stat.S_ISDIR(info.st_mode) if folder else stat.S_ISREG(info.st_mode)
        try:
            if stat.S_ISLNK(info.st_mode):
                os.unlink(name, dir_fd=self._fd)  # the link goes, never what it points to
            elif kind_ok and folder:
                shutil.rmtree(name, dir_fd=self._fd)
            elif kind_ok:
                os.unlink(name, dir_fd=self._fd)
            else:
                want = "a folder" if folder else "a regular file"
                raise OutputError(f"{self.path / name} is not {want}; remove it yourself (--force does not)")
        except OSError as exc:
            raise OutputError(f"cannot remove {self.path / name}: {exc.strerror or exc}") from None

    def _subfolder(self, name: str) -> int:
        where = self.path / name
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o755, dir_fd=self._fd)
            return self._keep(os.open(name, _FOLDER, dir_fd=self._fd))
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise OutputError(f"cannot use {where}: it is not a folder (a file or a link)") from None
            raise OutputError(f"cannot create the folder {where}: {exc.strerror or exc}") from None

    def create_text(self, name: str) -> IO[str]:
        """Create ``name`` in the folder (never an existing file, never through a link), open for writing."""
        return os.fdopen(self._create(self._fd, name, self.path / name), "w", encoding="utf-8")

    def create_trace(self, name: str) -> Path:
        """Create an empty trace file in ``traces/`` and return its path (remembered by inode)."""
        path = self.path / "traces" / name
        self._traces[path] = self._keep(self._create(self.traces_fd, name, path))  # held open: inode kept
        return path

    def cut_trace(self, path: Path, size: int) -> None:
        """Cut a trace the runner created back to ``size`` bytes (through its own descriptor, never a link)."""
        try:
            os.ftruncate(self._traces[path], size)
        except OSError as exc:
            raise output_error(str(path), exc) from None

    def _create(self, folder_fd: int, name: str, path: Path) -> int:
        try:
            fd = os.open(name, _CREATE, 0o644, dir_fd=folder_fd)
        except OSError as exc:
            raise output_error(str(path), exc) from None
        info = os.fstat(fd)
        self._inodes[path] = (info.st_dev, info.st_ino)
        return fd

    def check_unchanged(self, path: Path) -> None:
        """Refuse a file the runner created that was since replaced (by a link, a FIFO, another file)."""
        try:
            info = os.lstat(path)
        except OSError as exc:
            raise OutputError(f"{path} went missing during the measurement: {exc.strerror or exc}") from None
        if not stat.S_ISREG(info.st_mode) or self._inodes.get(path) != (info.st_dev, info.st_ino):
            raise OutputError(f"{path} was replaced during the measurement; its digest would not be the runner's")

    def close(self) -> None:
        """Close the folder descriptors; closing the lock file's releases the lock."""
        while self._fds:
            with contextlib.suppress(OSError):
                os.close(self._fds.pop())
