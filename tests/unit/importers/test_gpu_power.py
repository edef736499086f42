"""DCGM field exports and Slurm per-GPU power CSVs: samples to traces, MIG repeats, defects as findings."""

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
from une_eval.importers.gpusamples import parse_time
from une_eval.importers.run import import_source
from une_eval.model import Submission
from une_eval.validation.evidence import load_evidence

DCGM = FIXTURES / "import" / "dcgm"
SLURM = FIXTURES / "import" / "slurm"
NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def _import(src: Path, out: Path, fmt: str | None = None, tz: dt.tzinfo | None = None) -> dict[str, Any]:
    result = import_source(src, out, source_format=fmt, now=NOW, options=Options(phase="inference", timezone=tz))
    assert result.check.other_errors == ()
    return result.document


def _findings(doc: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in doc["provenance"].get("findings", []) if f["rule_id"] == rule_id]


def _completed(doc: dict[str, Any]) -> dict[str, Any]:
    valid = json.loads((FIXTURES / "valid" / "training-multinode-h100.json").read_text())
    out: dict[str, Any] = json.loads(json.dumps(doc))
    for key in ("submission_id", "created_at", "profile", "submitter", "attestation", "system", "workload"):
        out[key] = valid[key]
    out["phase"] = valid["phase"]
    out["measurement"] |= {"idle_baseline": {"duration_s": 0, "devices": []}, "warmup": {"performed": False}}
    out["measurement"]["complete"] = False
    for run in out["measurement"]["runs"]:
        run |= {"complete": True, "work_units": 1}
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_wide_export_counts_a_mig_gpu_once_and_uses_the_counter(tmp_path: Path) -> None:
    doc = _import(DCGM / "dcgm-wide.csv", tmp_path / "d")
    assert doc["provenance"]["source_format"] == "dcgm-power"
    devices = doc["measurement"]["devices"]
    assert [d["device_id"] for d in devices] == ["gpu-node-01-gpu0", "gpu-node-01-gpu1"]
    assert all(d["has_energy_counter"] for d in devices)
    rows = _rows(DCGM / "dcgm-wide.csv")
    for k, gpu in enumerate(("0", "1")):
        mine = [r for r in rows if r["gpu"] == gpu]
        counter = [float(r["DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"]) for r in mine]
        expected_j = (counter[-1] - counter[0]) / 1000  # mJ -> J, once per GPU whatever its MIG instances
        assert doc["measurement"]["runs"][0]["devices"][k]["energy_j"] == pytest.approx(expected_j, rel=1e-12)
    (mig,) = _findings(doc, "import.duplicate-rows")
    assert "MIG" in mig["message"]
    assert doc["measurement"]["methods"][0]["method"] == "nvml-energy-counter"
    assert doc["measurement"]["methods"][0]["instrument"]["name"] == "NVML via DCGM"


def test_wide_export_traces_recompute_the_energy(tmp_path: Path) -> None:
    doc = _import(DCGM / "dcgm-wide.csv", tmp_path / "d")
    header = (tmp_path / "d" / "traces" / "gpu-node-01-gpu1.csv").read_text().splitlines()
    assert header[0] == "time_unix_ns,energy_mj,power_instant_mw"
    assert len(header) == 1 + 31  # one row per time, not one per MIG instance
    sub = Submission.model_validate(_completed(doc))
    evidence = load_evidence(sub, tmp_path / "d")
    assert not evidence.issues
    for window in evidence.windows:
        assert window.method == "energy-counter"
        assert window.recomputed_j == pytest.approx(window.declared_j, rel=1e-9)


def test_long_export_reports_duplicates_negatives_zeros_and_gaps(tmp_path: Path) -> None:
    doc = _import(DCGM / "dcgm-long.csv", tmp_path / "d")
    for rule in ("import.duplicate-rows", "import.negative-values", "import.zero-values", "import.invalid-samples"):
        assert len(_findings(doc, rule)) == 1, rule
    gap = _findings(doc, "import.invalid-samples")[0]["message"]
    assert "9 s" in gap
    lines = (tmp_path / "d" / "traces" / "gpu-node-02-gpu0.csv").read_text().splitlines()
    assert lines[0] == "time_unix_ns,power_average_mw"
    values = [int(line.split(",")[1]) for line in lines[1:]]
    assert min(values) > 0  # the negative and the zero reading are left out
    assert len(values) == 40 - 8 - 2  # 8 missing in the gap, 2 bad, the repeat kept once
    origin = next(v for v in doc["provenance"]["values"] if v["pointer"].endswith("/devices/0/energy_j"))
    assert origin["basis"] == "estimated"  # averaged power integrated
    assert doc["measurement"]["methods"][0]["method"] == "nvml-power-integration"


def test_slurm_job_csv_one_device_per_node_and_gpu(tmp_path: Path) -> None:
    doc = _import(SLURM / "job-gpu-power.csv", tmp_path / "d")
    assert doc["provenance"]["source_format"] == "slurm-gpu-power"
    ids = [d["device_id"] for d in doc["measurement"]["devices"]]
    assert ids == ["node01-gpu0", "node01-gpu1", "node02-gpu0", "node02-gpu1"]
    assert {d["node_id"] for d in doc["measurement"]["devices"]} == {"node01", "node02"}
    assert len(_findings(doc, "import.invalid-samples")) == 1  # the N/A reading
    rows = [r for r in _rows(SLURM / "job-gpu-power.csv") if (r["host"], r["gpu_index"]) == ("node01", "0")]
    times = [float(r["timestamp"]) for r in rows]
    watts = [float(r["power_w"]) for r in rows]
    expected = sum((b - a) * (p + q) / 2 for a, b, p, q in zip(times, times[1:], watts, watts[1:], strict=False))
    assert doc["measurement"]["runs"][0]["devices"][0]["energy_j"] == pytest.approx(expected, rel=1e-12)
    run = doc["measurement"]["runs"][0]
    assert run["energy"]["gpu_j"] == pytest.approx(sum(d["energy_j"] for d in run["devices"]), rel=1e-12)


def test_nvidia_smi_instant_power_needs_a_timezone_and_is_evidence(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--timezone"):
        _import(SLURM / "nvidia-smi-power.csv", tmp_path / "a")
    doc = _import(SLURM / "nvidia-smi-power.csv", tmp_path / "b", tz=dt.timezone(dt.timedelta(hours=1)))
    assert doc["measurement"]["runs"][0]["start_time"] == "2026-03-02T09:00:00.000000Z"
    sub = Submission.model_validate(_completed(doc))
    evidence = load_evidence(sub, tmp_path / "b")
    (window,) = evidence.windows
    assert window.method == "instant-power-integration"
    assert window.recomputed_j == pytest.approx(window.declared_j, rel=1e-6)


@pytest.mark.parametrize(
    ("text", "expected_ns"),
    [
        ("1772442000", 1_772_442_000_000_000_000),
        ("1772442000.5", 1_772_442_000_500_000_000),
        ("1772442000500", 1_772_442_000_500_000_000),
        ("1772442000500000000", 1_772_442_000_500_000_000),
        ("2026-03-02T09:00:00.5Z", 1_772_442_000_500_000_000),
    ],
)
def test_times_in_every_unit(text: str, expected_ns: int) -> None:
    assert parse_time(text, None, "x") == expected_ns


@pytest.mark.parametrize("text", ["12", "nan", "-5", "yesterday", "1e30"])
def test_times_that_are_not_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_time(text, None, "x")


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("power", "100", "does not say its unit"),
        ("power [dW]", "100", "unknown power unit"),
        ("power_w", "100 mW", "is in mW"),
        ("power_w", "lots", "not a number"),
    ],
)
def test_slurm_units_are_explicit(tmp_path: Path, header: str, value: str, message: str) -> None:
    src = tmp_path / "p.csv"
    rows = [f"1772442000,h,0,GPU-1,{value}", f"1772442001,h,0,GPU-1,{value}"]
    src.write_text("\n".join([f"timestamp,host,gpu,uuid,{header}", *rows]) + "\n")
    with pytest.raises(InputError, match=message):
        _import(src, tmp_path / "d", fmt="slurm-gpu-power")


def test_a_counter_that_goes_back_is_not_used(tmp_path: Path) -> None:
    src = tmp_path / "c.csv"
    lines = ["timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE_INSTANT,DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"]
    for i, counter in enumerate((5000, 6000, 1000, 2000)):
        lines.append(f"{1772442000 + i},h,0,GPU-1,100,{counter}")
    src.write_text("\n".join(lines) + "\n")
    doc = _import(src, tmp_path / "d")
    assert "goes back" in _findings(doc, "import.invalid-samples")[0]["message"]
    assert doc["measurement"]["runs"][0]["devices"][0]["energy_j"] == pytest.approx(300.0)  # 100 W x 3 s
    assert doc["measurement"]["methods"][0]["method"] == "nvml-power-integration"


def test_hostile_files_are_one_line_errors(tmp_path: Path) -> None:
    src = tmp_path / "h.csv"
    src.write_bytes(b"timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE\n1772442000,h,0,GPU-1,\xff\n")
    with pytest.raises(InputError, match="not UTF-8"):
        _import(src, tmp_path / "d")
    src.write_text("timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE\n1772442000,h,0,GPU-1,1e999\n")
    with pytest.raises(InputError, match="finite"):
        _import(src, tmp_path / "e")
    src.write_text("timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE\n1772442000,h,99999999,GPU-1,5\n")
    with pytest.raises(InputError, match="GPU index"):
        _import(src, tmp_path / "f")


def test_committed_sources_are_what_the_script_writes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_gpu_power", DCGM / "make_gpu_power.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path, text in module.outputs().items():
        assert path.read_text(encoding="utf-8") == text, path


def test_grafana_series_columns_become_one_device_per_gpu(tmp_path: Path) -> None:
    doc = _import(DCGM / "dcgm-grafana.csv", tmp_path / "d", tz=dt.timezone(dt.timedelta(hours=1)))
    devices = doc["measurement"]["devices"]
    assert [d["device_id"] for d in devices] == ["gpu-node-04-gpu0", "gpu-node-04-gpu1"]
    assert {d["model"] for d in devices} == {"NVIDIA H200"}
    assert doc["measurement"]["runs"][0]["start_time"] == "2026-03-02T09:00:00.000000Z"
    rows = list(csv.reader(io.StringIO((DCGM / "dcgm-grafana.csv").read_text())))
    first, last = rows[1], rows[-1]
    assert doc["measurement"]["runs"][0]["devices"][1]["energy_j"] == pytest.approx(
        (float(last[3]) - float(first[3])) / 1000, rel=1e-12
    )
    sub = Submission.model_validate(_completed(doc))
    evidence = load_evidence(sub, tmp_path / "d")
    assert not evidence.issues
    assert {w.method for w in evidence.windows} == {"energy-counter"}


def test_plain_nvidia_smi_csv_without_a_host_column(tmp_path: Path) -> None:
    src = tmp_path / "smi.csv"
    lines = ["timestamp, index, uuid, power.draw [W]"]
    lines += [f"2026/03/02 09:00:{s:02d}.000, 0, GPU-1, {300 + s:.2f} W" for s in range(5)]
    src.write_text("\n".join(lines) + "\n")
    doc = _import(src, tmp_path / "d", tz=dt.UTC)
    assert doc["provenance"]["source_format"] == "slurm-gpu-power"
    assert doc["measurement"]["devices"][0]["device_id"] == "host-gpu0"
    assert doc["measurement"]["runs"][0]["devices"][0]["energy_j"] == pytest.approx(
        sum(300 + s + 0.5 for s in range(4))
    )
    assert any("no host column" in n for n in doc["provenance"]["notes"])


def test_impossible_magnitudes_are_left_out_or_refused(tmp_path: Path) -> None:
    src = tmp_path / "m.csv"
    lines = ["timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE_INSTANT"]
    lines += [f"{1772442000 + i},h,0,GPU-1,{w}" for i, w in enumerate((300, 300, 350000, 1e306, 300))]
    src.write_text("\n".join(lines) + "\n")
    doc = _import(src, tmp_path / "d")
    (found,) = _findings(doc, "import.unit-magnitude")
    assert found["params"]["count"] == 2
    trace = (tmp_path / "d" / "traces" / "h-gpu0.csv").read_text().splitlines()
    assert len(trace) == 1 + 3
    src.write_text("timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE\n2300-01-01T00:00:00Z,h,0,G,5\n")
    with pytest.raises(InputError, match="outside 1970 to 2262"):
        _import(src, tmp_path / "e")
    src.write_text("timestamp,Hostname,gpu,UUID,DCGM_FI_DEV_POWER_USAGE\n9999999999999999999,h,0,G,5\n")
    with pytest.raises(InputError, match="not a Unix time"):
        _import(src, tmp_path / "f")
