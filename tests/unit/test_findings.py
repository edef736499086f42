from __future__ import annotations

from une_eval.audit import Audit
from une_eval.findings import Finding, Outcome, Severity, exit_code_for, outcome_for, pointer


def test_pointer_escapes_per_rfc_6901() -> None:
    assert pointer() == ""
    assert pointer("a/b", "m~n", 0) == "/a~1b/m~0n/0"


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
