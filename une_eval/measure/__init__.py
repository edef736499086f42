"""On-site measurement: sensors (NVML, RAPL, replay), the protocol runner, traces and the submission."""

from une_eval.measure.inprocess import RunCounter, Session
from une_eval.measure.inventory import NodeInventory, read_host, read_host_file
from une_eval.measure.nvml import NvmlSensor
from une_eval.measure.protocol import ProtocolConfig, ProtocolRecord
from une_eval.measure.rapl import RaplSensor, open_rapl
from une_eval.measure.replay import ReplaySensor, load_probe, load_recording
from une_eval.measure.runner import Policy, Result, measure
from une_eval.measure.sensors import (
    Clock,
    DeviceInfo,
    EnergySensor,
    PowerSample,
    SimulatedClock,
    SystemClock,
    Unavailable,
)
from une_eval.measure.submission import Setup, build_submission
from une_eval.measure.workload import CommandWorkload, SimulatedWorkload

__all__ = [
    "Clock",
    "CommandWorkload",
    "DeviceInfo",
    "EnergySensor",
    "NodeInventory",
    "NvmlSensor",
    "Policy",
    "PowerSample",
    "ProtocolConfig",
    "ProtocolRecord",
    "RaplSensor",
    "ReplaySensor",
    "Result",
    "RunCounter",
    "Session",
    "Setup",
    "SimulatedClock",
    "SimulatedWorkload",
    "SystemClock",
    "Unavailable",
    "build_submission",
    "load_probe",
    "load_recording",
    "measure",
    "open_rapl",
    "read_host",
    "read_host_file",
]
