"""MLPerf Inference Power: the importer's figures against the submission checker's formula, and the traps."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.errors import InputError
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source
from une_eval.validation.pipeline import check_document

RESULTS = FIXTURES / "import" / "mlperf" / "closed" / "ACME" / "results" / "ACME-4xH100" / "resnet50"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def checker_power_metric(run_dir: Path, scenario: str) -> tuple[float, float]:
    """The checker's get_power_metric, transcribed on its own: (average power W, power metric)."""
    fmt = "%m-%d-%Y %H:%M:%S.%f"
    log: dict[str, Any] = {}
    for line in (run_dir / "mlperf_log_detail.txt").read_text().splitlines():
        if line.startswith(":::MLLOG"):
            rec = json.loads(line[len(":::MLLOG") :])
            log.setdefault(rec["key"], rec["value"])
    begin = dt.datetime.strptime(log["power_begin"], fmt)
    end = dt.datetime.strptime(log["power_end"], fmt)
    power_list = []
    with (run_dir / "spl.txt").open() as f:
        for line in f:
            if not line.startswith("Time"):
                continue
            timestamp = dt.datetime.strptime(line.split(",")[1], fmt)
            if timestamp > begin and timestamp < end:
                value = float(line.split(",")[3])
                if value > 0:
                    power_list.append(float(line.split(",")[3]))
    avg_power = sum(power_list) / len(power_list)
    duration = (end - begin).total_seconds()
    if scenario in ("Offline", "Server", "Interactive"):
        return avg_power, avg_power
    return avg_power, avg_power * duration * 1000 / int(log["result_query_count"])


def _import(source: Path, out: Path, **kw: Any) -> dict[str, Any]:
    result = import_source(source, out, now=NOW, options=Options(), **kw)
    assert result.check.other_errors == ()
    return result.document


def test_offline_average_power_is_the_checkers_to_the_last_digit(tmp_path: Path) -> None:
    doc = _import(RESULTS / "Offline", tmp_path / "draft")
    avg, metric = checker_power_metric(RESULTS / "Offline" / "performance" / "run_1", "Offline")
    run = doc["measurement"]["runs"][0]
    assert run["mean_power_w"] == avg == metric
    assert repr(doc["results"]["mean_power_w"]) == repr(metric)
    assert run["duration_s"] == 600.333
    assert run["energy"]["system_j"] == avg * 600.333
    assert run["start_time"] == "2025-11-14T13:00:05.123Z"
    assert doc["measurement"]["methods"] == [
        {
            "component": "system",
            "method": "external-meter",
            "instrument": {
                "name": "YokogawaWT330_multichannel via SPEC PTDaemon (MLPerf power client/server)",
                "version": "1.11.1",
                "sampling_interval_s": 1.0,
            },
        }
    ]
    assert doc["workload"]["inference"] == {"task": "image-classification", "queries": 270336}


def test_single_stream_reports_the_checkers_energy_per_query(tmp_path: Path) -> None:
    doc = _import(RESULTS / "SingleStream", tmp_path / "draft")
    _, metric_mj = checker_power_metric(RESULTS / "SingleStream" / "performance" / "run_1", "SingleStream")
    per_query = doc["results"]["energy_per_unit"]
    assert per_query["unit"] == "J"
    assert f"{per_query['value'] * 1000:.10g}" == f"{metric_mj:.10g}"
    assert doc["results"]["functional_unit"] == {"unit": "query", "count": 1}
    origin = next(v for v in doc["provenance"]["values"] if v["pointer"] == "/results/energy_per_unit/value")
    assert float(origin["value"]) == metric_mj
    assert origin["unit"] == "mJ"


def test_the_sentinel_samples_are_left_out_and_reported(tmp_path: Path) -> None:
    doc = _import(RESULTS / "Offline", tmp_path / "draft")
    found = [f for f in doc["provenance"]["findings"] if f["rule_id"] == "import.invalid-samples"]
    assert len(found) == 1
    assert "3 sample(s)" in found[0]["message"]
    trace = (tmp_path / "draft" / "traces" / "sut-meter.csv").read_text().splitlines()
    assert trace[0] == "time_unix_ns,power_instant_mw"
    assert len(trace) == 1 + 610 - 3
    assert all(int(line.split(",")[1]) > 0 for line in trace[1:])


def _completed(doc: dict[str, Any]) -> dict[str, Any]:
    """The draft with what a vendor adds (taken from a bundled valid example): people, system, site."""
    valid = json.loads((FIXTURES / "valid" / "llm-inference-h100.json").read_text())
    out = copy.deepcopy(doc)
    for key in ("submission_id", "created_at", "profile", "submitter", "attestation", "system"):
        out[key] = valid[key]
    out["workload"]["inference"] |= {"dataset": {"name": "ImageNet 2012 validation"}, "batch_size": 1}
    out["measurement"] |= {"idle_baseline": {"duration_s": 60, "devices": []}, "warmup": {"performed": True}}
    out["measurement"]["runs"][0]["complete"] = True
    out.pop("results")  # a complete measurement needs full results (statistics over runs): left out here
    out["measurement"]["complete"] = False
    return out


def test_validate_recomputes_the_run_energy_from_the_meter_samples(tmp_path: Path) -> None:
    doc = _import(RESULTS / "Offline", tmp_path / "draft")
    audit = check_document(_completed(doc), base_dir=tmp_path / "draft", profile="eu-ai-act-gpai")
    assert audit.evidence is not None
    (window,) = audit.evidence.windows
    assert window.method == "instant-power-integration"
    declared = doc["measurement"]["runs"][0]["energy"]["system_j"]
    assert window.recomputed_j is not None
    assert abs(window.recomputed_j - declared) / declared < 0.005
    assert audit.imported is not None
    assert audit.imported.source_format == "mlperf-inference-power"


def _copy(tmp_path: Path, scenario: str = "Offline") -> Path:
    target = tmp_path / "src" / "resnet50" / scenario
    shutil.copytree(RESULTS / scenario, target)
    return target


def _edit_spl(folder: Path, edit: Any) -> None:
    spl = folder / "performance" / "run_1" / "spl.txt"
    spl.write_text(edit(spl.read_text()))


def test_a_top_level_watts_that_is_not_its_channels_sum_is_a_finding(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    lines = (src / "performance/run_1/spl.txt").read_text().splitlines()
    fields = lines[100].split(",")
    fields[3] = f"{float(fields[3]) + 50:.6f}"
    lines[100] = ",".join(fields)
    (src / "performance/run_1/spl.txt").write_text("\n".join(lines) + "\n")
    doc = _import(src, tmp_path / "draft")
    found = [f for f in doc["provenance"]["findings"] if f["rule_id"] == "import.parts-sum"]
    assert len(found) == 1
    assert found[0]["location"] == "line 101"


def test_samples_logged_in_local_time_leave_the_window_empty_and_say_so(tmp_path: Path) -> None:
    src = _copy(tmp_path)

    def to_local(text: str) -> str:
        out = []
        for line in text.splitlines():
            fields = line.split(",")
            stamp = dt.datetime.strptime(fields[1], "%m-%d-%Y %H:%M:%S.%f") + dt.timedelta(hours=1)
            fields[1] = stamp.strftime("%m-%d-%Y %H:%M:%S.%f")[:-3]
            out.append(",".join(fields))
        return "\n".join(out) + "\n"

    _edit_spl(src, to_local)
    src_spl = (src / "performance/run_1/spl.txt").read_text()
    assert src_spl.startswith("Time,11-14-2025 14:00:00.500")
    doc = _import(src, tmp_path / "draft")
    (found,) = [f for f in doc["provenance"]["findings"] if f["rule_id"] == "import.window"]
    assert "server.json's timezone" in found["message"]
    assert "mean_power_w" not in doc["measurement"]["runs"][0]


def test_a_day_first_date_is_refused(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    _edit_spl(src, lambda text: text.replace("Time,11-14-2025 13:00:01", "Time,14-11-2025 13:00:01"))
    with pytest.raises(InputError, match="month-first"):
        import_source(src, tmp_path / "draft", now=NOW)


def test_a_symbolic_link_inside_the_folder_is_not_followed(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    outside = tmp_path / "elsewhere.txt"
    outside.write_text((src / "performance/run_1/spl.txt").read_text())
    (src / "performance/run_1/spl.txt").unlink()
    (src / "performance/run_1/spl.txt").symlink_to(outside)
    with pytest.raises(InputError):
        import_source(src, tmp_path / "draft", now=NOW, source_format="mlperf-inference-power")


def test_the_folder_is_recognised_from_any_of_its_three_levels(tmp_path: Path) -> None:
    for level in (RESULTS / "Offline", RESULTS / "Offline" / "performance", RESULTS / "Offline/performance/run_1"):
        result = import_source(level, tmp_path / level.name, now=NOW)
        assert result.source_format.name == "mlperf-inference-power"
        assert result.document["measurement"]["runs"][0]["mean_power_w"] > 0
