"""The training protocol: a measured part (steps after the warm-up), the full run predicted, marked estimated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.replay_nodes import declarations, make_node, measure_args
from une_eval.audit import Provenance
from une_eval.cli import main
from une_eval.measure.clocksync import ClockReferenceServer
from une_eval.validation import check_file

FULL_RUN_STEPS = 100000  # what the training declarations say the run has


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def training_job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("training")
    decl = declarations(root / "declarations.json", "training")
    with ClockReferenceServer() as server:
        reference = f"{server.address[0]}:{server.address[1]}"
        for k, name in enumerate(["n1", "n2"]):
            node = make_node(root / "recordings", name, 1, index=k)
            args = measure_args(
                node, root / "out" / name, decl, phase="training", extra=["--clock-reference", reference]
            )
            result = _run(*args)
            assert result.exit_code == 0, result.output
    return root


def _merge(root: Path, out: Path, *extra: str) -> tuple[Any, dict[str, Any]]:
    nodes = [str(root / "out" / n) for n in ("n1", "n2")]
    result = _run("merge", *nodes, "-o", str(out), "--expect-nodes", "n[1-2]", "--expect-gpus-per-node", "1", *extra)
    return result, json.loads((out / "submission.json").read_text())


def test_the_full_run_is_predicted_from_the_measured_steps(training_job: Path, tmp_path: Path) -> None:
    result, doc = _merge(training_job, tmp_path / "merged", "--full-run-units", str(FULL_RUN_STEPS))
    assert result.exit_code == 0, result.output
    assert "estimated, not measured" in result.output
    p = doc["results"]["prediction"]
    runs = [r for r in doc["measurement"]["runs"] if r["complete"]]
    measured_j = sum(r["energy"]["total_j"] for r in runs)
    steps = sum(r["work_units"] for r in runs)
    assert steps == 150  # three runs of 50 global steps: the nodes' counts are the job's, not summed
    assert p["provenance"] == "estimated"
    assert (p["unit"], p["measured_units"], p["full_run_units"], p["n_runs"]) == ("step", 150, FULL_RUN_STEPS, 3)
    assert p["energy_j"] == pytest.approx(measured_j / steps * FULL_RUN_STEPS, rel=1e-5)
    assert p["low_j"] < p["energy_j"] < p["high_j"]
    coverage = doc["workload"]["training"]["coverage"]
    assert coverage["kind"] == "extrapolated"
    assert coverage["measured_fraction"] == pytest.approx(150 / FULL_RUN_STEPS)
    audit = check_file(tmp_path / "merged" / "submission.json")
    assert audit.outcome.value == "conformant", [str(f) for f in audit.findings]
    predicted = {f.key: f for f in audit.figures if f.key.startswith("prediction.")}
    assert set(predicted) == {"prediction.energy_j", "prediction.low_j", "prediction.high_j"}
    assert {f.provenance for f in predicted.values()} == {Provenance.ESTIMATED}
    measured = next(f for f in audit.figures if f.key == "energy_total.total_j")
    assert measured.provenance is Provenance.RECOMPUTED  # the measured part stays measured


def test_a_prediction_that_the_runs_do_not_give_is_a_finding(training_job: Path, tmp_path: Path) -> None:
    _merge(training_job, tmp_path / "merged", "--full-run-units", str(FULL_RUN_STEPS))
    path = tmp_path / "merged" / "submission.json"
    doc = json.loads(path.read_text())
    doc["results"]["prediction"]["high_j"] = doc["results"]["prediction"]["energy_j"] * 1.0001  # a tighter claim
    doc["results"]["prediction"]["full_run_units"] = 90000
    path.write_text(json.dumps(doc))
    audit = check_file(path)
    found = {(f.rule_id, f.pointer) for f in audit.findings}
    assert ("prediction.interval", "/results/prediction/high_j") in found
    assert ("prediction.interval", "/results/prediction/energy_j") in found
    assert ("prediction.interval", "/results/prediction/full_run_units") in found


def test_a_single_node_predicts_too(tmp_path: Path) -> None:
    decl = declarations(tmp_path / "declarations.json", "training")
    node = make_node(tmp_path / "recordings", "solo", 1, index=0)
    args = measure_args(node, tmp_path / "solo", decl, phase="training", extra=["--full-run-units", "100000"])
    result = _run(*args)
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "solo" / "submission.json").read_text())
    assert doc["results"]["prediction"]["provenance"] == "estimated"
    assert doc["workload"]["training"]["coverage"]["kind"] == "extrapolated"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--full-run-units", "100000", "--runs", "1"], "at least 2 measured runs"),
        (["--full-run-units", "-5"], "full run's size"),
        (["--full-run-units", "nan"], "full run's size"),
    ],
)
def test_a_prediction_that_cannot_be_is_refused_before_measuring(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    decl = declarations(tmp_path / "declarations.json", "training")
    node = make_node(tmp_path / "recordings", "solo", 1, index=0)
    result = _run(*measure_args(node, tmp_path / "solo", decl, phase="training", extra=extra))
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "solo" / "submission.json").exists()


def test_inference_is_not_predicted(tmp_path: Path) -> None:
    decl = declarations(tmp_path / "declarations.json", "inference")
    node = make_node(tmp_path / "recordings", "solo", 1, index=0)
    result = _run(*measure_args(node, tmp_path / "solo", decl, extra=["--full-run-units", "10"]))
    assert result.exit_code == 2
    assert "training" in result.output


def _certificate_html(submission: Path, lang: str) -> str:
    import datetime as dt

    from une_eval.report.content import prepare
    from une_eval.report.render import Renderer
    from une_eval.report.sign import Auditor

    prepared = prepare(submission)
    when = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    return Renderer().html(
        prepared, number="UEC-T", issued_at=when, auditor=Auditor("A", "B"), lang=lang, findings_sha256="0" * 64
    )


@pytest.mark.parametrize(
    ("lang", "title", "word"),
    [("en", "Predicted full run (estimated, not measured)", "estimated"), ("es", "Ejecución completa predicha", "")],
)
def test_the_prediction_is_shown_as_estimated_apart_from_measured_figures(
    training_job: Path, tmp_path: Path, lang: str, title: str, word: str
) -> None:
    from une_eval.validation.summary import render_html

    _, doc = _merge(training_job, tmp_path / "merged", "--full-run-units", str(FULL_RUN_STEPS))
    submission = tmp_path / "merged" / "submission.json"
    kwh = f"{doc['results']['prediction']['energy_j'] / 3.6e6:.4g}".replace(".", "," if lang == "es" else ".")
    html = _certificate_html(submission, lang)
    section = html[
        html.index('<section class="prediction">') : html.index("</section>", html.index('class="prediction"'))
    ]
    assert title in section
    assert 'data-provenance="estimated"' in section
    assert kwh in section
    assert 'data-figures="prediction.energy_j' in section
    results = html[html.index('<section class="results">') : html.index('<section class="prediction">')]
    assert "prediction." not in results  # never among the measured key results
    summary = render_html([check_file(submission).to_json()], lang=lang).decode()
    assert title in summary
    assert kwh in summary
    assert word in summary


def test_validate_prints_the_prediction_marked_estimated(training_job: Path, tmp_path: Path) -> None:
    _merge(training_job, tmp_path / "merged", "--full-run-units", str(FULL_RUN_STEPS))
    result = _run("validate", str(tmp_path / "merged" / "submission.json"))
    assert "predicted full run (estimated, not measured)" in result.output
    assert "nodes: 2 (2 complete)" in result.output
