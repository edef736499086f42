from __future__ import annotations

import os
from pathlib import Path

import pytest

from une_eval.errors import InputError
from une_eval.loading import JsonNumber, load_json_document, parse_json_bytes, read_bounded


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"a": NaN}', "NaN"),
        (b'{"a": -Infinity}', "-Infinity"),
        (b'{"a": 1e400}', "out of range"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": "caf\xe9"}', "not UTF-8"),
        (b"   ", "empty"),
        (b'{"a": [1, 2', "not valid JSON"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "deeper than 64"),
        (b'{"a": 1' + b"0" * 40 + b"}", "digits"),
    ],
)
def test_unsafe_json_is_refused_with_a_reason(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_json_bytes(raw)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    doc = parse_json_bytes(b'{"a": "' + b"[{" * 500 + b'"}')
    assert doc == {"a": "[{" * 500}


def test_floats_keep_their_literal_text() -> None:
    doc = parse_json_bytes(b'{"a": 1.20, "b": 3e2}')
    assert isinstance(doc["a"], JsonNumber)
    assert doc["a"] == 1.2
    assert doc["a"].literal == "1.20"
    assert doc["b"].literal == "3e2"


def test_utf8_bom_is_tolerated() -> None:
    assert parse_json_bytes(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(InputError, match="JSON array, not an object"):
        load_json_document(path)


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'{"a": "' + b"x" * 2048 + b'"}')
    with pytest.raises(InputError, match="over the limit of 1024 bytes"):
        load_json_document(path, max_bytes=1024)


def test_missing_file_and_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_json_document(tmp_path / "absent.json")
    with pytest.raises(InputError, match="not a regular file"):
        load_json_document(tmp_path)


def test_fifos_and_devices_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "vendor.json"
    os.mkfifo(fifo)  # opening a FIFO for reading would block until a writer comes: it must not be opened so
    with pytest.raises(InputError, match="not a regular file"):
        load_json_document(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_bounded(Path("/dev/zero"), 1024)
