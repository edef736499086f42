"""The output folder: one runner at a time, empty unless forced, nothing created through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from une_eval.measure.outdir import LOCK_NAME, OutputError, OutputFolder


def test_the_lock_admits_one_runner_at_a_time(tmp_path: Path) -> None:
    first = OutputFolder(tmp_path / "out")
    with pytest.raises(OutputError, match=rf"another une-eval measure \(pid {os.getpid()}\) is writing"):
        OutputFolder(tmp_path / "out", force=True)
    first.close()
    second = OutputFolder(tmp_path / "out", force=True)  # released by closing: usable again
    second.close()


def test_only_the_lock_file_may_be_there_without_force(tmp_path: Path) -> None:
    OutputFolder(tmp_path).close()
    assert (tmp_path / LOCK_NAME).is_file()
    OutputFolder(tmp_path).close()  # the folder holds the lock file and empty sub-folders only
    (tmp_path / "submission.json").write_text("{}")
    with pytest.raises(OutputError, match="is not empty"):
        OutputFolder(tmp_path)
    assert (tmp_path / "submission.json").read_text() == "{}"


def test_files_are_created_exclusively_and_never_through_a_link(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    (tmp_path / "traces" / "gpu0.csv").symlink_to(outside)
    with pytest.raises(OutputError, match=r"gpu0\.csv"):
        folder.create_trace("gpu0.csv")
    assert not outside.exists()
    path = folder.create_trace("gpu1.csv")
    with pytest.raises(OutputError):
        folder.create_trace("gpu1.csv")  # never over an existing file
    folder.check_unchanged(path)
    path.unlink()
    path.write_text("someone else's")
    with pytest.raises(OutputError, match="was replaced"):
        folder.check_unchanged(path)
    folder.close()


def test_force_refuses_to_remove_what_is_not_the_runners(tmp_path: Path) -> None:
    (tmp_path / "work").write_text("a file where the runner's folder belongs")
    with pytest.raises(OutputError, match="not a folder"):
        OutputFolder(tmp_path, force=True)
    (tmp_path / "work").unlink()
    (tmp_path / "submission.json").mkdir()
    with pytest.raises(OutputError, match="not a regular file"):
        OutputFolder(tmp_path, force=True)


def test_a_lock_file_that_is_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).symlink_to(tmp_path.parent / "elsewhere.lock")
    with pytest.raises(OutputError, match="cannot lock"):
        OutputFolder(tmp_path)
    assert not (tmp_path.parent / "elsewhere.lock").exists()


def test_an_output_path_under_a_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot use the output folder"):
        OutputFolder(tmp_path / "file" / "out")
