"""CodeCarbon emissions.csv: real output from this machine, older column sets, and suspicious rows."""

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
from une_eval.model import Submission
from une_eval.validation.evidence import load_evidence

CC = FIXTURES / "import" / "codecarbon"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
KWH = 3_600_000.0


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def _import(src: Path, out: Path, tz: dt.tzinfo | None = dt.UTC, phase: str | None = "training") -> dict[str, Any]:
    result = import_source(src, out, now=NOW, options=Options(phase=phase, timezone=tz))
    assert result.check.other_errors == ()
    assert result.source_format.name == "codecarbon-emissions"
    return result.document


def _findings(doc: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in doc["provenance"].get("findings", []) if f["rule_id"] == rule_id]


def test_real_output_imports_with_kwh_to_joules_and_kg_to_grams(tmp_path: Path) -> None:
    doc = _import(CC / "emissions.csv", tmp_path / "d")
    last = _rows(CC / "emissions.csv")[-1]
    (run,) = doc["measurement"]["runs"]
    assert run["energy"]["cpu_j"] == pytest.approx(float(last["cpu_energy"]) * KWH, rel=1e-12)
    assert run["energy"]["dram_j"] == pytest.approx(float(last["ram_energy"]) * KWH, rel=1e-12)
    assert run["energy"]["total_j"] == pytest.approx(float(last["energy_consumed"]) * KWH, rel=1e-12)
    assert "gpu_j" not in run["energy"]  # gpu_count 0: no GPU invented
    assert run["duration_s"] == float(last["duration"])
    assert doc["results"]["emissions_g_co2e"] == pytest.approx(float(last["emissions"]) * 1000, rel=1e-12)
    methods = {m["component"]: m["method"] for m in doc["measurement"]["methods"]}
    assert methods == {"cpu": "estimate", "dram": "estimate"}
    basis = {v["pointer"]: v["basis"] for v in doc["provenance"]["values"]}
    assert basis["/measurement/runs/0/energy/cpu_j"] == "estimated"
    assert basis["/results/emissions_g_co2e"] == "estimated"
    assert doc["provenance"]["source_tool"] == {"name": "CodeCarbon", "version": "3.3.2"}


def test_flush_snapshots_become_counter_traces_that_recompute_the_run(tmp_path: Path) -> None:
    doc = _import(CC / "emissions.csv", tmp_path / "d")
    assert {t["device_id"] for t in doc["measurement"]["traces"]} == {"host-cpu", "host-dram"}
    lines = (tmp_path / "d" / "traces" / "host-cpu.csv").read_text().splitlines()
    assert lines[0] == "time_unix_ns,energy_mj"
    assert len(lines) == 1 + 1 + len(_rows(CC / "emissions.csv"))
    rows = [line.split(",") for line in lines[1:]]
    declared_mj = doc["measurement"]["runs"][0]["energy"]["cpu_j"] * 1000
    assert int(rows[-1][1]) == round(declared_mj)


def test_pue_is_divided_out_and_reported(tmp_path: Path) -> None:
    doc = _import(CC / "emissions-pue.csv", tmp_path / "d")
    (row,) = _rows(CC / "emissions-pue.csv")
    assert row["pue"] == "1.2"
    run = doc["measurement"]["runs"][0]
    assert run["energy"]["total_j"] == pytest.approx(float(row["energy_consumed"]) * KWH / 1.2, rel=1e-12)
    assert len(_findings(doc, "import.pue-applied")) == 1
    origin = next(v for v in doc["provenance"]["values"] if v["pointer"] == "/measurement/runs/0/energy/total_j")
    assert origin["scale"] == pytest.approx(1 / 1.2)
    assert doc["system"]["site"]["pue"]["value"] == 1.2


def test_without_a_time_zone_no_time_is_invented(tmp_path: Path) -> None:
    doc = _import(CC / "emissions.csv", tmp_path / "d", tz=None)
    run = doc["measurement"]["runs"][0]
    assert "start_time" not in run
    assert "end_time" not in run
    assert "traces" not in doc["measurement"]
    assert any("--timezone" in n for n in doc["provenance"]["notes"])


V1_HEADER = (
    "timestamp,project_name,duration,emissions,energy_consumed,country_name,country_iso_code,region,on_cloud,"
    "cloud_provider,cloud_region"
)
V2_HEADER = (
    "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,"
    "gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,"
    "python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,"
    "tracking_mode,on_cloud"
)
V2_ROW = (
    "2022-09-01T10:00:00,{p},{r},3600.0,0.5,0.0001,100.0,600.0,10.0,0.1,0.6,0.01,{total},Spain,ESP,,,,Linux,3.9.1,"
    "2.1.4,32,Intel Xeon,4,4 x NVIDIA A100,,,128.0,machine,N"
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "emissions.csv"
    path.write_text(text)
    return path


def test_the_2021_column_set_gives_a_total_only(tmp_path: Path) -> None:
    src = _write(tmp_path, V1_HEADER + "\n2021-06-01T10:00:00,p,120.5,0.002,0.01,France,FRA,,N,,\n")
    doc = _import(src, tmp_path / "d")
    assert doc["measurement"]["runs"][0]["energy"] == {"total_j": pytest.approx(0.01 * KWH)}
    assert "methods" not in doc["measurement"]


def test_a_gpu_row_is_measured_and_parts_that_do_not_add_up_are_a_finding(tmp_path: Path) -> None:
    good = V2_ROW.format(p="p", r="r1", total="0.71")
    bad = V2_ROW.format(p="p", r="r2", total="0.75")
    doc = _import(_write(tmp_path, f"{V2_HEADER}\n{good}\n{bad}\n"), tmp_path / "d")
    assert {m["component"]: m["method"] for m in doc["measurement"]["methods"]}["gpu"] == "nvml-energy-counter"
    assert doc["measurement"]["runs"][0]["energy"]["gpu_j"] == pytest.approx(0.6 * KWH)
    (found,) = _findings(doc, "import.parts-sum")
    assert found["pointer"] == "/measurement/runs/1/energy/total_j"


def test_duplicate_zero_negative_and_misaligned_rows(tmp_path: Path) -> None:
    row = V2_ROW.format(p="p", r="r1", total="0.71")
    zero = V2_ROW.format(p="p", r="r2", total="0").replace(",0.1,0.6,0.01,", ",0,0,0,")
    negative = V2_ROW.format(p="p", r="r3", total="-0.71").replace(",0.1,0.6,0.01,", ",-0.1,-0.6,-0.01,")
    short = "2022-09-01T10:00:00,p,r4,3600.0,0.5"
    doc = _import(_write(tmp_path, f"{V2_HEADER}\n{row}\n{row}\n{zero}\n{negative}\n{short}\n"), tmp_path / "d")
    assert len(doc["measurement"]["runs"]) == 3
    assert [f["location"] for f in _findings(doc, "import.duplicate-rows")] == ["line 3"]
    assert len(_findings(doc, "import.zero-values")) == 1
    assert len(_findings(doc, "import.negative-values")) == 1
    assert any("line 6 has 5 cells" in n for n in doc["provenance"]["notes"])


def test_not_a_number_and_not_codecarbon_are_refused(tmp_path: Path) -> None:
    src = _write(tmp_path, V2_HEADER + "\n" + V2_ROW.format(p="p", r="r", total="lots") + "\n")
    with pytest.raises(InputError, match="'lots' is not a number"):
        import_source(src, tmp_path / "d", now=NOW)
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(InputError, match="not a source une-eval recognises"):
        import_source(other, tmp_path / "d2", now=NOW)


def _completed_training(doc: dict[str, Any]) -> dict[str, Any]:
    """The draft with what a vendor adds (from the bundled training example), results left out."""
    valid = json.loads((FIXTURES / "valid" / "training-multinode-h100.json").read_text())
    out: dict[str, Any] = json.loads(json.dumps(doc))
    for key in ("submission_id", "created_at", "profile", "submitter", "attestation", "system", "workload"):
        out[key] = valid[key]
    out["measurement"] |= {"idle_baseline": {"duration_s": 0, "devices": []}, "warmup": {"performed": False}}
    out["measurement"]["complete"] = False
    for run in out["measurement"]["runs"]:
        run |= {"complete": True, "work_units": 1}
    out.pop("results")
    return out


def test_validate_recomputes_each_component_from_the_snapshot_traces(tmp_path: Path) -> None:
    doc = _import(CC / "emissions.csv", tmp_path / "d")
    sub = Submission.model_validate(_completed_training(doc))
    evidence = load_evidence(sub, tmp_path / "d")
    assert not evidence.issues
    assert {w.device_id for w in evidence.windows} == {"host-cpu", "host-dram"}
    for window in evidence.windows:
        declared = sub.measurement.runs[0].energy.components()[f"{window.device_id.split('-')[1]}_j"]
        assert window.method == "energy-counter"
        assert window.recomputed_j == pytest.approx(declared, abs=1e-3)
