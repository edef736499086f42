"""ML.ENERGY (three schema generations) and AI Energy Score leaderboard rows: sourced figures, never evidence."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.errors import InputError
from une_eval.importers.formats import Options
from une_eval.importers.run import import_source

ML = FIXTURES / "import" / "mlenergy"
AES = FIXTURES / "import" / "aienergyscore"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def _import(src: Path, out: Path, select: str | None = None) -> tuple[str, dict[str, Any]]:
    result = import_source(src, out, now=NOW, options=Options(select=select))
    assert result.check.other_errors == ()
    return result.source_format.name, result.document


def _rules(doc: dict[str, Any]) -> list[str]:
    return [f["rule_id"] for f in doc["provenance"].get("findings", [])]


def _basis(doc: dict[str, Any], pointer: str) -> str:
    return str(next(v["basis"] for v in doc["provenance"]["values"] if v["pointer"] == pointer))


def test_2023_csv_row_is_a_sourced_energy_per_response(tmp_path: Path) -> None:
    fmt, doc = _import(ML / "A100_chat_benchmark.csv", tmp_path / "d", select="metaai/Llama-2-7b-chat-hf")
    assert fmt == "ml-energy-leaderboard"
    line = next(x for x in (ML / "A100_chat_benchmark.csv").read_text().splitlines() if x.startswith("metaai/"))
    assert doc["results"]["energy_per_unit"] == {"value": float(line.split(",")[-1]), "unit": "J"}
    assert doc["results"]["functional_unit"] == {"unit": "query", "count": 1}
    assert _basis(doc, "/results/energy_per_unit/value") == "sourced"
    assert "import.aggregate-figures" in _rules(doc)
    assert "runs" not in doc.get("measurement", {})
    assert doc["system"]["hardware"]["nodes"][0]["accelerators"][0]["model"] == "A100"  # from the file's name
    assert doc["workload"]["inference"]["task"] == "text-generation"


def test_2024_json_gives_gpu_count_from_parallelism(tmp_path: Path) -> None:
    _, doc = _import(ML / "bs128+tp1+pp1.json", tmp_path / "d")
    source = json.loads((ML / "bs128+tp1+pp1.json").read_text())
    assert doc["results"]["energy_per_unit"]["value"] == source["Energy/req (J)"]
    accelerator = doc["system"]["hardware"]["nodes"][0]["accelerators"][0]
    assert accelerator == {"model": source["GPU"], "vendor": "NVIDIA", "count": source["TP"] * source["PP"]}
    assert doc["workload"]["inference"]["batch_size"] == source["Max BS (reqs)"]


def test_2024_diffusion_is_per_image(tmp_path: Path) -> None:
    _, doc = _import(ML / "bs8+steps25.json", tmp_path / "d")
    assert doc["results"]["functional_unit"]["unit"] == "image"
    assert doc["workload"]["inference"]["task"] == "image-generation"


def test_2025_task_file_needs_a_selection_and_checks_per_token_against_per_request(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--select"):
        _import(ML / "lm-arena-chat.json", tmp_path / "a")
    with pytest.raises(InputError, match="2 rows match"):
        _import(ML / "lm-arena-chat.json", tmp_path / "b", select="Qwen/Qwen3-8B")
    _, doc = _import(ML / "lm-arena-chat.json", tmp_path / "c", select="model_id=Qwen/Qwen3-8B,max_num_seqs=16")
    config = json.loads((ML / "lm-arena-chat.json").read_text())["configurations"][1]
    assert doc["results"]["energy_per_unit"]["value"] == config["energy_per_request_joules"]
    assert doc["results"]["mean_power_w"] == config["avg_power_watts"]
    assert "import.parts-sum" not in _rules(doc)


def test_2025_row_whose_per_token_figure_does_not_add_up(tmp_path: Path) -> None:
    doc = json.loads((ML / "lm-arena-chat.json").read_text())
    doc["configurations"] = doc["configurations"][:1]
    doc["configurations"][0]["energy_per_token_joules"] *= 2
    src = tmp_path / "task.json"
    src.write_text(json.dumps(doc))
    _, out = _import(src, tmp_path / "d")
    assert "import.parts-sum" in _rules(out)


def test_ai_energy_score_leaderboard_row_in_wh_per_1000_queries(tmp_path: Path) -> None:
    fmt, doc = _import(AES / "text_generation.csv", tmp_path / "d", select="openai/gpt-oss-20b")
    assert fmt == "ai-energy-score-leaderboard"
    kwh = float(
        next(x for x in (AES / "text_generation.csv").read_text().splitlines() if x.startswith("openai/")).split(",")[1]
    )
    assert doc["results"]["energy_per_unit"] == {"value": pytest.approx(kwh * 1000), "unit": "Wh"}
    assert doc["results"]["functional_unit"] == {"unit": "query", "count": 1000}
    assert doc["workload"]["inference"]["task"] == "text-generation"
    assert "import.aggregate-figures" in _rules(doc)
    assert any("star" in n for n in doc["provenance"]["notes"])


def test_leaderboard_duplicates_negatives_and_magnitudes(tmp_path: Path) -> None:
    src = tmp_path / "image_generation.csv"
    src.write_text("model,total_gpu_energy,energy_score\na/x,-1,1\na/x,-1,1\nb/y,2500,1\n")
    _, neg = _import(src, tmp_path / "a", select="a/x")
    assert {"import.duplicate-rows", "import.negative-values"} <= set(_rules(neg))
    assert "energy_per_unit" not in neg.get("results", {})
    _, big = _import(src, tmp_path / "b", select="b/y")
    assert "import.unit-magnitude" in _rules(big)


def test_the_selection_hint_names_configuration_columns_before_measured_figures(tmp_path: Path) -> None:
    # As the leaderboard's model files have it: measured averages sort first by name, and each configuration
    # carries its output-length distribution as a nested object
    def config(gpu: str, seqs: int, joules: float) -> dict[str, Any]:
        return {
            "avg_batch_size": seqs * 0.99,
            "avg_power_watts": joules * 2.5,
            "energy_per_request_joules": joules,
            "gpu_model": gpu,
            "max_num_seqs": seqs,
            "num_gpus": 1,
            "output_length_distribution": {"bins": [2.0, 80.5 + seqs], "counts": [seqs, 3]},
        }

    doc = {
        "model_id": "Qwen/Qwen3-8B",
        "task": "lm-arena-chat",
        "configurations": [config("B200", 8, 274.9), config("H100", 8, 301.2), config("B200", 16, 160.4)],
    }
    src = tmp_path / "Qwen__Qwen3-8B__lm-arena-chat.json"
    src.write_text(json.dumps(doc))
    with pytest.raises(InputError) as raised:
        _import(src, tmp_path / "d")
    hint = str(raised.value).split("columns that differ: ")[1]
    assert hint.startswith("gpu_model, max_num_seqs, ")
    assert "output_length_distribution" not in hint
    _, chosen = _import(src, tmp_path / "e", select="gpu_model=H100,max_num_seqs=8")
    assert chosen["results"]["energy_per_unit"]["value"] == pytest.approx(301.2)


def test_rows_of_a_model_file_that_differ_only_in_their_nested_parallelization(tmp_path: Path) -> None:
    def config(ring: int, ulysses: int, joules: float) -> dict[str, Any]:
        return {
            "batch_size": 32,
            "energy_per_video_joules": joules,
            "gpu_model": "H100",
            "num_gpus": 8,
            "parallelization": {"ring_degree": ring, "ulysses_degree": ulysses},
        }

    doc = {
        "model_id": "Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
        "task": "text-to-video",
        "configurations": [config(8, 1, 98123.5), config(4, 2, 100634.2), config(2, 4, 101022.9)],
    }
    src = tmp_path / "Wan-AI__Wan2.1-T2V-1.3B-Diffusers__text-to-video.json"
    src.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=r"columns that differ: ring_degree, ulysses_degree"):
        _import(src, tmp_path / "d")
    _, chosen = _import(src, tmp_path / "e", select="ring_degree=4")
    assert chosen["results"]["energy_per_unit"]["value"] == pytest.approx(100634.2)
