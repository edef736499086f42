"""The audit dashboard's numbers, its self-contained page and its language (the browser test drives it)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.unit.report.test_document_language import _catalogue_words, _words
from une_eval.validation.batch import check_many
from une_eval.validation.dashboard import STRIP_WIDTH, dashboard
from une_eval.validation.scan import scan
from une_eval.validation.summary import render_html

ROOT = Path(__file__).resolve().parents[3]
FOLDERS = [ROOT / "fixtures" / name for name in ("valid", "invalid", "evidence", "bad-input")]


@pytest.fixture(scope="module")
def verdicts() -> list[dict[str, Any]]:
    return [a.to_json() for a in check_many(list(scan(FOLDERS).files), jobs=1)]


def test_the_dashboard_counts_what_the_audits_say(verdicts: list[dict[str, Any]]) -> None:
    board = dashboard(verdicts)
    assert len(board.rows) == len(verdicts)
    assert {b.label: b.count for b in board.verdicts} == {
        o: Counter(v["verdict"] for v in verdicts)[o] for o in ("conformant", "non-conformant", "invalid", "error")
    }
    classes = Counter(v["rating"]["class"] for v in verdicts if v.get("rating"))
    assert {b.label: b.count for b in board.classes if b.count} == dict(classes)
    failing = Counter(r for v in verdicts for r in {f["rule_id"] for f in v["findings"] if f["severity"] == "error"})
    top = failing.most_common(1)[0]
    assert board.rules[0].count == top[1]
    assert board.rules[0].label in {rule for rule, n in failing.items() if n == top[1]}
    assert board.rules[0].fraction == 1.0
    assert all(0 <= b.fraction <= 1 for b in board.rules)
    # Only comparable values share a strip: same phase, energy unit and functional unit.
    for strip in board.strips:
        assert len(strip.values) == len(strip.positions)
        assert all(0 <= x <= STRIP_WIDTH for x in strip.positions)
        assert strip.low <= strip.median <= strip.high
    inference = [s for s in board.strips if s.phase == "inference" and s.unit_name == "query"]
    assert inference
    # The reason a file could not be checked, and who a schema-invalid file is from, are kept.
    errors = [r for r in board.rows if r.verdict == "error"]
    assert errors
    assert all(r.reason for r in errors)
    invalid = [r for r in board.rows if r.verdict == "invalid" and r.organisation]
    assert invalid, "schema-invalid files whose JSON parsed keep their organisation"


def _csp(html: str) -> str:
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert match
    return match.group(1)


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_page_is_self_contained_and_its_policy_allows_only_its_own_style_and_script(
    verdicts: list[dict[str, Any]],
) -> None:
    html = render_html(verdicts).decode("utf-8")
    csp = _csp(html)
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    assert style
    assert script
    assert f"style-src '{_hash(style.group(1))}'" in csp
    assert f"script-src '{_hash(script.group(1))}'" in csp
    assert len(re.findall(r"<script", html)) == 1
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "url(" not in style.group(1)
    assert html.count('<tbody class="file"') == len(verdicts)


def test_the_summary_speaks_its_language(verdicts: list[dict[str, Any]]) -> None:
    catalogue = _catalogue_words()
    vendor = {w for v in verdicts for w in _words(repr(v))}
    for lang, other in (("es", "en"), ("en", "es")):
        html = render_html(verdicts, lang=lang).decode("utf-8")
        text = re.sub(r"<(script|style)>.*?</\1>", " ", html, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        foreign = (_words(text) & (catalogue[other] - catalogue[lang])) - vendor
        assert foreign == set(), (lang, sorted(foreign))
    assert "Resumen de auditoría de une-eval" in render_html(verdicts, lang="es").decode("utf-8")
