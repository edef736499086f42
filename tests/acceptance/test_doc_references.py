"""User docs and spec files cite only what is in the repository (or public references)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO

USER_FILES = sorted(
    [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(REPO / "spec").rglob("*.json")],
    key=lambda p: str(p),
)
# A file name with a documentation or data extension, optionally with a folder: docs/measure.md, fixtures/traces/
_MENTION = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.(?:md|csv|py))\b")
_REPO_PATH = re.compile(r"(?<![\w/.-])((?:fixtures|docs|spec|tests|bench|une_eval|reports|shared)/[\w./-]*)")


_DATA = {"fixtures", "spec"}


def _exists(mention: str, near: Path) -> bool:
    return any((base / mention).exists() for base in (REPO, near.parent, REPO / "docs"))


@pytest.mark.parametrize("path", USER_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_a_user_doc_or_spec_file_names_is_in_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    missing = sorted(
        {m for m in _MENTION.findall(text) if "/" in m or m.isupper() or m.endswith(".md")} - {"serve_bench.py"}
    )
    missing = [m for m in missing if not _exists(m, path)]
    # Data the docs cite must be in the repository (output folders such as docs/api/ are written by commands)
    paths = [m.rstrip("/.") for m in _REPO_PATH.findall(text) if "*" not in m and "<" not in m]
    missing += [m for m in paths if m.startswith("shared/") or (m.split("/")[0] in _DATA and not (REPO / m).exists())]
    assert not missing, f"{path.relative_to(REPO)} names files that are not in the repository: {missing}"
