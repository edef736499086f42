"""Generated files (reference docs, fixtures) are current: regenerate and compare."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, REPO
from une_eval.docgen import generated_docs


def test_reference_docs_are_generated_from_spec() -> None:
    for name, text in generated_docs().items():
        committed = (REPO / "docs" / name).read_text(encoding="utf-8")
        assert committed == text, f"docs/{name} is stale: run python -m une_eval.docgen"


def test_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(FIXTURES / "generate.py"), str(tmp_path)], check=True)
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.json"))
    assert generated, "the generator wrote nothing"
    for rel in generated:
        committed = FIXTURES / rel
        assert committed.exists(), f"fixtures/{rel} is not committed: run python fixtures/generate.py"
        assert committed.read_text(encoding="utf-8") == (tmp_path / rel).read_text(encoding="utf-8"), (
            f"fixtures/{rel} is stale: run python fixtures/generate.py"
        )
