"""Evidence recomputation: in-memory throughput, a large Parquet trace end to end, and interval widths.

Usage:
    python bench/evidence.py [n_samples]          recomputation of one window over a trace in memory
    python bench/evidence.py parquet [n_rows]     load_evidence on a generated 10 Hz Parquet trace
                                                  (default 26 M rows: 30 days of one GPU), time and peak RSS,
                                                  beside one pyarrow dataset scan computing the same windows
    python bench/evidence.py resolution           interval widths on the bundled H200 recording
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from une_eval.validation.windows import CounterColumn, recompute_windows

REPO = Path(__file__).resolve().parents[1]
H200 = REPO / "fixtures" / "evidence" / "h200"
NVML = CounterColumn(1e-3, wraps=False)
T0_NS = 1_795_683_600_000_000_000


def synthetic(n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.integers(90_000_000, 110_000_000, n)).astype(np.int64)
    power_mw = rng.integers(80_000, 700_000, n).astype(np.float64)
    return t, np.cumsum(power_mw * 0.1).round(), power_mw


def in_memory(n: int) -> None:
    t, energy_mj, power_mw = synthetic(n)
    window = [(int(t[0]) + 1, int(t[-1]) - 1)]
    print(f"{'method':<28}{'samples':>12}{'seconds':>10}{'M samples/s':>14}")
    for label, values, counter in (("energy counter", energy_mj, NVML), ("instant-power integration", power_mw, None)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            recompute_windows([(t, values)], window, counter)
            best = min(best, time.perf_counter() - start)
        print(f"{label:<28}{n:>12,}{best:>10.3f}{n / best / 1e6:>14.1f}")


def write_parquet(path: Path, rows: int) -> int:
    """A 10 Hz GPU trace with a counter on every row, written in 1 M-row chunks; returns its last time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    schema = pa.schema(
        [(n, pa.int64()) for n in ("time_unix_ns", "energy_mj", "power_instant_mw", "power_average_mw")]
        + [("phase", pa.dictionary(pa.int8(), pa.string()))]
    )
    t_last, e_last = T0_NS, 2_000_000
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - start)
            dt_ns = rng.integers(95_000_000, 105_000_000, n)
            t = t_last + np.cumsum(dt_ns)
            p = rng.integers(400_000, 700_000, n)
            e = e_last + np.cumsum(p * dt_ns // 1_000_000_000)
            t_last, e_last = int(t[-1]), int(e[-1])
            phase = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int8)), pa.array(["run-0"]))
            writer.write_table(pa.table([t, e, p, p, phase], schema=schema))
    return t_last


def _iso(t_ns: int) -> str:
    stamp = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=t_ns // 1000)
    return stamp.isoformat(timespec="microseconds").replace("+00:00", "Z")


def parquet_submission(folder: Path, rows: int) -> None:
    """The steady H200 submission, its trace swapped for a generated Parquet trace with three long runs."""
    t_end = write_parquet(folder / "gpu0.parquet", rows)
    digest = hashlib.sha256()
    with (folder / "gpu0.parquet").open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    doc = json.loads((H200 / "steady.json").read_text())
    span = t_end - T0_NS
    for k, run in enumerate(doc["measurement"]["runs"]):
        start = T0_NS + int(span * (0.1 + 0.3 * k))
        run["start_time"], run["end_time"] = _iso(start), _iso(start + int(span * 0.2))
    doc["measurement"]["traces"][0].update(path="gpu0.parquet", sha256=digest.hexdigest(), format="parquet")
    (folder / "submission.json").write_text(json.dumps(doc))


_CHILD = """
import json, resource, sys, time
from pathlib import Path
from une_eval.model import Submission
from une_eval.validation.evidence import load_evidence
folder = Path(sys.argv[1])
sub = Submission.model_validate(json.loads((folder / "submission.json").read_text()))
start = time.perf_counter()
ev = load_evidence(sub, folder)
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent that forked this process
peak_mb = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
print(f"{seconds:.2f} s, peak RSS {peak_mb:.0f} MB, issues {[i.message for i in ev.issues]}, "
      f"windows {[round(w.recomputed_j or 0) for w in ev.windows]}")
"""


_REFERENCE = """
import json, resource, sys, time
from pathlib import Path
import numpy as np
import pyarrow.dataset as ds
folder = Path(sys.argv[1])
doc = json.loads((folder / "submission.json").read_text())
start = time.perf_counter()
table = ds.dataset(folder / "gpu0.parquet", format="parquet").to_table(columns=["time_unix_ns", "energy_mj"])
t = table.column("time_unix_ns").to_numpy()
e = table.column("energy_mj").to_numpy()
got = []
for run in doc["measurement"]["runs"]:
    a, b = (np.datetime64(run[k].rstrip("Z"), "ns").astype(np.int64) for k in ("start_time", "end_time"))
    i, j = np.searchsorted(t, a), np.searchsorted(t, b, side="right") - 1
    got.append(round(float(e[j] - e[i]) * 1e-3))
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent that forked this process
peak_mb = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
print(f"{seconds:.2f} s, peak RSS {peak_mb:.0f} MB, windows {got} (counter difference at the nearest samples)")
"""


def parquet(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        parquet_submission(Path(tmp), rows)
        size_mb = (Path(tmp) / "gpu0.parquet").stat().st_size / 2**20
        print(f"{rows:,} rows, {size_mb:.0f} MiB Parquet; load_evidence in a fresh process:")
        subprocess.run([sys.executable, "-c", _CHILD, tmp], check=True, env={"PYTHONPATH": str(REPO)})
        print("reference, one pyarrow dataset scan of the two columns needed, the same windows, in a fresh process:")
        subprocess.run([sys.executable, "-c", _REFERENCE, tmp], check=True, env={"PYTHONPATH": str(REPO)})
    print(f"(this process peaked at {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB generating it)")


def resolution() -> None:
    """Widths of the counter interval when a 10 Hz sampler did not read at the boundaries.

    Windows of 2.5 s and 5 s lie inside the recording's load (about 690 W); 24 s windows (the load is 24 s
    long) lie anywhere in the recording.
    """
    with (H200 / "traces" / "gpu0.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    t = np.array([int(r["time_unix_ns"]) for r in rows], dtype=np.int64)
    e = np.array([int(r["energy_mj"]) for r in rows], dtype=np.float64)
    keep = np.unique(np.searchsorted(t, np.arange(t[0], t[-1], 100_000_000)))
    kept = set(keep.tolist())
    load = {k for k, r in enumerate(rows) if r["phase"] not in ("idle", "cooldown")}
    heads = ("window", 8), ("windows", 9), ("mean W", 8), ("width % min", 13), ("median", 8), ("max", 7)
    print("".join(f"{h:>{w}}" for h, w in heads) + f"{'point error % min':>19}{'max':>7}")
    for duration_s in (2.5, 5.0, 24.0):
        pairs = [(i, int(np.searchsorted(t, t[i] + round(duration_s * 1e9)))) for i in range(t.size)]
        pairs = [(i, j) for i, j in pairs if j < t.size and i not in kept and j not in kept]
        if duration_s < 24:
            pairs = [(i, j) for i, j in pairs if i in load and j in load]
        got = recompute_windows([(t[keep], e[keep])], [(int(t[i]), int(t[j])) for i, j in pairs], NVML)
        truth = np.array([(e[j] - e[i]) * 1e-3 for i, j in pairs])
        width = np.array([(w.max_j or 0) - (w.min_j or 0) for w in got]) / truth * 100
        error = (np.array([w.energy_j or 0 for w in got]) - truth) / truth * 100
        print(
            f"{duration_s:>7}s{len(pairs):>9}{truth.mean() / duration_s:>8.0f}{width.min():>13.2f}"
            f"{np.median(width):>8.2f}{width.max():>7.2f}{error.min():>19.2f}{error.max():>7.2f}"
        )


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["parquet"]:
        parquet(int(args[1]) if len(args) > 1 else 26_000_000)
    elif args[:1] == ["resolution"]:
        resolution()
    else:
        in_memory(int(args[0]) if args else 20_000_000)


if __name__ == "__main__":
    main()
