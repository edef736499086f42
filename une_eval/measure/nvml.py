"""The NVML sensor: NVIDIA GPUs through ``nvidia-ml-py``; the only module that talks to ``pynvml``.

The ``pynvml`` module and the clock are constructor arguments, so tests pass a fake NVML. Energy
comes from ``nvmlDeviceGetTotalEnergyConsumption`` (mJ since the driver loaded, Volta and newer);
power from the instant-power field (``NVML_FI_DEV_POWER_INSTANT``). ``nvmlDeviceGetPowerUsage`` is a
1-second average on Hopper and lags by about a second (integrating it was ~20 % low on 2.5 s bursts),
so it is only ever reported as averaged power, never in the instant column: a GPU that lacks the
instant field (probed once, at the inventory) has ``has_instant_power`` false and no instant column.
A GPU without the counter is integrated from instant power, labelled as an estimate; a GPU with
neither is integrated from averaged power and labelled as such. NVML errors become
:class:`SensorError` here, at the edge.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from une_eval.errors import SensorError
from une_eval.measure.sensors import Clock, DeviceInfo, PowerSample

_FI_POWER_INSTANT = 186  # NVML_FI_DEV_POWER_INSTANT, when the bindings are too old to name it
_VALUE_MEMBER = ("dVal", "uiVal", "ulVal", "ullVal", "sllVal", "siVal", "usVal")  # by NVML_VALUE_TYPE_*


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _instrument(*, has_counter: bool, has_instant: bool) -> str:
    """Name what a GPU's energy comes from, saying which power is integrated when there is no counter."""
    if has_counter:
        return "NVML nvmlDeviceGetTotalEnergyConsumption"
    if has_instant:
        return "NVML instant power (NVML_FI_DEV_POWER_INSTANT), integrated: estimated"
    return (
        "NVML averaged power (nvmlDeviceGetPowerUsage, 1-second average; no instant-power field), "
        "integrated: estimated, low on short bursts"
    )


class NvmlSensor:
    """All GPUs of the node, or the chosen indices; reads instant power and the energy counter."""

    def __init__(
        self, nvml: Any, clock: Clock, *, node_id: str = "node0", indices: Sequence[int] | None = None
    ) -> None:
        self._nvml = nvml
        self._clock = clock
        try:
            nvml.nvmlInit()
        except nvml.NVMLError as exc:
            raise SensorError(f"no NVIDIA driver/GPU found (NVML could not start: {_text(exc)})") from None
        try:
            count = nvml.nvmlDeviceGetCount()
            chosen = list(range(count)) if indices is None else list(indices)
            bad = [i for i in chosen if not 0 <= i < count]
            if bad:
                raise SensorError(f"no GPU with index {bad[0]} (the node has {count})")
            if not chosen:
                raise SensorError("NVML found no GPU on this node")
            self._handles = {f"{node_id}-gpu{i}": nvml.nvmlDeviceGetHandleByIndex(i) for i in chosen}
            self._field = getattr(nvml, "NVML_FI_DEV_POWER_INSTANT", _FI_POWER_INSTANT)
            self._devices = [self._describe(dev_id, h) for dev_id, h in self._handles.items()]
        except nvml.NVMLError as exc:
            self._shutdown()
            raise SensorError(f"NVML error during the inventory: {_text(exc)}") from None
        except SensorError:
            self._shutdown()
            raise
        self._counter_ids = [d.device_id for d in self._devices if d.has_energy_counter]
        self._instant_ids = {d.device_id for d in self._devices if d.has_instant_power}

    def _optional(self, name: str, *args: Any) -> Any:
        """Call what some GPUs do not support: None instead of an error."""
        try:
            return getattr(self._nvml, name)(*args)
        except self._nvml.NVMLError:
            return None
        except AttributeError:
            return None

    def _describe(self, device_id: str, handle: Any) -> DeviceInfo:
        n = self._nvml
        has_counter = self._optional("nvmlDeviceGetTotalEnergyConsumption", handle) is not None
        has_instant = self._read_instant_mw(handle) is not None
        limit_mw = self._optional("nvmlDeviceGetEnforcedPowerLimit", handle)
        default_mw = self._optional("nvmlDeviceGetPowerManagementDefaultLimit", handle)
        mig = self._optional("nvmlDeviceGetMigMode", handle)
        mem = self._optional("nvmlDeviceGetMemoryInfo", handle)
        procs = self._optional("nvmlDeviceGetComputeRunningProcesses", handle) or []
        driver = self._optional("nvmlSystemGetDriverVersion")
        facts = {
            "serial": self._optional("nvmlDeviceGetSerial", handle),
            "architecture": self._optional("nvmlDeviceGetArchitecture", handle),
            "driver": _text(driver) if driver is not None else None,
            "nvml_version": self._optional("nvmlSystemGetNVMLVersion"),
            "persistence_mode": self._optional("nvmlDeviceGetPersistenceMode", handle),
            "temperature_c": self._optional("nvmlDeviceGetTemperature", handle, getattr(n, "NVML_TEMPERATURE_GPU", 0)),
            "throttle_reasons": self._optional("nvmlDeviceGetCurrentClocksThrottleReasons", handle),
            "foreign_processes": [int(getattr(p, "pid", 0)) for p in procs],
        }
        return DeviceInfo(
            device_id=device_id,
            component="gpu",
            method="nvml-energy-counter" if has_counter else "nvml-power-integration",
            model=_text(n.nvmlDeviceGetName(handle)),
            counter_unit_j=0.001 if has_counter else None,
            counter_column="energy_mj" if has_counter else None,
            uuid=_text(self._optional("nvmlDeviceGetUUID", handle) or "") or None,
            power_limit_w=limit_mw / 1000 if limit_mw else None,
            default_power_limit_w=default_mw / 1000 if default_mw else None,
            memory_gb=round(mem.total / 2**30, 1) if mem is not None else None,
            mig_enabled=bool(mig[0]) if isinstance(mig, list | tuple) and mig else False,
            has_instant_power=has_instant,
            instrument=_instrument(has_counter=has_counter, has_instant=has_instant),
            instrument_version=facts["driver"],
            facts=facts,
        )

    def devices(self) -> list[DeviceInfo]:
        """List the measured GPUs."""
        return list(self._devices)

    def _read_instant_mw(self, handle: Any) -> int | None:
        """The instant-power field in mW; None where the GPU does not answer it."""
        try:
            value = self._nvml.nvmlDeviceGetFieldValues(handle, [self._field])[0]
        except (self._nvml.NVMLError, AttributeError, IndexError, TypeError):
            return None
        if getattr(value, "nvmlReturn", 0) != 0:
            return None
        kind = int(getattr(value, "valueType", 1))
        member = _VALUE_MEMBER[kind] if 0 <= kind < len(_VALUE_MEMBER) else "uiVal"
        try:
            return int(getattr(value.value, member))
        except (AttributeError, TypeError, ValueError, OverflowError):
            return None

    def read_power(self) -> list[PowerSample]:
        """Instant power (GPUs that have the field) and averaged power of every GPU, never one for the other.

        A tick where the instant field does not answer leaves that sample empty; the averaged value
        never stands in for it.
        """
        out = []
        try:
            for dev_id, handle in self._handles.items():
                average = int(self._nvml.nvmlDeviceGetPowerUsage(handle))
                instant = self._read_instant_mw(handle) if dev_id in self._instant_ids else None
                out.append(PowerSample(dev_id, instant, average))
        except self._nvml.NVMLError as exc:
            raise SensorError(f"NVML power read failed: {_text(exc)}") from None
        return out

    def read_counters(self) -> dict[str, int]:
        """Read the total-energy counter (mJ) of every GPU that has one."""
        try:
            return {d: int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(self._handles[d])) for d in self._counter_ids}
        except self._nvml.NVMLError as exc:
            raise SensorError(f"NVML energy read failed: {_text(exc)}") from None

    def _shutdown(self) -> None:
        with contextlib.suppress(self._nvml.NVMLError):
            self._nvml.nvmlShutdown()

    def close(self) -> None:
        """Shut NVML down."""
        self._shutdown()
