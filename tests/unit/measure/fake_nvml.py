"""A fake ``pynvml`` module: enough of NVML for the sensor, with resets, NotSupported, and call latency.

The calls advance an injected clock by the latencies measured on an H200 (~3 ms for the energy
counter, ~1 µs for power), so timing-dependent code sees realistic costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from une_eval.measure.sensors import Clock

NVML_FI_DEV_POWER_INSTANT = 186
NVML_TEMPERATURE_GPU = 0


class NVMLError(Exception):
    """Stands in for pynvml.NVMLError."""


@dataclass
class FakeGpu:
    name: str = "NVIDIA H200"
    energy_mj: int = 2_000_000
    power_mw: int = 80_000
    has_counter: bool = True
    has_instant: bool = True
    instant_mw: int | None = None
    """Instant power when it differs from the averaged ``power_mw`` (a burst the 1-s average smooths)."""
    limit_mw: int = 700_000
    default_limit_mw: int = 700_000
    mig: bool = False
    pids: list[int] = field(default_factory=list)


class FakeNvml:
    """Module-like object: pass it where the sensor expects ``pynvml``."""

    NVMLError = NVMLError
    NVML_FI_DEV_POWER_INSTANT = NVML_FI_DEV_POWER_INSTANT
    NVML_TEMPERATURE_GPU = NVML_TEMPERATURE_GPU

    def __init__(
        self,
        gpus: list[FakeGpu],
        clock: Clock | None = None,
        *,
        driver_missing: bool = False,
        energy_latency_s: float = 3e-3,
        power_latency_s: float = 1e-6,
    ) -> None:
        self.gpus = gpus
        self._clock = clock
        self._driver_missing = driver_missing
        self._energy_latency_s = energy_latency_s
        self._power_latency_s = power_latency_s
        self.fail_power = False
        self.shutdowns = 0
        self.energy_calls = 0

    def _cost(self, seconds: float) -> None:
        if self._clock is not None:
            self._clock.sleep(seconds)

    def nvmlInit(self) -> None:
        if self._driver_missing:
            raise NVMLError("Driver Not Loaded")

    def nvmlShutdown(self) -> None:
        self.shutdowns += 1

    def nvmlDeviceGetCount(self) -> int:
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeGpu:
        return self.gpus[index]

    def nvmlDeviceGetName(self, gpu: FakeGpu) -> str:
        return gpu.name

    def nvmlDeviceGetUUID(self, gpu: FakeGpu) -> str:
        return f"GPU-fake-{self.gpus.index(gpu)}"

    def nvmlSystemGetDriverVersion(self) -> str:
        return "580.159.04"

    def nvmlDeviceGetEnforcedPowerLimit(self, gpu: FakeGpu) -> int:
        return gpu.limit_mw

    def nvmlDeviceGetPowerManagementDefaultLimit(self, gpu: FakeGpu) -> int:
        return gpu.default_limit_mw

    def nvmlDeviceGetMigMode(self, gpu: FakeGpu) -> list[int]:
        return [int(gpu.mig), int(gpu.mig)]

    def nvmlDeviceGetMemoryInfo(self, gpu: FakeGpu) -> Any:
        return SimpleNamespace(total=150_754_820_096)

    def nvmlDeviceGetComputeRunningProcesses(self, gpu: FakeGpu) -> list[Any]:
        return [SimpleNamespace(pid=p) for p in gpu.pids]

    def nvmlDeviceGetTotalEnergyConsumption(self, gpu: FakeGpu) -> int:
        self.energy_calls += 1
        self._cost(self._energy_latency_s)
        if not gpu.has_counter:
            raise NVMLError("Not Supported")
        return gpu.energy_mj

    def nvmlDeviceGetPowerUsage(self, gpu: FakeGpu) -> int:
        self._cost(self._power_latency_s)
        if self.fail_power:
            raise NVMLError("GPU is lost")
        return gpu.power_mw

    def nvmlDeviceGetFieldValues(self, gpu: FakeGpu, field_ids: list[int]) -> list[Any]:
        self._cost(self._power_latency_s)
        ret = 0 if gpu.has_instant else 3  # NVML_ERROR_NOT_SUPPORTED
        instant = gpu.power_mw if gpu.instant_mw is None else gpu.instant_mw
        return [SimpleNamespace(nvmlReturn=ret, valueType=1, value=SimpleNamespace(uiVal=instant))]
