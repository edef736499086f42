"""The RAPL sensor: CPU package and DRAM energy per socket from Linux powercap.

Only ``package-N`` zones (top level, ``intel-rapl:N``) and their ``dram`` subzones are read: package
contains core and uncore, and psys contains package, so summing every zone would count energy twice.
Counters wrap at ``max_energy_range_uj``; the sampler reads them at least once a second and adds one
range per decrease. The range travels with the trace: :func:`une_eval.traces.columns_for` writes it as
the ``energy_uj`` column's ``wrap_range``, so a validator unwraps the trace the same way. Without
RAPL (VMs, containers) or without permission (root-only since Linux 5.10, CVE-2020-8694)
:func:`open_rapl` returns the components as unavailable, with the reason.
"""

from __future__ import annotations

from pathlib import Path

from une_eval.errors import SensorError
from une_eval.measure.sensors import DeviceInfo, PowerSample, Unavailable


def _read_int(path: Path) -> int:
    return int(path.read_text(encoding="ascii").strip())


def _zone_name(zone: Path) -> str:
    try:
        return zone.joinpath("name").read_text(encoding="ascii").strip()
    except OSError:
        return ""


class RaplSensor:
    """Package and DRAM counters of every socket under a powercap root."""

    def __init__(self, zones: dict[str, Path], devices: list[DeviceInfo]) -> None:
        self._zones = zones
        self._devices = devices

    def devices(self) -> list[DeviceInfo]:
        """One ``cpu`` device per package zone and one ``dram`` device per DRAM subzone."""
        return list(self._devices)

    def read_power(self) -> list[PowerSample]:
        """RAPL has no power field; energy comes from the counters."""
        return []

    def read_counters(self) -> dict[str, int]:
        """Raw ``energy_uj`` of every zone; a value outside ``[0, max_energy_range_uj]`` is a sensor error."""
        try:
            raw = {dev_id: _read_int(zone / "energy_uj") for dev_id, zone in self._zones.items()}
        except (OSError, ValueError) as exc:
            raise SensorError(f"RAPL read failed: {exc}") from None
        for d in self._devices:
            if not 0 <= raw[d.device_id] <= (d.wrap_at or 0):
                raise SensorError(
                    f"RAPL {d.device_id} read {raw[d.device_id]} uJ, outside its range [0, {d.wrap_at}]: "
                    "its wraps cannot be counted"
                )
        return raw

    def close(self) -> None:
        """Nothing to release."""


def _wrap_range_uj(zone: Path) -> int:
    """``max_energy_range_uj``: a positive range at least the counter's value, else the zone is unusable."""
    range_uj, energy_uj = _read_int(zone / "max_energy_range_uj"), _read_int(zone / "energy_uj")
    if not 0 <= energy_uj <= range_uj or range_uj <= 0:
        raise ValueError(f"{zone.name}: energy_uj {energy_uj} is outside max_energy_range_uj {range_uj}")
    return range_uj


def _device(dev_id: str, component: str, zone: Path, cpu_model: str) -> DeviceInfo:
    return DeviceInfo(
        device_id=dev_id,
        component="cpu" if component == "cpu" else "dram",
        method="rapl",
        model=cpu_model if component == "cpu" else "DRAM",
        counter_unit_j=1e-6,
        counter_column="energy_uj",
        wrap_at=_wrap_range_uj(zone),
        update_period_s=0.001,
        instrument="Linux powercap intel-rapl",
        facts={"zone": zone.name, "zone_name": _zone_name(zone)},
    )


def open_rapl(
    root: Path, *, node_id: str = "node0", cpu_model: str = "CPU"
) -> tuple[RaplSensor | None, list[Unavailable]]:
    """Find package and DRAM zones under ``root``; unreadable or absent ones are reported unavailable."""
    if not root.is_dir():
        reason = f"RAPL is not exposed on this machine ({root} is absent; common in VMs and containers)"
        return None, [Unavailable("cpu", reason), Unavailable("dram", reason)]
    zones: dict[str, Path] = {}
    devices: list[DeviceInfo] = []
    try:
        for pkg in sorted(root.glob("intel-rapl:[0-9]*")):
            if pkg.name.count(":") != 1 or not _zone_name(pkg).startswith("package"):
                continue
            socket = pkg.name.split(":")[1]
            zones[f"{node_id}-cpu{socket}"] = pkg
            for sub in sorted(pkg.glob(f"intel-rapl:{socket}:[0-9]*")):
                if _zone_name(sub) == "dram":
                    zones[f"{node_id}-dram{socket}"] = sub
        for dev_id, zone in zones.items():
            _read_int(zone / "energy_uj")
            devices.append(_device(dev_id, "dram" if "-dram" in dev_id else "cpu", zone, cpu_model))
    except PermissionError:
        reason = (
            f"RAPL counters under {root} are readable by root only (Linux 5.10+, CVE-2020-8694); "
            "run as root or grant read access to energy_uj"
        )
        return None, [Unavailable("cpu", reason), Unavailable("dram", reason)]
    except (OSError, ValueError) as exc:
        reason = f"RAPL counters under {root} cannot be read: {exc}"
        return None, [Unavailable("cpu", reason), Unavailable("dram", reason)]
    gaps = []
    if not any(d.component == "cpu" for d in devices):
        gaps.append(Unavailable("cpu", f"no RAPL package zone under {root}"))
    if not any(d.component == "dram" for d in devices):
        gaps.append(Unavailable("dram", f"no RAPL DRAM zone under {root} (AMD Zen and many CPUs have none)"))
    return (RaplSensor(zones, devices) if devices else None), gaps
