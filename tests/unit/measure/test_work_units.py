"""The workload's result file is hostile input: bounded, non-blocking, no links, finite counts in range."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from une_eval.errors import ProtocolError
from une_eval.measure.work_units import MAX_RESULT_BYTES, ResultFiles, check_work_units


@pytest.fixture
def results(tmp_path: Path) -> Iterator[ResultFiles]:
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    yield ResultFiles(tmp_path, fd)
    os.close(fd)


def test_a_count_is_read(results: ResultFiles) -> None:
    results.path_for("run-0").write_text('{"work_units": 250}')
    assert results.read("run-0") == 250.0
    assert results.read("run-1") is None  # wrote nothing


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"work_units": 1e308}', "outside"),
        ('{"work_units": 1e16}', "outside"),
        ('{"work_units": 1e-320}', "outside"),
        ('{"work_units": 0}', "outside"),
        ('{"work_units": -3}', "outside"),
        ('{"work_units": "12"}', "needs a number"),
        ('{"work_units": true}', "needs a number"),
        ('{"work_units": NaN}', "not valid JSON"),
        ('{"work_units": Infinity}', "not valid JSON"),
        ('{"work_units": 1, "work_units": 2}', "not valid JSON"),
        ("[1]", "needs an object"),
        ("{}", "needs an object with 'work_units'"),
        ("", "not valid JSON"),
    ],
)
def test_bad_counts_are_refused_with_the_reason(results: ResultFiles, text: str, message: str) -> None:
    results.path_for("run-0").write_text(text)
    with pytest.raises(ProtocolError, match=message):
        results.read("run-0")


def test_fifo_device_link_folder_and_size_are_refused_without_blocking(results: ResultFiles, tmp_path: Path) -> None:
    os.mkfifo(results.path_for("fifo"))  # a blocking read would hang: no writer ever comes
    with pytest.raises(ProtocolError, match="not a regular file"):
        results.read("fifo")
    results.path_for("zero").symlink_to("/dev/zero")  # following it would read forever
    with pytest.raises(ProtocolError, match="symbolic link"):
        results.read("zero")
    (tmp_path / "real.json").write_text('{"work_units": 1}')
    results.path_for("link").symlink_to(tmp_path / "real.json")  # even a harmless link is refused
    with pytest.raises(ProtocolError, match="symbolic link"):
        results.read("link")
    results.path_for("dir").mkdir()
    with pytest.raises(ProtocolError, match="not a regular file"):
        results.read("dir")
    results.path_for("big").write_bytes(b" " * (MAX_RESULT_BYTES + 1))
    with pytest.raises(ProtocolError, match="over the limit"):
        results.read("big")


def test_clear_removes_a_leftover_and_a_link_but_not_its_target(results: ResultFiles, tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("keep")
    results.path_for("run-0").symlink_to(target)
    results.clear("run-0")
    assert not results.path_for("run-0").is_symlink()
    assert target.read_text() == "keep"
    results.clear("run-0")  # nothing there: fine
    results.path_for("run-1").mkdir()
    with pytest.raises(ProtocolError, match="cannot clear"):
        results.clear("run-1")


def test_check_work_units_limits() -> None:
    assert check_work_units(1, "x") == 1.0
    assert check_work_units(1e15, "x") == 1e15
    for bad in (float("inf"), float("nan"), 0, -1, 1e15 * 1.01, None, "1"):
        with pytest.raises(ProtocolError):
            check_work_units(bad, "x")
