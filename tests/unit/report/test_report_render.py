from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from une_eval.errors import InputError, ReportError
from une_eval.report.charts import RunWindow, layout_chart, nice_ticks
from une_eval.report.content import check_number, new_certificate_number, prepare, prepare_bytes
from une_eval.report.render import BundledOnlyFetcher, Renderer, format_number, reports_root
from une_eval.report.sign import SIGNATURE_BOX, Auditor
from une_eval.traces import summarize_trace

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
AUDITOR = Auditor("Marta Ruiz", "Auditoría Energética Ejemplo S.L.")
HOSTILE = {
    ("system", "model", "name"): '<img src="file:///etc/passwd"> <script>alert(1)</script>',
    ("submitter", "organisation"): "<style>body{background:url(http://127.0.0.1:1/x)}</style>Evil & Co",
    ("attestation", "statement"): "W" * 420,
    ("system", "model", "provider"): "שלום עולם مرحبا بالعالم",
    ("system", "software", "framework"): "PyTorch 🔥⚡ <b>bold</b>",
    ("system", "site", "region"): "R" * 300,
}


def _set(doc: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def test_numbers_follow_each_language() -> None:
    # CLDR's conventions through Babel: Spanish groups with a point and writes a decimal comma.
    assert format_number(71.74662, "en") == "71.75"
    assert format_number(71.74662, "es") == "71,75"
    assert format_number(1291440.0, "en") == "1,291,440"
    assert format_number(1291440.0, "es") == "1.291.440"
    assert format_number(1000.0, "en", 6) == "1,000"
    assert format_number(0.0004484, "en") == "0.0004484"
    assert format_number(-0.5, "es") == "-0,5000"  # four significant figures
    assert format_number(None, "en") == "–"
    assert format_number(float("nan"), "es") == "–"
    assert format_number(3e300, "en") == "3E300"


def test_fetcher_serves_only_bundled_resources(tmp_path: Path) -> None:
    root = reports_root()
    fetcher = BundledOnlyFetcher(root)
    font = fetcher.fetch((root / "fonts" / "DejaVuSans.ttf").as_uri())
    assert font.read(4) == b"\x00\x01\x00\x00"
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    for url in (
        "file:///etc/passwd",
        outside.as_uri(),
        "http://127.0.0.1:1/x",
        "https://example.com/a.css",
        (root / "fonts" / ".." / ".." / "pyproject.toml").as_uri(),
        "data:text/plain,hello",
        "file://attacker/share/x",
    ):
        with pytest.raises(ValueError, match="bundled"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 7


def test_certificate_numbers_are_unique_and_checked() -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    numbers = {new_certificate_number(now) for _ in range(200)}
    assert len(numbers) == 200
    assert all(n.startswith("UEC-20261126-") for n in numbers)
    assert check_number("CB-2026/1".replace("/", "-")) == "CB-2026-1"
    for bad in ("", "../x", "a b", "x" * 65, "<b>"):
        with pytest.raises(InputError):
            check_number(bad)


def test_the_efficiency_class_of_the_rating_scheme_is_drawn(renderer: Renderer) -> None:
    prepared = prepare(VALID)
    assert prepared.rating is not None
    html = renderer.html(
        prepared,
        number="UEC-TEST-R",
        issued_at=prepared.submission.created_at,
        auditor=AUDITOR,
        lang="en",
        findings_sha256="0" * 64,
    )
    chosen = re.findall(r'class="bar bar-[A-G] chosen" data-class="([^"]+)"', html)
    assert chosen == [prepared.rating.grade]
    assert html.count('data-class="') == len(prepared.rating.classes) == 5
    # The class says it is relative, and to which reference set, edition and date
    assert 'data-kind="relative"' in html
    assert "Relative class: placed among the reference values of" in html
    assert "AI Energy Score leaderboard, February 2025 (2025-02)" in html
    assert "provisional scheme, not an official label" not in html
    absolute = prepare(VALID, rating_scheme="absolute-example")
    html = renderer.html(
        absolute,
        number="UEC-TEST-A",
        issued_at=absolute.submission.created_at,
        auditor=AUDITOR,
        lang="en",
        findings_sha256="0" * 64,
    )
    assert 'data-kind="absolute"' in html
    assert "Absolute class: against the scheme" in html
    assert "provisional scheme, not an official label" in html
    assert html.count('data-class="') == 7
    training = prepare(ROOT / "fixtures" / "valid" / "training-multinode-h100.json")
    assert training.rating is None
    html = renderer.html(
        training,
        number="UEC-TEST-T",
        issued_at=training.submission.created_at,
        auditor=AUDITOR,
        lang="en",
        findings_sha256="0" * 64,
    )
    assert ' chosen" data-class=' not in html


def test_schema_invalid_and_unreadable_submissions_are_refused(tmp_path: Path) -> None:
    bad = ROOT / "fixtures" / "invalid" / "schema-missing-and-wrong-types.json"
    with pytest.raises(InputError, match="does not follow the schema"):
        prepare(bad)
    with pytest.raises(InputError, match="not valid JSON"):
        prepare_bytes(b"{nope", source_name="x.json", base_dir=None)
    with pytest.raises(InputError, match="cannot read"):
        prepare(tmp_path / "missing.json")


def test_hostile_strings_render_as_inert_text(renderer: Renderer, poppler: Any) -> None:
    doc = json.loads(VALID.read_text(encoding="utf-8"))
    hostile = copy.deepcopy(doc)
    for path, value in HOSTILE.items():
        _set(hostile, path, value)
    # Checked beside the example's real traces, so the certificate is one of conformity.
    prepared = prepare_bytes(
        json.dumps(hostile).encode(), source_name="hostile.json", base_dir=ROOT / "fixtures" / "valid"
    )
    assert prepared.conformant
    refused_before = len(renderer.fetcher.refused)
    html = renderer.html(
        prepared,
        number="UEC-TEST-H",
        issued_at=prepared.submission.created_at,
        auditor=AUDITOR,
        lang="en",
        findings_sha256="0" * 64,
    )
    assert "<img src=" not in html
    assert "<script>" not in html
    assert "<style>body" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    cert = renderer.render(prepared, number="UEC-TEST-H", auditor=AUDITOR, lang="en")
    assert len(renderer.fetcher.refused) == refused_before  # nothing outside the bundle was even asked for
    text = poppler.text(cert.pdf)
    assert '<img src="file:///etc/passwd">' in text
    assert "url(http://127.0.0.1:1/x)" in text
    assert "root:x:0:0" not in text
    assert re.sub(r"[^W]", "", text).count("W") >= 420  # the long word is all there...
    assert poppler.max_x(cert.pdf) <= 595 - 42 + 1  # ...and wraps inside the right margin (A4, 42 pt)
    assert poppler.pages(cert.pdf) <= 3  # long vendor strings may push the annex to a third page, no further


def _trace_csv(n: int) -> bytes:
    rows = ["time_unix_ns,power_instant_mw,phase"]
    start_ns = 1_790_000_000_000_000_000
    rows += [f"{start_ns + i * 100_000_000},{300_000 + 50_000 * (i % 20)},run-0" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


def test_traces_are_hashed_charted_and_never_read_outside_the_folder(
    tmp_path: Path, renderer: Renderer, poppler: Any
) -> None:
    folder = tmp_path / "vendor"
    (folder / "traces").mkdir(parents=True)
    trace = _trace_csv(1000)
    (folder / "traces" / "gpu0.csv").write_bytes(trace)
    secret = tmp_path / "outside.csv"
    secret.write_bytes(_trace_csv(10))
    os.symlink(secret, folder / "traces" / "gpu1.csv")
    doc = json.loads(VALID.read_text(encoding="utf-8"))
    columns = [{"name": "time_unix_ns", "unit": "ns"}, {"name": "power_instant_mw", "unit": "mW"}]
    doc["measurement"]["traces"] = [
        {
            "path": "traces/gpu0.csv",
            "sha256": hashlib.sha256(trace).hexdigest(),
            "format": "csv",
            "columns": columns,
            "device_id": "node0-gpu0",
        },
        {"path": "traces/gpu1.csv", "sha256": "a" * 64, "format": "csv", "columns": columns, "device_id": "node0-gpu1"},
    ]
    (folder / "sub.json").write_text(json.dumps(doc), encoding="utf-8")
    prepared = prepare(folder / "sub.json")
    first, second = prepared.traces
    assert (first.note, second.note) == ("match", "outside")
    assert first.power is not None
    assert len(first.power.time_s) <= 400
    assert max(first.power.power_w) == 1250.0
    assert second.power is None
    assert second.sha256_actual is None
    cert = renderer.render(prepared, number="UEC-TEST-T", auditor=AUDITOR, lang="es")
    text = poppler.text(cert.pdf)
    assert "POTENCIA A LO LARGO DEL TIEMPO" in text.upper()
    assert hashlib.sha256(trace).hexdigest() in text
    assert "ruta fuera de la carpeta" in text


def test_chart_layout_scales_into_the_box(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(_trace_csv(50))
    series = summarize_trace(tmp_path, "t.csv", "csv").power
    assert series is not None
    assert series.time_s[0] == 0.0
    assert series.time_s[-1] == pytest.approx(4.9)
    chart = layout_chart([("gpu <0>", series)])
    assert chart is not None
    assert chart.lines[0].label == "gpu <0>"
    xs = [float(p.split(",")[0]) for p in chart.lines[0].points.split()]
    ys = [float(p.split(",")[1]) for p in chart.lines[0].points.split()]
    assert min(xs) >= chart.left
    assert max(xs) <= chart.width
    assert min(ys) >= 0
    assert max(ys) <= chart.height - chart.bottom
    assert nice_ticks(1250) == [0, 500, 1000, 1500] or nice_ticks(1250)[-1] >= 1250
    assert layout_chart([]) is None
    (tmp_path / "counter-only.csv").write_bytes(b"time_unix_ns,energy_mj\n1,5\n2,6\n")
    assert summarize_trace(tmp_path, "counter-only.csv", "csv").power is None


def test_chart_shades_run_windows_and_marks_a_failed_run(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(_trace_csv(100))  # 10 s of samples from start_ns
    series = summarize_trace(tmp_path, "t.csv", "csv").power
    assert series is not None
    start_ns = 1_790_000_000_000_000_000
    assert series.start_unix_ns == start_ns
    runs = [
        RunWindow(0, start_ns + 1_000_000_000, start_ns + 3_000_000_000, True),
        RunWindow(1, start_ns + 4_000_000_000, start_ns + 6_000_000_000, False),
        RunWindow(2, start_ns - 9_000_000_000, start_ns - 8_000_000_000, True),  # before the trace: not drawn
        RunWindow(3, start_ns + 9_000_000_000, start_ns + 60_000_000_000, True),  # clipped at the axis' end
    ]
    chart = layout_chart([("gpu0", series)], runs=runs)
    assert chart is not None
    assert [(b.index, b.failed) for b in chart.bands] == [(0, False), (1, True), (3, False)]
    plot_right = chart.left + (chart.width - chart.left - 8)
    for band in chart.bands:
        assert chart.left <= band.x0 < band.x1 <= plot_right + 1e-9
    first, second = chart.bands[0], chart.bands[1]
    assert second.x0 - first.x0 == pytest.approx((first.x1 - first.x0) * 1.5)  # 3 s apart, 2 s wide


def test_unknown_language_is_refused(renderer: Renderer) -> None:
    prepared = prepare(VALID)
    with pytest.raises(ReportError, match="unknown language"):
        renderer.html(
            prepared,
            number="N",
            issued_at=prepared.submission.created_at,
            auditor=AUDITOR,
            lang="fr",
            findings_sha256="0" * 64,
        )


@pytest.mark.parametrize("name", ["llm-inference-h100", "training-multinode-h100"])
def test_page_one_leaves_the_signature_box_free(renderer: Renderer, name: str, tmp_path: Path) -> None:
    # The visible signature is stamped at fixed coordinates on page 1: no page content may lie under it.
    prepared = prepare(ROOT / "fixtures" / "valid" / f"{name}.json")
    cert = renderer.render(prepared, number="UEC-TEST-BOX", auditor=AUDITOR, lang="es")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(cert.pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    page_h = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    x1, y1, x2, y2 = SIGNATURE_BOX  # PDF points, origin bottom-left
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    assert words
    under = [
        w[4]
        for w in words
        if float(w[0]) < x2 and float(w[2]) > x1 and page_h - float(w[3]) < y2 and page_h - float(w[1]) > y1
    ]
    assert under == []
