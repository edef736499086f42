"""Ratings, batch checking and summaries; docs/profiles.md is up to date."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from une_eval.docgen_profiles import render_profiles_markdown
from une_eval.errors import SpecError
from une_eval.model import Submission
from une_eval.rating import grade_for, load_scheme, rate
from une_eval.validation.batch import check_many
from une_eval.validation.summary import neutralise_cell, render_csv, render_html, render_parquet, row_for

REPO = Path(__file__).resolve().parents[3]
VALID = REPO / "fixtures" / "valid"


def _doc(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VALID / f"{name}.json").read_text())
    return data


def test_docs_profiles_is_not_stale() -> None:
    assert (REPO / "docs" / "profiles.md").read_text(encoding="utf-8") == render_profiles_markdown()


def test_relative_bands_cut_the_reference_range() -> None:
    scheme = load_scheme("ai-energy-score-2025-02")
    group = {"reference_values": [0.0, 5.0], "label": "x"}
    assert [grade_for(scheme, group, v) for v in (-1, 0.5, 1.0, 1.5, 4.9, 5.0, 100)] == [
        "A",
        "A",
        "B",
        "B",
        "E",
        "E",
        "E",
    ]


def test_absolute_thresholds() -> None:
    scheme = load_scheme("absolute-example")
    group = scheme["groups"][0]
    assert grade_for(scheme, group, 1.0) == "A"
    assert grade_for(scheme, group, 1.01) == "B"
    assert grade_for(scheme, group, 1e6) == "G"


def test_rate_uses_gpu_energy_per_1000_queries_and_names_its_reference_set() -> None:
    doc = _doc("aes-text-generation-h100")
    sub = Submission.model_validate(doc)
    rating = rate(sub)
    assert rating is not None
    runs = [r for r in doc["measurement"]["runs"] if r["complete"]]
    expected = sum(r["energy"]["gpu_j"] / r["work_units"] * 1000 / 3600 for r in runs) / len(runs)
    assert rating.value == pytest.approx(expected, rel=1e-3)
    assert not rating.provisional
    assert rating.relative
    assert "class A (up to 20 B" in rating.group
    # 3.32 Wh lies in the lowest fifth of the leaderboard's class-A range (1.31 to 28.74 Wh): 5 stars, class A
    assert (rating.reference_low, rating.reference_high) == (1.313333, 28.741175)
    assert rating.grade == "A"
    as_json = rating.to_json()
    assert as_json["class"] == rating.grade
    assert as_json["kind"] == "relative"
    assert as_json["reference_set"]["edition"] == "February 2025"


def test_an_absolute_rating_names_no_reference_set() -> None:
    rating = rate(Submission.model_validate(_doc("aes-text-generation-h100")), "absolute-example")
    assert rating is not None
    assert not rating.relative
    assert "reference_set" not in rating.to_json()
    assert rating.reference_low is None


def test_training_is_not_rated_by_an_inference_scheme() -> None:
    assert rate(Submission.model_validate(_doc("training-multinode-h100"))) is None


def test_unknown_scheme_is_a_spec_error() -> None:
    with pytest.raises(SpecError):
        rate(Submission.model_validate(_doc("llm-inference-h100")), "no-such-scheme")


def test_csv_neutralises_formula_cells() -> None:
    for bad in ("=cmd()", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(bad) == "'" + bad
    assert neutralise_cell(-1.5) == -1.5
    row = row_for({"source": '=HYPERLINK("http://x")', "verdict": "error", "profile": "une-style"})
    out = list(csv.DictReader(io.StringIO(render_csv([row]).decode())))
    assert out[0]["source"].startswith("'=")


def test_batch_survives_bad_files_and_keeps_order(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text((VALID / "llm-inference-h100.json").read_text())
    shutil.copytree(VALID / "traces", tmp_path / "traces")  # its raw traces travel with it
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    hostile = copy.deepcopy(_doc("llm-inference-h100"))
    hostile["submitter"]["organisation"] = "<script>alert(1)</script>"
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps(hostile))
    audits = check_many([broken, good, evil], jobs=2)
    results = [a.to_json() for a in audits]
    assert [r["verdict"] for r in results] == ["error", "conformant", "conformant"]
    assert audits[1].submission is None  # not shipped back from the workers
    assert audits[1].document is None
    html = render_html(results).decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "http://" not in html
    assert "https://" not in html
    frame = pd.read_parquet(io.BytesIO(render_parquet([row_for(r) for r in results])))
    assert list(frame["verdict"]) == ["error", "conformant", "conformant"]
