"""Import findings as message templates: stored with the draft, raised again by validate, worded in Spanish."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.findings import Message
from une_eval.import_wording import finding_message
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source
from une_eval.report.language import language
from une_eval.spec import rule_catalogue
from une_eval.validation.pipeline import check_document

IMPORTS = FIXTURES / "import"
NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
SOURCES = [
    (IMPORTS / "dcgm" / "dcgm-long.csv", None),
    (IMPORTS / "dcgm" / "dcgm-wide.csv", None),
    (IMPORTS / "slurm" / "job-gpu-power.csv", None),
    (IMPORTS / "codecarbon" / "emissions-pue.csv", dt.UTC),
    (IMPORTS / "modelcard" / "acme-bert-grams-suspect" / "README.md", None),
    (IMPORTS / "modelcard" / "Llama-2-7b" / "README.md", None),
]


def _completed(doc: dict[str, Any]) -> dict[str, Any]:
    """The draft with what a vendor adds (from the bundled training example)."""
    valid = json.loads((FIXTURES / "valid" / "training-multinode-h100.json").read_text())
    out: dict[str, Any] = json.loads(json.dumps(doc))
    for key in ("submission_id", "created_at", "profile", "submitter", "attestation", "system", "workload", "phase"):
        out[key] = valid[key]
    out["measurement"] |= {"idle_baseline": {"duration_s": 0, "devices": []}, "warmup": {"performed": False}}
    out["measurement"]["complete"] = False
    for run in out["measurement"]["runs"]:
        run |= {"complete": True, "work_units": 1}
    return out


def _import(src: Path, out: Path, tz: dt.tzinfo | None = None) -> dict[str, Any]:
    return import_source(src, out, now=NOW, options=Options(phase="training", timezone=tz), profiles=["sci"]).document


@pytest.mark.parametrize(("src", "tz"), SOURCES, ids=lambda v: getattr(v, "name", "tz"))
def test_every_finding_is_stored_with_its_template(tmp_path: Path, src: Path, tz: dt.tzinfo | None) -> None:
    doc = _import(src, tmp_path / "d", tz)
    for found in doc["provenance"].get("findings", []):
        assert found["template"].startswith("{file}, {location}: ")
        worded = finding_message(found["template"], found["params"], "f.csv", found["location"])
        assert worded is not None
        assert str(worded) == f"f.csv, {found['location']}: {found['message']}"


def test_validate_words_import_findings_in_spanish(tmp_path: Path) -> None:
    doc = _import(IMPORTS / "dcgm" / "dcgm-long.csv", tmp_path / "d")
    verdict = check_document(_completed(doc), profile="sci", base_dir=tmp_path / "d")
    imported = [f for f in verdict.findings if f.rule_id.startswith("import.")]
    assert len(imported) == len(doc["provenance"]["findings"]) == 4
    es, titles = language("es"), rule_catalogue()
    negative = next(f for f in imported if f.rule_id == "import.negative-values")
    assert negative.message == "dcgm-long.csv, line 12: 1 negative reading(s); left out"
    assert es.finding(negative, titles[negative.rule_id].title) == (
        "dcgm-long.csv, línea 12: 1 lectura(s) negativa(s); se omiten"
    )
    for found in imported:
        spanish = es.finding(found, titles[found.rule_id].title)
        assert "in English" not in spanish  # worded, not the title with a pointer to the English detail
        assert spanish != found.message


@pytest.mark.parametrize(
    ("template", "params"),
    [
        ("{file}, {location}: {x.__class__}", {"x": "a"}),
        ("{file}, {location}: {0}", {}),
        ("{file}, {location}: {x!r}", {"x": "a"}),
        ("{file}, {location}: {x:>99999}", {"x": "a"}),
        ("{file}, {location}: {x}", {}),
        ("{file}, {location}: {x}", {"x": "a", "y": "b"}),
        ("{x}", {"x": "a"}),
        ("{file}, {location}: {x", {"x": "a"}),
        ("{file}, {location}: x", {"file": "other"}),
        ("{file}, {location}: x", ["not", "a", "mapping"]),
        (5, {}),
    ],
)
def test_untrustworthy_templates_fall_back_to_the_plain_message(template: Any, params: Any) -> None:
    assert finding_message(template, params, "f", "line 1") is None


def test_a_hostile_template_in_a_submission_is_not_used(tmp_path: Path) -> None:
    doc = _import(IMPORTS / "dcgm" / "dcgm-long.csv", tmp_path / "d")
    found = doc["provenance"]["findings"][0]
    found["template"], found["params"] = "{file}, {location}: {count.real}", {"count": 1}
    verdict = check_document(_completed(doc), profile="sci", base_dir=tmp_path / "d")
    first = next(f for f in verdict.findings if f.rule_id == found["rule_id"] and found["message"] in f.message)
    assert first.wording is None or (isinstance(first.wording, Message) and "real" not in first.wording.template)
