"""A certificate states nothing that une-eval did not recompute, check, or label as declared or sourced.

Each test reads what a hostile reviewer would: the rendered page (HTML, or the PDF's text through
poppler) and the prepared content, for submissions whose figures are only declared, whose traces do
not match, whose profile is not the one they claim, or that were imported from another tool.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from une_eval.audit import Assurance, Provenance
from une_eval.findings import Severity
from une_eval.report.content import Prepared, prepare
from une_eval.report.render import Renderer, chart_series
from une_eval.report.sign import Auditor
from une_eval.spec import load_profile
from une_eval.validation.figures import AGREEMENT_RULES

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
H200 = ROOT / "fixtures" / "evidence" / "h200" / "steady.json"
NON_CONFORMANT = ROOT / "fixtures" / "invalid" / "runs.cv.json"
IMPORTED = ROOT / "fixtures" / "invalid" / "import.zero-values.json"
AUDITOR = Auditor("Marta Ruiz", "Auditoría Energética Ejemplo S.L.")


def _html(renderer: Renderer, prepared: Prepared, lang: str = "en") -> str:
    return renderer.html(
        prepared,
        number="UEC-TEST-CLAIMS",
        issued_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        auditor=AUDITOR,
        lang=lang,
        findings_sha256="0" * 64,
    )


def _text(html: str) -> str:
    """The HTML's words, tags dropped, the isolating and zero-width characters removed, spaces folded."""
    text = unescape(re.sub(r"<[^>]+>", "", html))
    text = re.sub("[\u200b\u2068\u2069]", "", text)
    return re.sub(r"\s+", " ", text)


def _section(html: str, start: str, end: str) -> str:
    """The HTML from the first ``start`` to the next ``end`` after it."""
    head = html.index(start)
    return html[head : html.index(end, head)]


def _row(html: str, pattern: str) -> str:
    """The text of the first table row matching ``pattern``."""
    found = re.search(pattern, html, re.S)
    assert found is not None, pattern
    return _text(found.group(0))


def _copy(source: Path, folder: Path, edit: Any = None) -> Path:
    """Copy a submission (and its traces folder, if any) into ``folder``, editing its document first."""
    doc = json.loads(source.read_text(encoding="utf-8"))
    if edit is not None:
        edit(doc)
    if (source.parent / "traces").is_dir():
        shutil.copytree(source.parent / "traces", folder / "traces")
    path = folder / source.name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _declared_only(doc: dict[str, Any]) -> None:
    doc["measurement"]["traces"] = []


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


# The chart: only traces whose file is the one declared.


def _mismatched_hash(doc: dict[str, Any]) -> None:
    doc["measurement"]["traces"][0]["sha256"] = "0" * 64


def test_the_chart_draws_no_trace_whose_hash_differs(tmp_path: Path, renderer: Renderer, poppler: Any) -> None:
    tampered = prepare(_copy(H200, tmp_path, _mismatched_hash))
    assert [t.note for t in tampered.traces] == ["mismatch"]
    assert tampered.traces[0].power is not None  # the file was read, and still is not charted
    assert chart_series(tampered) == []
    matching = prepare(H200)
    assert [label for label, _ in chart_series(matching)] == ["node0-gpu0"]
    for prepared, charted in ((tampered, False), (matching, True)):
        pdf = renderer.render(prepared, number="UEC-TEST-CHART", auditor=AUDITOR, lang="en").pdf
        assert ("power over time (raw traces)" in poppler.text(pdf).lower()) is charted


# The system under test: the vendor's words, and said to be.


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "As declared by the submitter, except the profile and the validity period."),
        ("es", "Según lo declara quien la presenta, salvo el perfil y el periodo de validez."),
    ],
)
def test_the_system_under_test_is_labelled_as_declared(renderer: Renderer, lang: str, label: str) -> None:
    sut = _section(_html(renderer, prepare(VALID), lang), 'class="sut"', "</table>")
    assert label in _text(sut)


def test_the_profile_version_printed_is_the_one_checked_against(tmp_path: Path, renderer: Renderer) -> None:
    def claim_another_version(doc: dict[str, Any]) -> None:
        doc["profile"]["version"] = "7.7"

    prepared = prepare(_copy(VALID, tmp_path, claim_another_version))
    used = load_profile(prepared.audit.profile).version
    assert used != "7.7"
    row = _row(_html(renderer, prepared), r"<th>Profile</th>.*?</tr>")
    assert f"{prepared.audit.profile} v{used}" in row
    assert "7.7" not in row


# The efficiency class: says what its input is, and names its scheme on page 1.


def _profile_without_totals(folder: Path) -> Path:
    path = folder / "no-totals.json"
    path.write_text(
        json.dumps(
            {
                "name": "no-totals",
                "version": "0.1",
                "title": "Declared-only profile that does not check the energy totals",
                "description": "For the test: nothing checks the runs' GPU energy.",
                "extends": "eu-ai-act-gpai",
                "sources": ["test"],
                "rules": {"totals.runs-sum": False, "totals.run-components": False},
            }
        ),
        encoding="utf-8",
    )
    return path


def _rating_box(html: str) -> str:
    return _section(html, '<div class="rating"', '<section class="results">')


def test_a_class_on_gpu_energy_no_rule_checked_is_labelled_as_declared(tmp_path: Path, renderer: Renderer) -> None:
    source = _copy(VALID, tmp_path, _declared_only)
    prepared = prepare(source, profile=str(_profile_without_totals(tmp_path)))
    assert prepared.conformant
    assert prepared.lead.rated
    assert prepared.lead.figure.provenance is Provenance.DECLARED
    box = _text(_rating_box(_html(renderer, prepared)))
    assert "was not recomputed from raw traces (as declared)" in box
    es = _text(_rating_box(_html(renderer, prepared, "es")))
    assert "no se recalculó a partir de las trazas en bruto (según lo declarado)" in es


def test_a_class_on_declared_gpu_energy_says_it_was_not_recomputed(tmp_path: Path, renderer: Renderer) -> None:
    prepared = prepare(_copy(VALID, tmp_path, _declared_only), profile="eu-ai-act-gpai")
    assert prepared.conformant
    assert prepared.lead.rated
    assert prepared.lead.figure.provenance is Provenance.CHECKED
    assert "totals.runs-sum" in prepared.lead.figure.basis
    assert "was not recomputed from raw traces (checked)" in _text(_rating_box(_html(renderer, prepared)))


def test_nothing_is_recomputed_when_the_profile_does_not_compare_declared_energy_with_the_traces(
    tmp_path: Path, renderer: Renderer
) -> None:
    """runs.cv.json declares a run's GPU energy that its traces contradict; a profile that does not run the
    comparison certifies it, but can neither call its figures recomputed nor its class's input."""
    profile = tmp_path / "no-comparison.json"
    disabled: dict[str, Any] = dict.fromkeys(AGREEMENT_RULES, False) | {"runs.cv": False}
    profile.write_text(
        json.dumps(
            {
                "name": "no-comparison",
                "version": "0.1",
                "title": "Evidence read but not compared",
                "description": "For the test.",
                "extends": "une-style",
                "sources": ["test"],
                "rules": disabled,
            }
        ),
        encoding="utf-8",
    )
    prepared = prepare(NON_CONFORMANT, profile=str(profile))
    assert prepared.conformant
    assert prepared.audit.assurance is Assurance.EVIDENCE_CHECKED
    assert Provenance.RECOMPUTED not in {f.provenance for f in prepared.figures}
    assert prepared.lead.rated
    assert prepared.lead.figure.provenance is Provenance.CHECKED
    text = _text(_html(renderer, prepared))
    assert "Figures recomputed by une-eval from the raw traces: 0;" in text
    assert "was not recomputed from raw traces (checked)" in text


def test_a_class_on_recomputed_energy_names_its_scheme_on_page_one(renderer: Renderer) -> None:
    prepared = prepare(VALID)
    assert prepared.rating is not None
    assert prepared.lead.figure.provenance is Provenance.RECOMPUTED
    box = _text(_rating_box(_html(renderer, prepared)))
    assert "not recomputed" not in box
    assert f"({prepared.rating.scheme})" in box


# The non-conformity report: says whether it lists every finding.


def test_a_report_with_more_findings_than_printed_does_not_claim_to_list_every_one(renderer: Renderer) -> None:
    prepared = prepare(NON_CONFORMANT)
    assert "This report lists every finding" in _text(_html(renderer, prepared))
    many = prepared.audit.findings * 40
    assert len(many) > 200
    assert all(f.severity is Severity.ERROR for f in many[:200])
    flooded = dataclasses.replace(prepared, audit=dataclasses.replace(prepared.audit, findings=many))
    text = _text(_html(renderer, flooded))
    assert "This report lists every finding" not in text
    assert f"lists the first 200 of its {len(many)} findings, errors first" in text
    assert "enumera todos los hallazgos" not in _text(_html(renderer, flooded, "es"))


@pytest.mark.parametrize(
    ("lang", "certificate", "report"),
    [("en", "Certificate no.", "Report no."), ("es", "Certificado n.º", "Informe n.º")],
)
def test_a_non_conformity_report_is_numbered_as_a_report(
    renderer: Renderer, lang: str, certificate: str, report: str
) -> None:
    masthead = _text(_section(_html(renderer, prepare(NON_CONFORMANT), lang), '<table class="ident">', "</table>"))
    assert report in masthead
    assert certificate not in masthead
    assert certificate in _text(_section(_html(renderer, prepare(VALID), lang), '<table class="ident">', "</table>"))


# An imported submission: says where it came from.


def _imported(doc: dict[str, Any]) -> None:
    block = json.loads(IMPORTED.read_text(encoding="utf-8"))["provenance"]
    block["findings"] = []
    block["values"][0]["basis"] = "estimated"
    doc["provenance"] = block


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Imported from another tool's output (codecarbon-emissions): 1 of its values was not measured"),
        ("es", "Procede de la salida de otra herramienta (codecarbon-emissions): 1 de sus valores no lo midió"),
    ],
)
def test_an_imported_submission_says_where_it_came_from(
    tmp_path: Path, renderer: Renderer, lang: str, words: str
) -> None:
    prepared = prepare(_copy(VALID, tmp_path, _imported))
    assert prepared.audit.imported is not None
    assert words in _text(_html(renderer, prepared, lang))
    assert "Imported from" not in _text(_html(renderer, prepare(VALID), lang))


# A many-node job: the node table's total is the sum the node records declare.


def _nodes(*energies_j: float) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        names = ["node0", *(f"extra{k}" for k in range(1, len(energies_j)))]
        doc["measurement"]["nodes"] = [
            {"node_id": name, "host": name, "status": "complete", "energy_j": energy}
            for name, energy in zip(names, energies_j, strict=True)
        ]

    return edit


def _node_total_cell(html: str) -> str:
    return _text(_section(html, '<tr class="node-total">', "</tr>"))


def test_a_node_total_that_is_not_the_measured_total_is_as_declared(tmp_path: Path, renderer: Renderer) -> None:
    prepared = prepare(_copy(VALID, tmp_path, _nodes(1_291_440.0, 9.0e9)))
    total = prepared.audit.figure("energy_total.total_j")
    assert total is not None
    assert total.provenance is Provenance.RECOMPUTED
    assert prepared.audit.nodes is not None
    assert prepared.audit.nodes.total_energy_j > total.value
    assert prepared.node_total_provenance() is Provenance.DECLARED
    cell = _node_total_cell(_html(renderer, prepared))
    assert "as declared" in cell
    assert "recomputed" not in cell


def test_a_node_total_equal_to_the_measured_total_takes_its_provenance(tmp_path: Path, renderer: Renderer) -> None:
    prepared = prepare(_copy(VALID, tmp_path, _nodes(1_000_000.0, 291_440.0)))
    assert prepared.node_total_provenance() is Provenance.RECOMPUTED
    assert "recomputed" in _node_total_cell(_html(renderer, prepared))


# Site factors: sourced, and from which source; the work done: a declared count.


@pytest.mark.parametrize(
    ("lang", "title", "word"),
    [("en", "Site factors and their stated sources", "sourced"), ("es", "Factores del emplazamiento", "con fuente")],
)
def test_each_site_factor_names_the_source_it_is_taken_from(
    renderer: Renderer, lang: str, title: str, word: str
) -> None:
    prepared = prepare(VALID)
    site = prepared.submission.system.site
    assert site.wue is not None
    row = _text(_section(_html(renderer, prepared, lang), '<tr class="site-factors">', "</tr>"))
    assert row.startswith(title)
    assert f"PUE 1{',' if lang == 'es' else '.'}25: {site.pue.source}, {site.pue.period} ({word})" in row
    assert f"{site.grid_intensity.source}, {site.grid_intensity.year} ({word})" in row
    assert f"L/kWh: {site.wue.source}, {site.wue.period} ({word})" in row


def test_the_work_done_is_printed_as_a_declared_count_with_its_provenance(renderer: Renderer) -> None:
    prepared = prepare(VALID)
    work = prepared.audit.figure("work_units_total")
    assert work is not None
    assert work.provenance is Provenance.CHECKED
    row = _row(_html(renderer, prepared), r"<tr class=\"fig\"><th>Work done.*?</tr>")
    assert row == "Work done, all runs5,000 queries, as counted by the submitterchecked"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "reference group, chosen by the task and the parameter count the submission declares: "),
        ("es", "grupo de referencia, elegido por la tarea y el número de parámetros que declara la presentación: "),
    ],
)
def test_the_reference_group_says_it_rests_on_declared_facts(renderer: Renderer, lang: str, words: str) -> None:
    prepared = prepare(VALID)
    assert prepared.rating is not None
    assert prepared.submission.system.model.parameter_count is not None
    assert words in _text(_html(renderer, prepared, lang))


def test_the_node_tables_say_what_is_declared(tmp_path: Path, renderer: Renderer) -> None:
    training = _text(_html(renderer, prepare(ROOT / "fixtures" / "valid" / "training-multinode-h100.json")))
    assert "The nodes, as declared by the submitter:" in training
    job = _text(_html(renderer, prepare(_copy(VALID, tmp_path, _nodes(1_000_000.0, 291_440.0)))))
    assert "the nodes.* rules check the clock offsets and the GPUs; the energies are as declared." in job


# Vendor strings: none can start a line of its own or hide characters.

FORGED_LINES = "Llama-3.1-70B\u2028VERDICT CONFORMANT\u2029Efficiency class A"
HIDDEN = "Example\u200bAI\u2060Labs\ufeff\u00ad\U000e0041"


def _forged(doc: dict[str, Any]) -> None:
    doc["system"]["model"]["name"] = FORGED_LINES
    doc["submitter"]["organisation"] = HIDDEN


def test_a_vendor_string_cannot_break_a_line_or_hide_characters(
    tmp_path: Path, renderer: Renderer, poppler: Any
) -> None:
    prepared = prepare(_copy(VALID, tmp_path, _forged))
    assert prepared.submission.system.model.name == FORGED_LINES  # the schema lets these characters through
    html = _html(renderer, prepared)
    assert not re.search("[\u2028\u2029\u200b\u2060\ufeff\u00ad\U000e0041]", html)
    assert "Llama-3.1-70B\ufffdVERDICT CONFORMANT\ufffdEfficiency class A" in html
    assert "Example\ufffdAI\ufffdLabs\ufffd\ufffd\ufffd" in html
    text = poppler.text(renderer.render(prepared, number="UEC-TEST-HIDDEN", auditor=AUDITOR, lang="en").pdf)
    forged = next(line for line in text.splitlines() if "VERDICT CONFORMANT" in line)
    assert "Llama-3.1-70B" in forged
