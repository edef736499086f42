"""The rule layer: one explicit table from catalogue id to the function that checks it.

Each rule lives in the module named after its id's prefix (``runs.count`` in :mod:`.runs`), is marked
with its id where it is defined (:func:`~une_eval.validation.rules.base.rule`) and is listed once in
:data:`RULES`, which a test holds equal to the catalogue ``spec/rules.json``. A profile enables rules
and sets their parameters and severities; the pipeline runs what the profile enables.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType

# The rule modules import the names above from this package, so they are imported after them.
from une_eval.validation.rules import (
    attestation,
    baseline,
    derived,
    devices,
    evidence,
    gpai,
    inference,
    measurement,
    method,
    model,
    nodes,
    power,
    prediction,
    profile,
    results,
    runs,
    sci,
    site,
    totals,
    training,
)
from une_eval.validation.rules.base import Problem, RuleContext, RuleFn, fmt, rule

# ``import`` is a keyword: the module named after the import.* prefix is loaded by name.
imported = importlib.import_module("une_eval.validation.rules.import")

RULES: Mapping[str, RuleFn] = MappingProxyType(
    {
        "profile.known": profile.known,
        "profile.phase": profile.phase,
        "measurement.complete": measurement.measurement_complete,
        "measurement.replay": measurement.measurement_replay,
        "runs.complete": runs.runs_complete,
        "runs.count": runs.runs_count,
        "runs.duration": runs.runs_duration,
        "runs.overlap": runs.runs_overlap,
        "runs.long-enough": runs.runs_long_enough,
        "runs.cv": runs.runs_cv,
        "devices.known": devices.devices_known,
        "totals.run-components": totals.run_components,
        "totals.runs-sum": totals.runs_sum,
        "results.per-unit": results.per_unit,
        "results.statistics": results.statistics,
        "results.mean-power": results.mean_power,
        "results.throughput": results.throughput,
        "results.functional-unit": results.functional_unit,
        "baseline.duration": baseline.baseline_duration,
        "power.limit": power.power_limit,
        "power.peak": power.peak_power,
        "power.above-idle": power.above_idle,
        "method.counter-preferred": method.counter_preferred,
        "site.pue-range": site.pue_range,
        "site.intensity-range": site.intensity_range,
        "site.location-based": site.location_based,
        "derived.facility-energy": derived.facility,
        "derived.emissions": derived.emissions,
        "derived.water": derived.water,
        "derived.sci": derived.sci,
        "attestation.affirmed": attestation.attestation,
        "model.precision-declared": model.precision_declared,
        "training.significant-figures": training.training_significant_figures,
        "inference.accelerator-count": inference.accelerator_count,
        "inference.reference-hardware": inference.reference_hardware,
        "inference.batch-size": inference.batch_size,
        "inference.queries": inference.queries,
        "sci.reported": sci.reported,
        "sci.embodied": sci.embodied,
        "gpai.training-compute": gpai.training_compute,
        "gpai.energy-unit": gpai.energy_unit,
        "gpai.methodology": gpai.methodology,
        "gpai.inference-compute": gpai.inference_compute,
        "evidence.trace-file": evidence.trace_file,
        "evidence.trace-hash": evidence.trace_hash,
        "evidence.coverage": evidence.coverage,
        "evidence.gaps": evidence.gaps,
        "evidence.counter-reset": evidence.counter_reset,
        "evidence.energy": evidence.energy,
        "evidence.device-trace": evidence.device_trace,
        "evidence.accelerator-windows": evidence.accelerator_windows,
        "evidence.run-energy": evidence.run_energy,
        "evidence.power-limit": evidence.power_limit,
        "evidence.assurance": evidence.assurance,
        "nodes.clock-offset": nodes.clock_offset,
        "nodes.devices": nodes.devices,
        "nodes.cross-check": nodes.cross_check,
        "prediction.interval": prediction.interval,
        "import.zero-values": imported.zero_values,
        "import.negative-values": imported.negative_values,
        "import.parts-sum": imported.parts_sum,
        "import.duplicate-rows": imported.duplicate_rows,
        "import.unit-magnitude": imported.unit_magnitude,
        "import.invalid-samples": imported.invalid_samples,
        "import.window": imported.window,
        "import.pue-applied": imported.pue_applied,
        "import.overlapping-windows": imported.overlapping_windows,
        "import.aggregate-figures": imported.aggregate_figures,
        "import.predicted-values": imported.predicted_values,
        "import.provenance": imported.provenance,
    }
)

__all__ = ["RULES", "Problem", "RuleContext", "RuleFn", "fmt", "rule"]
