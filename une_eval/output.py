"""Writing outputs so that nothing half-written is ever left: temporary file, fsync, rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, data: bytes | str, *, replace: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it into place.

    A crash, Ctrl-C or full disk leaves either the old file or the new one, never a truncated one.
    The file is readable by others (0644): outputs are meant to be handed to the vendor. With
    ``replace=False`` an existing ``path`` (a link too) is never replaced: the file is linked into
    place, which fails with :class:`FileExistsError`, also when another process got there first.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with open_atomic(path, replace=replace) as fh:
        fh.write(payload)


@contextmanager
def open_atomic(path: Path, *, replace: bool = True) -> Iterator[BinaryIO]:
    """A file to write ``path`` in pieces, put into place only when the ``with`` block ends without error.

    The same guarantees as :func:`write_atomic` (temporary file in the same folder, fsync, rename; with
    ``replace=False`` never over an existing file): an output streamed over a long batch is never seen
    half-written, and an error or Ctrl-C in the middle leaves the old file, or none.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path, follow_symlinks=False)
            os.unlink(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
