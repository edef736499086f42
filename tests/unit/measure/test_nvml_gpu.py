"""The NVML sensor against a real GPU (skipped, with the reason, where NVML cannot start)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from une_eval.errors import SensorError
from une_eval.measure import NvmlSensor, SystemClock


@pytest.fixture
def real_sensor() -> Any:
    pynvml = pytest.importorskip("pynvml", reason="nvidia-ml-py is not installed")
    try:
        sensor = NvmlSensor(pynvml, SystemClock())
    except SensorError as exc:
        pytest.skip(f"no usable NVIDIA GPU: {exc}")
    yield sensor
    sensor.close()


@pytest.mark.gpu
def test_real_gpu_inventory(real_sensor: NvmlSensor) -> None:
    devices = real_sensor.devices()
    assert devices
    assert all(d.power_limit_w and d.power_limit_w > 0 for d in devices)
    assert all(d.facts["driver"] for d in devices)


@pytest.mark.gpu
def test_real_gpu_counter_advances_and_power_is_positive(real_sensor: NvmlSensor) -> None:
    first = real_sensor.read_counters()
    time.sleep(1.0)
    second = real_sensor.read_counters()
    for dev_id, start in first.items():
        assert second[dev_id] > start  # even an idle GPU draws tens of watts
    assert all((s.power_instant_mw or 0) > 0 for s in real_sensor.read_power())
