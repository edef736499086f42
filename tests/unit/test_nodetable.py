"""The node table travels with an audit's JSON (batch workers, the summary) and comes back the same."""

from __future__ import annotations

from une_eval.audit import Audit
from une_eval.findings import Outcome
from une_eval.nodetable import CrossCheckLine, NodeLine, NodeTable, text_lines


def _table() -> NodeTable:
    rows = (
        NodeLine("n1", "complete", "", 8, 3.6e6, 0.25),
        NodeLine("n2", "excluded", "node n2: clock offset 900 ms", 0, None, 900.0, "problem"),
    )
    check = CrossCheckLine("slurm-sacct", "unavailable", None, None, 5.0, "sacct is not on PATH")
    return NodeTable(2, {"complete": 1, "excluded": 1}, 3.6e6, rows, cross_checks=(check,))


def test_the_table_survives_the_audit_json() -> None:
    audit = Audit("job.json", Outcome.NON_CONFORMANT, "une-style", nodes=_table())
    again = Audit.from_json(audit.to_json())
    assert again.nodes == audit.nodes
    assert Audit.from_json(Audit("x.json", Outcome.CONFORMANT, "une-style").to_json()).nodes is None


def test_text_lines_say_which_node_and_why() -> None:
    lines = text_lines(_table())
    assert lines[0] == "nodes: 2 (1 complete, 1 excluded); 1 kWh measured in the complete runs"
    assert any("n2  excluded  0 GPU  -, clock +900.0 ms: node n2: clock offset 900 ms" in ln for ln in lines)
    assert lines[-1] == "cross-check slurm-sacct (sourced): unavailable: sacct is not on PATH"
