"""Typed pydantic v2 models of a submission, agreeing with the JSON Schema in ``spec/``.

The JSON Schema is normative; these models give typed access to a document the schema accepted.
They are kept as strict as the schema: no ``null`` for absent fields, no strings for numbers,
``integer`` accepts ``1.0`` (as JSON Schema does) but not ``1.5``, unknown keys are rejected.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from une_eval.loading import JsonNumber
from une_eval.text import BIDI_CONTROLS

# The first forbidden character in one regex scan: controls and bidirectional controls; tab, LF and CR
# allowed where the text may hold lines.
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")
_FORBIDDEN_IN_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")


def _json_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int):
        raise ValueError("must be an integer")
    return value


_FLOATS = frozenset((float, JsonNumber))


def _json_number(value: Any) -> Any:
    if type(value) in _FLOATS:  # the common case first, a float as parsed
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return float(value)


def _json_str(value: Any) -> Any:
    if type(value) is str:
        return value
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _text(value: Any, *, lines: bool) -> Any:
    """A string without control or bidirectional characters (tab, CR and LF allowed when ``lines``)."""
    value = _json_str(value)
    found = (_FORBIDDEN_IN_LINES if lines else _FORBIDDEN_IN_TEXT).search(value)
    if found is not None:
        raise ValueError(f"must not contain control or bidirectional characters (found U+{ord(found[0]):04X})")
    return value


def _one_line(value: Any, _search: Any = _FORBIDDEN_IN_TEXT.search) -> Any:
    """:func:`_text` without lines; a plain string with nothing to refuse is returned at once."""
    if type(value) is str and _search(value) is None:
        return value
    return _text(value, lines=False)


def _many_lines(value: Any, _search: Any = _FORBIDDEN_IN_LINES.search) -> Any:
    """:func:`_text` with lines; a plain string with nothing to refuse is returned at once."""
    if type(value) is str and _search(value) is None:
        return value
    return _text(value, lines=True)


def _json_bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("must be a boolean")
    return value


def _timestamp(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 date-time string")
    parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    if parsed.tzinfo is None:
        raise ValueError("must carry a time-zone offset")
    return parsed


def _date(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be a date string")
    return dt.date.fromisoformat(value)


Int = Annotated[int, BeforeValidator(_json_int)]
Num = Annotated[float, BeforeValidator(_json_number)]
Str = Annotated[str, BeforeValidator(_json_str)]
Bool = Annotated[bool, BeforeValidator(_json_bool)]
Text = Annotated[str, BeforeValidator(_one_line)]  # common.schema.json#/$defs/text, version
LongText = Annotated[str, BeforeValidator(_many_lines)]  # common.schema.json#/$defs/long_text
Timestamp = Annotated[dt.datetime, BeforeValidator(_timestamp)]
Date = Annotated[dt.date, BeforeValidator(_date)]

Phase = Literal["training", "inference"]
Component = Literal["gpu", "cpu", "dram", "system"]
Method = Literal["nvml-energy-counter", "nvml-power-integration", "rapl", "external-meter", "estimate", "unavailable"]
EnergyUnit = Literal["J", "Wh", "kWh", "MWh"]
UnitName = Literal["query", "token", "input-token", "output-token", "sample", "image", "step", "epoch", "training-run"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("must be an object")
        if None in data.values():  # scanned in C; the names only when there is one
            nulls = [k for k, v in data.items() if v is None]
            if nulls:
                raise ValueError(f"null is not allowed (omit the key instead): {', '.join(map(str, nulls))}")
        return data


class ProfileRef(_Model):
    name: Str
    version: Text | None = None


class Submitter(_Model):
    organisation: Text
    contact_name: Text | None = None
    contact_email: Str


class Attestation(_Model):
    data_accurate_and_unaltered: Bool
    production_model: Bool
    signed_by: Text
    date: Date
    statement: LongText | None = None


class Quantization(_Model):
    method: Literal["none", "gptq", "awq", "bitsandbytes", "gguf", "smoothquant", "fp8", "other"]
    bits: Int | None = None
    details: Text | None = None


class ModelInfo(_Model):
    name: Text
    version: Text | None = None
    provider: Text
    parameter_count: Int | None = None
    architecture: Text | None = None
    precision: Literal["fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4", "mixed"] | None = None
    quantization: Quantization | None = None
    weights_sha256: Str | None = None


class Accelerator(_Model):
    vendor: Text
    model: Text
    count: Int
    memory_gb: Num | None = None
    power_limit_w: Num | None = None
    default_power_limit_w: Num | None = None
    has_energy_counter: Bool | None = None
    mig_enabled: Bool | None = None


class Cpu(_Model):
    model: Text
    sockets: Int
    cores_per_socket: Int | None = None


class Node(_Model):
    node_id: Str
    accelerators: list[Accelerator]
    cpu: Cpu
    memory_gb: Num | None = None


class Hardware(_Model):
    nodes: list[Node]


class ServingEngine(_Model):
    name: Text
    version: Text


class Software(_Model):
    framework: Text
    framework_version: Text
    gpu_driver: Text | None = None
    cuda_version: Text | None = None
    os: Text
    serving_engine: ServingEngine | None = None


class Pue(_Model):
    value: Num
    source: Text
    period: Text | None = None


class Wue(_Model):
    value_l_per_kwh: Num
    source: Text
    period: Text | None = None


class GridIntensity(_Model):
    value_g_per_kwh: Num
    source: Text
    year: Int
    basis: Literal["location-based", "market-based"]


class Site(_Model):
    country: Str
    region: Text | None = None
    cloud_region: Text | None = None
    pue: Pue
    wue: Wue | None = None
    grid_intensity: GridIntensity


class System(_Model):
    model: ModelInfo
    hardware: Hardware
    software: Software
    site: Site


class Dataset(_Model):
    name: Text
    version: Text | None = None
    sha256: Str | None = None
    url: Str | None = None


class InferenceWorkload(_Model):
    task: Literal[
        "text-generation",
        "reasoning",
        "summarization",
        "extractive-qa",
        "text-classification",
        "sentence-similarity",
        "image-classification",
        "object-detection",
        "image-generation",
        "image-captioning",
        "automatic-speech-recognition",
        "other",
    ]
    dataset: Dataset
    queries: Int
    input_tokens: Int | None = None
    output_tokens: Int | None = None
    batch_size: Int
    concurrency: Int | None = None


class Flops(_Model):
    value: Num
    method: Literal["counted", "profiler", "estimated-6nd", "estimated-other"]
    details: Text | None = None


class QualityMetric(_Model):
    name: Text
    value: Num
    dataset: Text | None = None


class Coverage(_Model):
    kind: Literal["whole-run", "extrapolated"]
    measured_fraction: Num
    method: LongText | None = None


class TrainingWorkload(_Model):
    dataset: Dataset
    tokens: Int | None = None
    samples: Int | None = None
    steps: Int
    epochs: Num | None = None
    global_batch_size: Int
    sequence_length: Int | None = None
    flops: Flops | None = None
    wall_time_s: Num
    accelerator_hours: Num | None = None
    quality_metric: QualityMetric | None = None
    coverage: Coverage


class Workload(_Model):
    inference: InferenceWorkload | None = None
    training: TrainingWorkload | None = None


class Instrument(_Model):
    name: Text
    version: Text | None = None
    uncertainty_pct: Num | None = None
    sampling_interval_s: Num | None = None
    update_period_s: Num | None = None


class ComponentMethod(_Model):
    component: Component
    method: Method
    instrument: Instrument | None = None
    reason: Text | None = None


class Device(_Model):
    device_id: Str
    component: Component
    node_id: Str
    model: Text | None = None
    uuid: Text | None = None
    host: Text | None = None
    index: Int | None = None
    power_limit_w: Num | None = None
    has_energy_counter: Bool | None = None


class DeviceEnergy(_Model):
    device_id: Str
    energy_j: Num
    energy_min_j: Num | None = None
    energy_max_j: Num | None = None
    mean_power_w: Num | None = None
    peak_power_w: Num | None = None


class EnergyByComponent(_Model):
    gpu_j: Num | None = None
    cpu_j: Num | None = None
    dram_j: Num | None = None
    system_j: Num | None = None
    total_j: Num

    def components(self) -> dict[str, float]:
        """The declared per-component energies (``gpu_j`` ... ``system_j``), absent ones left out."""
        values = {"gpu_j": self.gpu_j, "cpu_j": self.cpu_j, "dram_j": self.dram_j, "system_j": self.system_j}
        return {k: v for k, v in values.items() if v is not None}


class Run(_Model):
    index: Int
    start_time: Timestamp
    end_time: Timestamp
    duration_s: Num
    work_units: Num
    energy: EnergyByComponent
    energy_min_j: Num | None = None
    energy_max_j: Num | None = None
    devices: list[DeviceEnergy] = Field(default_factory=list)
    mean_power_w: Num | None = None
    peak_power_w: Num | None = None
    complete: Bool
    exit_code: Int | None = None
    reason: Text | None = None


class TraceColumn(_Model):
    name: Str
    unit: Str
    description: Text | None = None
    wrap_range: Int | None = None


class Trace(_Model):
    path: Str
    sha256: Str
    format: Literal["csv", "parquet"]
    columns: list[TraceColumn]
    device_id: Str | None = None


class IdleDevice(_Model):
    device_id: Str
    power_w: Num


class IdleBaseline(_Model):
    duration_s: Num
    devices: list[IdleDevice]


class Warmup(_Model):
    performed: Bool
    duration_s: Num | None = None


class Launcher(_Model):
    kind: Literal["slurm", "torchrun", "none"]
    job_id: Text | None = None
    nodes: list[Text] | None = None
    node_count: Int | None = None
    node_rank: Int | None = None
    gpus: list[Text] | None = None
    gpus_per_node: Int | None = None
    world_size: Int | None = None
    local_world_size: Int | None = None


class ClockSample(_Model):
    at: Timestamp
    offset_s: Num
    uncertainty_s: Num


class ClockOffset(_Model):
    method: Literal["round-trip", "chrony", "none"]
    reference: Text
    offset_s: Num | None = None
    uncertainty_s: Num | None = None
    samples: list[ClockSample] = Field(default_factory=list)
    reason: Text | None = None


class NodeRecord(_Model):
    node_id: Str
    host: Text
    launcher: Launcher | None = None
    clock: ClockOffset | None = None
    status: Literal["complete", "partial", "excluded"] | None = None
    reason: LongText | None = None
    submission: Str | None = None
    submission_sha256: Str | None = None
    energy_j: Num | None = None


MergeCode = Literal[
    "node-missing",
    "node-unexpected",
    "node-duplicate",
    "node-incomplete",
    "node-unreadable",
    "clock-offset",
    "clock-unmeasured",
    "device-missing",
    "device-extra",
    "device-changed",
    "device-duplicate",
    "counter-reset",
    "trace-unusable",
    "trace-changed",
    "launcher-differs",
    "declarations-differ",
    "work-units-differ",
    "devices-unknown",
]


class MergeFinding(_Model):
    code: MergeCode
    node_id: Str | None = None
    device_id: Str | None = None
    run_index: Int | None = None
    message: LongText


class Merge(_Model):
    expected_from: Literal["slurm", "torchrun", "declared", "none"]
    nodes_expected: list[Text]
    gpus_per_node_expected: Int | None = None
    clock_limit_s: Num
    work_units: Literal["sum", "same"]
    findings: list[MergeFinding]


class ReplayedRecording(_Model):
    device_id: Str
    file: Text | None = None
    sha256: Str


class Replay(_Model):
    """The energy figures were played back from recordings, not measured on the system under test."""

    kind: Literal["replay", "rehearsal"]
    recordings: list[ReplayedRecording]


class CrossCheck(_Model):
    source: Literal["slurm-sacct", "dcgm-stats"]
    provenance: Literal["sourced"]
    status: Literal["recorded", "unavailable"]
    job_id: Text | None = None
    scope: LongText | None = None
    energy_j: Num | None = None
    measured_j: Num | None = None
    difference_j: Num | None = None
    difference_pct: Num | None = None
    tolerance_pct: Num | None = None
    reason: LongText | None = None


class Measurement(_Model):
    methods: list[ComponentMethod]
    devices: list[Device]
    idle_baseline: IdleBaseline
    warmup: Warmup
    runs: list[Run]
    traces: list[Trace] = Field(default_factory=list)
    nodes: list[NodeRecord] = Field(default_factory=list)
    merge: Merge | None = None
    replay: Replay | None = None
    cross_checks: list[CrossCheck] = Field(default_factory=list)
    complete: Bool
    incomplete_reason: Text | None = None


class FunctionalUnit(_Model):
    unit: UnitName
    count: Num


class EnergyQuantity(_Model):
    value: Num
    unit: EnergyUnit
    definition: Literal["pooled", "mean-of-runs"] | None = None


class Statistics(_Model):
    n_runs: Int
    mean: Num
    std: Num
    cv_pct: Num
    ci95_low: Num
    ci95_high: Num


class Sci(_Model):
    score_g_co2e_per_unit: Num
    energy_kwh: Num
    intensity_g_per_kwh: Num
    embodied_g_co2e: Num
    functional_unit: FunctionalUnit
    boundary: LongText
    method: LongText


class Prediction(_Model):
    provenance: Literal["estimated"]
    unit: Literal["step", "token", "sample"]
    measured_units: Num
    full_run_units: Num
    energy_j: Num
    low_j: Num
    high_j: Num
    confidence: Num
    n_runs: Int
    method: LongText


class Results(_Model):
    functional_unit: FunctionalUnit
    work_units_total: Num
    energy_total: EnergyByComponent
    energy_per_unit: EnergyQuantity
    net_energy_per_unit: EnergyQuantity | None = None
    mean_power_w: Num | None = None
    throughput_per_s: Num | None = None
    statistics: Statistics
    facility_energy_kwh: Num | None = None
    emissions_g_co2e: Num | None = None
    water_l: Num | None = None
    prediction: Prediction | None = None
    sci: Sci | None = None


SourceFormat = Literal[
    "mlperf-inference-power",
    "codecarbon-emissions",
    "codecarbon-tasks",
    "codecarbon-boamps",
    "zeus-log",
    "ml-energy-leaderboard",
    "ai-energy-score-report",
    "ai-energy-score-leaderboard",
    "hf-model-card",
    "carbontracker-log",
    "dcgm-power",
    "slurm-gpu-power",
]
ValueBasis = Literal["measured", "estimated", "sourced", "declared", "derived"]


class SourceTool(_Model):
    name: Str
    version: Str | None = None


class Importer(_Model):
    name: Str
    version: Str


class SourceFile(_Model):
    path: Str
    sha256: Str
    size_bytes: Int


class ValueOrigin(_Model):
    pointer: Str
    file: Int
    location: Str
    value: Str
    unit: Str | None = None
    basis: ValueBasis
    scale: Num | None = None
    note: Str | None = None


class ImportFinding(_Model):
    rule_id: Str
    pointer: Str | None = None
    file: Int
    location: Str
    message: Str
    template: Str | None = None  # the message's English template ({file}, {location}: ...) for translation
    params: dict[str, Any] | None = None


class ImportProvenance(_Model):
    source_format: SourceFormat
    source_tool: SourceTool | None = None
    importer: Importer
    imported_at: Timestamp
    files: list[SourceFile]
    values: list[ValueOrigin]
    findings: list[ImportFinding] = Field(default_factory=list)
    notes: list[Str] = Field(default_factory=list)


class Submission(_Model):
    """A whole submission document."""

    schema_uri: Str | None = Field(default=None, alias="$schema")  # where an editor finds the schema; ignored
    schema_version: Literal["1.0"]
    submission_id: Str
    created_at: Timestamp
    phase: Phase
    profile: ProfileRef
    submitter: Submitter
    attestation: Attestation
    system: System
    workload: Workload
    measurement: Measurement
    results: Results | None = None
    provenance: ImportProvenance | None = None

    def device(self, device_id: str) -> Device | None:
        """The declared device with this id, if any."""
        for d in self.measurement.devices:  # a plain loop: rules look devices up many times a file
            if d.device_id == device_id:
                return d
        return None
