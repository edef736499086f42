"""What page 1 says: one lead figure with the class on its basis, non-conformity reports that cannot pass
for certificates, development keys that cannot pass for real ones, and the training layout."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.unit.report.test_document_language import visible_text
from une_eval.report.content import RATED_FIGURE, Prepared, prepare, prepare_bytes
from une_eval.report.issue import issue_certificate
from une_eval.report.keys import _name, issue, issue_dev_ca, new_key
from une_eval.report.render import Renderer
from une_eval.report.sign import Auditor, auditor_of, load_signer
from une_eval.report.verify import verify_bytes

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
TRAINING = ROOT / "fixtures" / "valid" / "training-multinode-h100.json"
NON_CONFORMANT = ROOT / "fixtures" / "invalid" / "runs.cv.json"
AUDITOR = Auditor("Marta Ruiz", "Auditoría Energética Ejemplo S.L.")
ISSUED_AT = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


class _Marked(HTMLParser):
    """Elements by class: their attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict[str, Any]] = []
        self.found: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("meta", "br", "line", "polyline", "path", "rect", "text"):
            return
        node = {"tag": tag, "attrs": {k: v or "" for k, v in attrs}, "text": ""}
        self.stack.append(node)
        self.found.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("meta", "br", "line", "polyline", "path", "rect", "text"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for node in self.stack:
            node["text"] += data

    def by_class(self, name: str) -> list[dict[str, Any]]:
        return [n for n in self.found if name in n["attrs"].get("class", "").split()]


def _html(renderer: Renderer, prepared: Prepared, lang: str = "en", auditor: Auditor = AUDITOR, **kw: Any) -> str:
    return renderer.html(
        prepared,
        number="UEC-TEST-C",
        issued_at=ISSUED_AT,
        auditor=auditor,
        lang=lang,
        findings_sha256="0" * 64,
        **kw,
    )


def _parsed(html: str) -> _Marked:
    parsed = _Marked()
    parsed.feed(html)
    return parsed


def test_the_class_is_computed_on_the_one_lead_figure(renderer: Renderer) -> None:
    prepared = prepare(VALID)
    rating = prepared.rating
    assert rating is not None
    assert prepared.conformant
    assert prepared.lead.rated
    assert prepared.lead.figure.key == RATED_FIGURE
    assert prepared.lead.figure.value == rating.value
    page = _parsed(_html(renderer, prepared))
    (headline,) = page.by_class("headline")
    assert headline["attrs"]["data-figures"] == RATED_FIGURE
    figure = page.by_class("figure")[0]["text"]
    assert figure.startswith(f"{rating.value:.4g}")  # the headline is the rated figure
    (box,) = page.by_class("rating")
    assert box["attrs"]["data-basis"] == RATED_FIGURE
    assert "key figure" in box["text"]
    assert "GPU energy only" in box["text"]
    assert "GPU energy only" in headline["text"]
    assert "basis of the efficiency class" in headline["text"]
    # The all-IT figure is still printed, once, in the table, and not as a second headline.
    declared = prepared.results["energy_per_unit"]["value"]
    assert f"{declared:.4g}" not in headline["text"]
    assert visible_text(_html(renderer, prepared)).count(f"{declared:.4g}") == 1


def test_without_a_class_the_headline_is_the_declared_energy_per_unit(renderer: Renderer) -> None:
    prepared = prepare(TRAINING)
    assert prepared.rating is None
    assert not prepared.lead.rated
    assert prepared.lead.figure.key == "energy_per_unit"
    page = _parsed(_html(renderer, prepared))
    assert page.by_class("rating") == []
    assert "all measured IT energy" in page.by_class("headline")[0]["text"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_non_conformity_report_shows_no_class_and_says_not_certified(renderer: Renderer, lang: str) -> None:
    prepared = prepare(NON_CONFORMANT)
    assert not prepared.conformant
    assert prepared.rating is not None
    html = _html(renderer, prepared, lang)
    page = _parsed(html)
    assert not any(n for n in page.found if re.search(r"\bbar-[A-G]\b", n["attrs"].get("class", "")))
    (headline,) = page.by_class("headline")
    assert ("Not certified" if lang == "en" else "No certificado") in headline["text"]
    assert "watermark" in html
    text = visible_text(html)
    if lang == "en":
        assert "Not certified" in text
        assert "Declared figures (not certified)" in text
        assert "Not a certificate" in text
    else:
        assert "No certificado" in text
        assert "Cifras declaradas (no certificadas)" in text
    assert prepared.lead.figure.key == "energy_per_unit"
    assert not prepared.lead.rated


def test_a_conformant_certificate_with_a_real_key_has_no_watermark(renderer: Renderer) -> None:
    html = _html(renderer, prepare(VALID))
    assert "watermark" not in html
    assert "dev-banner" not in html


def _real_signer(folder: Path, passphrase: bytes) -> Any:
    """A signer whose certificate is not a development one (issued without the policy)."""
    ca = issue_dev_ca("Some CA")
    cert = issue(_name("Real Auditor", "Real Body"), issuer=ca, key=new_key(), days=30)
    (folder / "k.pem").write_bytes(
        cert.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
    )
    (folder / "c.pem").write_bytes(cert.cert.public_bytes(serialization.Encoding.PEM))
    return load_signer(key=folder / "k.pem", cert=folder / "c.pem", passphrase=passphrase)


def test_development_keys_are_told_from_others(pki: Any, tmp_path: Path, passphrase: bytes) -> None:
    assert auditor_of(pki.signer).development
    assert not auditor_of(_real_signer(tmp_path, passphrase)).development


def test_a_development_key_marks_every_page_and_verify_says_so(
    conformant_en: Any, pki: Any, poppler: Any, tmp_path: Path
) -> None:
    pages = poppler.pages(conformant_en.pdf)
    assert pages >= 2
    path = tmp_path / "dev.pdf"
    path.write_bytes(conformant_en.pdf)
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-raw", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert re.search(r"DEVELOPMENT\s+KEY,\s+NOT\s+VALID", text), f"page {page}"  # the watermark, rotated
    report = verify_bytes(conformant_en.pdf, pki.roots, crls=pki.crls)
    assert report.ok  # a development key still verifies against its own CA...
    assert report.development_key  # ...and verify says what it is
    assert report.to_json()["development_key"] is True


def test_a_single_run_gives_no_interval_and_training_prints_nodes_and_fitting_units(renderer: Renderer) -> None:
    prepared = prepare(TRAINING)
    assert prepared.results["statistics"]["n_runs"] == 1
    text = visible_text(_html(renderer, prepared))
    assert "confidence interval (runs)" not in text
    assert "a single run: no confidence interval can be given" in text
    sci_g = prepared.results["sci"]["score_g_co2e_per_unit"]
    assert sci_g > 1e6
    assert f"{sci_g / 1e6:.4g} t CO₂e" in text
    nodes = prepared.submission.system.hardware.nodes
    assert len(nodes) == 4
    hardware = _parsed(_html(renderer, prepared))
    ids = {x.node_id for x in nodes}
    cells = [n for n in hardware.found if n["tag"] == "td" and n["text"].strip("\u200b\u2068\u2069 \n") in ids]
    assert len(cells) == 4  # the per-node table in Annex B, one row per node
    assert "32 × NVIDIA H100 80GB HBM3" in text  # page 1 sums the accelerators once


def test_a_negative_lower_bound_is_printed_as_zero_and_says_so(renderer: Renderer) -> None:
    doc = json.loads(VALID.read_text(encoding="utf-8"))
    noisy = copy.deepcopy(doc)
    noisy["results"]["statistics"]["ci95_low"] = -3.2
    prepared = prepare_bytes(json.dumps(noisy).encode(), source_name="noisy.json", base_dir=None)
    page = _parsed(_html(renderer, prepared))
    (row,) = [n for n in page.by_class("fig") if "confidence interval" in n["text"]]
    text = row["text"]
    assert "-3.2" not in text
    assert "−3.2" not in text
    assert "lower bound shown as 0" in text


def test_the_verify_hint_names_the_file_written(pki: Any, renderer: Renderer, poppler: Any) -> None:
    issued = issue_certificate(
        VALID, renderer=renderer, signer=pki.signer, lang="en", issued_at=ISSUED_AT, file_name="vendor-x.pdf"
    )
    assert poppler.text(issued.pdf).count("une-eval verify vendor-x.pdf") == 2  # page 1's foot and Annex B
    default = re.sub(r"&#8203;|&#x206[89];|</?span[^>]*>", "", _html(renderer, prepare(VALID)))
    assert default.count("une-eval verify certificate-UEC-TEST-C.pdf --trust ca.pem --crl ca.crl") == 2


def test_verify_prints_the_development_key(conformant_en: Any, pki: Any) -> None:
    from rich.console import Console

    from une_eval.cli.certify import _print_verification

    console = Console(record=True, width=200)
    _print_verification(verify_bytes(conformant_en.pdf, pki.roots, crls=pki.crls, path="c.pdf"), console)
    assert "development key: signed with a key from `une-eval keys init`" in console.export_text()


def _catalogue(pdf: bytes) -> Any:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(pdf), strict=False).root


def test_a_tagged_pdf_a_3_with_each_attachment_listed_once(conformant_en: Any, tmp_path: Path) -> None:
    root = _catalogue(conformant_en.pdf)
    associated = [ref.get_object()["/F"] for ref in root["/AF"]]
    assert associated == ["submission.json", "findings.json"]
    relationships = {ref.get_object()["/F"]: ref.get_object()["/AFRelationship"] for ref in root["/AF"]}
    assert relationships == {"submission.json": "/Source", "findings.json": "/Data"}
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"]) == "en"
    kinds: set[str] = set()
    stack = [root["/StructTreeRoot"].get_object()]
    while stack and len(kinds) < 50:
        node = stack.pop()
        if isinstance(node, dict) or hasattr(node, "get"):
            if "/S" in node:
                kinds.add(str(node["/S"]))
            kids = node.get("/K")
            if kids is not None:
                kids = kids.get_object()
                stack += [
                    k.get_object() for k in (kids if isinstance(kids, list) else [kids]) if hasattr(k, "get_object")
                ]
    assert {"/H1", "/H2", "/Table", "/P"} <= kinds, kinds
    xmp = root["/Metadata"].get_object().data.decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    path = tmp_path / "c.pdf"
    path.write_bytes(conformant_en.pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)


def test_the_validity_period_comes_from_the_profile(renderer: Renderer) -> None:
    prepared = prepare(VALID)
    assert prepared.validity_days == 365  # une-style's validity_days
    text = " ".join(visible_text(_html(renderer, prepared)).split())
    assert "Valid 2026-11-26 – 2027-11-26 (365 days, the period the profile sets)" in text
    assert "the period the profile sets" not in visible_text(_html(renderer, prepare(NON_CONFORMANT)))
