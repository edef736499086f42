"""The vocabularies the schema defines once, for the Python code that needs them as values.

Phases, measured components, measurement methods, functional-unit names, energy units and inference
tasks are enumerations in ``spec/schemas`` (``common.schema.json`` and ``submission.schema.json``
``$defs``). Code that offers or checks these words (command-line choices, profile defaults, unit
tables) takes them from here instead of repeating the lists; the ``Literal`` types in
:mod:`une_eval.model` mirror them for the type checker, and a test holds the two equal.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from une_eval.schemas import SCHEMA_BASE, lookup, registry, schema_documents

_MAX_HOPS = 64


def _pointed(uri: str, ref: str) -> tuple[str, Any] | None:
    """The node a ``$ref`` names in a bundled schema (by JSON Pointer), with its file's URI; None otherwise."""
    target, fragment = urldefrag(urljoin(uri, ref))
    node: Any = schema_documents().get(target)
    if node is None or (fragment and not fragment.startswith("/")):
        return None
    for token in unquote(fragment).split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return target, node


def _enum_by_pointers(schema_file: str, definition: str) -> tuple[str, ...] | None:
    """:func:`schema_enum` by plain JSON Pointers into the bundled files (no registry); None where it cannot tell."""
    found = _pointed(SCHEMA_BASE + schema_file, f"#/$defs/{definition}")
    hops = 0
    while found is not None and isinstance(found[1], dict) and "$ref" in found[1] and hops < _MAX_HOPS:
        found, hops = _pointed(found[0], found[1]["$ref"]), hops + 1
    if found is None or not isinstance(found[1], dict) or not isinstance(found[1].get("enum"), list):
        return None
    return tuple(str(v) for v in found[1]["enum"])


@functools.cache
def schema_enum(schema_file: str, definition: str) -> tuple[str, ...]:
    """The values of the ``enum`` at ``$defs/<definition>`` of a bundled schema (through any ``$ref``).

    Read by JSON Pointer straight from the bundled files; anything else (an anchor, a reference that
    leaves them) is resolved through the reference registry, which also words the error.
    """
    quick = _enum_by_pointers(schema_file, definition)
    if quick is not None:
        return quick
    resolved = lookup(registry().resolver(base_uri=SCHEMA_BASE + schema_file), f"#/$defs/{definition}")
    while "$ref" in resolved.contents:
        resolved = lookup(resolved.resolver, resolved.contents["$ref"])
    return tuple(str(v) for v in resolved.contents["enum"])


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
