"""Real outputs of the tools, written on other people's machines: the figures imported are the file's own.

Each expected value is worked out by hand from the file (fixtures/import/real/README.md says where each
comes from): kWh x 3.6e6 = J, W x s = J, kg x 1000 = g.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.errors import InputError
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source

REAL = FIXTURES / "import" / "real"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
KWH_J = 3_600_000.0


def _import(src: Path, out: Path, options: Options | None = None) -> dict[str, Any]:
    result = import_source(src, out, now=NOW, options=options or Options())
    assert result.check.other_errors == ()
    return result.document


def _rules(doc: dict[str, Any]) -> list[str]:
    return [f["rule_id"] for f in doc["provenance"].get("findings", [])]


def test_codecarbon_2_7_rows_of_two_machines_with_experiment_ids_and_pue_1(tmp_path: Path) -> None:
    doc = _import(REAL / "codecarbon" / "eo-college-2.7.4-emissions.csv", tmp_path / "d")
    assert doc["provenance"]["source_tool"] == {"name": "CodeCarbon", "version": "2.7.4"}
    runs = doc["measurement"]["runs"]
    assert len(runs) == 2  # lines 3 and 4 share a run_id and grow: one run, its last snapshot
    assert runs[0]["duration_s"] == pytest.approx(84.53982828138396)
    assert runs[0]["energy"]["cpu_j"] == pytest.approx(0.0009979291580083 * KWH_J)
    assert runs[0]["energy"]["dram_j"] == pytest.approx(0.0002699835590871 * KWH_J)
    assert runs[0]["energy"]["total_j"] == pytest.approx(0.0012679127170955 * KWH_J)
    assert runs[1]["duration_s"] == pytest.approx(13.883277475833893)
    assert runs[1]["energy"]["cpu_j"] == pytest.approx(0.0003856450301181 * KWH_J)
    assert runs[1]["energy"]["total_j"] == pytest.approx(0.0004309649125724 * KWH_J)
    assert "gpu_j" not in runs[0]["energy"]  # gpu_count empty, gpu_energy 0: no GPU
    assert doc["results"]["emissions_g_co2e"] == pytest.approx((0.0004193215579724 + 0.0001425278539561) * 1000)
    # pue 1.0 is no factor; the two runs were written on an EPYC 7R13 with 8 CPUs and an EPYC 7513 with 4
    assert "import.pue-applied" not in _rules(doc)
    assert "hardware" not in doc.get("system", {})
    assert all("model" not in d for d in doc["measurement"]["devices"])
    assert any("2 different machines" in n for n in doc["provenance"]["notes"])


def test_codecarbon_2_7_with_a_time_zone_gives_times_and_the_snapshots_trace(tmp_path: Path) -> None:
    doc = _import(REAL / "codecarbon" / "eo-college-2.7.4-emissions.csv", tmp_path / "d", Options(timezone=dt.UTC))
    runs = doc["measurement"]["runs"]
    assert runs[0]["end_time"] == "2024-11-25T14:45:39.000000Z"
    assert runs[1]["end_time"] == "2024-11-26T09:11:58.000000Z"
    assert runs[1]["start_time"].startswith("2024-11-26T09:11:44.11")  # 09:11:58 - 13.883 s
    assert {t["device_id"] for t in doc["measurement"]["traces"]} == {"host-cpu", "host-dram"}


GPU_UNREAD = (  # CodeCarbon 2.2's columns, a GPU it counted but whose energy it could not read
    "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,"
    "gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,"
    "python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,"
    "tracking_mode,on_cloud\n"
    "2023-07-24T11:57:23,p,d3e5,600.0,0.0016,2.7e-06,15.0,0.0,11.7,0.0025,0.0,0.00195,0.00445,United States,USA,"
    "massachusetts,,,Linux,3.10.12,2.2.2,8,Intel(R) Core(TM) i7-7700K CPU @ 4.20GHz,1,1 x NVIDIA GeForce GTX 1050 Ti,"
    "-71.1,42.3,31.3,machine,N\n"
)


def test_a_gpu_codecarbon_counted_but_read_no_energy_from_is_a_finding_not_0_joules(tmp_path: Path) -> None:
    src = tmp_path / "emissions.csv"
    src.write_text(GPU_UNREAD)
    doc = _import(src, tmp_path / "d")
    run = doc["measurement"]["runs"][0]
    assert "gpu_j" not in run["energy"]
    assert run["energy"]["cpu_j"] == pytest.approx(0.0025 * KWH_J)
    assert run["energy"]["total_j"] == pytest.approx(0.00445 * KWH_J)
    assert "host-gpu" not in {d["device_id"] for d in run["devices"]}
    found = [f for f in doc["provenance"]["findings"] if f["rule_id"] == "import.zero-values"]
    assert len(found) == 1
    assert "1 GPU(s)" in found[0]["message"]


def test_carbontracker_on_apple_silicon_is_powermetrics_not_nvml_or_rapl(tmp_path: Path) -> None:
    doc = _import(REAL / "carbontracker" / "apple-silicon", tmp_path / "d")
    (run,) = doc["measurement"]["runs"]
    assert run["duration_s"] == pytest.approx(33.57)
    assert run["energy"]["gpu_j"] == pytest.approx(0.019533333333333337 * 33.57)
    assert run["energy"]["cpu_j"] == pytest.approx(6.785066666666666 * 33.57)
    assert run["energy"]["total_j"] == pytest.approx((0.019533333333333337 + 6.785066666666666) * 33.57)
    methods = {m["component"]: m for m in doc["measurement"]["methods"]}
    assert {m["method"] for m in methods.values()} == {"estimate"}
    assert "powermetrics" in methods["gpu"]["reason"]
    gpus = [d for d in doc["measurement"]["devices"] if d["component"] == "gpu"]
    assert len(gpus) == 1  # one power for the GPU and the Neural Engine together
    assert "Neural Engine" in gpus[0]["model"]


MLPERF_V1 = (
    REAL
    / "mlperf"
    / "closed"
    / "Krai"
    / "results"
    / "rpi4coral-fan.off-tflite-v2.4.1-ruy"
    / "resnet50"
    / "singlestream"
)


def test_an_mlperf_v1_0_power_result_with_its_lower_case_scenario_folder(tmp_path: Path) -> None:
    doc = _import(MLPERF_V1, tmp_path / "d")
    # power_begin 03-03-2021 00:54:05.983, power_end 01:04:10.368 (UTC); 605 spl.txt samples strictly inside,
    # all above 0 W, average 5.834231404958682 W (worked out from the file's Watts field)
    (run,) = doc["measurement"]["runs"]
    assert run["start_time"] == "2021-03-03T00:54:05.983Z"
    assert run["end_time"] == "2021-03-03T01:04:10.368Z"
    assert run["duration_s"] == pytest.approx(604.385)
    assert run["mean_power_w"] == pytest.approx(5.834231404958682)
    assert run["energy"]["system_j"] == pytest.approx(5.834231404958682 * 604.385)
    assert len(doc["measurement"]["traces"]) == 1
    assert doc["workload"]["inference"]["task"] == "image-classification"  # resnet50 above "singlestream"
    (method,) = doc["measurement"]["methods"]
    assert method["instrument"]["name"].startswith("YokogawaWT330E")
    assert method["instrument"]["version"] == "1.9.2"
    # LoadGen 1.0 logs no result_query_count: no energy per query is made up, and the note says why
    assert "energy_per_unit" not in doc.get("results", {})
    assert any("no result_query_count" in n for n in doc["provenance"]["notes"])


def _with_line_57(tmp_path: Path, record: str) -> Path:
    """The v1.0 result with line 57 (its ``loaded_qsl_set``) replaced by ``record``."""
    copy = tmp_path / "singlestream"
    shutil.copytree(MLPERF_V1, copy)
    detail = copy / "performance" / "run_1" / "mlperf_log_detail.txt"
    lines = detail.read_text().splitlines(keepends=True)
    assert '"key": "loaded_qsl_set"' in lines[56]
    lines[56] = record + "\n"
    detail.write_text("".join(lines))
    return copy


def test_a_loaded_qsl_set_of_a_megabyte_on_one_line_is_passed_over(tmp_path: Path) -> None:
    # DLRM results (MLPerf v1.0, DellEMC XE2420) log 1,364,926 characters of sample indices on one line
    indices = ",".join(str(i) for i in range(200_000))
    record = ':::MLLOG {"key": "loaded_qsl_set", "value": [' + indices + '], "time_ms": 1.0}'
    doc = _import(_with_line_57(tmp_path, record), tmp_path / "d")
    assert doc["measurement"]["runs"][0]["mean_power_w"] == pytest.approx(5.834231404958682)


def test_an_over_long_record_of_a_key_the_importer_reads_still_stops_it(tmp_path: Path) -> None:
    record = ':::MLLOG {"key": "power_begin", "value": "' + "0" * 70_000 + '"}'
    src = _with_line_57(tmp_path, record)
    with pytest.raises(InputError, match="line 57 is longer than 65536 characters"):
        import_source(src, tmp_path / "d", now=NOW, options=Options())


MLPERF_V2_1 = REAL / "mlperf" / "closed" / "Dell" / "results" / "XR12_A2x1_TRT_MaxQ" / "resnet50" / "MultiStream"


def test_an_mlperf_v2_1_multistream_result_of_a_three_channel_analyzer(tmp_path: Path) -> None:
    doc = _import(MLPERF_V2_1, tmp_path / "d")
    # power_begin 08-03-2022 23:43:00.245, power_end 23:58:42.898; the kept spl.txt lines hold 89 samples
    # inside, all above 0 W, average 244.65044943820232 W; each top-level Watts is Ch1 + Ch2 + Ch3
    (run,) = doc["measurement"]["runs"]
    assert run["duration_s"] == pytest.approx(942.653)
    assert run["mean_power_w"] == pytest.approx(244.65044943820232)
    assert run["work_units"] == 270336  # result_query_count: MultiStream counts queries of 8 samples
    per_query_j = 244.65044943820232 * 942.653 / 270336
    assert doc["results"]["energy_per_unit"] == {"value": pytest.approx(per_query_j), "unit": "J"}
    assert doc["provenance"]["source_tool"]["version"] == "2.1 @ 67eb6a0d0e"
    assert "import.parts-sum" not in _rules(doc)
    assert "import.invalid-samples" not in _rules(doc)  # the -1 are Volts, Amps and PF, not Watts


def test_nvidia_smi_samples_under_a_header_that_names_no_power_unit_are_refused_saying_why(tmp_path: Path) -> None:
    src = REAL / "nvidia-smi" / "gpu-glasses-nvidia_smi.csv"
    with pytest.raises(InputError, match=r"the power column 'power\.draw' does not say its unit"):
        import_source(src, tmp_path / "d", now=NOW, options=Options())
    assert not (tmp_path / "d").exists()


def test_a_boamps_report_with_numbers_written_as_strings_and_empty_fields(tmp_path: Path) -> None:
    doc = _import(REAL / "boamps" / "tmpcsax2ozj.json", tmp_path / "d")
    # "powerConsumption": "0.359554063044399" (kWh), "measurementDuration": "4.11198234558105" (s),
    # "powerCalibrationMeasurement": "" (not given)
    (run,) = doc["measurement"]["runs"]
    assert run["duration_s"] == pytest.approx(4.11198234558105)
    assert run["energy"]["total_j"] == pytest.approx(0.359554063044399 * KWH_J)
    origin = next(v for v in doc["provenance"]["values"] if v["pointer"] == "/measurement/runs/0/energy/total_j")
    assert origin["value"] == "0.359554063044399"
    assert not any("idle" in n and "calibration" in n for n in doc["provenance"]["notes"])


def test_a_boamps_measure_no_single_machine_could_draw_is_flagged_and_still_imported(tmp_path: Path) -> None:
    doc = _import(REAL / "boamps" / "tmpcsax2ozj.json", tmp_path / "d")
    # 0.359554063044399 kWh in 4.11198234558105 s: about 315 kW, where Wh would give a laptop's 315 W.
    mean_w = 0.359554063044399 * KWH_J / 4.11198234558105
    (finding,) = [f for f in doc["provenance"]["findings"] if f["rule_id"] == "import.unit-magnitude"]
    assert finding["location"] == "measures[0].powerConsumption"
    assert finding["pointer"] == "/measurement/runs/0/energy/total_j"
    assert f"{round(mean_w):,} W for one machine" in finding["message"]
    assert "another unit than kWh" in finding["message"]
    assert doc["measurement"]["runs"][0]["energy"]["total_j"] == pytest.approx(0.359554063044399 * KWH_J)


def test_the_same_boamps_measure_in_wh_is_a_plausible_machine(tmp_path: Path) -> None:
    text = (REAL / "boamps" / "tmpcsax2ozj.json").read_text()
    src = tmp_path / "report.json"
    src.write_text(text.replace('"unit": "kWh"', '"unit": "Wh"'))
    doc = _import(src, tmp_path / "d")
    assert doc["measurement"]["runs"][0]["energy"]["total_j"] == pytest.approx(0.359554063044399 * 3600)
    assert "import.unit-magnitude" not in _rules(doc)


def _boamps_with_gpus(tmp_path: Path, gpus: str, energy_kwh: str) -> Path:
    """The real report's measure, its infrastructure declaring ``gpus`` V100s (as the form tool writes it)."""
    text = (REAL / "boamps" / "tmpcsax2ozj.json").read_text()
    assert '"nbComponent": "2"' in text
    assert '"0.359554063044399"' in text
    src = tmp_path / "report.json"
    src.write_text(
        text.replace('"nbComponent": "2"', f'"nbComponent": {gpus}').replace('"0.359554063044399"', f'"{energy_kwh}"')
    )
    return src


def test_a_boamps_job_on_many_machines_is_allowed_what_its_gpus_draw(tmp_path: Path) -> None:
    # 0.359554063044399 kWh in 4.11 s is about 315 kW: 256 GPUs at 1.2 kW each, hosts included, draw that.
    doc = _import(_boamps_with_gpus(tmp_path, '"256"', "0.359554063044399"), tmp_path / "d")
    assert "import.unit-magnitude" not in _rules(doc)


@pytest.mark.parametrize(("gpus", "flagged"), [('"64"', True), ("64", True), ('"125"', True), ('"126"', False)])
def test_a_boamps_mean_power_beyond_its_gpus_is_flagged_saying_how_many(
    tmp_path: Path, gpus: str, flagged: bool
) -> None:
    # 314,785 W: more than 125 GPUs at 2.5 kW each (312.5 kW), within 126 (315 kW).
    doc = _import(_boamps_with_gpus(tmp_path, gpus, "0.359554063044399"), tmp_path / "d")
    found = [f for f in doc["provenance"].get("findings", []) if f["rule_id"] == "import.unit-magnitude"]
    assert bool(found) is flagged
    if found:
        count = gpus.strip('"')
        assert f"more than {count} GPUs and their hosts draw" in found[0]["message"]


@pytest.mark.parametrize("gpus", ['"many"', '"0"', "-3", "2.5", "true", '"99999999999"', "null"])
def test_a_boamps_gpu_count_that_is_not_one_allows_one_machine_only(tmp_path: Path, gpus: str) -> None:
    doc = _import(_boamps_with_gpus(tmp_path, gpus, "0.359554063044399"), tmp_path / "d")
    (finding,) = [f for f in doc["provenance"]["findings"] if f["rule_id"] == "import.unit-magnitude"]
    assert "W for one machine" in finding["message"]


@pytest.mark.parametrize("written", ["nan", "inf", "1_000", "1,5", "0x10", "12 kWh"])
def test_a_boamps_string_that_is_not_a_plain_decimal_is_still_refused(tmp_path: Path, written: str) -> None:
    text = (REAL / "boamps" / "tmpcsax2ozj.json").read_text()
    src = tmp_path / "report.json"
    src.write_text(text.replace('"0.359554063044399"', f'"{written}"'))
    with pytest.raises(InputError, match=r"powerConsumption: .* is not a finite number"):
        import_source(src, tmp_path / "d", now=NOW, options=Options())


@pytest.mark.parametrize(("prefix", "newline"), [(b"", b"\r\n"), (b"\xef\xbb\xbf", b"\r\n"), (b"\xef\xbb\xbf", b"\n")])
def test_the_real_codecarbon_file_as_written_on_windows_reads_the_same(
    tmp_path: Path, prefix: bytes, newline: bytes
) -> None:
    real = REAL / "codecarbon" / "eo-college-2.7.4-emissions.csv"
    src = tmp_path / "emissions.csv"
    src.write_bytes(prefix + real.read_bytes().replace(b"\n", newline))
    doc = _import(src, tmp_path / "d")
    expected = _import(real, tmp_path / "e")
    assert doc["measurement"]["runs"] == expected["measurement"]["runs"]
    assert doc["provenance"]["source_tool"] == {"name": "CodeCarbon", "version": "2.7.4"}


def test_zeus_power_monitor_samples_are_not_a_zeus_log_and_the_refusal_says_so(tmp_path: Path) -> None:
    src = REAL / "zeus" / "zeus_monitor-sample.csv"
    with pytest.raises(InputError, match=r"not a source une-eval recognises"):
        import_source(src, tmp_path / "d", now=NOW, options=Options())
    with pytest.raises(InputError, match=r"Zeus's GPU power monitor \(Time,Power: NVML power in mW"):
        import_source(src, tmp_path / "d", now=NOW, options=Options(), source_format="zeus-log")
