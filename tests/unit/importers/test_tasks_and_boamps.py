"""CodeCarbon's task CSV and BoAmps reports: real CodeCarbon output from this machine, older forms, defects."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.errors import InputError
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source

TASKS = FIXTURES / "import" / "codecarbon-task" / "task-emissions.csv"
BOAMPS = FIXTURES / "import" / "boamps" / "boamps-report.json"
NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
KWH = 3_600_000.0


def _import(src: Path, out: Path, fmt: str | None = None, phase: str | None = None) -> dict[str, Any]:
    result = import_source(src, out, source_format=fmt, now=NOW, options=Options(phase=phase, timezone=dt.UTC))
    assert result.check.other_errors == ()
    return result.document


def _findings(doc: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in doc["provenance"].get("findings", []) if f["rule_id"] == rule_id]


def _basis(doc: dict[str, Any]) -> dict[str, str]:
    return {v["pointer"]: v["basis"] for v in doc["provenance"]["values"]}


def test_real_task_csv_each_task_a_run_in_joules(tmp_path: Path) -> None:
    doc = _import(TASKS, tmp_path / "d", phase="training")
    assert doc["provenance"]["source_format"] == "codecarbon-tasks"
    rows = list(csv.DictReader(io.StringIO(TASKS.read_text())))
    runs = doc["measurement"]["runs"]
    assert len(runs) == len(rows) == 3
    for run, row in zip(runs, rows, strict=True):
        assert run["energy"]["total_j"] == pytest.approx(float(row["energy_consumed"]) * KWH, rel=1e-12)
        assert run["energy"]["cpu_j"] == pytest.approx(float(row["cpu_energy"]) * KWH, rel=1e-12)
        assert run["duration_s"] == float(row["duration"])
    emissions = sum(float(r["emissions"]) for r in rows) * 1000
    assert doc["results"]["emissions_g_co2e"] == pytest.approx(emissions, rel=1e-12)
    assert _basis(doc)["/measurement/runs/0/energy/cpu_j"] == "estimated"  # no RAPL here: CodeCarbon's TDP estimate
    assert {m["method"] for m in doc["measurement"]["methods"]} == {"estimate"}
    assert any("'train-epoch-1'" in n for n in doc["provenance"]["notes"])


def test_task_csv_is_not_taken_for_emissions_csv(tmp_path: Path) -> None:
    result = import_source(TASKS, tmp_path / "d", now=NOW)
    assert result.source_format.name == "codecarbon-tasks"
    with pytest.raises(InputError, match="task_name"):
        import_source(
            FIXTURES / "import" / "codecarbon" / "emissions.csv", tmp_path / "e", source_format="codecarbon-tasks"
        )


def test_task_csv_repeated_task_and_parts_sum(tmp_path: Path) -> None:
    lines = TASKS.read_text().splitlines()
    header = lines[0].split(",")
    bad = lines[1].split(",")
    bad[header.index("energy_consumed")] = "1.0"
    src = tmp_path / "t.csv"
    src.write_text("\n".join([lines[0], lines[1], lines[1], ",".join(bad)]) + "\n")
    doc = _import(src, tmp_path / "d")
    assert len(_findings(doc, "import.duplicate-rows")) == 2  # the repeated line, the repeated task name
    assert len(_findings(doc, "import.parts-sum")) == 1


def test_real_boamps_report_energy_is_kwh_not_power(tmp_path: Path) -> None:
    doc = _import(BOAMPS, tmp_path / "d")
    assert doc["provenance"]["source_format"] == "codecarbon-boamps"
    report = json.loads(BOAMPS.read_text())
    (run,) = doc["measurement"]["runs"]
    assert run["energy"]["total_j"] == pytest.approx(report["measures"][0]["powerConsumption"] * KWH, rel=1e-12)
    assert run["duration_s"] == report["measures"][0]["measurementDuration"]
    assert run["work_units"] == report["task"]["nbRequest"]
    assert doc["phase"] == "inference"
    assert _basis(doc)["/measurement/runs/0/energy/total_j"] == "estimated"  # CPU without RAPL: TDP estimate
    assert doc["system"]["model"]["name"] == "acme-1b"


def _report(tmp_path: Path, **measure: Any) -> Path:
    report = json.loads(BOAMPS.read_text())
    report["measures"] = [report["measures"][0] | measure]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report))
    return path


@pytest.mark.parametrize(("unit", "factor_j"), [("Wh", 3600.0), ("kJoule", 1000.0), ("mWh", 3.6), ("kWh", KWH)])
def test_boamps_older_unit_field_is_honoured(tmp_path: Path, unit: str, factor_j: float) -> None:
    doc = _import(_report(tmp_path, unit=unit, powerConsumption=2.5), tmp_path / "d")
    assert doc["measurement"]["runs"][0]["energy"]["total_j"] == pytest.approx(2.5 * factor_j, rel=1e-12)


@pytest.mark.parametrize("unit", ["teraFLOPS", "BTU", "kwh"])
def test_boamps_unknown_unit_is_an_error(tmp_path: Path, unit: str) -> None:
    with pytest.raises(InputError, match="not an energy unit"):
        _import(_report(tmp_path, unit=unit), tmp_path / "d")


def test_boamps_negative_and_zero_energy_are_findings(tmp_path: Path) -> None:
    doc = _import(_report(tmp_path, powerConsumption=-1.0), tmp_path / "d")
    assert len(_findings(doc, "import.negative-values")) == 1
    assert "total_j" not in doc["measurement"]["runs"][0].get("energy", {})
    doc = _import(_report(tmp_path, powerConsumption=0), tmp_path / "e")
    assert len(_findings(doc, "import.zero-values")) == 1


def test_boamps_measures_of_another_method_are_not_summed(tmp_path: Path) -> None:
    report = json.loads(BOAMPS.read_text())
    meter = {"measurementMethod": "wattmeter", "powerConsumption": 1.0, "measurementDuration": 4.0}
    report["measures"].append(meter)
    src = tmp_path / "r.json"
    src.write_text(json.dumps(report))
    doc = _import(src, tmp_path / "d")
    assert len(doc["measurement"]["runs"]) == 1
    assert any("wattmeter" in n for n in doc["provenance"]["notes"])


@pytest.mark.parametrize(
    "text",
    ['{"measures": [{"powerConsumption": "lots"}]}', '{"measures": []}', "[" * 100_000, '{"measures": 3'],
)
def test_boamps_hostile_reports_are_one_line_errors(tmp_path: Path, text: str) -> None:
    src = tmp_path / "h.json"
    src.write_text(text)
    with pytest.raises(InputError):
        _import(src, tmp_path / "d", fmt="codecarbon-boamps")


def test_boamps_energy_too_large_for_joules_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="too large"):
        _import(_report(tmp_path, powerConsumption=1e308), tmp_path / "d")
