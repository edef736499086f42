from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.measure.fake_nvml import FakeGpu, FakeNvml
from une_eval.errors import ProtocolError, SensorError
from une_eval.measure.nvml import NvmlSensor
from une_eval.measure.runner import Policy, preflight
from une_eval.measure.sampler import Sampler
from une_eval.measure.sensors import SimulatedClock
from une_eval.traces import TraceWriter, columns_for


def test_driver_missing_is_a_clear_sensor_error() -> None:
    with pytest.raises(SensorError, match="no NVIDIA driver/GPU found"):
        NvmlSensor(FakeNvml([], driver_missing=True), SimulatedClock())


def test_inventory_and_reads() -> None:
    nvml = FakeNvml([FakeGpu(), FakeGpu(power_mw=90_000)])
    sensor = NvmlSensor(nvml, SimulatedClock(), node_id="n1", indices=[1])
    [dev] = sensor.devices()
    assert dev.device_id == "n1-gpu1"
    assert dev.method == "nvml-energy-counter"
    assert dev.power_limit_w == 700.0
    assert sensor.read_power()[0].power_instant_mw == 90_000
    assert sensor.read_counters() == {"n1-gpu1": 2_000_000}
    sensor.close()
    assert nvml.shutdowns == 1


def test_unknown_index_is_refused() -> None:
    with pytest.raises(SensorError, match="no GPU with index 3"):
        NvmlSensor(FakeNvml([FakeGpu()]), SimulatedClock(), indices=[3])


def _integrate(sensor: NvmlSensor, clock: SimulatedClock, tmp_path: Path, seconds: float) -> tuple[float, float]:
    [dev] = sensor.devices()
    sampler = Sampler([sensor], clock, {dev.device_id: TraceWriter(tmp_path / "t.csv", columns_for(dev))})
    start = sampler.mark("run-0")
    sampler.sample_for("run-0", seconds)
    end = sampler.mark("run-0")
    sampler.close()
    return end.energy_j[dev.device_id] - start.energy_j[dev.device_id], end.time_s - start.time_s


def test_gpu_without_counter_is_integrated_from_instant_power_and_labelled_estimated(tmp_path: Path) -> None:
    clock = SimulatedClock()
    nvml = FakeNvml([FakeGpu(has_counter=False, power_mw=150_000, instant_mw=200_000)], clock)
    sensor = NvmlSensor(nvml, clock)
    [dev] = sensor.devices()
    assert dev.method == "nvml-power-integration"
    assert "NVML_FI_DEV_POWER_INSTANT" in dev.instrument
    assert "estimated" in dev.instrument
    assert sensor.read_counters() == {}
    energy_j, duration_s = _integrate(sensor, clock, tmp_path, 10.0)
    assert energy_j == pytest.approx(200.0 * duration_s, rel=1e-3)  # instant, not the 150 W average


def test_without_the_instant_field_the_instant_column_is_absent_never_filled_with_averages(tmp_path: Path) -> None:
    clock = SimulatedClock()
    sensor = NvmlSensor(FakeNvml([FakeGpu(has_instant=False, power_mw=90_000)], clock), clock)
    [dev] = sensor.devices()
    assert dev.has_instant_power is False
    assert dev.method == "nvml-energy-counter"  # energy still from the counter
    [sample] = sensor.read_power()
    assert (sample.power_instant_mw, sample.power_average_mw) == (None, 90_000)
    assert [c.name for c in columns_for(dev)] == ["time_unix_ns", "phase", "energy_mj", "power_average_mw"]
    _integrate(sensor, clock, tmp_path, 1.0)
    header, first = (tmp_path / "t.csv").read_text().splitlines()[:2]
    assert header == "time_unix_ns,phase,energy_mj,power_average_mw"
    assert first.endswith(",90000")


def test_without_counter_or_instant_field_averaged_power_is_integrated_and_labelled_averaged(tmp_path: Path) -> None:
    clock = SimulatedClock()
    sensor = NvmlSensor(FakeNvml([FakeGpu(has_counter=False, has_instant=False, power_mw=200_000)], clock), clock)
    [dev] = sensor.devices()
    assert dev.method == "nvml-power-integration"
    assert "averaged power" in dev.instrument
    assert "INSTANT" not in dev.instrument
    warnings = preflight([dev], Policy())
    assert any("no instant-power field" in w for w in warnings)
    assert any("integrating 1-second averaged power" in w for w in warnings)
    energy_j, duration_s = _integrate(sensor, clock, tmp_path, 10.0)
    assert energy_j == pytest.approx(200.0 * duration_s, rel=1e-3)


def test_an_instant_read_that_fails_once_leaves_that_sample_empty() -> None:
    gpu = FakeGpu(power_mw=100_000, instant_mw=300_000)
    sensor = NvmlSensor(FakeNvml([gpu]), SimulatedClock())
    assert sensor.read_power()[0].power_instant_mw == 300_000
    gpu.has_instant = False  # the field stops answering for a tick
    assert sensor.read_power()[0].power_instant_mw is None
    gpu.has_instant = True
    assert sensor.read_power()[0].power_instant_mw == 300_000


def test_counter_reset_marks_the_window(tmp_path: Path) -> None:
    clock = SimulatedClock()
    gpu = FakeGpu(energy_mj=5_000_000)
    sensor = NvmlSensor(FakeNvml([gpu], clock), clock)
    [dev] = sensor.devices()
    sampler = Sampler([sensor], clock, {dev.device_id: TraceWriter(tmp_path / "t.csv", columns_for(dev))})
    start = sampler.mark("run-0")
    gpu.energy_mj = 1_000  # the driver reloaded
    sampler.sample_for("run-0", 2.0)
    end = sampler.mark("run-0")
    sampler.close()
    assert end.resets[dev.device_id] == start.resets[dev.device_id] + 1


def test_power_read_failure_becomes_sensor_error() -> None:
    nvml = FakeNvml([FakeGpu()])
    sensor = NvmlSensor(nvml, SimulatedClock())
    nvml.fail_power = True
    with pytest.raises(SensorError, match="GPU is lost"):
        sensor.read_power()


def test_counter_read_has_realistic_latency() -> None:
    clock = SimulatedClock()
    sensor = NvmlSensor(FakeNvml([FakeGpu()] * 2, clock), clock)
    before = clock.monotonic_s()
    sensor.read_counters()
    assert clock.monotonic_s() - before == pytest.approx(0.006, abs=1e-6)


def test_preflight_refuses_foreign_processes_and_mig_unless_allowed() -> None:
    sensor = NvmlSensor(FakeNvml([FakeGpu(pids=[4242]), FakeGpu(mig=True)]), SimulatedClock())
    with pytest.raises(ProtocolError, match="4242") as err:
        preflight(sensor.devices(), Policy())
    assert "MIG" in str(err.value)
    warnings = preflight(sensor.devices(), Policy(allow_foreign_processes=True, allow_mig=True))
    assert len(warnings) == 2


def test_preflight_warns_on_non_default_power_limit() -> None:
    sensor = NvmlSensor(FakeNvml([FakeGpu(limit_mw=500_000)]), SimulatedClock())
    [warning] = preflight(sensor.devices(), Policy())
    assert "500 W differs from the default 700 W" in warning
