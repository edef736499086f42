"""The source formats ``une-eval import`` knows, and recognising one from a source's content.

Each format has a module with ``recognise(source) -> bool`` (from content, never from the file name
alone) and ``convert(source, draft, options)``. Modules are loaded when used, so the command starts fast.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Protocol

from une_eval.errors import InputError
from une_eval.importers.draft import Draft
from une_eval.importers.source import Source


@dataclass(frozen=True, slots=True)
class Options:
    """What the auditor says about the source that the source does not say itself."""

    phase: str | None = None
    timezone: dt.tzinfo | None = None  # the zone of timestamps the source writes without one
    select: str | None = None  # the row to import from a table of many (a leaderboard): MODEL or KEY=VALUE,...


class Converter(Protocol):
    """What a format's module provides."""

    def recognise(self, source: Source) -> bool:
        """Whether the source's content is in this format."""

    def convert(self, source: Source, draft: Draft, options: Options) -> None:
        """Fill the draft from the source."""


@dataclass(frozen=True, slots=True)
class Format:
    """One source format: its name (``--from``), what it reads, and the module converting it."""

    name: str
    title: str
    module: str

    def converter(self) -> Converter:
        """The format's module."""
        module: Converter = importlib.import_module(self.module)
        return module


FORMATS: tuple[Format, ...] = (
    Format(
        "mlperf-inference-power",
        "MLPerf Inference Power result folder (LoadGen logs, PTDaemon spl.txt, power/server.json)",
        "une_eval.importers.mlperf",
    ),
    Format(
        "codecarbon-emissions",
        "CodeCarbon emissions.csv (every column set since 2021)",
        "une_eval.importers.codecarbon",
    ),
    Format(
        "zeus-log",
        "Zeus ZeusMonitor measurement windows (its CSV log, or Measurement objects as JSON)",
        "une_eval.importers.zeus",
    ),
    Format(
        "ml-energy-leaderboard",
        "ML.ENERGY leaderboard data (2023 CSV, 2024 per-configuration JSON, 2025 task or model JSON)",
        "une_eval.importers.mlenergy",
    ),
    Format(
        "ai-energy-score-report",
        "AI Energy Score / optimum-benchmark benchmark_report.json (energy per phase, kWh)",
        "une_eval.importers.aienergyscore",
    ),
    Format(
        "ai-energy-score-leaderboard",
        "AI Energy Score leaderboard per-task CSV (GPU energy per 1,000 queries, stars)",
        "une_eval.importers.aienergyscore_board",
    ),
    Format(
        "carbontracker-log",
        "Carbontracker logs (standard and output log, or their folder)",
        "une_eval.importers.carbontracker",
    ),
    Format(
        "dcgm-power",
        "NVIDIA DCGM field export as CSV, wide or long (DCGM_FI_DEV_POWER_USAGE, ..._TOTAL_ENERGY_CONSUMPTION)",
        "une_eval.importers.dcgm",
    ),
    Format(
        "slurm-gpu-power",
        "Per-GPU power CSV of a Slurm job (time, host, GPU index and UUID, power in W)",
        "une_eval.importers.slurmgpu",
    ),
    Format(
        "codecarbon-tasks",
        "CodeCarbon task CSV (one row per start_task/stop_task)",
        "une_eval.importers.codecarbon_tasks",
    ),
    Format(
        "codecarbon-boamps",
        "BoAmps JSON report (CodeCarbon's BoAmpsOutput or Boavizta's format)",
        "une_eval.importers.boamps",
    ),
    Format(
        "hf-model-card",
        "Hugging Face model card README.md (co2_eq_emissions front matter, training-compute table)",
        "une_eval.importers.modelcard",
    ),
)


def format_named(name: str) -> Format:
    """The format called ``name``."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise InputError(f"unknown source format {name!r} (known: {', '.join(f.name for f in FORMATS)})")


def recognise(source: Source) -> Format:
    """The one format whose content the source has; an error when none or several claim it."""
    claims = [fmt for fmt in FORMATS if fmt.converter().recognise(source)]
    if not claims:
        raise InputError(
            f"{source.given}: not a source une-eval recognises (known: {', '.join(f.name for f in FORMATS)}); "
            "name the format with --from if it is one of them"
        )
    if len(claims) > 1:
        raise InputError(f"{source.given}: looks like {' and '.join(f.name for f in claims)}; choose with --from")
    return claims[0]
