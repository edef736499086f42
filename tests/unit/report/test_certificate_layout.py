"""Layout over every fixture x language x hostile strings: no word under the signature box, outside the page
or outside its frame (see ``layout.py`` for the two readers). Hostile variants: names of 500 characters
(one unbreakable word, and many words), identifiers of 128, right-to-left text with digits and
brackets, many findings, many nodes, and the class-G marker of the efficiency label."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import weasyprint

from tests.unit.report.layout import frame_problems, pdf_words, word_problems
from une_eval.errors import InputError
from une_eval.findings import Finding, Severity
from une_eval.report.content import Prepared, prepare, prepare_bytes
from une_eval.report.language import languages
from une_eval.report.render import MAX_FINDINGS_IN_PDF, Renderer
from une_eval.report.sign import Auditor

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
NON_CONFORMANT = ROOT / "fixtures" / "invalid" / "runs.cv.json"
TRAINING = ROOT / "fixtures" / "valid" / "training-multinode-h100.json"
LONG_AUDITOR = Auditor("Marta Ruiz Fernández de la Torre y Álvarez-Quiñones", "Auditoría " + "Ñ" * 54, True)
ISSUED_AT = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
WORD_500 = "W" * 500
WORDS_500 = ("Very long name " * 34)[:500]
RTL = "نموذج اللغة الكبير (الإصدار 2) — מודל שפה גדול [גרסה 3.1] «أب»"
TEXT_FIELDS = (
    ("system", "model", "name"),
    ("system", "model", "provider"),
    ("submitter", "organisation"),
    ("system", "site", "region"),
    ("system", "software", "framework"),
    ("attestation", "signed_by"),
)


def _fixtures() -> list[Path]:
    out = sorted((ROOT / "fixtures" / "valid").glob("*.json"))
    out += sorted(p for p in (ROOT / "fixtures" / "invalid").glob("*.json") if not p.name.endswith(".expected.json"))
    return out + sorted((ROOT / "fixtures" / "evidence" / "h200").glob("*.json"))


def _set(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def _rename_ids(text: str, doc: dict[str, Any], length: int) -> str:
    """Every device and node id replaced by a 128-character one (the schema's limit), consistently."""
    ids = {d["device_id"] for d in doc["measurement"]["devices"]} | {
        n["node_id"] for n in doc["system"]["hardware"]["nodes"]
    }
    for k, old in enumerate(sorted(ids, key=len, reverse=True)):
        text = text.replace(f'"{old}"', json.dumps(f"{k}-{old}-".ljust(length, "x")[:length]))
    return text


def _hostile(source: Path, strings: Callable[[int], str], *, ids: bool) -> Prepared:
    doc = json.loads(source.read_text(encoding="utf-8"))
    for k, path in enumerate(TEXT_FIELDS):
        _set(doc, path, strings(k))
    _set(doc, ("attestation", "statement"), " ".join(strings(k) for k in range(4)))
    for node in doc["system"]["hardware"]["nodes"]:
        node["cpu"]["model"] = strings(7)
        for acc in node["accelerators"]:
            acc["model"] = strings(8)
    text = json.dumps(doc)
    if ids:
        text = _rename_ids(text, doc, 128)
    return prepare_bytes(text.encode(), source_name=strings(9)[:200] + ".json", base_dir=None)


def _many_nodes(source: Path, n: int) -> Prepared:
    doc = json.loads(source.read_text(encoding="utf-8"))
    node = doc["system"]["hardware"]["nodes"][0]
    doc["system"]["hardware"]["nodes"] = [node | {"node_id": f"rack{k // 16:02d}-node{k:04d}"} for k in range(n)]
    return prepare_bytes(json.dumps(doc).encode(), source_name="many-nodes.json", base_dir=None)


def _job_nodes(source: Path, n: int) -> Prepared:
    """A merged job of ``n`` nodes with 128-character names, some not complete with long reasons, and cross-checks."""
    doc = json.loads(source.read_text(encoding="utf-8"))
    records = []
    for k in range(n):
        name = f"rack{k // 16:02d}-node{k:04d}-".ljust(128, "x")
        record: dict[str, Any] = {"node_id": name, "host": name, "status": "complete", "energy_j": 1e6 + 977 * k}
        record["clock"] = {
            "method": "round-trip",
            "reference": "10.0.0.1:7807",
            "offset_s": -0.0123,
            "uncertainty_s": 0.001,
        }
        if k % 97 == 5:
            record |= {"status": "partial", "reason": f"node {name}: " + WORDS_500[: 400 - len(name)]}
        records.append(record)
    doc["measurement"]["nodes"] = records
    doc["measurement"]["cross_checks"] = [
        {"source": "slurm-sacct", "provenance": "sourced", "status": "recorded", "job_id": "4242",
         "scope": WORDS_500, "energy_j": 2e9, "measured_j": 1.5e9, "difference_j": 5e8, "difference_pct": 33.3},
        {"source": "dcgm-stats", "provenance": "sourced", "status": "unavailable", "reason": WORD_500},
    ]  # fmt: skip
    return prepare_bytes(json.dumps(doc).encode(), source_name="job-nodes.json", base_dir=None)


def _many_findings(prepared: Prepared, n: int) -> Prepared:
    """The same document with ``n`` findings, long pointers and messages included (a hostile findings list)."""
    audit = prepared.audit
    base = audit.findings or (Finding("runs.cv", Severity.ERROR, "/results/statistics/cv_pct", "x"),)
    findings = tuple(
        dataclasses.replace(
            base[k % len(base)],
            pointer=f"/measurement/runs/{k}/devices/{k % 8}/energy_j" + ("/deep" * (k % 7)),
            severity=Severity.ERROR if k % 3 else Severity.WARNING,
        )
        for k in range(n)
    )
    return dataclasses.replace(prepared, audit=dataclasses.replace(audit, findings=findings))


def _class_g(tmp: Path) -> Prepared:
    """A conformant submission rated G by a seven-class scheme whose reference values all lie below it."""
    scheme = json.loads((ROOT / "spec" / "ratings" / "ai-energy-score-2025-02.json").read_text(encoding="utf-8"))
    scheme["name"] = "layout-test-scheme"
    scheme["classes"] = ["A", "B", "C", "D", "E", "F", "G"]
    for group in scheme["groups"]:
        group["reference_values"] = [0.01, 0.02]
    path = tmp / "scheme.json"
    path.write_text(json.dumps(scheme), encoding="utf-8")
    prepared = prepare(VALID, rating_scheme=str(path))
    assert prepared.rating is not None
    assert prepared.rating.grade == "G"
    return prepared


def _check(
    renderer: Renderer, prepared: Prepared, lang: str, folder: Path, auditor: Auditor = LONG_AUDITOR
) -> list[str]:
    document = renderer.layout(prepared, number="UEC-LAYOUT-0001", auditor=auditor, lang=lang, issued_at=ISSUED_AT)
    words, sizes = pdf_words(renderer.write(document), folder)
    assert words, "no words extracted"
    return word_problems(words, sizes) + frame_problems(document)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Prepared]:
    out: dict[str, Prepared] = {}
    for path in _fixtures():
        try:
            out[path.name] = prepare(path)
        except InputError:  # schema-invalid: no document
            continue
    for name, source in (("valid", VALID), ("nonconformant", NON_CONFORMANT), ("training", TRAINING)):
        out[f"{name}+word500"] = _hostile(source, lambda k: WORD_500, ids=True)
        out[f"{name}+words500"] = _hostile(source, lambda k: WORDS_500, ids=False)
        out[f"{name}+rtl"] = _hostile(source, lambda k: f"{RTL} {k}", ids=False)
    out["nonconformant+findings300"] = _many_findings(out["runs.cv.json"], 300)
    out["training+nodes200"] = _many_nodes(TRAINING, 200)
    out["training+jobnodes1024"] = _job_nodes(TRAINING, 1024)
    out["valid+class-g"] = _class_g(tmp_path_factory.mktemp("scheme"))
    return out


def test_the_cases_cover_what_they_claim(cases: dict[str, Prepared]) -> None:
    assert len(cases) >= 50
    assert {p.conformant for p in cases.values()} == {True, False}
    assert len(cases["training+nodes200"].submission.system.hardware.nodes) == 200
    job = cases["training+jobnodes1024"].audit.nodes
    assert job is not None
    assert job.condensed
    assert len(job.group("problem")) == 11
    assert len(job.cross_checks) == 2
    assert len(cases["nonconformant+findings300"].audit.findings) == 300
    assert cases["valid+word500"].submission.system.model.name == WORD_500


@pytest.mark.parametrize("lang", languages())
def test_no_word_outside_the_page_its_frame_or_under_the_signature(
    lang: str, cases: dict[str, Prepared], renderer: Renderer, tmp_path: Path
) -> None:
    problems: dict[str, list[str]] = {}
    for name, prepared in cases.items():
        found = _check(renderer, prepared, lang, tmp_path)
        if found:
            problems[name] = found[:5]
    assert problems == {}


def test_the_checks_catch_a_marker_outside_its_frame_and_a_word_under_the_signature(
    renderer: Renderer, tmp_path: Path
) -> None:
    # The same checks over a stylesheet that pushes the class marker past its frame and page 1's foot up.
    broken = Renderer()
    css = (renderer.root / "certificate.css").read_text(encoding="utf-8")
    broken.css = weasyprint.CSS(
        string=css + ".pointer { left: 160%; } @page :first { margin-bottom: 54pt; }",
        base_url=(renderer.root / "certificate.css").as_uri(),
        url_fetcher=broken.fetcher,
        font_config=broken.fonts,
    )
    problems = _check(broken, _class_g(tmp_path), "en", tmp_path)
    assert any("outside its frame div.rating" in p for p in problems), problems
    problems = _check(broken, _hostile(NON_CONFORMANT, lambda k: WORDS_500, ids=False), "es", tmp_path)
    assert any("under the signature box" in p for p in problems), problems


def test_a_report_of_twenty_thousand_findings_renders_bounded(renderer: Renderer, tmp_path: Path) -> None:
    # Bounded by what the PDF holds (its page count), not by a timing (which bench/certify.py reports).
    prepared = _many_findings(prepare(NON_CONFORMANT), 20_000)
    cert = renderer.render(prepared, number="UEC-LAYOUT-0002", auditor=LONG_AUDITOR, lang="es")
    words, sizes = pdf_words(cert.pdf, tmp_path)
    assert len(sizes) <= 20  # the annex lists at most MAX_FINDINGS_IN_PDF findings, whatever their number
    assert (
        json.loads(cert.findings_json)["counts"]["error"] + json.loads(cert.findings_json)["counts"]["warning"]
        == 20_000
    )  # every finding is in the attached file
    listed = {w.text for w in words if w.text.isdigit()}
    assert str(MAX_FINDINGS_IN_PDF) in listed
    assert str(MAX_FINDINGS_IN_PDF + 1) not in listed
    assert str(20_000 - MAX_FINDINGS_IN_PDF) in listed  # "19800 more findings are in the attached file"


def test_right_to_left_vendor_strings_are_isolated(renderer: Renderer, tmp_path: Path) -> None:
    # Each vendor string reads right to left inside itself and does not reorder the words around it.
    doc = json.loads(VALID.read_text(encoding="utf-8"))
    doc["system"]["model"] |= {"name": "שלום עולם 7", "version": "2024", "provider": "مرحبا 3"}
    prepared = prepare_bytes(json.dumps(doc).encode(), source_name="rtl.json", base_dir=None)
    document = renderer.layout(prepared, number="UEC-LAYOUT-0003", auditor=LONG_AUDITOR, lang="en")
    words, _ = pdf_words(renderer.write(document), tmp_path)
    label = next(w for w in words if w.page == 1 and w.text == "Model")
    row = sorted((w for w in words if w.page == 1 and abs(w.y0 - label.y0) < 1 and w is not label), key=lambda w: w.x0)
    # pdftotext writes each right-to-left word's glyphs left to right: "שלום" comes out as "םולש".
    assert [w.text for w in row] == ["7", "םלוע", "םולש", "(2024)", "·", "3", "ابحرم"]
    html = renderer.html(
        prepared, number="N", issued_at=ISSUED_AT, auditor=LONG_AUDITOR, lang="en", findings_sha256="0" * 64
    )
    assert "\u2068שלום עולם 7\u2069" in html.replace("&#x2068;", "\u2068").replace("&#x2069;", "\u2069")
