"""Hostile inputs to validate, import and the summaries: each gives its documented outcome, never an internal error.

Each attack here once got a wrong outcome: an internal error, a good file refused, a file written outside
the output folder or over one, or a verdict the file should not get. Beside some is the control that the
honest file still passes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.unit.validation.evidence_helpers import H200_CSV, recording, steady_doc
from une_eval.cli import main
from une_eval.errors import InputError
from une_eval.findings import Outcome
from une_eval.loading import parse_json_bytes
from une_eval.text import utf8_safe
from une_eval.validation import check_document

REPO = Path(__file__).resolve().parents[2]
VALID = REPO / "fixtures" / "valid" / "llm-inference-h100.json"


# ---- JSON: escapes of lone UTF-16 surrogates --------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": "\\ud800"}',
        b'{"a": ["x", {"b": "tail \\uDFFF"}]}',
        b'{"\\udc00key": 1}',
        b'{"a": "\\ud800\\u0041"}',  # a high surrogate followed by a letter, not by a low surrogate
    ],
)
def test_an_escape_of_a_lone_surrogate_is_refused(raw: bytes) -> None:
    with pytest.raises(InputError, match="unpaired UTF-16 surrogate"):
        parse_json_bytes(raw)


def test_a_surrogate_pair_and_an_escaped_backslash_are_read_as_written() -> None:
    doc = parse_json_bytes(b'{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}')
    assert doc == {"a": "\U0001f600", "b": "\\ud800"}


def test_validate_says_why_a_lone_surrogate_cannot_be_checked(tmp_path: Path) -> None:
    raw = VALID.read_bytes().replace(b'"submission_id": "', b'"submission_id": "\\ud800', 1)
    assert raw != VALID.read_bytes()
    path = tmp_path / "surrogate.json"
    path.write_bytes(raw)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "unpaired UTF-16 surrogate" in result.output
    assert "internal error" not in result.output


# ---- import: a BoAmps report with an integer Python will not convert ------------------------------


def test_a_boamps_report_with_a_5000_digit_integer_is_refused_with_a_reason(tmp_path: Path) -> None:
    report = REPO / "fixtures" / "import" / "boamps" / "boamps-report.json"
    source = tmp_path / "report.json"
    source.write_bytes(report.read_bytes().replace(b"{", b'{"x": ' + b"9" * 5000 + b", ", 1))
    result = CliRunner().invoke(
        main, ["import", str(source), "--from", "codecarbon-boamps", "-o", str(tmp_path / "draft")]
    )
    assert result.exit_code == 2
    assert "report.json: not a readable JSON document" in result.output
    assert "internal error" not in result.output
    assert not (tmp_path / "draft" / "submission.json").exists()


# ---- summaries: a file name that is not UTF-8 ----------------------------------------------------


def test_utf8_safe_escapes_only_lone_surrogates() -> None:
    assert utf8_safe("plain \x1b é \U0001f600") == "plain \x1b é \U0001f600"
    assert utf8_safe("a\udcffb") == "a\\udcffb"


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_a_parquet_summary_takes_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "batch"
    folder.mkdir()
    name = os.fsdecode(b"\xff\xfe.json")
    (folder / name).write_bytes(VALID.read_bytes())
    summary = tmp_path / "summary.parquet"
    result = CliRunner().invoke(main, ["validate", str(folder), "--summary", str(summary)])
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output
    assert pq.read_table(summary).column("source").to_pylist() == [str(folder / "\\udcff\\udcfe.json")]


# ---- evidence: a reset of NVML's counter dressed as a wrap ---------------------------------------


def _nvml_reset_doc(folder: Path, *, declare_range: bool) -> dict[str, object]:
    """The steady H200 submission whose counter restarts from 0 in the middle of run 1.

    With ``declare_range``, the trace entry gives ``energy_mj`` a ``wrap_range`` equal to the counter's
    value just before the reset: read as a wrap, the reset would cost nothing and the declared energies
    would still match.
    """
    doc = steady_doc()
    rows = recording().rows_of("run-1")
    middle = int(rows[rows.size // 2])
    lines = H200_CSV.read_text().splitlines()
    header, body = lines[0], [line.split(",") for line in lines[1:]]
    before = [int(cells[1]) for cells in body[:middle] if cells[1]][-1]
    for cells in body[middle:]:
        if cells[1]:
            cells[1] = str(int(cells[1]) - before)
    trace = folder / "traces" / "gpu0.csv"
    trace.parent.mkdir(parents=True)
    trace.write_text("\n".join([header, *(",".join(c) for c in body)]) + "\n")
    entry = doc["measurement"]["traces"][0]
    entry["sha256"] = hashlib.sha256(trace.read_bytes()).hexdigest()
    if declare_range:
        next(c for c in entry["columns"] if c["name"] == "energy_mj")["wrap_range"] = before
    return doc


@pytest.mark.parametrize("declare_range", [False, True])
def test_a_decrease_of_the_nvml_counter_is_a_reset_even_with_a_declared_range(
    tmp_path: Path, declare_range: bool
) -> None:
    doc = _nvml_reset_doc(tmp_path, declare_range=declare_range)
    verdict = check_document(doc, base_dir=tmp_path)
    assert verdict.outcome is Outcome.NON_CONFORMANT
    resets = [f.pointer for f in verdict.findings if f.rule_id == "evidence.counter-reset"]
    assert resets == ["/measurement/runs/1/devices/0/energy_j"]
    evidence = verdict.to_json()["evidence"]
    assert evidence["assurance"] == "declared-only"
    run1 = next(w for w in evidence["windows"] if w["run_index"] == 1)
    assert (run1["counter_resets"], run1["counter_wraps"]) == (1, 0)


def test_the_unaltered_steady_submission_is_conformant(tmp_path: Path) -> None:
    """The control for the reset attack: the same submission and trace, untouched, conform."""
    doc = steady_doc()
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "gpu0.csv").write_bytes(H200_CSV.read_bytes())
    verdict = check_document(json.loads(json.dumps(doc)), base_dir=tmp_path)
    assert verdict.outcome is Outcome.CONFORMANT, [(f.rule_id, f.message) for f in verdict.findings]


# ---- evidence: negative instant power taken off the integral ---------------------------------------


def _power_only(folder: Path, negate_every: int) -> tuple[dict[str, object], Path]:
    """The steady submission, its counter emptied and every ``negate_every``-th power sample of a run negated."""
    runs = {int(i) for k in range(3) for i in recording().rows_of(f"run-{k}")}
    lines = H200_CSV.read_text().splitlines()
    rows = []
    for i, line in enumerate(lines[1:]):
        time_ns, _counter, power, average, phase = line.split(",")
        if negate_every and i in runs and i % negate_every == 0:
            power = str(-int(power))
        rows.append(",".join([time_ns, "", power, average, phase]))
    trace = folder / "traces" / "gpu0.csv"
    trace.parent.mkdir(parents=True, exist_ok=True)
    trace.write_text("\n".join([lines[0], *rows]) + "\n")
    doc = steady_doc()
    doc["measurement"]["traces"][0]["sha256"] = hashlib.sha256(trace.read_bytes()).hexdigest()
    return doc, folder


def test_negative_instant_power_makes_the_trace_unusable(tmp_path: Path) -> None:
    from tests.unit.validation.evidence_helpers import rebuild_results, set_run_device_energy

    # The declared energies are what integrating the tampered power gives (a third of the truth), so only
    # the negative samples themselves can give the trace away.
    honest_doc, folder = _power_only(tmp_path / "honest", negate_every=0)
    honest = check_document(honest_doc, base_dir=folder)
    assert honest.outcome is Outcome.CONFORMANT, [(f.rule_id, f.message) for f in honest.findings]
    doc, folder = _power_only(tmp_path / "tampered", negate_every=3)
    for i, window in enumerate(honest.to_json()["evidence"]["windows"]):
        set_run_device_energy(doc, i, "node0-gpu0", round(window["recomputed_j"] / 3, 3))
    rebuild_results(doc)
    verdict = check_document(doc, base_dir=folder)
    assert verdict.outcome is Outcome.NON_CONFORMANT
    files = [f.message for f in verdict.findings if f.rule_id == "evidence.trace-file"]
    assert files == ["trace 'traces/gpu0.csv': column power_instant_mw holds negative values"]
    assert verdict.to_json()["evidence"]["assurance"] == "declared-only"


# ---- traces: line ends -----------------------------------------------------------------------------


@pytest.mark.parametrize("line_end", ["\r", "\r\n"])
def test_a_csv_trace_with_cr_or_crlf_line_ends_reads_as_with_lf(tmp_path: Path, line_end: str) -> None:
    doc = steady_doc()
    trace = tmp_path / "traces" / "gpu0.csv"
    trace.parent.mkdir()
    trace.write_bytes(H200_CSV.read_bytes().replace(b"\n", line_end.encode()))
    doc["measurement"]["traces"][0]["sha256"] = hashlib.sha256(trace.read_bytes()).hexdigest()
    verdict = check_document(doc, base_dir=tmp_path)
    assert verdict.outcome is Outcome.CONFORMANT, [(f.rule_id, f.message) for f in verdict.findings]
    assert verdict.to_json()["evidence"]["assurance"] == "evidence-checked"


# ---- evidence: one device's trace given as another's ----------------------------------------------


def _two_gpus_one_trace(folder: Path, *, copy: str) -> dict[str, object]:
    """The steady submission with a second GPU whose trace is the first GPU's: its path, a copy or a hard link."""
    import copy as copying

    from tests.unit.validation.evidence_helpers import rebuild_results, set_run_device_energy

    (folder / "traces").mkdir(parents=True)
    (folder / "traces" / "gpu0.csv").write_bytes(H200_CSV.read_bytes())
    doc = steady_doc()
    m = doc["measurement"]
    second = copying.deepcopy(m["devices"][0]) | {
        "device_id": "node0-gpu1",
        "uuid": "GPU-00000000-0000-0000-0000-0000000000b1",
    }
    m["devices"].append(second)
    doc["system"]["hardware"]["nodes"][0]["accelerators"][0]["count"] = 2
    entry = copying.deepcopy(m["traces"][0]) | {"device_id": "node0-gpu1"}
    if copy == "copy":
        (folder / "traces" / "gpu1.csv").write_bytes(H200_CSV.read_bytes())
    elif copy == "hard link":
        (folder / "traces" / "gpu1.csv").hardlink_to(folder / "traces" / "gpu0.csv")
    if copy != "same path":
        entry["path"] = "traces/gpu1.csv"
    m["traces"].append(entry)
    idle_w = m["idle_baseline"]["devices"][0]["power_w"]
    m["idle_baseline"]["devices"].append({"device_id": "node0-gpu1", "power_w": idle_w})
    for i, run in enumerate(m["runs"]):
        set_run_device_energy(doc, i, "node0-gpu1", run["devices"][0]["energy_j"])
    rebuild_results(doc)
    return doc


@pytest.mark.parametrize("copy", ["same path", "copy", "hard link"])
def test_one_gpus_trace_is_not_evidence_for_a_second_gpu(tmp_path: Path, copy: str) -> None:
    doc = _two_gpus_one_trace(tmp_path, copy=copy)
    verdict = check_document(doc, base_dir=tmp_path)
    assert verdict.outcome is Outcome.NON_CONFORMANT
    files = [(f.pointer, f.message) for f in verdict.findings if f.rule_id == "evidence.trace-file"]
    path = "traces/gpu0.csv" if copy == "same path" else "traces/gpu1.csv"
    assert files == [
        (
            "/measurement/traces/1/path",
            f"trace {path!r} of device node0-gpu1 has the same bytes as trace 'traces/gpu0.csv' of device "
            "node0-gpu0; one device's samples are not evidence for another",
        )
    ]
    evidence = verdict.to_json()["evidence"]
    assert evidence["assurance"] == "declared-only"
    assert {w["device_id"] for w in evidence["windows"]} == {"node0-gpu0"}
    # The same file (by path or hard link) is not read a second time; a copy is read, then recognised.
    assert len(verdict.evidence.records if verdict.evidence else ()) == (2 if copy == "copy" else 1)


# ---- import: the draft folder ------------------------------------------------------------------------

DCGM = REPO / "fixtures" / "import" / "dcgm" / "dcgm-long.csv"


def test_import_does_not_write_through_a_traces_link(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "draft", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "traces").symlink_to(elsewhere)
    for force in ([], ["--force"]):
        result = CliRunner().invoke(main, ["import", str(DCGM), "-o", str(out), *force])
        assert result.exit_code == 2
        assert "traces is a symbolic link or not a folder" in result.output
    assert list(elsewhere.iterdir()) == []
    assert not (out / "submission.json").exists()


def test_import_does_not_replace_a_trace_file_without_force(tmp_path: Path) -> None:
    first = CliRunner().invoke(main, ["import", str(DCGM), "-o", str(tmp_path / "draft")])
    assert first.exit_code == 0, first.output
    (tmp_path / "draft" / "submission.json").unlink()
    (trace,) = (tmp_path / "draft" / "traces").iterdir()
    trace.write_text("kept\n")
    again = CliRunner().invoke(main, ["import", str(DCGM), "-o", str(tmp_path / "draft")])
    assert again.exit_code == 2
    assert f"{trace} already exists" in again.output
    assert trace.read_text() == "kept\n"
    forced = CliRunner().invoke(main, ["import", str(DCGM), "-o", str(tmp_path / "draft"), "--force"])
    assert forced.exit_code == 0, forced.output
    assert trace.read_text().startswith("time_unix_ns,")


# ---- evidence: run windows asked for in bulk --------------------------------------------------------


def test_more_run_windows_than_the_limit_are_not_recomputed(tmp_path: Path) -> None:
    """401 runs x 500 traced devices (200,500 windows) in a 0.5 MB file: refused before any trace is opened."""
    import copy as copying

    from une_eval.validation.evidence_guards import MAX_RUN_WINDOWS

    doc = steady_doc()
    m = doc["measurement"]
    m["runs"] = [copying.deepcopy(m["runs"][0]) | {"index": i} for i in range(401)]
    device, entry = m["devices"][0], m["traces"][0]
    m["devices"] = [device | {"device_id": f"node0-gpu{k}", "uuid": f"GPU-{k}"} for k in range(500)]
    m["traces"] = [entry | {"path": f"traces/absent{k}.csv", "device_id": f"node0-gpu{k}"} for k in range(500)]
    assert MAX_RUN_WINDOWS < 401 * 500
    verdict = check_document(doc, base_dir=tmp_path)
    assert verdict.outcome is Outcome.NON_CONFORMANT
    files = {f.message for f in verdict.findings if f.rule_id == "evidence.trace-file"}
    assert files == {
        "the submission asks for 200,500 run windows (401 runs x 500 devices with a trace), more than the "
        "200,000 une-eval recomputes; no trace was read"
    }
    evidence = verdict.to_json()["evidence"]
    assert (evidence["assurance"], evidence["windows"], evidence["traces_with_issues"]) == ("declared-only", [], 500)


# ---- evidence: a RAPL counter that restarts, with its range declared ------------------------------

RAPL_RANGE_UJ = 2**32
SERVER_RANGE_UJ = 262_143_328_850  # a server package's max_energy_range_uj
CPU_W = 200.0
TICK_NS = 100_000_000


def _rapl_doc(folder: Path, counter_at: Callable[[int], int], wrap_range: int) -> dict[str, object]:
    """The steady submission plus a CPU package at 200 W; ``counter_at`` gives its counter (uJ) at a time (ns)."""
    import numpy as np

    from tests.unit.validation.evidence_helpers import rebuild_results, set_run_device_energy, trace_entry, write_csv

    doc = steady_doc()
    t0 = int(recording().time_ns[0])
    times = range(t0 - 5_000_000_000, t0 + 55_000_000_001, TICK_NS)
    sha = write_csv(
        folder / "traces" / "cpu0.csv", ["time_unix_ns", "energy_uj"], [[t, counter_at(t - t0)] for t in times]
    )
    columns: list[dict[str, Any]] = [
        {"name": "time_unix_ns", "unit": "ns"},
        {"name": "energy_uj", "unit": "uJ", "wrap_range": wrap_range},
    ]
    m = doc["measurement"]
    m["traces"].append(trace_entry("traces/cpu0.csv", sha, "node0-cpu0", columns))
    m["devices"].append({"device_id": "node0-cpu0", "component": "cpu", "node_id": "node0"})
    m["methods"][1] = {
        "component": "cpu",
        "method": "rapl",
        "instrument": {"name": "Linux powercap intel-rapl", "sampling_interval_s": 0.1},
    }
    for i, run in enumerate(m["runs"]):
        seconds = (np.datetime64(run["end_time"][:-1]) - np.datetime64(run["start_time"][:-1])) / np.timedelta64(1, "s")
        set_run_device_energy(doc, i, "node0-cpu0", round(CPU_W * float(seconds), 3))
    rebuild_results(doc)
    (folder / "traces" / "gpu0.csv").write_bytes(H200_CSV.read_bytes())
    return doc


def _cpu_windows(
    folder: Path, counter_at: Callable[[int], int], wrap_range: int
) -> tuple[Any, dict[int, dict[str, Any]]]:
    verdict = check_document(_rapl_doc(folder, counter_at, wrap_range), base_dir=folder)
    windows = verdict.to_json()["evidence"]["windows"]
    return verdict, {w["run_index"]: w for w in windows if w["device_id"] == "node0-cpu0"}


def _uj(offset_ns: int) -> int:
    """Energy at 200 W since the recording's start, in uJ."""
    return round(CPU_W * offset_ns / 1000)


def test_a_rapl_counter_that_wraps_near_its_range_is_a_wrap(tmp_path: Path) -> None:
    start = RAPL_RANGE_UJ - _uj(23_000_000_000)  # reaches the range 23 s in, inside run 1
    verdict, cpu = _cpu_windows(tmp_path, lambda t: (start + _uj(t)) % RAPL_RANGE_UJ, RAPL_RANGE_UJ)
    assert verdict.outcome is Outcome.CONFORMANT, [(f.rule_id, f.message) for f in verdict.findings]
    assert [(cpu[i]["counter_wraps"], cpu[i]["counter_resets"]) for i in range(3)] == [(0, 0), (1, 0), (0, 0)]


def test_a_rapl_counter_that_restarts_from_a_quarter_of_its_range_is_a_reset(tmp_path: Path) -> None:
    """Read as a wrap, the drop would add three quarters of the range (197 kJ in 0.1 s): a reset."""
    start = SERVER_RANGE_UJ // 4 - _uj(23_000_000_000)  # a quarter of the range 23 s in, when the counter restarts

    def counter(t: int) -> int:
        return start + _uj(t) if t < 23_000_000_000 else _uj(t - 23_000_000_000)

    verdict, cpu = _cpu_windows(tmp_path, counter, SERVER_RANGE_UJ)
    assert verdict.outcome is Outcome.NON_CONFORMANT
    assert [(cpu[i]["counter_wraps"], cpu[i]["counter_resets"]) for i in range(3)] == [(0, 0), (0, 1), (0, 0)]
    resets = [f.pointer for f in verdict.findings if f.rule_id == "evidence.counter-reset"]
    assert resets == ["/measurement/runs/1/devices/1/energy_j"]
