"""Compare the runner's per-run GPU energy with the workload's own counter reads (bench/gpu_check.sh).

    python bench/gpu_compare.py MEASUREMENT_FOLDER [INDEPENDENT_READS_FOLDER]

The second folder (default: the first) holds the workload's independent-run-N.json files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    out = Path(sys.argv[1])
    reads = Path(sys.argv[2]) if len(sys.argv) > 2 else out
    doc = json.loads((out / "submission.json").read_text())
    rows = []
    print(
        f"{'run':>4} {'runner J':>12} {'independent J':>14} {'diff %':>8} {'runner s':>9} "
        f"{'workload s':>11} {'idle W':>7} {'diff net of idle %':>19}"
    )
    idle_w = sum(d["power_w"] for d in doc["measurement"]["idle_baseline"]["devices"])
    for run in doc["measurement"]["runs"]:
        ind = json.loads((reads / f"independent-run-{run['index']}.json").read_text())
        ind_j = (ind["end_mj"] - ind["start_mj"]) / 1000
        ind_s = (ind["end_unix_ns"] - ind["start_unix_ns"]) / 1e9
        runner_j = run["energy"]["gpu_j"]
        # The runner's window also covers process start and exit, outside the workload's own reads,
        # at roughly idle power: remove that share before comparing.
        expected_j = ind_j + idle_w * max(run["duration_s"] - ind_s, 0.0)
        row = {
            "run": run["index"],
            "runner_j": runner_j,
            "independent_j": ind_j,
            "diff_pct": 100 * (runner_j - ind_j) / ind_j,
            "runner_s": run["duration_s"],
            "workload_s": ind_s,
            "idle_w": idle_w,
            "diff_net_pct": 100 * (runner_j - expected_j) / expected_j,
            "tflops": ind["tflops"],
        }
        rows.append(row)
        print(
            f"{row['run']:>4} {runner_j:12.1f} {ind_j:14.1f} {row['diff_pct']:8.2f} {row['runner_s']:9.2f} "
            f"{ind_s:11.2f} {idle_w:7.1f} {row['diff_net_pct']:19.2f}"
        )
    (reads / "compare.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
