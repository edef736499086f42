"""Hugging Face model cards: co2_eq_emissions front matter, training-compute tables, magnitudes, hostile YAML."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from une_eval.errors import InputError
from une_eval.importers.cardtables import number
from une_eval.importers.formats import Options
from une_eval.importers.modelcard import load_front_matter
from une_eval.importers.run import import_source

CARDS = FIXTURES / "import" / "modelcard"
NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def _import(src: Path, out: Path, phase: str | None = None) -> dict[str, Any]:
    result = import_source(src, out, now=NOW, options=Options(phase=phase))
    assert result.check.other_errors == ()
    assert result.source_format.name == "hf-model-card"
    return result.document


def _findings(doc: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in doc["provenance"].get("findings", []) if f["rule_id"] == rule_id]


def _card(tmp_path: Path, front: str, body: str = "", folder: str = "m") -> Path:
    path = tmp_path / folder / "README.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}\n---\n{body}\n")
    return path


def test_llama31_html_table_row_of_this_model_in_tonnes(tmp_path: Path) -> None:
    doc = _import(CARDS / "Llama-3.1-8B" / "README.md", tmp_path / "d")
    assert doc["results"]["emissions_g_co2e"] == pytest.approx(420 * 1_000_000)  # 420 t, the 8B row
    assert doc["workload"]["training"]["accelerator_hours"] == pytest.approx(1.46e6)
    assert doc["system"]["model"]["name"] == "Llama 3.1 8B"
    assert doc["phase"] == "training"
    basis = {v["pointer"]: v["basis"] for v in doc["provenance"]["values"]}
    assert basis["/results/emissions_g_co2e"] == "estimated"
    assert "measurement" not in doc  # GPU hours x TDP is not a measured energy
    assert not _findings(doc, "import.parts-sum")  # 1.46M + 7.0M + 30.84M = 39.3M; 420 + 2,040 + 8,930 = 11,390


def test_llama2_markdown_table_and_a_total_that_does_not_add_up(tmp_path: Path) -> None:
    doc = _import(CARDS / "Llama-2-7b" / "README.md", tmp_path / "d")
    assert doc["results"]["emissions_g_co2e"] == pytest.approx(31.22e6)
    assert not _findings(doc, "import.parts-sum")
    text = (CARDS / "Llama-2-7b" / "README.md").read_text().replace("|Total|3311616||539.00|", "|Total|3311616||600|")
    folder = tmp_path / "Llama-2-7b"
    folder.mkdir()
    (folder / "README.md").write_text(text)
    doc = _import(folder / "README.md", tmp_path / "e")
    (found,) = _findings(doc, "import.parts-sum")
    assert "600" in found["message"]


def test_a_table_of_several_models_without_a_matching_name_imports_no_row(tmp_path: Path) -> None:
    text = (CARDS / "Llama-3.1-8B" / "README.md").read_text()
    folder = tmp_path / "some-other-name"
    folder.mkdir()
    (folder / "README.md").write_text(text)
    with pytest.raises(InputError, match=r"the training table gives 3 models \(Llama 3.1 8B, .*name one with --select"):
        _import(folder / "README.md", tmp_path / "d")


def test_grams_for_days_of_eight_gpus_is_a_unit_magnitude_finding(tmp_path: Path) -> None:
    doc = _import(CARDS / "acme-bert-grams-suspect" / "README.md", tmp_path / "d")
    assert doc["results"]["emissions_g_co2e"] == 1.46
    (found,) = _findings(doc, "import.unit-magnitude")
    assert "8 GPU(s) x 72 h" in found["message"]
    assert doc["system"]["site"]["region"] == "Frankfurt, Germany"


def test_plausible_grams_raise_nothing(tmp_path: Path) -> None:
    doc = _import(CARDS / "tiny-summariser" / "README.md", tmp_path / "d")
    assert doc["results"]["emissions_g_co2e"] == 149.2  # scalar form, grams
    assert not _findings(doc, "import.unit-magnitude")


def test_table_emissions_in_kg_against_its_own_energy(tmp_path: Path) -> None:
    body = "|  | Time (GPU hours) | Power Consumption (W) | Carbon Emitted (kg CO2eq) |\n|---|---|---|---|\n"
    body += "| m | 1000 | 700 | 0.5 |\n"
    doc = _import(_card(tmp_path, "license: mit", body), tmp_path / "d")
    assert doc["results"]["emissions_g_co2e"] == 500.0
    assert len(_findings(doc, "import.unit-magnitude")) == 1  # 500 g over 700 kWh


def test_table_without_emission_unit_is_refused(tmp_path: Path) -> None:
    body = "|  | Time (GPU hours) | Power Consumption (W) | Carbon Emitted (CO2eq) |\n|---|---|---|---|\n"
    body += "| m | 10 | 700 | 5 |\n"
    with pytest.raises(InputError, match="do not say their unit"):
        _import(_card(tmp_path, "license: mit", body), tmp_path / "d")


@pytest.mark.parametrize(
    ("written", "value", "resolution"),
    [("1.46M", 1.46e6, 1e4), ("11,390", 11390.0, 1.0), ("184320", 184320.0, 1.0), ("539.00", 539.0, 0.01)],
)
def test_table_numbers(written: str, value: float, resolution: float) -> None:
    cell = number(written)
    assert cell is not None
    assert cell.value == pytest.approx(value)
    assert cell.resolution == pytest.approx(resolution)


def test_alias_bomb_and_other_hostile_front_matter_refused(tmp_path: Path) -> None:
    bomb = (
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b]'
    )
    with pytest.raises(InputError, match="anchors or aliases"):
        load_front_matter(bomb)
    with pytest.raises(InputError, match="more than"):
        load_front_matter("a: " + "x" * 300_000)
    with pytest.raises(InputError, match="not valid YAML"):
        load_front_matter("a: [unclosed")
    with pytest.raises(InputError, match="nested more than 64"):
        load_front_matter("a: " + "[" * 50_000)
    with pytest.raises(InputError, match="not a mapping"):
        load_front_matter("- just\n- a list")
    with pytest.raises(InputError, match="not valid YAML"):
        load_front_matter("a: !!python/object/apply:os.system ['true']")


@pytest.mark.parametrize("value", ["lots", "[1, 2]", ".nan", "true"])
def test_emissions_that_are_not_numbers(tmp_path: Path, value: str) -> None:
    with pytest.raises(InputError, match="number"):
        _import(_card(tmp_path, f"co2_eq_emissions:\n  emissions: {value}"), tmp_path / "d")


def test_negative_emissions_are_a_finding_not_a_value(tmp_path: Path) -> None:
    doc = _import(_card(tmp_path, "co2_eq_emissions: -3"), tmp_path / "d", phase="training")
    assert len(_findings(doc, "import.negative-values")) == 1
    assert "results" not in doc


def test_unclosed_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text("---\nco2_eq_emissions: 5\n")
    with pytest.raises(InputError, match="never closed"):
        import_source(path, tmp_path / "d", source_format="hf-model-card", now=NOW)


def test_committed_cards_are_what_the_script_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_cards", CARDS / "make_cards.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path, text in module.outputs().items():
        assert path.read_text(encoding="utf-8") == text, path


# A card as a model's own repository keeps it (MODEL_CARD.md): no front matter, one table for several sizes,
# and, as in Llama 3.2's, a second GPU-hours column for another activity than training.
REPO_CARD = """# Model Information

**Training Energy Use:** Training utilized a cumulative of **833k** GPU hours of computation on H100-80GB.

|  | Training Time (GPU hours) | Logit Generation Time (GPU Hours) | Training Power Consumption (W) | \
Training Location-Based Greenhouse Gas Emissions (tons CO2eq) |
| :---- | :---: | ----- | :---: | :---: |
| Model 1B | 370k | \\- | 700 | 107 |
| Model 1B QLoRA | 1.3k | 0 | 700 | 0.381 |
| Total | 371.3k | 86k |  | 107.381 |
"""


def test_a_repository_card_without_front_matter_needs_select_and_reads_the_training_hours(tmp_path: Path) -> None:
    src = tmp_path / "MODEL_CARD.md"
    src.write_text(REPO_CARD)
    with pytest.raises(InputError, match=r"gives 2 models \(Model 1B, Model 1B QLoRA\); name one with --select"):
        import_source(src, tmp_path / "d", now=NOW, options=Options())
    with pytest.raises(InputError, match=r"--select 'Model 3B' names no row"):
        import_source(src, tmp_path / "e", now=NOW, options=Options(select="Model 3B"))
    result = import_source(src, tmp_path / "f", now=NOW, options=Options(select="Model 1B QLoRA"))
    assert result.source_format.name == "hf-model-card"  # recognised by its table alone
    doc = result.document
    assert doc["workload"]["training"]["accelerator_hours"] == pytest.approx(1300)  # not the logit column's 0
    assert doc["results"]["emissions_g_co2e"] == pytest.approx(381_000)
    assert _findings(doc, "import.unit-magnitude") == []  # 381 kg over 1,300 h x 700 W = 910 kWh: 419 g/kWh


def test_a_markdown_file_without_a_training_table_or_front_matter_is_not_a_card(tmp_path: Path) -> None:
    src = tmp_path / "NOTES.md"
    src.write_text("# Notes\n\nWe trained for 100 GPU hours and emitted some CO2.\n")
    with pytest.raises(InputError, match="not a source une-eval recognises"):
        import_source(src, tmp_path / "d", now=NOW, options=Options())
