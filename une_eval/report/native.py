"""WeasyPrint, imported with its native libraries looked up in one reading of the linker's cache.

WeasyPrint tries several names for each native library it loads (pango, harfbuzz, fontconfig...),
and cffi resolves a name that is not a file name with :func:`ctypes.util.find_library`, which on
Linux runs ``ldconfig -p`` for every name and the C compiler and the linker for every name it does
not find: some twenty programs and about 0.2 s of CPU at each start of a certificate command.
While WeasyPrint's modules load here, a name is looked up in one reading of ``ldconfig -p`` instead
(the same match ``find_library`` makes first); a name not in it is not found, and WeasyPrint goes on
to its next name, the plain soname, which the dynamic linker resolves itself (``LD_LIBRARY_PATH``
included). Where ``ldconfig -p`` cannot be read (not glibc), nothing changes.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def _linker_cache() -> bytes | None:
    try:
        done = subprocess.run(
            ["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdout=subprocess.PIPE,
            env={"LC_ALL": "C", "LANG": "C"}, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 and done.stdout else None


def cached_lookup(cache: bytes) -> Callable[[str], str | None]:
    """``find_library`` answered from ``ldconfig -p`` output read once: the soname of ``lib<name>.``, or None."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = _ABI.get(machine, "libc6")

    def find_library(name: str) -> str | None:
        found = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"), cache)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


@contextmanager
def libraries_from_linker_cache() -> Iterator[None]:
    """Within the block, :func:`ctypes.util.find_library` reads the linker's cache once (Linux/glibc only)."""
    cache = _linker_cache() if sys.platform.startswith("linux") else None
    if cache is None:
        yield
        return
    original = ctypes.util.find_library
    setattr(ctypes.util, "find_library", cached_lookup(cache))  # noqa: B010 (replaced for this block only)
    try:
        yield
    finally:
        setattr(ctypes.util, "find_library", original)  # noqa: B010


with libraries_from_linker_cache():
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

__all__ = ["FontConfiguration", "weasyprint"]
