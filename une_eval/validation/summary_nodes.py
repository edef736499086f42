"""The node columns of a batch summary: how many nodes a many-node submission had, and which were not complete.

A merged submission's audit carries its node table (:mod:`une_eval.nodetable`, the audit's ``nodes``).
Its status counts say how many nodes are not ``complete`` (``partial``, ``excluded``, or no status);
its rows list those nodes (all of them up to :data:`une_eval.nodetable.MAX_LISTED` nodes, the first
:data:`une_eval.nodetable.MAX_PROBLEMS` in a digest). A summary row takes the count and a short,
bounded list of their ids from there; a submission without a node table (one node's own) has neither.

Node ids are the vendor's strings: each is cut to :data:`MAX_ID_CHARS` characters, one holding a space,
comma or quote is written as a JSON string so that the list stays readable, and at most
:data:`MAX_IDS` are named, then a count of the rest. Control and bidirectional characters are escaped,
and formula-looking CSV cells neutralised, by the summary writers as for every other cell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

NODE_COLUMNS = ("node_count", "nodes_with_problems", "problem_node_ids")
NODE_INT_COLUMNS = ("node_count", "nodes_with_problems")
MAX_IDS = 8
MAX_ID_CHARS = 32
_PLAIN_ID = re.compile(r"[^\s,\"']+")


def node_cells(table: Any) -> dict[str, Any]:
    """The node columns of a summary row, from the audit JSON's ``nodes`` (None or absent: no node table)."""
    if not isinstance(table, Mapping) or not isinstance(table.get("node_count"), int):
        return {"node_count": None, "nodes_with_problems": None, "problem_node_ids": ""}
    counts = table.get("status_counts")
    complete = counts.get("complete", 0) if isinstance(counts, Mapping) else 0
    problems = max(table["node_count"] - (complete if isinstance(complete, int) else 0), 0)
    rows = table.get("rows")
    ids = [
        str(r.get("node_id", ""))
        for r in (rows if isinstance(rows, list) else [])
        if isinstance(r, Mapping) and r.get("status") != "complete"
    ]
    return {
        "node_count": table["node_count"],
        "nodes_with_problems": problems,
        "problem_node_ids": _id_list(ids, problems),
    }


def _id_list(ids: list[str], problems: int) -> str:
    """At most :data:`MAX_IDS` ids, each short and unambiguous, then how many more nodes have problems."""
    shown = [_short_id(i) for i in dict.fromkeys(ids)][:MAX_IDS]
    more = problems - len(shown)
    return " ".join([*shown, f"(+{more} more)"] if more > 0 else shown)


def _short_id(node_id: str) -> str:
    cut = node_id if len(node_id) <= MAX_ID_CHARS else node_id[: MAX_ID_CHARS - 1] + "…"
    return cut if _PLAIN_ID.fullmatch(cut) else json.dumps(cut, ensure_ascii=False)


__all__ = ["MAX_IDS", "MAX_ID_CHARS", "NODE_COLUMNS", "NODE_INT_COLUMNS", "node_cells"]
