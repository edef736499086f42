"""The runner's submission states what the driver reported and nothing it did not."""

from __future__ import annotations

from une_eval.measure.sensors import DeviceInfo
from une_eval.measure.submission import _accelerators


def _gpu(**kwargs: object) -> DeviceInfo:
    return DeviceInfo("node0-gpu0", "gpu", "nvml-energy-counter", "H200", 0.001, **kwargs)  # type: ignore[arg-type]


def test_an_unreported_memory_or_power_limit_stays_absent() -> None:
    [acc] = _accelerators([_gpu()])
    assert "memory_gb" not in acc
    assert "power_limit_w" not in acc


def test_reported_values_are_kept_as_reported() -> None:
    [acc] = _accelerators([_gpu(memory_gb=141.0, power_limit_w=700.0)])
    assert (acc["memory_gb"], acc["power_limit_w"]) == (141.0, 700.0)
