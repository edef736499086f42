"""Every vocabulary has one owner, the schema: the Python copies (Literal types, tables, choices) agree with it."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

import click
import pydantic
import pytest

from une_eval import energy, model, results
from une_eval.cli import main
from une_eval.findings import Severity
from une_eval.measure import sensors
from une_eval.rating import METRICS
from une_eval.schemas import SchemaKind, inline_references, schema_of, submission_schema
from une_eval.spec import Assurance
from une_eval.validation.rules.runs import DEFAULT_UPDATE_PERIOD_S
from une_eval.vocabulary import (
    components,
    energy_key,
    energy_units,
    inference_tasks,
    measurement_methods,
    phases,
    unit_names,
)


def _properties(node: dict[str, Any]) -> dict[str, Any]:
    props = dict(node.get("properties", {}))
    for part in node.get("allOf", []):
        props.update(_properties(part))
    return props


def _unwrap(annotation: Any) -> list[Any]:
    """The types inside Optional[...], X | None, list[...], Annotated[...]."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg) if t is not type(None)]
    return [annotation]


def _literal_fields(cls: type[pydantic.BaseModel], node: dict[str, Any], path: str) -> list[tuple[str, Any, Any]]:
    found = []
    props = _properties(node)
    for name, info in cls.model_fields.items():
        key = info.alias or name
        sub = props[key]
        sub = sub.get("items", sub)
        for kind in _unwrap(info.annotation):
            if typing.get_origin(kind) is Literal:
                found.append((f"{path}/{key}", set(typing.get_args(kind)), set(sub.get("enum", [sub.get("const")]))))
            elif isinstance(kind, type) and issubclass(kind, pydantic.BaseModel):
                found += _literal_fields(kind, sub, f"{path}/{key}")
    return found


def test_every_literal_of_the_models_is_the_schema_enum() -> None:
    fields = _literal_fields(model.Submission, inline_references(submission_schema()), "")
    assert len(fields) >= 12
    for where, in_model, in_schema in fields:
        assert in_model == in_schema, where


def test_named_literal_types_are_the_schema_vocabularies() -> None:
    assert set(typing.get_args(model.Phase)) == set(phases())
    assert set(typing.get_args(model.Component)) == set(components())
    assert set(typing.get_args(model.Method)) == set(measurement_methods())
    assert set(typing.get_args(model.EnergyUnit)) == set(energy_units())
    assert set(typing.get_args(model.UnitName)) == set(unit_names())


def test_python_tables_cover_the_schema_vocabularies() -> None:
    assert set(energy.J_PER_UNIT) == set(energy_units())
    assert tuple(energy_key(c) for c in components()) == results.COMPONENT_KEYS
    assert set(typing.get_args(sensors.Component)) <= set(components())
    assert set(typing.get_args(sensors.Method)) <= set(measurement_methods())
    assert set(DEFAULT_UPDATE_PERIOD_S) <= set(measurement_methods())


def test_enums_owned_by_python_match_their_schema() -> None:
    rules_schema = schema_of(SchemaKind.RULES)
    assert [s.value for s in Severity] == rules_schema["$defs"]["severity"]["enum"]
    assert [a.value for a in Assurance] == schema_of(SchemaKind.PROFILE)["$defs"]["assurance"]["enum"]
    assert set(METRICS) == set(schema_of(SchemaKind.RATING_SCHEME)["properties"]["metric"]["enum"])
    assert "text-generation" in inference_tasks()


@pytest.mark.parametrize(("option", "values"), [("phase", phases), ("unit", unit_names)])
def test_measure_offers_the_schema_choices(option: str, values: Any) -> None:
    command = main.get_command(click.Context(main), "measure")
    assert command is not None
    param = next(p for p in command.params if p.name == option)
    assert isinstance(param.type, click.Choice)
    assert set(param.type.choices) == set(values())


def test_energy_key_refuses_unknown_components() -> None:
    assert energy_key("gpu") == "gpu_j"
    with pytest.raises(ValueError, match="unknown component"):
        energy_key("fpga")
