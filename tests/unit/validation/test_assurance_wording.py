"""evidence.assurance worded per reason, so that a Spanish document words it in Spanish."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

from tests.conftest import FIXTURES
from tests.unit.validation.evidence_helpers import H200, steady_doc
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source
from une_eval.report.language import language
from une_eval.spec import rule_catalogue
from une_eval.validation import check_document

TITLE = rule_catalogue()["evidence.assurance"].title


def test_no_traces_read_is_one_worded_finding() -> None:
    verdict = check_document(steady_doc())
    (found,) = [f for f in verdict.findings if f.rule_id == "evidence.assurance"]
    assert found.message.endswith("no raw traces were read (none listed, or no folder to find them in)")
    assert found.wording is not None
    spanish = language("es").finding(found, TITLE)
    assert spanish.startswith("el perfil une-style exige")
    assert spanish.endswith(
        "no se leyó ninguna traza en bruto (no hay ninguna en la lista o no hay carpeta donde buscarlas)"
    )


def test_each_reason_is_a_finding_of_its_own() -> None:
    doc = copy.deepcopy(steady_doc())
    kept = doc["measurement"]["traces"]
    gpu = next(d for d in doc["measurement"]["devices"] if d["device_id"] == kept[0]["device_id"])
    doc["measurement"]["devices"] += [gpu | {"device_id": f"extra-gpu{k}", "index": 7 - k} for k in range(2)]
    verdict = check_document(doc, base_dir=H200)
    found = [f for f in verdict.findings if f.rule_id == "evidence.assurance"]
    untraced = [d["device_id"] for d in doc["measurement"]["devices"] if d["component"] == "gpu"]
    untraced.remove(kept[0]["device_id"])
    assert untraced
    assert len(found) == len(untraced)
    es = language("es")
    for f, gpu in zip(found, untraced, strict=True):
        assert f.message.endswith(f"{gpu}: no trace is listed for this accelerator")
        assert es.finding(f, TITLE).endswith(f"{gpu}: no hay ninguna traza en la lista para este acelerador")


def test_an_averaged_power_trace_is_worded_with_its_issue(tmp_path: Path) -> None:
    draft = tmp_path / "d"
    doc = import_source(
        FIXTURES / "import" / "dcgm" / "dcgm-long.csv",
        draft,
        now=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        options=Options(phase="training"),
        profiles=["une-style"],
    ).document
    valid = json.loads((FIXTURES / "valid" / "training-multinode-h100.json").read_text())
    for key in ("submission_id", "created_at", "profile", "submitter", "attestation", "system", "workload"):
        doc[key] = valid[key]
    doc["measurement"] |= {"idle_baseline": {"duration_s": 0, "devices": []}, "warmup": {"performed": False}}
    doc["measurement"]["complete"] = False
    doc["measurement"]["runs"][0] |= {"complete": True, "work_units": 1}
    verdict = check_document(doc, profile="une-style", base_dir=draft)
    found = [f for f in verdict.findings if f.rule_id == "evidence.assurance"]
    unusable = [f for f in found if "its trace cannot be used" in f.message]
    assert len(unusable) == 1
    assert "averaged power" in unusable[0].message
    assert "su traza no se puede usar" in language("es").finding(unusable[0], TITLE)
