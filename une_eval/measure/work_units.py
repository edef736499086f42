"""Work units: how a workload reports them, and the limits every count must meet.

Work units come from the command line (``--work-units``) or from a small JSON file whose path the
runner passes in ``UNE_EVAL_RESULT_FILE``; the workload writes ``{"work_units": 1000}`` there. The
file is written by the vendor's code, so it is read as hostile input: through a folder descriptor
the runner opened itself, without following a symbolic link, without blocking (a FIFO or a device
is refused, not read), at most 64 KiB, and its count must be a finite number in
``[MIN_WORK_UNITS, MAX_WORK_UNITS]``, so that no sum or ratio built from it can overflow.
"""

from __future__ import annotations

import errno
import math
import os
import stat
from pathlib import Path

from une_eval.errors import InputError, ProtocolError
from une_eval.loading import parse_json_bytes

RESULT_FILE_ENV = "UNE_EVAL_RESULT_FILE"
MAX_RESULT_BYTES = 65536
MIN_WORK_UNITS = 1e-9
"""Smallest count accepted (a training run reports the fraction of the run it covered)."""
MAX_WORK_UNITS = 1e15
"""Largest count per run accepted (10^15 tokens is far beyond any single run)."""


def check_work_units(value: object, what: str) -> float:
    """Return ``value`` as a float when it is a finite count in range; else a :class:`ProtocolError`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{what} needs a number 'work_units'")
    units = float(value)
    if not math.isfinite(units) or not MIN_WORK_UNITS <= units <= MAX_WORK_UNITS:
        raise ProtocolError(f"{what}: work units {value!r} are outside [{MIN_WORK_UNITS:g}, {MAX_WORK_UNITS:g}]")
    return units


class ResultFiles:
    """The workload's result files, one per execution, in a folder the runner created and holds open."""

    def __init__(self, folder: Path, folder_fd: int) -> None:
        self._folder = folder
        self._fd = folder_fd

    def path_for(self, phase: str) -> Path:
        """The path handed to the workload for one execution."""
        return self._folder / _name(phase)

    def clear(self, phase: str) -> None:
        """Remove an earlier result file of this execution (a leftover from a forced re-run)."""
        try:
            os.unlink(_name(phase), dir_fd=self._fd)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise ProtocolError(f"cannot clear the result file {self.path_for(phase)}: {exc.strerror or exc}") from None

    def read(self, phase: str) -> float | None:
        """Work units the workload reported for ``phase``; None when it wrote no file."""
        where = f"the workload's result file {self.path_for(phase)}"
        try:
            data = _read_regular(_name(phase), self._fd, MAX_RESULT_BYTES)
        except FileNotFoundError:
            return None
        except InputError as exc:
            raise ProtocolError(f"{where}: {exc}") from None
        try:
            doc = parse_json_bytes(data)
        except InputError as exc:
            raise ProtocolError(f"{where} is not valid JSON: {exc}") from None
        if not isinstance(doc, dict) or "work_units" not in doc:
            raise ProtocolError(f"{where} needs an object with 'work_units'")
        return check_work_units(doc["work_units"], where)


def _name(phase: str) -> str:
    return f"{phase}.result.json"


def _read_regular(name: str, folder_fd: int, max_bytes: int) -> bytes:
    """Read a regular file in a folder, not following a link, not blocking; FileNotFoundError if absent."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder_fd)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("is a symbolic link (refused: the runner does not follow links)") from None
        raise InputError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file (a folder, FIFO or device)")
        if info.st_size > max_bytes:
            raise InputError(f"is {info.st_size} bytes, over the limit of {max_bytes}")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes and (chunk := os.read(fd, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"is over the limit of {max_bytes} bytes")
    return data
