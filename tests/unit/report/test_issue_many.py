"""``issue_many`` with workers: the first certificate is issued in the parent, before any worker forks."""

from __future__ import annotations

import multiprocessing
import threading

from tests.unit.report.conftest import VALID, Pki
from une_eval.report.batch import Job, Signing, issue_many
from une_eval.report.render import Renderer


def test_the_workers_fork_after_the_first_certificate_is_issued_here(pki: Pki, renderer: Renderer) -> None:
    signing = Signing(renderer, pki.signer, "en")
    jobs = iter([Job(VALID, number=f"UEC-TEST-MANY-{i}") for i in range(3)])
    results = issue_many(jobs, signing, 2)
    job, issued = next(results)
    assert job.number == "UEC-TEST-MANY-0"
    assert issued is not None
    assert issued.pdf.startswith(b"%PDF-")
    assert multiprocessing.active_children() == []  # no worker yet: they inherit what this one loaded
    assert threading.active_count() == 1
    rest = list(results)
    assert [j.number for j, _ in rest] == ["UEC-TEST-MANY-1", "UEC-TEST-MANY-2"]
    assert all(i is not None and i.number == j.number for j, i in rest)
