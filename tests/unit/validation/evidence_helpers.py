"""Builders for evidence tests: the bundled H200 trace as arrays, traces written to disk, submissions around them."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from une_eval.results import build_results

REPO = Path(__file__).resolve().parents[3]
H200 = REPO / "fixtures" / "evidence" / "h200"
H200_CSV = H200 / "traces" / "gpu0.csv"


@dataclass(frozen=True)
class Recording:
    """The bundled H200 trace: times (ns), counter (mJ), instant and averaged power (mW), phases."""

    time_ns: npt.NDArray[np.int64]
    energy_mj: npt.NDArray[np.int64]
    power_instant_mw: npt.NDArray[np.int64]
    power_average_mw: npt.NDArray[np.int64]
    phase: list[str]

    def rows_of(self, phase: str) -> npt.NDArray[np.intp]:
        return np.array([i for i, p in enumerate(self.phase) if p == phase])


def recording() -> Recording:
    with H200_CSV.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return Recording(
        np.array([int(r["time_unix_ns"]) for r in rows], dtype=np.int64),
        np.array([int(r["energy_mj"]) for r in rows], dtype=np.int64),
        np.array([int(r["power_instant_mw"]) for r in rows], dtype=np.int64),
        np.array([int(r["power_average_mw"]) for r in rows], dtype=np.int64),
        [r["phase"] for r in rows],
    )


def iso_ns(t_ns: int) -> str:
    """RFC 3339 UTC with microseconds (truncated), as submissions write run boundaries."""
    stamp = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=t_ns // 1000)
    return stamp.isoformat(timespec="microseconds").replace("+00:00", "Z")


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> str:
    """Write a CSV trace (``None`` cells empty) and return its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        out.writerows([["" if c is None else c for c in r] for r in rows])
    return hashlib.sha256(path.read_bytes()).hexdigest()


def steady_doc() -> dict[str, Any]:
    """A fresh copy of the conformant H200 submission (three 7 s runs, one GPU, one trace)."""
    data: dict[str, Any] = json.loads((H200 / "steady.json").read_text())
    return copy.deepcopy(data)


def trace_entry(path: str, sha256: str, device_id: str, columns: list[dict[str, Any]]) -> dict[str, Any]:
    return {"path": path, "sha256": sha256, "format": "csv", "device_id": device_id, "columns": columns}


def set_run_device_energy(doc: dict[str, Any], i: int, device_id: str, energy_j: float) -> None:
    """Set one device's energy in run ``i`` and keep the run's component sums and total consistent."""
    run = doc["measurement"]["runs"][i]
    components = {d["device_id"]: d["component"] for d in doc["measurement"]["devices"]}
    entry = next((d for d in run["devices"] if d["device_id"] == device_id), None)
    if entry is None:
        entry = {"device_id": device_id, "energy_j": 0.0}
        run["devices"].append(entry)
    entry["energy_j"] = energy_j
    entry.pop("mean_power_w", None)
    entry.pop("peak_power_w", None)
    sums: dict[str, float] = {}
    for d in run["devices"]:
        key = f"{components[d['device_id']]}_j"
        sums[key] = sums.get(key, 0.0) + d["energy_j"]
    run["energy"] = {**sums, "total_j": sum(sums.values())}
    run.pop("mean_power_w", None)


def rebuild_results(doc: dict[str, Any]) -> None:
    doc["results"] = build_results(doc, unit="query", count=1000, energy_unit="Wh")
