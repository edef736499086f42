"""``une-eval merge``: four replayed nodes, each with its own recording and clock offset, merged and validated.

The faults here are built from a good job's folders (a node left out, a clock pushed past the limit, a
GPU missing, one GPU reported twice, a node cut short, a counter reset, a hostile file); the same
faults in a real Slurm are in ``test_slurm_jobs.py``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.replay_nodes import declarations, make_node, measure_args, node_run_energy_j
from une_eval.cli import main
from une_eval.measure.clocksync import ClockReferenceServer
from une_eval.validation import check_file

OFFSETS_MS = {"n1": 0.0, "n2": 120.0, "n3": -250.0, "n4": 90.0}


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four nodes of two GPUs, measured against one reference clock with injected offsets."""
    root = tmp_path_factory.mktemp("job")
    decl = declarations(root / "declarations.json", "inference")
    with ClockReferenceServer() as server:
        reference = f"{server.address[0]}:{server.address[1]}"
        for k, (name, offset) in enumerate(OFFSETS_MS.items()):
            node = make_node(root / "recordings", name, 2, index=k)
            extra = ["--clock-reference", reference, "--replay-clock-offset-ms", str(offset)]
            result = _run(*measure_args(node, root / "out" / name, decl, extra=extra))
            assert result.exit_code == 0, result.output
    return root / "out"


@pytest.fixture
def folders(job: Path, tmp_path: Path) -> Path:
    """A private copy of the job's node folders, for a test to damage."""
    copy = tmp_path / "out"
    shutil.copytree(job, copy)
    return copy


def _merge(out: Path, merged: Path, *extra: str, nodes: list[str] | None = None) -> tuple[Any, dict[str, Any]]:
    names = nodes or sorted(p.name for p in out.iterdir())
    args = ["merge", *[str(out / n) for n in names], "-o", str(merged), "--expect-nodes", "n[1-4]"]
    result = _run(*args, "--expect-gpus-per-node", "2", *extra)
    doc = json.loads((merged / "submission.json").read_text()) if (merged / "submission.json").exists() else {}
    return result, doc


def _codes(doc: dict[str, Any]) -> list[str]:
    return [f["code"] for f in doc["measurement"]["merge"]["findings"]]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_good_job_merges_complete_and_validates(job: Path, tmp_path: Path) -> None:
    result, doc = _merge(job, tmp_path / "merged")
    assert result.exit_code == 0, result.output
    m = doc["measurement"]
    assert m["complete"] is True
    assert m["merge"]["findings"] == []
    assert len(m["devices"]) == 8
    assert len({d["uuid"] for d in m["devices"]}) == 8
    for k, run in enumerate(m["runs"]):
        assert run["complete"] is True
        independent = sum(node_run_energy_j(job / n, k) for n in OFFSETS_MS)
        assert run["energy"]["total_j"] == pytest.approx(independent, rel=1e-4)
        assert run["energy_min_j"] <= run["energy"]["total_j"] <= run["energy_max_j"]
    audit = check_file(tmp_path / "merged" / "submission.json")
    assert audit.outcome.value == "conformant", [str(f) for f in audit.findings]
    assert audit.assurance.value == "evidence-checked"


def test_the_merged_job_is_still_marked_a_replay_of_every_node(job: Path, tmp_path: Path) -> None:
    _, doc = _merge(job, tmp_path / "merged")
    replay = doc["measurement"]["replay"]
    assert replay["kind"] == "replay"
    recorded = sorted(rec["device_id"] for rec in replay["recordings"])
    assert recorded == sorted(d["device_id"] for d in doc["measurement"]["devices"])
    audit = check_file(tmp_path / "merged" / "submission.json", profile="une-style")
    assert "measurement.replay" in [f.rule_id for f in audit.errors]


def test_each_node_keeps_its_evidence_with_digests(job: Path, tmp_path: Path) -> None:
    _, doc = _merge(job, tmp_path / "merged")
    merged = tmp_path / "merged"
    for trace in doc["measurement"]["traces"]:
        assert _sha256(merged / trace["path"]) == trace["sha256"]
        node = trace["path"].split("/")[1]
        original = job / node / "/".join(trace["path"].split("/")[2:])
        assert original.read_bytes() == (merged / trace["path"]).read_bytes()
    for record in doc["measurement"]["nodes"]:
        assert record["status"] == "complete"
        assert _sha256(merged / record["submission"]) == record["submission_sha256"]
        assert record["submission_sha256"] == _sha256(job / record["node_id"] / "submission.json")
        assert (merged / "nodes" / record["node_id"] / "run.log").is_file()


def test_the_clocks_recorded_are_the_offsets_injected(job: Path, tmp_path: Path) -> None:
    _, doc = _merge(job, tmp_path / "merged")
    for record in doc["measurement"]["nodes"]:
        clock = record["clock"]
        assert abs(clock["offset_s"] - OFFSETS_MS[record["node_id"]] / 1000) <= clock["uncertainty_s"] + 1e-6
    # The job's windows do not follow any one node's clock: n3 runs 250 ms behind the reference.
    n3 = json.loads((job / "n3" / "submission.json").read_text())["measurement"]["runs"][0]
    assert doc["measurement"]["runs"][0]["start_time"] != n3["start_time"]


def test_a_node_that_never_started(folders: Path, tmp_path: Path) -> None:
    result, doc = _merge(folders, tmp_path / "merged", nodes=["n1", "n2", "n4"])
    assert result.exit_code == 1
    assert "node n3 (expected by --expect-nodes) left no measurement (never started?)" in result.output
    assert "node-missing" in _codes(doc)
    assert not doc["measurement"]["complete"]
    assert all(not r["complete"] for r in doc["measurement"]["runs"])
    assert "results" not in doc
    n3 = next(r for r in doc["measurement"]["nodes"] if r["node_id"] == "n3")
    assert n3["status"] == "excluded"
    assert "never started" in n3["reason"]


def _set_offset(folder: Path, offset_s: float) -> None:
    path = folder / "submission.json"
    doc = json.loads(path.read_text())
    doc["measurement"]["nodes"][0]["clock"]["offset_s"] = offset_s
    path.write_text(json.dumps(doc))


def test_a_clock_offset_above_the_limit_is_refused(folders: Path, tmp_path: Path) -> None:
    _set_offset(folders / "n4", 0.9)
    result, doc = _merge(folders, tmp_path / "merged")
    assert result.exit_code == 1
    (finding,) = [f for f in doc["measurement"]["merge"]["findings"] if f["code"] == "clock-offset"]
    assert finding["node_id"] == "n4"
    assert "400 ms" in finding["message"]
    assert not any(d["node_id"] == "n4" for d in doc["measurement"]["devices"])
    # A looser profile limit accepts it, with the interval widened by the offset accepted.
    result, loose = _merge(folders, tmp_path / "loose", "--clock-limit-ms", "1000")
    assert "clock-offset" not in _codes(loose)
    run = loose["measurement"]["runs"][0]
    n4 = [d for d in run["devices"] if d["device_id"].startswith("n4-")]
    n1 = [d for d in run["devices"] if d["device_id"].startswith("n1-")]
    spread = [d["energy_max_j"] - d["energy_min_j"] for d in n4]
    assert min(spread) > 2 * 0.9 * 600  # at least the widening by 0.9 s on both sides at ~690 W
    assert max(d["energy_max_j"] - d["energy_min_j"] for d in n1) < min(spread)


def _drop_gpu(folder: Path, device_id: str) -> None:
    path = folder / "submission.json"
    doc = json.loads(path.read_text())
    m = doc["measurement"]
    m["devices"] = [d for d in m["devices"] if d["device_id"] != device_id]
    m["traces"] = [t for t in m["traces"] if t["device_id"] != device_id]
    path.write_text(json.dumps(doc))


def test_a_gpu_missing_on_one_node(folders: Path, tmp_path: Path) -> None:
    _drop_gpu(folders / "n3", "n3-gpu1")
    result, doc = _merge(folders, tmp_path / "merged")
    assert result.exit_code == 1
    (finding,) = [f for f in doc["measurement"]["merge"]["findings"] if f["code"] == "device-missing"]
    assert finding["node_id"] == "n3"
    assert "1 GPU(s) measured, 2 expected" in finding["message"]
    assert all(not r["complete"] for r in doc["measurement"]["runs"])
    assert all("n3" in r["reason"] for r in doc["measurement"]["runs"])


def test_the_same_gpu_twice_is_counted_once(folders: Path, tmp_path: Path) -> None:
    path = folders / "n2" / "submission.json"
    doc = json.loads(path.read_text())
    devices = doc["measurement"]["devices"]
    devices[1]["uuid"] = devices[0]["uuid"]  # two MIG instances of one GPU, each reporting it whole
    path.write_text(json.dumps(doc))
    result, merged = _merge(folders, tmp_path / "merged")
    assert result.exit_code == 1
    (finding,) = [f for f in merged["measurement"]["merge"]["findings"] if f["code"] == "device-duplicate"]
    assert finding["device_id"] == "n2-gpu1"
    m = merged["measurement"]
    assert [d["device_id"] for d in m["devices"]].count("n2-gpu1") == 0
    assert all(len(r["devices"]) == 7 for r in m["runs"])
    assert not m["complete"]


def _cut_short(folder: Path, keep_runs: int) -> None:
    """What a node killed during run ``keep_runs`` leaves: its last checkpoint, traces that stop mid-run."""
    path = folder / "submission.json"
    doc = json.loads(path.read_text())
    m = doc["measurement"]
    m["runs"] = m["runs"][:keep_runs]
    m["complete"] = False
    m["incomplete_reason"] = "measurement in progress (the runner was stopped before it finished)"
    doc.pop("results", None)
    path.write_text(json.dumps(doc))
    for trace in m["traces"]:
        with (folder / trace["path"]).open(newline="") as fh:
            rows = list(csv.reader(fh))
        phases = [r[1] for r in rows]
        first_of_run = phases.index(f"run-{keep_runs}")
        with (folder / trace["path"]).open("w", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows[: first_of_run + 60])


def test_a_node_that_died_invalidates_only_the_runs_it_touches(folders: Path, tmp_path: Path) -> None:
    _cut_short(folders / "n2", keep_runs=1)
    result, doc = _merge(folders, tmp_path / "merged")
    assert result.exit_code == 1
    runs = doc["measurement"]["runs"]
    assert [r["complete"] for r in runs] == [True, False, False]
    assert "n2" in runs[1]["reason"]
    codes = _codes(doc)
    assert "node-incomplete" in codes
    assert "trace-changed" in codes  # its traces grew after its last checkpoint
    n2 = next(r for r in doc["measurement"]["nodes"] if r["node_id"] == "n2")
    assert n2["status"] == "partial"
    assert "stopped before it finished" in n2["reason"]
    assert doc["results"]["statistics"]["n_runs"] == 1  # the complete run still counts


def test_a_counter_reset_invalidates_one_run(folders: Path, tmp_path: Path) -> None:
    path = folders / "n4" / "submission.json"
    doc = json.loads(path.read_text())
    trace = next(t for t in doc["measurement"]["traces"] if t["device_id"] == "n4-gpu1")
    with (folders / "n4" / trace["path"]).open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    in_run1 = [i for i, r in enumerate(rows) if r["phase"] == "run-1" and r["energy_mj"]]
    reset_at = in_run1[len(in_run1) // 2]
    drop = int(rows[reset_at]["energy_mj"]) - 5
    for r in rows[reset_at:]:
        if r["energy_mj"]:
            r["energy_mj"] = str(int(r["energy_mj"]) - drop)  # the driver reloaded: the counter restarts
    with (folders / "n4" / trace["path"]).open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result, merged = _merge(folders, tmp_path / "merged")
    assert result.exit_code == 1
    runs = merged["measurement"]["runs"]
    assert [r["complete"] for r in runs] == [True, False, True]
    (reset,) = [f for f in merged["measurement"]["merge"]["findings"] if f["code"] == "counter-reset"]
    assert (reset["node_id"], reset["device_id"], reset["run_index"]) == ("n4", "n4-gpu1", 1)


def test_a_clock_not_measured_cannot_be_aligned(folders: Path, tmp_path: Path) -> None:
    path = folders / "n1" / "submission.json"
    doc = json.loads(path.read_text())
    doc["measurement"]["nodes"][0]["clock"] = {"method": "none", "reference": "none", "reason": "no reference given"}
    path.write_text(json.dumps(doc))
    _, merged = _merge(folders, tmp_path / "merged")
    assert "clock-unmeasured" in _codes(merged)
    assert not merged["measurement"]["complete"]


def test_unreadable_and_hostile_node_folders(folders: Path, tmp_path: Path) -> None:
    (folders / "n3" / "submission.json").write_bytes(b'{"schema_version": "1.0", "x": NaN}')
    trace = folders / "n4" / "traces" / "n4-gpu0.csv"
    trace.rename(tmp_path / "n4-gpu0.csv")
    os.symlink(tmp_path / "n4-gpu0.csv", trace)  # a link planted where a trace belongs is not followed
    result, doc = _merge(folders, tmp_path / "merged")
    assert result.exit_code == 1
    findings = {(f["code"], f.get("node_id")) for f in doc["measurement"]["merge"]["findings"]}
    assert ("node-unreadable", "n3") in findings
    assert ("trace-unusable", "n4") in findings
    assert not (tmp_path / "merged" / "nodes" / "n4" / "traces" / "n4-gpu0.csv").exists()


def test_the_output_folder_is_not_overwritten_without_force(job: Path, tmp_path: Path) -> None:
    merged = tmp_path / "merged"
    merged.mkdir()
    (merged / "keep.txt").write_text("mine")
    result, _ = _merge(job, merged)
    assert result.exit_code == 2
    assert "not empty" in result.output
    result, _ = _merge(job, merged, "--force")
    assert result.exit_code == 0
    assert (merged / "keep.txt").read_text() == "mine"
    result = _run("merge", str(job / "n1"), "-o", str(job / "n1"))
    assert result.exit_code == 2


def test_no_usable_node_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = _run("merge", str(tmp_path / "empty"), "-o", str(tmp_path / "merged"))
    assert result.exit_code == 2
    assert "no node can be merged" in result.output


def test_without_a_launcher_or_a_declared_set_the_merge_says_so(job: Path, tmp_path: Path) -> None:
    result = _run("merge", *[str(job / n) for n in OFFSETS_MS], "-o", str(tmp_path / "merged"))
    assert result.exit_code == 1
    doc = json.loads((tmp_path / "merged" / "submission.json").read_text())
    assert doc["measurement"]["merge"]["expected_from"] == "none"
    assert _codes(doc).count("devices-unknown") >= 1


def test_declared_devices_find_a_changed_gpu(job: Path, tmp_path: Path) -> None:
    expected = {}
    for name in OFFSETS_MS:
        m = json.loads((job / name / "submission.json").read_text())["measurement"]
        expected[name] = [d["uuid"] for d in m["devices"]]
    expected["n2"][1] = "GPU-00000000-0000-4000-8000-999999999999"
    spec = tmp_path / "expected.json"
    spec.write_text(json.dumps(expected))
    result, doc = _merge(job, tmp_path / "merged", "--expect-devices", str(spec))
    assert result.exit_code == 1
    (changed,) = [f for f in doc["measurement"]["merge"]["findings"] if f["code"] == "device-changed"]
    assert changed["device_id"] == "n2-gpu1"


def _sacct(path: Path, job: str, energy_j: float) -> Path:
    path.write_text(f"JobID|ConsumedEnergyRaw|ElapsedRaw\n{job}|{energy_j:.0f}|600\n{job}.0|{energy_j:.0f}|590\n")
    return path


def test_cross_checks_are_recorded_beside_the_measured_total(job: Path, tmp_path: Path) -> None:
    _, plain = _merge(job, tmp_path / "plain")
    measured_j = sum(r["energy"]["total_j"] for r in plain["measurement"]["runs"] if r["complete"])
    sacct = _sacct(tmp_path / "sacct.txt", "31", measured_j * 1.5)  # the whole job: more than its runs
    dcgm = tmp_path / "dcgm.txt"
    dcgm.write_text(f"| GPU ID: 0 |\n| Energy Consumed (Joules) | {measured_j * 0.5:.0f} |\n")  # far too low
    extra = ("--sacct-file", str(sacct), "--job-id", "31", "--dcgm-stats-file", str(dcgm))
    result, doc = _merge(job, tmp_path / "merged", *extra)
    assert result.exit_code == 0, result.output
    checks = {c["source"]: c for c in doc["measurement"]["cross_checks"]}
    assert checks["slurm-sacct"]["energy_j"] == pytest.approx(measured_j * 1.5, abs=1)
    assert checks["slurm-sacct"]["measured_j"] == pytest.approx(measured_j)
    assert checks["slurm-sacct"]["difference_pct"] == pytest.approx(50, abs=0.01)
    assert checks["dcgm-stats"]["difference_pct"] == pytest.approx(-50, abs=0.01)
    runs = [r["energy"]["total_j"] for r in doc["measurement"]["runs"]]
    assert runs == [r["energy"]["total_j"] for r in plain["measurement"]["runs"]]  # never replaces the measurement
    assert "cross-check: slurm-sacct" in result.output
    audit = check_file(tmp_path / "merged" / "submission.json")
    warned = [f for f in audit.findings if f.rule_id == "nodes.cross-check"]
    assert [f.pointer for f in warned] == ["/measurement/cross_checks/1/energy_j"]  # only DCGM's, below the runs
    assert audit.outcome.value == "conformant"  # a warning


def test_sacct_without_accounting_is_recorded_as_unavailable(job: Path, tmp_path: Path) -> None:
    sacct = tmp_path / "sacct.txt"
    sacct.write_text("JobID|ConsumedEnergyRaw|ElapsedRaw\n31|0|600\n")
    result, doc = _merge(job, tmp_path / "merged", "--sacct-file", str(sacct), "--job-id", "31")
    assert result.exit_code == 0, result.output
    (check,) = doc["measurement"]["cross_checks"]
    assert check["status"] == "unavailable"
    assert "no energy" in check["reason"]
    assert "unavailable" in result.output


def _certificate_html(submission: Path, lang: str = "en") -> str:
    import datetime as dt

    from une_eval.report.content import prepare
    from une_eval.report.render import Renderer
    from une_eval.report.sign import Auditor

    when = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    return Renderer().html(
        prepare(submission), number="UEC-T", issued_at=when, auditor=Auditor("A", "B"), lang=lang, findings_sha256="0"
    )


def _section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_incomplete_merge_shows_which_node_and_why(folders: Path, tmp_path: Path, lang: str) -> None:
    from une_eval.validation.summary import render_html

    sacct = _sacct(tmp_path / "sacct.txt", "31", 10**9)
    _merge(folders, tmp_path / "merged", "--sacct-file", str(sacct), "--job-id", "31", nodes=["n1", "n2", "n4"])
    submission = tmp_path / "merged" / "submission.json"
    excluded = "excluded" if lang == "en" else "excluido"
    for html in (
        _section(_certificate_html(submission, lang), '<section class="job-nodes">'),
        render_html([check_file(submission).to_json()], lang=lang).decode(),
    ):
        row = html[html.index('<tr class="node node-excluded"') :]
        row = row[: row.index("</tr>")]
        assert "n3" in row
        assert excluded in row
        assert "never started" in row
        assert html.count('<tr class="node node-complete"') == 3  # the others' windows count
        assert 'data-source="slurm-sacct"' in html
    text = _run("validate", str(submission)).output
    assert "nodes: 4 (3 complete, 1 excluded)" in text
    assert "n3  excluded  0 GPU" in text
    assert "cross-check slurm-sacct (sourced)" in text


def test_a_thousand_nodes_are_summarised_not_listed(job: Path, tmp_path: Path) -> None:
    _, doc = _merge(job, tmp_path / "merged")
    template = doc["measurement"]["nodes"][0]
    records = []
    for k in range(1024):
        record = json.loads(json.dumps(template)) | {"node_id": f"gpu{k:04d}", "energy_j": 1000.0 + k}
        if k in (17, 600):
            record |= {"status": "partial", "reason": f"node gpu{k:04d}: its trace ends early"}
        records.append(record)
    doc["measurement"]["nodes"] = records
    doc["measurement"]["traces"] = doc["measurement"]["traces"] * 20  # 160 traces, every hash matching
    path = tmp_path / "merged" / "big.json"
    path.write_text(json.dumps(doc))
    audit = check_file(path)
    table = audit.nodes
    assert table is not None
    assert table.condensed
    assert table.node_count == 1024
    assert [r.node_id for r in table.group("problem")] == ["gpu0017", "gpu0600"]
    assert [r.node_id for r in table.group("highest")] == [f"gpu{k:04d}" for k in range(1023, 1018, -1)]
    assert [r.node_id for r in table.group("lowest")] == ["gpu0004", "gpu0003", "gpu0002", "gpu0001", "gpu0000"]
    assert table.others == 1024 - 2 - 10
    assert (table.others_low_j, table.others_high_j) == (1005.0, 2018.0)
    assert table.total_energy_j == pytest.approx(sum(1000.0 + k for k in range(1024)))
    html = _section(_certificate_html(path), '<section class="job-nodes">')
    assert html.count('<tr class="node ') == 12
    assert "1012 other complete nodes" in html
    assert "1,024 nodes is summarised" in html
    annex = _certificate_html(path)
    assert annex.count("— hash matches the file") == 64
    assert "96 more traces, whose hashes match their files" in annex


def test_an_unusable_cross_check_file_is_refused_before_anything_is_written(job: Path, tmp_path: Path) -> None:
    bad = tmp_path / "sacct.txt"
    bad.write_text("JobID,ConsumedEnergyRaw\n31,1000\n")  # not --parsable2
    result, doc = _merge(job, tmp_path / "merged", "--sacct-file", str(bad))
    assert result.exit_code == 2
    assert "sacct.txt: sacct output must be --parsable2" in result.output
    assert doc == {}
    assert not any((tmp_path / "merged").iterdir())
