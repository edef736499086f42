"""Every figure a certificate prints says how une-eval knows it: recomputed, checked, declared, sourced, estimated."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from une_eval.audit import Provenance
from une_eval.report.content import prepare
from une_eval.report.render import Renderer
from une_eval.report.sign import Auditor

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [
    ROOT / "fixtures" / "valid" / "llm-inference-h100.json",
    ROOT / "fixtures" / "valid" / "training-multinode-h100.json",
    ROOT / "fixtures" / "invalid" / "results.statistics.json",
    ROOT / "fixtures" / "evidence" / "h200" / "steady.json",
]
WORDS = {str(p) for p in Provenance}


class _Rows(HTMLParser):
    """The key-results section: each table row's classes, text and provenance cell."""

    def __init__(self) -> None:
        super().__init__()
        self.in_results = False
        self.in_cell = False
        self.rows: list[dict[str, Any]] = []
        self.headline: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.in_results = a.get("class") == "results"
        if not self.in_results:
            return
        if tag == "tr":
            self.rows.append({"fig": "fig" in a.get("class", "").split(), "text": "", "prov": None, "keys": ""})
        if tag == "td" and "prov" not in a.get("class", ""):
            self.in_cell = True
        if tag == "td" and "data-provenance" in a and self.rows:
            self.rows[-1]["prov"] = a["data-provenance"]
            self.rows[-1]["keys"] = a.get("data-figures", "")
        if tag == "div" and a.get("class") == "headline":
            self.headline = a

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "tr"):
            self.in_cell = False

    def handle_data(self, data: str) -> None:
        if self.in_results and self.in_cell and self.rows:
            self.rows[-1]["text"] += data


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_printed_figure_has_a_provenance(source: Path, lang: str, renderer: Renderer) -> None:
    prepared = prepare(source)
    html = renderer.html(
        prepared,
        number="UEC-TEST-PROV",
        issued_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        auditor=Auditor("A", "B"),
        lang=lang,
        findings_sha256="0" * 64,
    )
    parsed = _Rows()
    parsed.feed(html)
    assert parsed.rows, "the key-results table was not found"
    keys = {f.key for f in prepared.figures}
    for row in parsed.rows:
        if row["fig"]:
            assert row["prov"] in WORDS, row["text"]
            assert set(row["keys"].split()) <= keys
        else:  # a row without a figure prints no number
            assert not re.search(r"\d", row["text"]), row["text"]
    assert parsed.headline.get("data-provenance") in WORDS
    # The figures une-eval could not establish are never labelled as if it had.
    for figure in prepared.figures:
        if figure.provenance is Provenance.RECOMPUTED:
            assert prepared.audit.assurance == "evidence-checked"


def test_a_failed_check_leaves_its_figure_declared() -> None:
    prepared = prepare(ROOT / "fixtures" / "invalid" / "results.statistics.json")
    std = prepared.figure_map()["statistics.std"]
    assert std.provenance is Provenance.DECLARED
    assert "results.statistics" in std.basis
    assert prepared.figure_map()["site.pue"].provenance is Provenance.SOURCED


def test_the_title_block_states_the_evidence_level(renderer: Renderer) -> None:
    for source, level in ((ROOT / "fixtures" / "valid" / "llm-inference-h100.json", "evidence-checked"),
                          (ROOT / "fixtures" / "valid" / "training-multinode-h100.json", "declared-only")):  # fmt: skip
        prepared = prepare(source)
        html = renderer.html(
            prepared,
            number="UEC-TEST-LEVEL",
            issued_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
            auditor=Auditor("A", "B"),
            lang="en",
            findings_sha256="0" * 64,
        )
        title_at = html.index('class="doc-title"')
        level_at = html.index(f'data-assurance="{level}"')
        assert 0 < level_at - title_at < 200


def test_certifying_a_checked_submission_reads_no_trace_again(tmp_path: Path) -> None:
    import shutil

    from une_eval.report.content import prepare_audit
    from une_eval.validation.pipeline import check_bytes

    source = ROOT / "fixtures" / "evidence" / "h200"
    folder = tmp_path / "h200"
    shutil.copytree(source, folder)
    data = (folder / "steady.json").read_bytes()
    audit = check_bytes(data, source=str(folder / "steady.json"), base_dir=folder, keep_series=True)
    shutil.rmtree(folder / "traces")  # gone: whatever the certificate shows must come from the audit
    prepared = prepare_audit(audit, base_dir=folder)
    [trace] = prepared.traces
    assert trace.note == "match"
    assert trace.power is not None
    assert len(trace.power.power_w) > 10
