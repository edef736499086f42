"""A certificate of a replayed recording says so on page 1, in the document's language."""

from __future__ import annotations

import copy
import json

import pytest

from une_eval.report.content import prepare, prepare_bytes
from une_eval.report.render import Renderer

from .conftest import ISSUED_AT, ROOT
from .test_report_render import AUDITOR

REPLAYED = ROOT / "fixtures" / "invalid" / "measurement.replay.json"
BANNERS = {
    "en": "Replayed recording: the energy figures were played back from a recording",
    "es": "Grabación reproducida: las cifras de energía se reprodujeron a partir de una grabación",
}


@pytest.mark.parametrize("lang", sorted(BANNERS))
def test_a_replay_certificate_says_its_figures_were_played_back(renderer: Renderer, lang: str) -> None:
    prepared = prepare(REPLAYED, profile="replay-rehearsal")
    assert prepared.conformant  # the replay profile accepts it, with a warning
    assert [f.rule_id for f in prepared.verdict.warnings] == ["measurement.replay"]
    html = renderer.html(
        prepared, number="UEC-TEST-RP", issued_at=ISSUED_AT, auditor=AUDITOR, lang=lang, findings_sha256="0" * 64
    )
    assert 'class="replay-banner" data-replay="replay"' in html
    assert BANNERS[lang] in html


def test_a_rehearsal_is_named_as_one_and_a_real_measurement_has_no_banner(renderer: Renderer) -> None:
    doc = json.loads(REPLAYED.read_text(encoding="utf-8"))
    rehearsal = copy.deepcopy(doc)
    rehearsal["measurement"]["replay"]["kind"] = "rehearsal"
    prepared = prepare_bytes(
        json.dumps(rehearsal).encode(), source_name=REPLAYED.name, base_dir=REPLAYED.parent, profile="replay-rehearsal"
    )
    html = renderer.html(
        prepared, number="UEC-TEST-RH", issued_at=ISSUED_AT, auditor=AUDITOR, lang="en", findings_sha256="0" * 64
    )
    assert 'data-replay="rehearsal"' in html
    assert "Rehearsal: a workload command was timed against a recorded trace" in html
    real = prepare(ROOT / "fixtures" / "valid" / "llm-inference-h100.json")
    html = renderer.html(
        real, number="UEC-TEST-RL", issued_at=ISSUED_AT, auditor=AUDITOR, lang="en", findings_sha256="0" * 64
    )
    assert "replay-banner" not in html
