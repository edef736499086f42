"""Every importer's findings worded in Spanish: the sentence and its location, with no English template left."""

from __future__ import annotations

import ast
import datetime as dt
import json
import string
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.findings import Finding, Message, Severity
from une_eval.import_wording import LOCATIONS, finding_message, location
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source
from une_eval.report.language import language

IMPORTS = FIXTURES / "import"
PACKAGE = Path(__file__).resolve().parents[3] / "une_eval" / "importers"
MLPERF = IMPORTS / "mlperf" / "closed" / "ACME" / "results" / "ACME-4xH100" / "resnet50"
NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
ZEUS_SUSPECT = (
    "start_time,window_name,elapsed_time,gpu0_energy,gpu1_energy\n"
    "1700000000.0,a,10.0,0.0,0.0\n"
    "1700000000.0,a,10.0,0.0,0.0\n"
    "1700000005.0,b,10.0,100.0,-5.0\n"
    "1700000020.0,c,10.0,100.0,100.0\n"
    "1700000025.0,d,10.0,50000000.0,100.0\n"
)
BOARD_SUSPECT = "model,total_gpu_energy,energy_score\na/x,-1,1\na/x,-1,1\nb/y,2500,1\n"


def _fixtures() -> list[tuple[Path, Options]]:
    """Every source under fixtures/import, with the selection or time zone it needs."""
    picked = {
        "text_generation.csv": Options(select="openai/gpt-oss-20b"),
        "A100_chat_benchmark.csv": Options(select="metaai/Llama-2-7b-chat-hf"),
        "lm-arena-chat.json": Options(select="model_id=Qwen/Qwen3-8B,max_num_seqs=16"),
        "dcgm-grafana.csv": Options(timezone=dt.UTC),
        "nvidia-smi-power.csv": Options(timezone=dt.UTC),
    }
    sources = [
        p
        for p in sorted(IMPORTS.glob("*/*"))
        if p.is_file() and p.suffix in {".csv", ".json"} and p.parent.name not in {"mlperf"}
    ]
    sources += sorted(IMPORTS.glob("modelcard/*/README.md"))
    sources += [IMPORTS / "carbontracker" / "session", MLPERF / "Offline", MLPERF / "SingleStream"]
    return [(p, picked.get(p.name, Options(phase="inference"))) for p in sources]


def _findings(src: Path, out: Path, options: Options) -> list[dict[str, Any]]:
    doc = import_source(src, out, now=NOW, options=options).document
    found: list[dict[str, Any]] = doc["provenance"].get("findings", [])
    return found


def _assert_worded_in_spanish(found: dict[str, Any]) -> None:
    assert "template" in found, f"{found['rule_id']} at {found['location']}: recorded without a template"
    worded = finding_message(found["template"], found["params"], "f.csv", found["location"])
    assert worded is not None
    assert str(worded) == f"f.csv, {found['location']}: {found['message']}"  # the English wording is unchanged
    spanish = language("es").message(worded)
    assert spanish is not None, f"no Spanish for {found['template']!r}"
    assert spanish != str(worded)
    assert found["template"].removeprefix("{file}, {location}: ") not in spanish
    phrase = worded.params[-1][1]
    if isinstance(phrase, Message):  # the location's words are Spanish too
        assert language("es").message(phrase) not in (None, str(phrase))
    else:  # only the source's own names (keys, JSON paths), which stay as they are
        assert all(" " not in part for part in str(phrase).split(", ")), phrase


def test_the_fixtures_give_findings_of_every_kind_of_source(tmp_path: Path) -> None:
    formats = set()
    for i, (src, options) in enumerate(_fixtures()):
        if _findings(src, tmp_path / str(i), options):
            formats.add(src.parts[len(IMPORTS.parts)])
    assert {"aienergyscore", "carbontracker", "codecarbon", "dcgm", "mlenergy", "mlperf", "modelcard"} <= formats


@pytest.mark.parametrize(
    ("src", "options"), _fixtures(), ids=lambda v: "/".join(v.parts[-2:]) if isinstance(v, Path) else ""
)
def test_every_fixture_finding_is_worded_in_spanish(tmp_path: Path, src: Path, options: Options) -> None:
    for found in _findings(src, tmp_path / "d", options):
        _assert_worded_in_spanish(found)


@pytest.mark.parametrize(
    ("name", "text", "select", "expected"),
    [
        ("zeus.csv", ZEUS_SUSPECT, None, 5),
        ("image_generation.csv", BOARD_SUSPECT, "a/x", 3),
        ("image_generation.csv", BOARD_SUSPECT, "b/y", 3),
    ],
)
def test_suspicious_zeus_and_leaderboard_findings_are_worded_in_spanish(
    tmp_path: Path, name: str, text: str, select: str | None, expected: int
) -> None:
    src = tmp_path / name
    src.write_text(text)
    found = _findings(src, tmp_path / "d", Options(phase="inference", select=select))
    assert len(found) >= expected
    for one in found:
        _assert_worded_in_spanish(one)


def test_a_repeated_window_names_where_it_was_first_seen_in_spanish(tmp_path: Path) -> None:
    src = tmp_path / "zeus.csv"
    src.write_text(ZEUS_SUSPECT)
    found = _findings(src, tmp_path / "d", Options(phase="inference"))
    repeated = next(f for f in found if f["rule_id"] == "import.duplicate-rows")
    worded = finding_message(repeated["template"], repeated["params"], "zeus.csv", repeated["location"])
    assert worded is not None
    assert str(worded) == "zeus.csv, line 3: the same window as line 2; left out"
    assert language("es").message(worded) == "zeus.csv, línea 3: la misma ventana que línea 2; se omite"


@pytest.mark.parametrize("phrase", LOCATIONS, ids=lambda m: m.template)
def test_every_location_phrase_reads_back_and_is_worded_in_spanish(phrase: Message) -> None:
    fields = [name for _, name, _, _ in string.Formatter().parse(phrase.template) if name]
    example = phrase.template.format_map(
        {f: "7" if f in {"line", "first", "last", "count", "epoch", "epochs"} else "k" for f in fields}
    )
    read = location(example)
    assert isinstance(read, Message)
    assert read.template == phrase.template
    assert str(read) == example
    spanish = language("es").message(read)
    assert spanish is not None
    assert spanish != example


def test_a_location_of_source_names_only_is_kept_as_written() -> None:
    assert location("report.prefill.energy[1], report.decode.energy[1]") == (
        "report.prefill.energy[1], report.decode.energy[1]"
    )
    assert location("line 12345") == Message("line {line}", (("line", "12345"),))  # not grouped by thousands


def _plain_english_findings(path: Path) -> list[int]:
    """Lines where a module records a finding with a plain string (not a message template)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "finding":
            message = (
                node.args[3]
                if len(node.args) > 3
                else next((k.value for k in node.keywords if k.arg == "message"), None)
            )
            if isinstance(message, ast.Constant | ast.JoinedStr | ast.BinOp):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_importer_records_a_finding_as_a_plain_english_string(module: Path) -> None:
    assert _plain_english_findings(module) == []


def test_a_worded_location_survives_the_findings_file(tmp_path: Path) -> None:
    src = tmp_path / "zeus.csv"
    src.write_text(ZEUS_SUSPECT)
    found = _findings(src, tmp_path / "d", Options(phase="inference"))[0]
    worded = finding_message(found["template"], found["params"], "zeus.csv", found["location"])
    assert worded is not None
    finding = Finding.of(found["rule_id"], Severity.WARNING, "/provenance/findings/0", worded)
    back = Finding.from_json(json.loads(json.dumps(finding.to_json())))
    assert back.wording == worded
    es = language("es")
    assert es.finding(back, "title") == es.message(worded)
    assert "línea 2" in es.finding(back, "title")
