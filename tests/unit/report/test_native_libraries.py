"""WeasyPrint's native libraries are found from one reading of the linker's cache, as find_library finds them."""

from __future__ import annotations

import ctypes.util
import os
import struct

import pytest

from une_eval.report.native import cached_lookup, libraries_from_linker_cache

MACHINE = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")


@pytest.mark.skipif(MACHINE != "x86_64-64", reason="the sample cache lines are x86-64 ones")
def test_a_name_matches_the_soname_of_its_abi_only() -> None:
    cache = (
        b"\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0\n"
        b"\tlibfoo.so.2 (libc6) => /lib/i386-linux-gnu/libfoo.so.2\n"
        b"\tlibharfbuzz.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libharfbuzz.so.0\n"
    )
    find = cached_lookup(cache)
    assert find("pango-1.0") == "libpango-1.0.so.0"
    assert find("harfbuzz") == "libharfbuzz.so.0"
    assert find("libpango-1.0-0") is None  # WeasyPrint's Windows-style names are not found, as before
    assert find("foo") is None  # a 32-bit library is not offered to a 64-bit process
    assert find("pango-1.0)(") is None  # names are matched literally


def test_the_lookup_is_put_back_after_the_block() -> None:
    original = ctypes.util.find_library
    with libraries_from_linker_cache():
        inside = ctypes.util.find_library
        for name in ("c", "m", "fontconfig", "no-such-library-here"):
            assert inside(name) == original(name)  # the same answers as the slow path
    assert ctypes.util.find_library is original
