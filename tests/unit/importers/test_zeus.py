"""Zeus: its CSV log (made and real), Measurement JSON, and suspicious windows."""

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

ZEUS = FIXTURES / "import" / "zeus"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
HEADER = "start_time,window_name,elapsed_time,gpu0_energy,gpu1_energy\n"


def _import(src: Path, out: Path, fmt: str | None = None) -> dict[str, Any]:
    result = import_source(src, out, now=NOW, source_format=fmt, options=Options(phase="training"))
    assert result.check.other_errors == ()
    assert result.source_format.name == "zeus-log"
    return result.document


def _rules(doc: dict[str, Any]) -> list[str]:
    return [f["rule_id"] for f in doc["provenance"].get("findings", [])]


def _write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_log_windows_become_runs_with_per_gpu_joules(tmp_path: Path) -> None:
    doc = _import(ZEUS / "zeus_log.csv", tmp_path / "d")
    lines = (ZEUS / "zeus_log.csv").read_text().splitlines()[1:]
    runs = doc["measurement"]["runs"]
    assert len(runs) == len(lines)
    first = lines[0].split(",")
    assert runs[0]["duration_s"] == float(first[2])
    assert runs[0]["energy"]["gpu_j"] == pytest.approx(float(first[3]) + float(first[4]))
    assert [d["energy_j"] for d in runs[0]["devices"]] == [float(first[3]), float(first[4])]
    start = dt.datetime.fromtimestamp(float(first[0]), dt.UTC)
    assert runs[0]["start_time"].startswith(start.strftime("%Y-%m-%dT%H:%M:%S"))
    assert {m["method"] for m in doc["measurement"]["methods"]} == {"nvml-energy-counter"}
    assert _rules(doc) == []


def test_the_real_log_of_a_machine_without_gpus_imports_times_only(tmp_path: Path) -> None:
    doc = _import(ZEUS / "zeus_log_cpu_only_real.csv", tmp_path / "d")
    (run,) = doc["measurement"]["runs"]
    assert "energy" not in run
    assert "devices" not in doc["measurement"]


def test_a_window_name_with_commas_is_kept_whole(tmp_path: Path) -> None:
    src = _write(tmp_path, HEADER + "1700000000.5,epoch 1, step 2,10.0,2000.0,2100.0\n")
    doc = _import(src, tmp_path / "d")
    assert doc["measurement"]["runs"][0]["energy"]["gpu_j"] == pytest.approx(4100.0)


def test_zero_negative_duplicate_overlap_and_magnitude_are_findings(tmp_path: Path) -> None:
    rows = [
        "1700000000.0,a,10.0,0.0,0.0",  # zero energy
        "1700000000.0,a,10.0,0.0,0.0",  # duplicate
        "1700000005.0,b,10.0,100.0,-5.0",  # overlaps a, negative: left out
        "1700000020.0,c,10.0,100.0,100.0",
        "1700000025.0,d,10.0,50000000.0,100.0",  # overlaps c, 5 MW: mJ?
    ]
    doc = _import(_write(tmp_path, HEADER + "\n".join(rows) + "\n"), tmp_path / "d")
    rules = _rules(doc)
    for rule in ("import.zero-values", "import.duplicate-rows", "import.negative-values", "import.unit-magnitude"):
        assert rule in rules
    assert rules.count("import.overlapping-windows") == 1
    assert len(doc["measurement"]["runs"]) == 3
    assert all(d["energy_j"] >= 0 for r in doc["measurement"]["runs"] for d in r.get("devices", []))


def test_measurement_json_with_cpu_and_dram(tmp_path: Path) -> None:
    item = {"time": 12.5, "gpu_energy": {"0": 3000.0}, "cpu_energy": {"0": 400.0}, "dram_energy": {"0": 50.0}}
    src = _write(tmp_path, json.dumps({"train": item}), "m.json")
    doc = _import(src, tmp_path / "d")
    energy = doc["measurement"]["runs"][0]["energy"]
    assert energy == {"gpu_j": 3000.0, "cpu_j": 400.0, "dram_j": 50.0, "total_j": 3450.0}
    assert {m["component"]: m["method"] for m in doc["measurement"]["methods"]}["cpu"] == "rapl"


def test_legacy_energy_key_is_read_when_named(tmp_path: Path) -> None:
    src = _write(tmp_path, json.dumps([{"time": 2.0, "energy": {"0": 500.0}}]), "m.json")
    doc = _import(src, tmp_path / "d", fmt="zeus-log")
    assert doc["measurement"]["runs"][0]["energy"]["gpu_j"] == 500.0


@pytest.mark.parametrize(
    "text",
    [
        "start_time,window_name,elapsed_time,gpuX_energy\n1,a,1,1\n",
        HEADER + "1700000000.0,a,nan,1,1\n",
        HEADER + "1700000000.0,a,1,ten,1\n",
    ],
)
def test_malformed_logs_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError):
        import_source(_write(tmp_path, text), tmp_path / "d", now=NOW, source_format="zeus-log")
