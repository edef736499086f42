# mypy: disable-error-code="no-untyped-call"
"""The attachment reader is cheap on any PDF: loops, deep or wide name trees and Flate bombs end quickly and small."""

from __future__ import annotations

import io
import signal
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from tests.unit.report.signers import one_page_pdf
from une_eval.report.attachments import MAX_ATTACHMENT_BYTES, AttachmentError, read_attachments
from une_eval.report.content import prepare
from une_eval.report.sign import auditor_of, sign_pdf
from une_eval.report.verify import verify_bytes

ROOT = Path(__file__).resolve().parents[3]
WANTED = ("submission.json", "findings.json")
MiB = 1024 * 1024


def _name(text: str) -> generic.NameObject:
    return generic.NameObject(text)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail the test instead of hanging when the block runs longer than ``seconds``."""

    def expire(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _flate_zeros(size: int) -> bytes:
    """``size`` zero bytes, Flate-compressed without ever holding them all."""
    packer = zlib.compressobj(9)
    chunk = bytes(MiB)
    parts = [packer.compress(chunk) for _ in range(size // MiB)]
    return b"".join(parts) + packer.flush()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """Ten times the attachment cap of zeros in about 160 kB of Flate."""
    return _flate_zeros(10 * MAX_ATTACHMENT_BYTES)


def _embedded(writer: BasePdfFileWriter, data: bytes, *, flate: bool = True) -> generic.IndirectObject:
    """A file specification holding ``data`` (given already Flate-encoded when ``flate``)."""
    head = {_name("/Type"): _name("/EmbeddedFile")}
    if flate:
        head[_name("/Filter")] = _name("/FlateDecode")
    stream = writer.add_object(generic.StreamObject(head, encoded_data=data))
    ef = generic.DictionaryObject({_name("/F"): stream})
    return writer.add_object(generic.DictionaryObject({_name("/Type"): _name("/Filespec"), _name("/EF"): ef}))


def _pairs(entries: list[tuple[str, generic.IndirectObject]]) -> generic.ArrayObject:
    items: list[generic.PdfObject] = []
    for name, spec in sorted(entries):
        items += [generic.TextStringObject(name), spec]
    return generic.ArrayObject(items)


def _pdf_bytes_with_tree(build: Callable[[BasePdfFileWriter], generic.PdfObject]) -> bytes:
    """A one-page PDF whose /EmbeddedFiles name tree is whatever ``build`` returns."""
    writer = IncrementalPdfFileWriter(io.BytesIO(one_page_pdf()))
    writer.root[_name("/Names")] = generic.DictionaryObject({_name("/EmbeddedFiles"): build(writer)})
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_with_tree(build: Callable[[BasePdfFileWriter], generic.PdfObject]) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(_pdf_bytes_with_tree(build)), strict=False)


def _read(reader: PdfFileReader) -> dict[str, bytes]:
    with within(5):
        return read_attachments(reader, WANTED)


def test_the_two_named_attachments_are_read() -> None:
    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        specs = [(n, _embedded(writer, zlib.compress(n.encode()))) for n in WANTED]
        return generic.DictionaryObject({_name("/Names"): _pairs(specs)})

    assert _read(_pdf_with_tree(tree)) == {n: n.encode() for n in WANTED}


def test_kids_that_hold_their_own_node_are_refused_at_once() -> None:
    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        node = generic.DictionaryObject()
        ref = writer.add_object(node)
        node[_name("/Kids")] = generic.ArrayObject([ref])
        return ref

    with pytest.raises(AttachmentError, match="loop"):
        _read(_pdf_with_tree(tree))


def test_a_deep_tree_is_refused() -> None:
    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        leaf = writer.add_object(generic.DictionaryObject({_name("/Names"): generic.ArrayObject()}))
        for _ in range(5000):
            leaf = writer.add_object(generic.DictionaryObject({_name("/Kids"): generic.ArrayObject([leaf])}))
        return leaf

    with pytest.raises(AttachmentError, match="levels"):
        _read(_pdf_with_tree(tree))


def test_a_wide_tree_is_refused() -> None:
    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        spec = _embedded(writer, zlib.compress(b"{}"))
        entries = generic.ArrayObject()
        for i in range(20000):
            entries += [generic.TextStringObject(f"extra-{i:05d}.json"), spec]
        return generic.DictionaryObject({_name("/Names"): entries})

    with pytest.raises(AttachmentError, match="entries"):
        _read(_pdf_with_tree(tree))


def test_a_flate_bomb_stops_at_the_cap_in_bounded_memory(bomb: bytes) -> None:
    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        return generic.DictionaryObject({_name("/Names"): _pairs([("submission.json", _embedded(writer, bomb))])})

    reader = _pdf_with_tree(tree)
    tracemalloc.start()
    try:
        with pytest.raises(AttachmentError, match="decodes to more than"):
            _read(reader)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_ATTACHMENT_BYTES, f"peak {peak / MiB:.0f} MiB"


def test_other_attachments_are_never_decoded(bomb: bytes) -> None:
    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        specs = [(n, _embedded(writer, zlib.compress(b"{}"))) for n in WANTED]
        specs.append(("extra.bin", _embedded(writer, bomb)))
        specs.append(("odd-filter.bin", _embedded(writer, b"garbage", flate=False)))
        return generic.DictionaryObject({_name("/Names"): _pairs(specs)})

    reader = _pdf_with_tree(tree)
    tracemalloc.start()
    try:
        files = _read(reader)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert files == dict.fromkeys(WANTED, b"{}")
    assert peak < 8 * MiB, f"peak {peak / MiB:.0f} MiB"


@pytest.mark.parametrize(
    ("label", "head", "data", "reason"),
    [
        ("LZW", {"/Filter": "/LZWDecode"}, b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01", "only /FlateDecode"),
        ("two Flates", {"/Filter": ["/FlateDecode", "/FlateDecode"]}, zlib.compress(zlib.compress(b"{}")), "only"),
        (
            "predictor",
            {"/Filter": "/FlateDecode", "/DecodeParms": {"/Predictor": 12}},
            zlib.compress(b"{}"),
            "predictor",
        ),
        ("truncated", {"/Filter": "/FlateDecode"}, zlib.compress(b"{}" * 100)[:-6], "truncated"),
        ("corrupt", {"/Filter": "/FlateDecode"}, b"not flate at all", "corrupt"),
    ],
)
def test_unsupported_or_broken_streams_are_refused(label: str, head: dict[str, Any], data: bytes, reason: str) -> None:
    def pdf_value(value: Any) -> generic.PdfObject:
        if isinstance(value, list):
            return generic.ArrayObject([_name(v) for v in value])
        if isinstance(value, dict):
            return generic.DictionaryObject({_name(k): generic.NumberObject(v) for k, v in value.items()})
        return _name(value)

    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        stream = writer.add_object(
            generic.StreamObject({_name(k): pdf_value(v) for k, v in head.items()}, encoded_data=data)
        )
        spec = writer.add_object(
            generic.DictionaryObject({_name("/EF"): generic.DictionaryObject({_name("/F"): stream})})
        )
        return generic.DictionaryObject({_name("/Names"): _pairs([("submission.json", spec)])})

    with pytest.raises(AttachmentError, match=reason):
        _read(_pdf_with_tree(tree))


def test_two_attachments_with_one_name_are_refused() -> None:
    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        one, two = (_embedded(writer, zlib.compress(b"{}")) for _ in range(2))
        items = generic.ArrayObject(
            [generic.TextStringObject("submission.json"), one, generic.TextStringObject("submission.json"), two]
        )
        return generic.DictionaryObject({_name("/Names"): items})

    with pytest.raises(AttachmentError, match="two attachments"):
        _read(_pdf_with_tree(tree))


def test_a_signed_file_with_a_looping_tree_fails_verify_quickly(pki: Any) -> None:
    def tree(writer: BasePdfFileWriter) -> generic.PdfObject:
        node = generic.DictionaryObject()
        ref = writer.add_object(node)
        node[_name("/Kids")] = generic.ArrayObject([ref])
        return ref

    signed = sign_pdf(_pdf_bytes_with_tree(tree), pki.signer, reason="test")
    with within(20):
        report = verify_bytes(signed, pki.roots, crls=pki.crls)
    failed = {c.name: c.detail for c in report.checks if not c.ok}
    assert "attachments readable" in failed, failed
    assert "loop" in failed["attachments readable"]


def test_a_signed_certificate_with_a_bomb_beside_its_evidence_verifies_in_bounded_memory(
    pki: Any, renderer: Any, bomb: bytes
) -> None:
    cert = renderer.render(
        prepare(ROOT / "fixtures" / "valid" / "llm-inference-h100.json"),
        number="UEC-TEST-BOMB",
        auditor=auditor_of(pki.signer),
        lang="en",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(cert.pdf))
    tree = writer.root["/Names"]["/EmbeddedFiles"]
    holder = tree if "/Names" in tree else tree["/Kids"][0].get_object()
    holder["/Names"] += [generic.TextStringObject("zz-extra.bin"), _embedded(writer, bomb)]
    writer.update_container(holder)
    out = io.BytesIO()
    writer.write(out)
    signed = sign_pdf(out.getvalue(), pki.signer, reason="test")
    tracemalloc.start()
    try:
        with within(60):
            report = verify_bytes(signed, pki.roots, crls=pki.crls)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok, [c for c in report.checks if not c.ok]
    assert peak < 96 * MiB, f"peak {peak / MiB:.0f} MiB"
