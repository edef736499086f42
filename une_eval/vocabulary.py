"""The vocabularies the schema defines once, for the Python code that needs them as values.

Phases, measured components, measurement methods, functional-unit names, energy units and inference
tasks are enumerations in ``spec/schemas`` (``common.schema.json`` and ``submission.schema.json``
``$defs``). Code that offers or checks these words (command-line choices, profile defaults, unit
tables) takes them from here instead of repeating the lists; the ``Literal`` types in
:mod:`une_eval.model` mirror them for the type checker, and a test holds the two equal.
"""

from __future__ import annotations

import functools

from une_eval.errors import SpecError
from une_eval.schemas import SCHEMA_BASE, bundled_target

_MAX_HOPS = 16


@functools.cache
def schema_enum(schema_file: str, definition: str) -> tuple[str, ...]:
    """The values of the ``enum`` at ``$defs/<definition>`` of a bundled schema (through any ``$ref``)."""
    uri, node = bundled_target(SCHEMA_BASE + schema_file, f"#/$defs/{definition}")
    for _ in range(_MAX_HOPS):
        if not isinstance(node, dict) or "$ref" not in node:
            break
        uri, node = bundled_target(uri, node["$ref"])
    if not isinstance(node, dict) or not isinstance(node.get("enum"), list):
        raise SpecError(f"$defs/{definition} of {schema_file} is not an enumeration")
    return tuple(str(v) for v in node["enum"])


def phases() -> tuple[str, ...]:
    """The life-cycle phases a submission measures: training, inference."""
    return schema_enum("common.schema.json", "phase")


def components() -> tuple[str, ...]:
    """The measured parts of a system: gpu, cpu, dram, system."""
    return schema_enum("common.schema.json", "component")


def measurement_methods() -> tuple[str, ...]:
    """How a component's energy was obtained (nvml-energy-counter, rapl, ...)."""
    return schema_enum("common.schema.json", "measurement_method")


def unit_names() -> tuple[str, ...]:
    """What one work unit is (query, token, sample, step, ...)."""
    return schema_enum("common.schema.json", "unit_name")


def energy_units() -> tuple[str, ...]:
    """The energy units a result may be written in: J, Wh, kWh, MWh."""
    return schema_enum("common.schema.json", "energy_unit")


def inference_tasks() -> tuple[str, ...]:
    """The inference tasks a submission may name (text-generation, image-classification, ...)."""
    return schema_enum("submission.schema.json", "inference_task")


def energy_key(component: str) -> str:
    """The key of a component's energy in ``energy_by_component_j`` (``gpu`` -> ``gpu_j``)."""
    if component not in components():
        raise ValueError(f"unknown component {component!r}")
    return f"{component}_j"
