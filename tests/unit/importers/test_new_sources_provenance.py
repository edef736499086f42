"""Drafts of the new sources complete, their origins agree with their values, and validate re-raises findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source
from une_eval.importers.supply import _probe, complete

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
CASES = [
    ("zeus/zeus_log.csv", None),
    ("mlenergy/A100_chat_benchmark.csv", "lmsys/vicuna-7B"),
    ("mlenergy/bs8+steps25.json", None),
    ("mlenergy/lm-arena-chat.json", "model_id=Qwen/Qwen3-14B"),
    ("aienergyscore/benchmark-runs.json", None),
    ("aienergyscore/runner_benchmark_report.json", None),
    ("aienergyscore/text_generation.csv", "HuggingFaceTB/SmolLM2-1.7B-Instruct"),
    ("carbontracker/session", None),
]


@pytest.mark.parametrize(("source", "select"), CASES)
def test_origins_agree_and_recorded_findings_are_raised_again(tmp_path: Path, source: str, select: str | None) -> None:
    options = Options(select=select, timezone=dt.UTC)
    result = import_source(FIXTURES / "import" / source, tmp_path / "d", now=NOW, options=options)
    assert result.check.other_errors == ()
    completed = complete(result.document, 0)
    assert completed is not None
    raised = _probe(completed[0], "une-style", tmp_path / "d")
    assert [f for f in raised if f[0] == "import.provenance"] == []
    recorded = {f["rule_id"] for f in result.document["provenance"].get("findings", [])}
    assert recorded <= {f[0] for f in raised}
