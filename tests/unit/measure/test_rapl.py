from __future__ import annotations

from pathlib import Path

import pytest

from une_eval.measure.rapl import open_rapl
from une_eval.measure.sampler import Sampler
from une_eval.measure.sensors import SimulatedClock
from une_eval.traces import TraceWriter, columns_for

RANGE_UJ = 262_143_328_850


def _zone(path: Path, name: str, energy_uj: int) -> Path:
    path.mkdir(parents=True)
    (path / "name").write_text(f"{name}\n")
    (path / "energy_uj").write_text(f"{energy_uj}\n")
    (path / "max_energy_range_uj").write_text(f"{RANGE_UJ}\n")
    return path


def _tree(root: Path) -> dict[str, Path]:
    return {
        "pkg0": _zone(root / "intel-rapl:0", "package-0", RANGE_UJ - 1_000_000),
        "core0": _zone(root / "intel-rapl:0" / "intel-rapl:0:0", "core", 5),
        "dram0": _zone(root / "intel-rapl:0" / "intel-rapl:0:1", "dram", 100),
        "pkg1": _zone(root / "intel-rapl:1", "package-1", 0),
        "psys": _zone(root / "intel-rapl:2", "psys", 0),
    }


def test_only_package_and_dram_zones_are_measured(tmp_path: Path) -> None:
    _tree(tmp_path)
    sensor, gaps = open_rapl(tmp_path, node_id="n")
    assert sensor is not None
    assert [(d.device_id, d.component) for d in sensor.devices()] == [
        ("n-cpu0", "cpu"),
        ("n-dram0", "dram"),
        ("n-cpu1", "cpu"),
    ]
    assert gaps == []


def test_wrap_is_accumulated(tmp_path: Path) -> None:
    zones = _tree(tmp_path)
    sensor, _ = open_rapl(tmp_path, node_id="n")
    assert sensor is not None
    clock = SimulatedClock()
    writers = {d.device_id: TraceWriter(tmp_path / f"{d.device_id}.csv", columns_for(d)) for d in sensor.devices()}
    sampler = Sampler([sensor], clock, writers, counter_interval_s=0.5)
    start = sampler.mark("run-0")
    clock.sleep(0.5)
    (zones["pkg0"] / "energy_uj").write_text("2000000\n")  # wrapped: 1 J before the wrap, 2 J after
    sampler.tick("run-0")
    clock.sleep(0.5)
    (zones["pkg0"] / "energy_uj").write_text("4000000\n")
    end = sampler.mark("run-0")
    assert end.energy_j["n-cpu0"] - start.energy_j["n-cpu0"] == pytest.approx(5.0)
    assert end.resets["n-cpu0"] == 0
    sampler.close()
    assert "energy_uj" in (tmp_path / "n-cpu0.csv").read_text().splitlines()[0]
    columns = {c["name"]: c for c in writers["n-cpu0"].reference(tmp_path, "n-cpu0")["columns"]}
    assert columns["energy_uj"]["wrap_range"] == RANGE_UJ  # the validator unwraps with the same range


def test_absent_rapl_is_unavailable_with_reason(tmp_path: Path) -> None:
    sensor, gaps = open_rapl(tmp_path / "missing")
    assert sensor is None
    assert {g.component for g in gaps} == {"cpu", "dram"}
    assert all("absent" in g.reason for g in gaps)


def test_amd_style_tree_without_dram_reports_dram_unavailable(tmp_path: Path) -> None:
    _zone(tmp_path / "intel-rapl:0", "package-0", 10)
    sensor, gaps = open_rapl(tmp_path)
    assert sensor is not None
    assert [g.component for g in gaps] == ["dram"]
