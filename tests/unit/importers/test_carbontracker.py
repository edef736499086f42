"""Carbontracker: a real session logged on this machine, PUE undone, predictions kept out."""

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

SESSION = FIXTURES / "import" / "carbontracker" / "session"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def _import(src: Path, out: Path) -> dict[str, Any]:
    result = import_source(src, out, now=NOW, options=Options())
    assert result.check.other_errors == ()
    assert result.source_format.name == "carbontracker-log"
    return result.document


def _findings(doc: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in doc["provenance"].get("findings", []) if f["rule_id"] == rule_id]


def _std() -> Path:
    return next(SESSION.glob("*_carbontracker.log"))


def _out() -> Path:
    return next(SESSION.glob("*_carbontracker_output.log"))


def _number_after(text: str, label: str) -> float:
    line = next(x for x in text.splitlines() if label in x)
    return float(line.split(label)[1].split()[0])


def test_the_real_session_gives_epochs_as_runs_of_it_energy(tmp_path: Path) -> None:
    doc = _import(SESSION, tmp_path / "d")
    std = _std().read_text()
    power = _number_after(std, "Average power usage (W) for cpu:")
    runs = doc["measurement"]["runs"]
    assert len(runs) == std.count(" - Epoch ")
    assert runs[0]["energy"]["cpu_j"] == pytest.approx(power * runs[0]["duration_s"])
    assert doc["measurement"]["methods"][0]["method"] == "estimate"  # the simulated CPU
    assert doc["phase"] == "training"


def test_the_reported_consumption_is_facility_energy_and_the_pue_is_divided_out(tmp_path: Path) -> None:
    doc = _import(SESSION, tmp_path / "d")
    out = _out().read_text()
    actual = out.split("Actual consumption")[1]
    kwh = _number_after(actual, "Energy:")
    assert doc["results"]["facility_energy_kwh"] == pytest.approx(kwh)
    assert doc["results"]["emissions_g_co2e"] == pytest.approx(_number_after(actual, "CO2eq:"))
    assert doc["system"]["site"]["pue"]["value"] == 1.58
    assert len(_findings(doc, "import.pue-applied")) == 1
    assert _findings(doc, "import.parts-sum") == []  # power x duration agrees with kWh / PUE
    it_j = sum(r["energy"]["total_j"] for r in doc["measurement"]["runs"])
    assert it_j == pytest.approx(kwh * 3_600_000 / 1.58, rel=0.01)


def test_a_prediction_is_a_finding_and_never_energy(tmp_path: Path) -> None:
    doc = _import(SESSION, tmp_path / "d")
    predicted = _number_after(_out().read_text().split("Predicted consumption")[1], "Energy:")
    assert len(_findings(doc, "import.predicted-values")) == 1
    assert predicted * 1000 not in [doc["results"].get("facility_energy_kwh", 0) * 1000]
    basis = {v["pointer"]: v["basis"] for v in doc["provenance"]["values"]}
    assert basis["/results/facility_energy_kwh"] == "estimated"


def test_the_output_log_alone_cannot_undo_the_pue(tmp_path: Path) -> None:
    doc = _import(_out(), tmp_path / "d")
    (finding,) = _findings(doc, "import.pue-applied")
    assert "cannot be divided out" in finding["message"]
    assert "runs" not in doc["measurement"] if "measurement" in doc else True


def test_a_report_that_disagrees_with_the_epochs_is_parts_sum(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    shutil.copytree(SESSION, folder)
    out = next(folder.glob("*_output.log"))
    text = out.read_text()
    actual = text.split("Actual consumption")[1]
    kwh = actual.split("Energy:")[1].split()[0]
    out.write_text(text.replace(f"Energy:\t{kwh}", f"Energy:\t{float(kwh) * 3:.12f}"))
    doc = _import(folder, tmp_path / "d")
    assert len(_findings(doc, "import.parts-sum")) == 1


def test_two_sessions_in_one_folder_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    shutil.copytree(SESSION, folder)
    shutil.copy(_std(), folder / "1.2_2026-01-01T000000Z_carbontracker.log")
    with pytest.raises(InputError, match="sessions"):
        import_source(folder, tmp_path / "d", now=NOW, source_format="carbontracker-log")


def test_with_a_time_zone_each_epoch_gets_its_window(tmp_path: Path) -> None:
    result = import_source(
        SESSION, tmp_path / "d", now=NOW, options=Options(timezone=dt.timezone(dt.timedelta(hours=1)))
    )
    runs = result.document["measurement"]["runs"]
    epoch_lines = [x for x in _std().read_text().splitlines() if " - Epoch " in x]
    logged = dt.datetime.strptime(epoch_lines[0][:19], "%Y-%m-%d %H:%M:%S") - dt.timedelta(hours=1)
    assert runs[0]["end_time"] == logged.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    end = dt.datetime.fromisoformat(runs[0]["end_time"])
    assert dt.datetime.fromisoformat(runs[0]["start_time"]) == end - dt.timedelta(seconds=runs[0]["duration_s"])


def test_a_log_date_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x_carbontracker.log"
    lines = ["Epoch 1:", "Duration: 0:00:03.00", "Average power usage (W) for cpu: 32.5"]
    bad.write_text("".join(f"2026-13-45 04:08:27 - {x}\n" for x in lines))
    with pytest.raises(InputError, match="not a date"):
        import_source(bad, tmp_path / "d", now=NOW, source_format="carbontracker-log", options=Options(timezone=dt.UTC))


def test_runs_of_newlines_and_long_lines_do_not_stall_the_reader(tmp_path: Path) -> None:
    src = tmp_path / "x_carbontracker_output.log"
    src.write_text("2026-01-01 00:00:00 - CarbonTracker: \nActual consumption:" + "\n" * 60_000 + "x\n")
    with pytest.raises(InputError, match="no epoch and no consumption"):
        import_source(src, tmp_path / "d", now=NOW, source_format="carbontracker-log")
    std = tmp_path / "y_carbontracker.log"
    components = " ".join("GPU with device(s) a" for _ in range(50_000))
    std.write_text(f"2026-01-01 00:00:00 - The following components were found: {components}\n")
    with pytest.raises(InputError, match="no epoch and no consumption"):
        import_source(std, tmp_path / "e", now=NOW, source_format="carbontracker-log")
