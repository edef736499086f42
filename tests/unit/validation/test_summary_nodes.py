"""The summary's node columns: counted from the audit's node table, bounded, escaped, typed the same everywhere."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from une_eval.audit import Audit
from une_eval.findings import Outcome
from une_eval.nodetable import MAX_PROBLEMS, NodeLine, NodeTable
from une_eval.validation.summary import COLUMNS, render_csv, render_parquet, row_for
from une_eval.validation.summary_nodes import MAX_ID_CHARS, MAX_IDS
from une_eval.validation.summary_stream import SummaryItem, summary_sinks


def _line(node_id: str, status: str, group: str = "all") -> NodeLine:
    return NodeLine(node_id, status, "" if status == "complete" else "clock offset 900 ms", 2, 1.0e6, 0.0, group)


def _verdict(table: NodeTable | None, name: str = "job.json") -> dict[str, Any]:
    return Audit(name, Outcome.NON_CONFORMANT, "une-style", nodes=table).to_json()


def _small_job() -> NodeTable:
    rows = (_line("n1", "complete"), _line("n2", "excluded"), _line("n3", "partial"), _line("n4", "complete"))
    return NodeTable(4, {"complete": 2, "partial": 1, "excluded": 1}, 2.0e6, rows)


def _digest(nodes: int, problems: int) -> NodeTable:
    """A digest as :func:`une_eval.nodetable.node_table` makes one: the first problems listed, then a count."""
    listed = min(problems, MAX_PROBLEMS)
    rows = tuple(_line(f"node{i:04d}", "partial", "problem") for i in range(listed))
    counts = {"complete": nodes - problems, "partial": problems}
    return NodeTable(nodes, counts, 1.0e9, rows, condensed=True, problems_not_listed=problems - listed)


def test_a_submission_without_a_node_table_has_empty_node_columns() -> None:
    row = row_for(_verdict(None))
    assert (row["node_count"], row["nodes_with_problems"], row["problem_node_ids"]) == (None, None, "")


def test_the_nodes_not_complete_are_counted_and_named() -> None:
    row = row_for(_verdict(_small_job()))
    assert (row["node_count"], row["nodes_with_problems"], row["problem_node_ids"]) == (4, 2, "n2 n3")
    clean = NodeTable(2, {"complete": 2}, 2.0e6, (_line("a", "complete"), _line("b", "complete")))
    assert (row_for(_verdict(clean))["nodes_with_problems"], row_for(_verdict(clean))["problem_node_ids"]) == (0, "")


def test_a_digest_counts_every_problem_and_names_a_bounded_few() -> None:
    row = row_for(_verdict(_digest(1000, 120)))
    assert (row["node_count"], row["nodes_with_problems"]) == (1000, 120)
    ids = row["problem_node_ids"].split(" ")
    assert ids[:MAX_IDS] == [f"node{i:04d}" for i in range(MAX_IDS)]
    assert row["problem_node_ids"].endswith(f"(+{120 - MAX_IDS} more)")


def test_hostile_node_ids_are_cut_quoted_escaped_and_never_a_formula() -> None:
    hostile = ('=HYPERLINK("http://x")', "a b,c", "\x1b[31mOK\u202e", "x" * 10_000)
    rows = tuple(_line(i, "excluded") for i in hostile)
    table = NodeTable(len(rows), {"excluded": len(rows)}, 0.0, rows)
    row = row_for(_verdict(table))
    assert len(row["problem_node_ids"]) < MAX_IDS * (MAX_ID_CHARS + 8)
    assert '"a b,c"' in row["problem_node_ids"]  # a list that can be read back
    assert "x" * MAX_ID_CHARS not in row["problem_node_ids"]
    cell = next(csv.DictReader(io.StringIO(render_csv([row]).decode())))["problem_node_ids"]
    assert not cell.startswith(("=", "+", "-", "@"))
    assert "\x1b" not in cell
    assert "\u202e" not in cell
    assert "\\x1b" in cell
    assert "\\u202e" in cell
    formula = NodeTable(1, {"partial": 1}, 0.0, (_line("=1+1", "partial"),))
    assert (
        next(csv.DictReader(io.StringIO(render_csv([row_for(_verdict(formula))]).decode())))["problem_node_ids"]
        == "'=1+1"
    )


def test_parquet_node_columns_are_int64_with_nulls_and_strings_whole_or_streamed(tmp_path: Any) -> None:
    verdicts = [_verdict(None, "one.json"), _verdict(_small_job(), "job.json"), _verdict(_digest(40, 3), "big.json")]
    rows = [row_for(v) for v in verdicts]
    whole = pq.read_table(io.BytesIO(render_parquet(rows)))
    with summary_sinks([tmp_path / "s.parquet"]) as sinks:
        for v in verdicts:
            sinks[0].add(SummaryItem.of(v))
    streamed = pq.read_table(tmp_path / "s.parquet")
    assert whole.schema.remove_metadata() == streamed.schema.remove_metadata()
    for table in (whole, streamed):
        assert table.column_names == list(COLUMNS)
        assert table.schema.field("node_count").type == pa.int64()
        assert table.schema.field("nodes_with_problems").type == pa.int64()
        assert table.schema.field("problem_node_ids").type == pa.string()
        assert table.column("node_count").to_pylist() == [None, 4, 40]
        assert table.column("nodes_with_problems").to_pylist() == [None, 2, 3]
        assert table.column("problem_node_ids").to_pylist() == ["", "n2 n3", "node0000 node0001 node0002"]
    frame = pd.read_parquet(io.BytesIO(render_parquet(rows)))
    assert frame["node_count"].isna().tolist() == [True, False, False]
