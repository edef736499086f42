# mypy: disable-error-code="no-untyped-call"
"""Hostile files for ``une-eval verify`` built on a signed certificate (a test helper): /Prev loops, deep
nesting, a huge xref subsection, decompression bombs, more revisions than verify reads.

None needs a signature to be dangerous; each sits on a real certificate so that verify gets past its
first checks. Every answer must be one line, in bounded time and memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.unit.report.pdf_redteam import append_table, name, obj, pdf_dict, tail_of, trailer_keys, with_eol


def prev_loop(data: bytes) -> bytes:
    """A revision whose /Prev names its own xref table."""
    tail = tail_of(data)
    probe = append_table(tail, [obj(tail.size, b"1")], prev=0)
    return append_table(tail, [obj(tail.size, b"1")], prev=probe.rindex(b"xref\n0 1"))


def prev_forward(data: bytes) -> bytes:
    """A revision whose /Prev names a byte after its own table, inside nothing."""
    tail = tail_of(data)
    return append_table(tail, [obj(tail.size, b"1")], prev=len(data) + 7)


def deep_trailer(depth: int) -> Callable[[bytes], bytes]:
    """A trailer holding an array nested ``depth`` deep (a recursive parser's stack)."""

    def forge(data: bytes) -> bytes:
        tail = tail_of(data)
        return append_table(tail, [obj(tail.size, b"1")], extra=b" /Deep " + b"[" * depth + b"]" * depth)

    return forge


def huge_subsection(data: bytes) -> bytes:
    """An xref table claiming two thousand million entries."""
    tail = tail_of(data)
    out = with_eol(tail.data)
    table = b"xref\n0 2000000000\n0000000000 65535 f \n"
    return out + table + b"trailer\n<< " + trailer_keys(tail, 2000000000) + b" >>\nstartxref\n%d\n%%%%EOF\n" % len(out)


def xref_stream_bomb(data: bytes) -> bytes:
    """A cross-reference stream of 64 MiB of zeros, Flate-compressed to a few dozen kilobytes."""
    tail = tail_of(data)
    start = len(with_eol(data))
    squeezed = zlib.compressobj(9)
    bomb = b"".join(squeezed.compress(bytes(1 << 20)) for _ in range(64)) + squeezed.flush()
    keys = b"/Type /XRef /W [1 4 2] /Filter /FlateDecode /Length %d " % len(bomb) + trailer_keys(tail, tail.size + 1)
    stream = b"%d 0 obj\n<< " % tail.size + keys + b" >>\nstream\n" + bomb + b"\nendstream\nendobj\n"
    return with_eol(data) + stream + b"startxref\n%d\n%%%%EOF\n" % start


def crl_bombs(count: int, size: int) -> Callable[[IncrementalPdfFileWriter], None]:
    """``count`` CRL streams in the DSS, each ``size`` zero bytes when decoded (each under pyHanko's own cap)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        # A DER SEQUENCE header over zeros: a parser that reads lazily keeps every one of them.
        squeezed = zlib.compress(b"\x30\x84" + (size - 6).to_bytes(4, "big") + bytes(size - 6), 9)
        dss = writer.root["/DSS"]
        for _ in range(count):
            crl = generic.StreamObject(pdf_dict(Filter=name("/FlateDecode")), encoded_data=squeezed)
            dss["/CRLs"].append(writer.add_object(crl))
        writer.update_container(dss)

    return change


def many_revisions(count: int) -> Callable[[bytes], bytes]:
    """``count`` tiny revisions, each adding one new object and a table whose /Prev names the one before."""

    def forge(data: bytes) -> bytes:
        tail = tail_of(data)
        out, prev = bytearray(with_eol(data)), tail.startxref
        for num in range(tail.size, tail.size + count):
            written = len(out)
            out += b"%d 0 obj\n1\nendobj\n" % num
            at = len(out)
            out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (num, written)
            out += b"trailer\n<< " + trailer_keys(tail, num + 1, prev=prev) + b" >>\nstartxref\n%d\n%%%%EOF\n" % at
            prev = at
        return bytes(out)

    return forge


def zero_width_xref(count: int) -> Callable[[bytes], bytes]:
    """A cross-reference stream declaring ``count`` entries of zero bytes each (/W [0 0 0]): no data at all."""

    def forge(data: bytes) -> bytes:
        tail = tail_of(data)
        start = len(with_eol(data))
        keys = b"/Type /XRef /W [0 0 0] /Index [%d %d] /Length 0 " % (tail.size, count)
        stream = b"%d 0 obj\n<< " % (tail.size + count) + keys + trailer_keys(tail, tail.size + count + 1)
        return with_eol(data) + stream + b" >>\nstream\n\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start

    return forge


def long_table(count: int) -> Callable[[bytes], bytes]:
    """A classic xref table of ``count`` rows, every one naming the same byte of the signed revision."""

    def forge(data: bytes) -> bytes:
        tail = tail_of(data)
        out = with_eol(data)
        rows = b"0000000017 00000 n \n" * count
        table = b"xref\n0 1\n0000000000 65535 f \n%d %d\n" % (tail.size, count) + rows
        end = b" >>\nstartxref\n%d\n%%%%EOF\n" % len(out)
        return out + table + b"trailer\n<< " + trailer_keys(tail, tail.size + count) + end

    return forge
