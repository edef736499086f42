"""The bundled relative scheme rests on the AI Energy Score leaderboard's published table, unchanged.

The reference table in ``spec/ratings/reference/ai-energy-score-2025-02/`` is the leaderboard's own CSV
data; these tests tie the scheme's reference values to it (kWh per 1000 queries x 1000 = Wh) and check
that the scheme's bands give back every star the leaderboard published (class A = 5 stars ... E = 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from decimal import Decimal
from typing import Any

import pytest

from une_eval.rating import DEFAULT_SCHEME, grade_for, load_scheme
from une_eval.schemas import spec_root

SCHEME = "ai-energy-score-2025-02"
TABLE = ("ratings", "reference", "ai-energy-score-2025-02")
# The leaderboard's file per task, and the submission schema's name of that task.
TASKS = {
    "text_generation": "text-generation",
    "summarization": "summarization",
    "question_answering": "extractive-qa",
    "text_classification": "text-classification",
    "sentence_similarity": "sentence-similarity",
    "image_classification": "image-classification",
    "object_detection": "object-detection",
    "image_generation": "image-generation",
    "image_captioning": "image-captioning",
    "asr": "automatic-speech-recognition",
}
SIZE_CLASS_LABEL = {"A": "class A (", "B": "class B (", "C": "class C ("}


def _rows(stem: str) -> list[dict[str, str]]:
    data = spec_root().joinpath(*TABLE, f"{stem}.csv").read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _group(scheme: dict[str, Any], task: str, size_class: str) -> dict[str, Any]:
    groups = [g for g in scheme["groups"] if g["task"] == task]
    if size_class:
        groups = [g for g in groups if SIZE_CLASS_LABEL[size_class] in g["label"]]
    assert len(groups) == 1, (task, size_class)
    group: dict[str, Any] = groups[0]
    return group


def test_the_default_scheme_is_the_leaderboard_one_and_names_its_reference_set() -> None:
    scheme = load_scheme(DEFAULT_SCHEME)
    assert scheme["name"] == SCHEME
    assert scheme["kind"] == "relative"
    assert scheme["reference_set"]["edition"] == "February 2025"
    assert scheme["reference_set"]["date"] == "2025-02"
    assert len(scheme["classes"]) == 5


def test_the_table_is_the_published_one_byte_for_byte() -> None:
    readme = spec_root().joinpath(*TABLE, "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"- `([a-z_]+\.csv)`: ([0-9a-f]{64})", readme))
    assert sorted(listed) == sorted(f"{stem}.csv" for stem in TASKS)
    for name, digest in listed.items():
        assert hashlib.sha256(spec_root().joinpath(*TABLE, name).read_bytes()).hexdigest() == digest, name
    assert sum(len(_rows(stem)) for stem in TASKS) == 166


@pytest.mark.parametrize("stem", sorted(TASKS))
def test_reference_values_are_the_table_in_wh_per_1000_queries(stem: str) -> None:
    scheme = load_scheme(SCHEME)
    by_class: dict[str, list[float]] = {}
    for row in _rows(stem):
        kwh = Decimal(row["total_gpu_energy"])
        by_class.setdefault(row.get("class") or "", []).append(float(kwh * 1000))
    for size_class, values in by_class.items():
        assert sorted(_group(scheme, TASKS[stem], size_class)["reference_values"]) == sorted(values)
    assert sum(len(v) for v in by_class.values()) == len(
        [g for g in scheme["groups"] if g["task"] == TASKS[stem] for _ in g["reference_values"]]
    )


@pytest.mark.parametrize("stem", sorted(TASKS))
def test_the_bands_give_back_every_published_star(stem: str) -> None:
    scheme = load_scheme(SCHEME)
    for row in _rows(stem):
        group = _group(scheme, TASKS[stem], row.get("class") or "")
        value_wh = float(Decimal(row["total_gpu_energy"]) * 1000)
        stars = int(row["energy_score"])
        assert grade_for(scheme, group, value_wh) == "ABCDE"[5 - stars], (row["model"], value_wh, stars)


def test_values_outside_the_reference_range_take_the_end_classes() -> None:
    scheme = load_scheme(SCHEME)
    group = _group(scheme, "image-classification", "")
    low, high = min(group["reference_values"]), max(group["reference_values"])
    assert grade_for(scheme, group, low / 10) == "A"
    assert grade_for(scheme, group, high * 10) == "E"
    assert grade_for(scheme, group, low + (high - low) * 0.5) == "C"
