"""Where an MLPerf Inference results tree keeps a run: the folder layouts, and what the path names.

A result is filed as ``results/<system>/<benchmark>/<scenario>``; the importer is given the scenario
folder, its ``performance`` folder or its ``performance/run_1``. :func:`find_layout` finds where the
testing run's LoadGen detail log and PTDaemon's ``spl.txt`` lie under the folder given;
:func:`filed_scenario` and :func:`filed_benchmark` read the scenario and the benchmark from the path (as
the submission checker does, in any case: trees before v1.1 write scenarios in lower case), and
:data:`BENCHMARK_TASKS` is each benchmark's task. Reading the files themselves is
:mod:`une_eval.importers.mlperf_logs`.
"""

from __future__ import annotations

from une_eval.importers.mlperf_logs import MARKER, SCENARIOS, Layout
from une_eval.importers.source import Source

# The task of each MLPerf Inference benchmark (the benchmark is the folder above the scenario).
BENCHMARK_TASKS = {
    "resnet50": "image-classification",
    "resnet": "image-classification",
    "mobilenet": "image-classification",
    "retinanet": "object-detection",
    "ssd-resnet34": "object-detection",
    "ssd-mobilenet": "object-detection",
    "bert-99": "extractive-qa",
    "bert-99.9": "extractive-qa",
    "gptj-99": "summarization",
    "gptj-99.9": "summarization",
    "llama2-70b-99": "text-generation",
    "llama2-70b-99.9": "text-generation",
    "llama2-70b-interactive-99": "text-generation",
    "llama3.1-405b": "text-generation",
    "llama3.1-8b": "summarization",
    "mixtral-8x7b": "text-generation",
    "stable-diffusion-xl": "image-generation",
    "whisper": "automatic-speech-recognition",
    "rnnt": "automatic-speech-recognition",
}
_LAYOUTS = (("performance/run_1", "performance/power"), ("run_1", "power"), ("", None))


def find_layout(source: Source) -> Layout | None:
    """Where the run's detail log and ``spl.txt`` lie under the folder (None: not an MLPerf power result)."""
    if not source.is_folder:
        return None
    for run, power in _LAYOUTS:
        probe = Layout(run, power)
        head = source.peek(probe.at("mlperf_log_detail.txt"), 64)
        if head.startswith(MARKER.encode()) and source.peek(probe.at("spl.txt"), 5) == b"Time,":
            return probe
    return None


# Results trees before MLPerf Inference v1.1 file scenarios in lower case (``resnet50/singlestream``).
_SCENARIO_NAMES = {name.lower(): name for name in SCENARIOS}


def filed_scenario(source: Source, effective: str) -> str:
    """The scenario the folder is filed under (the checker's ``scenario_fixed``), else the log's."""
    for part in reversed(source.given.resolve().parts):
        if part.lower() in _SCENARIO_NAMES:
            return _SCENARIO_NAMES[part.lower()]
    return effective


def filed_benchmark(source: Source) -> str | None:
    """The benchmark the folder is filed under: the folder above the scenario (None when none is)."""
    parts = source.given.resolve().parts
    for i, part in enumerate(parts):
        if part.lower() in _SCENARIO_NAMES and i > 0:
            return parts[i - 1]
    return None
