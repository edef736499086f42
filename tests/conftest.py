"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def llm_doc() -> dict[str, Any]:
    """A fresh copy of the conformant LLM inference example."""
    return load(FIXTURES / "valid" / "llm-inference-h100.json")
