"""AI Energy Score / optimum-benchmark reports: phases summed, broken runs left out, units checked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.errors import InputError
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source

AES = FIXTURES / "import" / "aienergyscore"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
KWH = 3_600_000.0


def _import(src: Path, out: Path) -> dict[str, Any]:
    result = import_source(src, out, now=NOW, options=Options())
    assert result.check.other_errors == ()
    assert result.source_format.name == "ai-energy-score-report"
    return result.document


def _rules(doc: dict[str, Any]) -> list[str]:
    return [f["rule_id"] for f in doc["provenance"].get("findings", [])]


def test_inference_phases_are_summed_and_one_off_phases_left_out(tmp_path: Path) -> None:
    doc = _import(AES / "benchmark_report.json", tmp_path / "d")
    report = json.loads((AES / "benchmark_report.json").read_text())
    phases = ("preprocess_dataset", "prefill", "decode")
    (run,) = doc["measurement"]["runs"]
    assert run["energy"]["gpu_j"] == pytest.approx(sum(report[p]["energy"]["gpu"] for p in phases) * KWH)
    assert run["energy"]["dram_j"] == pytest.approx(sum(report[p]["energy"]["ram"] for p in phases) * KWH)
    assert run["energy"]["total_j"] == pytest.approx(sum(report[p]["energy"]["total"] for p in phases) * KWH)
    assert _rules(doc) == []
    assert any("load_model" in n for n in doc["provenance"]["notes"])


def test_a_zero_run_and_a_negative_decode_are_findings_not_averaged(tmp_path: Path) -> None:
    doc = _import(AES / "benchmark-runs.json", tmp_path / "d")
    assert _rules(doc).count("import.zero-values") == 1
    assert _rules(doc).count("import.negative-values") == 1
    (run,) = doc["measurement"]["runs"]
    report = json.loads((AES / "benchmark-runs.json").read_text())["report"]
    first = sum(report[p]["energy"][0]["gpu"] for p in ("preprocess_dataset", "prefill", "decode"))
    assert run["energy"]["gpu_j"] == pytest.approx(first * KWH)
    assert run["work_units"] == 1000
    assert doc["system"]["model"]["name"] == "ACME/acme-chat-8b"


def _report(tmp_path: Path, **energy: Any) -> Path:
    base = {"unit": "kWh", "cpu": 0.1, "ram": 0.1, "gpu": 0.3, "total": 0.5}
    src = tmp_path / "benchmark_report.json"
    src.write_text(json.dumps({"prefill": {"energy": base | energy}, "decode": {"energy": base}}))
    return src


def test_total_not_the_sum_of_parts_and_wrong_magnitude(tmp_path: Path) -> None:
    assert "import.parts-sum" in _rules(_import(_report(tmp_path, total=0.9), tmp_path / "a"))
    big = _import(_report(tmp_path, gpu=5000.0, total=5000.2), tmp_path / "b")
    assert "import.unit-magnitude" in _rules(big)


def test_energy_in_wh_is_converted_and_an_unknown_unit_refused(tmp_path: Path) -> None:
    doc = _import(_report(tmp_path, unit="Wh"), tmp_path / "a")
    assert doc["measurement"]["runs"][0]["energy"]["gpu_j"] == pytest.approx(0.3 * 3600 + 0.3 * KWH)
    with pytest.raises(InputError, match="unknown energy unit"):
        import_source(_report(tmp_path, unit="kWatt-h"), tmp_path / "b", now=NOW)


def test_the_runner_report_gives_one_run_of_gpu_energy_for_the_successful_prompts(tmp_path: Path) -> None:
    doc = _import(AES / "runner_benchmark_report.json", tmp_path / "d")
    source = json.loads((AES / "runner_benchmark_report.json").read_text())
    (run,) = doc["measurement"]["runs"]
    assert run["energy"]["gpu_j"] == pytest.approx(source["energy"]["gpu_energy_wh"] * 3600)
    assert run["duration_s"] == source["summary"]["total_duration_seconds"]
    assert run["work_units"] == source["summary"]["successful_prompts"]
    assert doc["results"]["emissions_g_co2e"] == source["energy"]["emissions_g_co2eq"]
    assert any("failed" in n for n in doc["provenance"]["notes"])


def test_a_runner_report_of_zero_energy_is_a_finding(tmp_path: Path) -> None:
    src = tmp_path / "benchmark_report.json"
    src.write_text(json.dumps({"summary": {"successful_prompts": 10}, "energy": {"gpu_energy_wh": 0}}))
    assert "import.zero-values" in _rules(_import(src, tmp_path / "d"))
    src.write_text(json.dumps({"summary": {}, "energy": {"gpu_energy_wh": -3.5}}))
    doc = _import(src, tmp_path / "e")
    assert "import.negative-values" in _rules(doc)
    assert "energy" not in doc["measurement"]["runs"][0]


def _phase(energy: dict[str, Any] | None, measures: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {"memory": None, "latency": None, "throughput": None, "energy": energy, "measures": measures}


def _kwh(cpu: float, ram: float, gpu: float) -> dict[str, Any]:
    return {"unit": "kWh", "cpu": cpu, "ram": ram, "gpu": gpu, "total": cpu + ram + gpu}


def test_per_run_measures_are_the_runs_and_their_mean_is_not_imported(tmp_path: Path) -> None:
    # The shape of a real AI Energy Score report: each phase's per-run energies in "measures", "energy" their
    # mean (the failed runs included), and a preprocess done once with an energy but no measures.
    prefill = [_kwh(0.004, 0.0001, 0.08), _kwh(0.004, 0.0001, 0.08), _kwh(0.0, 0.0, 0.0)]
    decode = [_kwh(0.005, 0.0001, 0.07), _kwh(-0.004, -0.0001, -0.08), _kwh(0.009, 0.0002, 0.15)]
    report = {
        "prefill": _phase(_kwh(0.00267, 0.0000667, 0.0533), prefill),
        "decode": _phase(_kwh(0.00333, 0.0000667, 0.0467), decode),
        "per_token": _phase(None, None),
        "preprocess": _phase(_kwh(0.00001, 0.0000002, 0.0002), None),
    }
    src = tmp_path / "benchmark_report.json"
    src.write_text(json.dumps(report))
    result = import_source(src, tmp_path / "d", now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC), options=Options())
    doc = result.document
    runs = doc["measurement"]["runs"]
    assert len(runs) == 2  # run 1's decode is negative: left out
    assert runs[0]["energy"]["gpu_j"] == pytest.approx((0.08 + 0.07) * 3.6e6)
    assert runs[1]["energy"]["gpu_j"] == pytest.approx((0.0 + 0.15) * 3.6e6)  # decode = generate - a 0 prefill
    found = [f for f in doc["provenance"]["findings"] if f["rule_id"] == "import.negative-values"]
    assert [f["location"] for f in found] == ["prefill.measures[1], decode.measures[1]"]
    assert any("one-off" in n and "preprocess" in n for n in doc["provenance"]["notes"])
