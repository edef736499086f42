from __future__ import annotations

from une_eval.findings import Finding, Outcome, Severity, Verdict, exit_code_for, outcome_for, pointer


def test_pointer_escapes_per_rfc_6901() -> None:
    assert pointer() == ""
    assert pointer("a/b", "m~n", 0) == "/a~1b/m~0n/0"


def test_outcomes_and_exit_codes() -> None:
    warn = Finding("x", Severity.WARNING, "/a", "w")
    err = Finding("y", Severity.ERROR, "/b", "e")
    assert outcome_for([warn]) is Outcome.CONFORMANT
    assert outcome_for([warn, err]) is Outcome.NON_CONFORMANT
    assert outcome_for([], schema_valid=False) is Outcome.INVALID
    ok = Verdict("a", Outcome.CONFORMANT, "p")
    bad = Verdict("b", Outcome.NON_CONFORMANT, "p", (err,))
    broken = Verdict("c", Outcome.ERROR, "p", error="unreadable")
    assert exit_code_for([ok]) == 0
    assert exit_code_for([ok, bad]) == 1
    assert exit_code_for([ok, bad, broken]) == 2


def test_verdict_json_counts_by_severity() -> None:
    v = Verdict(
        "f.json",
        Outcome.NON_CONFORMANT,
        "une-style",
        (Finding("y", Severity.ERROR, "/b", "e"), Finding("x", Severity.WARNING, "/a", "w")),
    )
    out = v.to_json()
    assert out["verdict"] == "non-conformant"
    assert out["counts"] == {"error": 1, "warning": 1, "info": 0}
    assert out["findings"][0] == {"rule_id": "y", "severity": "error", "pointer": "/b", "message": "e"}
