"""Batches stream: audits come back in order from chunked workers, and every summary written as they
arrive holds what the whole-batch writers hold; an interrupted batch leaves no summary behind."""

from __future__ import annotations

import gc
import io
import json
import multiprocessing
import shutil
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from une_eval.audit import Audit
from une_eval.findings import Outcome
from une_eval.nodetable import NodeLine, NodeTable
from une_eval.text import JsonArrayWriter, json_text
from une_eval.validation.batch import MAX_CHUNK_FILES, chunk_size, chunks, frozen_for_workers, iter_audits
from une_eval.validation.summary import render_csv, render_json, render_parquet, row_for
from une_eval.validation.summary_stream import PARQUET_BATCH_ROWS, SummaryItem, summary_sinks

REPO = Path(__file__).resolve().parents[3]
VALID = REPO / "fixtures" / "valid"
INVALID = REPO / "fixtures" / "invalid"


def _mixed_batch(tmp_path: Path, copies: int) -> list[Path]:
    """Valid, invalid and unreadable files interleaved, each with a distinct name."""
    shutil.copytree(VALID / "traces", tmp_path / "traces")
    sources = sorted(VALID.glob("*.json")) + sorted(p for p in INVALID.glob("*.json") if "expected" not in p.name)[:6]
    paths = []
    for i in range(copies):
        for j, src in enumerate(sources):
            path = tmp_path / f"f{i:03d}-{j:02d}.json"
            path.write_bytes(src.read_bytes())
            paths.append(path)
    broken = tmp_path / "broken.json"
    broken.write_text('{"a": 1, "a": 2}')
    paths.insert(len(paths) // 2, broken)
    return paths


def test_chunked_workers_give_the_same_audits_in_the_same_order(tmp_path: Path) -> None:
    paths = _mixed_batch(tmp_path, 5)
    assert chunk_size(len(paths), 2) > 1  # the batch really is sent in chunks
    one = [a.to_json() for a in iter_audits(paths, jobs=1)]
    done: list[int] = []
    two = [a.to_json() for a in iter_audits(paths, jobs=2, progress=done.append)]
    assert [v["source"] for v in two] == [str(p) for p in paths]
    assert two == one
    assert sum(done) == len(paths)
    assert {v["verdict"] for v in one} >= {"conformant", "error"}


def test_the_workers_start_after_the_first_file_is_checked_here(tmp_path: Path) -> None:
    """Forked from a process that has already checked a file, the workers inherit what it loaded."""
    paths = _mixed_batch(tmp_path, 1)
    audits = iter_audits(paths, jobs=2)
    first = next(audits)
    assert first.source == str(paths[0])
    assert multiprocessing.active_children() == []  # no worker yet: the parent checked the first file
    assert threading.active_count() == 1  # nothing else running in the parent to be forked mid-way
    rest = list(audits)
    assert [a.source for a in rest] == [str(p) for p in paths[1:]]


def test_small_batches_still_reach_every_worker() -> None:
    assert chunk_size(3, 2) == 1
    assert chunk_size(10**6, 2) == chunk_size(10**5, 2)  # bounded, whatever the batch


def test_the_parents_objects_are_frozen_only_while_workers_run() -> None:
    gc.unfreeze()
    try:
        with frozen_for_workers():
            assert gc.get_freeze_count() > 0  # forked now, the workers would not collect (or copy) them
        assert gc.get_freeze_count() == 0  # an embedding program's cycles are collected again
        gc.freeze()  # a command's own process freezes its imports: that stays as it was
        with frozen_for_workers():
            pass
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_tasks_shrink_towards_the_end_of_a_batch_so_no_worker_is_left_with_a_long_one() -> None:
    paths = [Path(f"f{i}.json") for i in range(3000)]
    sizes = [len(c) for c in chunks(paths, 16)]
    assert [p for c in chunks(paths, 16) for p in c] == [str(p) for p in paths]  # every file once, in order
    assert sizes[0] == MAX_CHUNK_FILES
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-16:] == [1] * 16  # the last task of each worker holds one file
    assert len(sizes) < 3000 // 8  # still few tasks: the parent's cost per file stays small


def _merged_job(name: str, statuses: list[str]) -> dict[str, Any]:
    """The audit of a many-node submission: its node table, some nodes not complete."""
    rows = tuple(
        NodeLine(f"=n{i}", s, "" if s == "complete" else "cut short", 2, 1.0e6, 0.0) for i, s in enumerate(statuses)
    )
    table = NodeTable(len(rows), dict(Counter(statuses)), 1.0e6 * len(rows), rows)
    return Audit(name, Outcome.NON_CONFORMANT, "une-style", nodes=table).to_json()


def _verdicts(tmp_path: Path) -> list[dict[str, Any]]:
    audits = [a.to_json() for a in iter_audits(_mixed_batch(tmp_path, 2), jobs=1)]
    merged = [
        _merged_job("job-a.json", ["complete", "partial", "excluded"]),
        _merged_job("job-b.json", ["complete"] * 4),
    ]
    return audits[:3] + merged[:1] + audits[3:] + merged[1:]


def test_streamed_summaries_hold_what_the_whole_batch_writers_hold(tmp_path: Path) -> None:
    verdicts = _verdicts(tmp_path)
    out = tmp_path / "out"
    names = [out / "s.csv", out / "s.json", out / "s.parquet"]
    with summary_sinks(names) as sinks:
        for v in verdicts:
            for sink in sinks:
                sink.add(SummaryItem.of(v))
    rows = [row_for(v) for v in verdicts]
    assert (out / "s.csv").read_bytes() == render_csv(rows)
    assert json.loads((out / "s.json").read_bytes()) == json.loads(render_json(verdicts))
    streamed = pd.read_parquet(out / "s.parquet")
    whole = pd.read_parquet(io.BytesIO(render_parquet(rows)))
    pd.testing.assert_frame_equal(streamed, whole, check_dtype=False)
    schema = pq.read_schema(out / "s.parquet").remove_metadata()
    assert schema == pq.read_schema(io.BytesIO(render_parquet(rows))).remove_metadata()
    assert streamed["node_count"].notna().sum() == 2  # the two merged jobs, the single-node files null
    assert sorted(streamed["nodes_with_problems"].dropna().astype(int)) == [0, 2]


def test_parquet_row_groups_keep_their_types(tmp_path: Path) -> None:
    verdicts = _verdicts(tmp_path)
    many = (verdicts * (PARQUET_BATCH_ROWS // len(verdicts) + 2))[: PARQUET_BATCH_ROWS + 7]
    with summary_sinks([tmp_path / "big.parquet"]) as sinks:
        for v in many:
            sinks[0].add(SummaryItem.of(v))
    frame = pd.read_parquet(tmp_path / "big.parquet")
    assert len(frame) == len(many)
    assert list(frame["verdict"]) == [v["verdict"] for v in many]
    assert frame["errors"].dtype.kind == "i"
    assert frame["rating_value"].dtype.kind == "f"
    assert pq.read_schema(tmp_path / "big.parquet").field("node_count").type == pa.int64()  # nulls in every group


def test_an_interrupted_batch_leaves_no_summary_and_keeps_the_old_one(tmp_path: Path) -> None:
    verdicts = _verdicts(tmp_path)
    old = tmp_path / "s.csv"
    old.write_text("old summary\n")

    def interrupted_batch() -> None:
        with summary_sinks([old, tmp_path / "s.json"]) as sinks:
            sinks[0].add(SummaryItem.of(verdicts[0]))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_batch()
    assert old.read_text() == "old summary\n"
    assert not (tmp_path / "s.json").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("items", [[], [{}], [1, "two", {"three": [3, {"four": None}]}], [[], {"a": []}]])
def test_a_streamed_list_is_laid_out_as_json_text_lays_it(items: list[Any]) -> None:
    parts: list[str] = []
    parts.append('{\n  "files": ')
    writer = JsonArrayWriter(parts.append)
    for item in items:
        writer.add(item)
    writer.close()
    parts.append(',\n  "n": 1\n}')
    assert "".join(parts) == json_text({"files": items, "n": 1})


@pytest.mark.parametrize("fmt", ["json", "text", "lines"])
def test_parallel_validate_writes_what_one_process_writes(tmp_path: Path, fmt: str) -> None:
    from click.testing import CliRunner

    from une_eval.cli import main

    paths = [str(p) for p in _mixed_batch(tmp_path, 3)]
    outputs = []
    for jobs in ("1", "2"):
        summary = tmp_path / f"summary-{jobs}.csv"
        result = CliRunner().invoke(
            main, ["validate", "--format", fmt, "--jobs", jobs, "--summary", str(summary), *paths]
        )
        assert result.exit_code == 2, result.output  # the unreadable file could not be checked
        outputs.append((result.stdout, summary.read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0].count(paths[-1]) >= 1  # every file is there, the last one too
    if fmt == "json":
        assert [f["source"] for f in json.loads(outputs[0][0])["files"]] == paths
