from __future__ import annotations

from une_eval.audit import Audit
from une_eval.findings import Finding, Outcome, Severity, exit_code_for, outcome_for, pointer


def test_pointer_escapes_per_rfc_6901() -> None:
    assert pointer() == ""
    assert pointer("a/b", "m~n", 0) == "/a~1b/m~0n/0"
    assert pointer("~1/", "", "~") == "/~01~1//~0"


def test_outcomes_and_exit_codes() -> None:
    warn = Finding("x", Severity.WARNING, "/a", "w")
    err = Finding("y", Severity.ERROR, "/b", "e")
    assert outcome_for([warn]) is Outcome.CONFORMANT
    assert outcome_for([warn, err]) is Outcome.NON_CONFORMANT
    assert outcome_for([], schema_valid=False) is Outcome.INVALID
    ok = Audit("a", Outcome.CONFORMANT, "p")
    bad = Audit("b", Outcome.NON_CONFORMANT, "p", (err,))
    broken = Audit("c", Outcome.ERROR, "p", error="unreadable")
    assert exit_code_for([ok.verdict]) == 0
    assert exit_code_for([ok.verdict, bad.verdict]) == 1
    assert exit_code_for(a.verdict for a in (ok, bad, broken)) == 2


def test_verdict_json_counts_by_severity() -> None:
    v = Audit(
        "f.json",
        Outcome.NON_CONFORMANT,
        "une-style",
        (Finding("y", Severity.ERROR, "/b", "e"), Finding("x", Severity.WARNING, "/a", "w")),
    )
    out = v.to_json()
    assert out["verdict"] == "non-conformant"
    assert out["counts"] == {"error": 1, "warning": 1, "info": 0}
    assert out["findings"][0] == {"rule_id": "y", "severity": "error", "pointer": "/b", "message": "e"}


def test_audit_json_round_trip_keeps_what_travels() -> None:
    from une_eval.audit import Assurance, Figure, Identity, Provenance

    audit = Audit(
        "f.json",
        Outcome.CONFORMANT,
        "une-style",
        (Finding("x", Severity.WARNING, "/a", "w"),),
        assurance=Assurance.EVIDENCE_CHECKED,
        required_assurance=Assurance.EVIDENCE_CHECKED,
        identity=Identity("id-1", "inference", "Org", "Model"),
        figures=(Figure("mean_power_w", "/results/mean_power_w", 700.5, "W", Provenance.CHECKED, "by rule", ("r",)),),
    )
    again = Audit.from_json(audit.to_json())
    assert again == audit
    assert again.to_json() == audit.to_json()


def test_a_rule_message_keeps_its_template_and_parameters_through_json() -> None:
    from une_eval.findings import Message, Term, msg

    text = msg(
        "run {run} used {energy_j} J for {phase} over {seconds} s",
        run=3,
        energy_j=12345.678,
        phase=Term("training"),
        seconds=0.5,
    )
    assert str(text) == "run 3 used 12,346 J for training over 0.5 s"
    finding = Finding.of("runs.x", Severity.ERROR, "/measurement/runs/3", text)
    assert finding.message == str(text)
    data = finding.to_json()
    assert data["template"] == "run {run} used {energy_j} J for {phase} over {seconds} s"
    assert data["params"] == {"run": 3, "energy_j": 12345.678, "phase": {"term": "training"}, "seconds": 0.5}
    back = Finding.from_json(data)
    assert back == finding
    assert isinstance(dict(back.wording.params)["phase"], Term) if back.wording else False
    # A plain sentence (the schema layer's, an older findings file) has no template, and travels as it is.
    plain = Finding.of("schema.required", Severity.ERROR, "", "'x' is a required property")
    assert plain.wording is None
    assert "template" not in plain.to_json()
    assert Finding.from_json(plain.to_json()) == plain
    # Odd parameter values from a hostile findings file become strings, never objects.
    odd = Message.from_json("{a} {b}", {"a": [1, 2], "b": True})
    assert str(odd) == "[1, 2] True"
