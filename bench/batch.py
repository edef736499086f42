"""Batch validation throughput: N submissions with traces (the real H200 recording), files/s at 1 and 2 jobs.

Usage: python bench/batch.py [n_files]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from une_eval.validation.batch import check_many

REPO = Path(__file__).resolve().parents[1]
H200 = REPO / "fixtures" / "evidence" / "h200"


def make_folder(root: Path, n: int) -> list[Path]:
    shutil.copytree(H200 / "traces", root / "traces")
    doc = json.loads((H200 / "steady.json").read_text())
    paths = []
    for i in range(n):
        doc["submission_id"] = f"bench-{i:05d}"
        path = root / f"sub-{i:05d}.json"
        path.write_text(json.dumps(doc))
        paths.append(path)
    return paths


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_folder(Path(tmp), n)
        print(f"{'jobs':>4}{'files':>7}{'seconds':>9}{'files/s':>9}{'speed-up':>10}")
        base = 0.0
        for jobs in (1, 2):
            start = time.perf_counter()
            results = check_many(paths, jobs=jobs)
            took = time.perf_counter() - start
            assert all(r.verdict == "conformant" for r in results)
            base = base or took
            print(f"{jobs:>4}{n:>7}{took:>9.2f}{n / took:>9.1f}{base / took:>10.2f}")


if __name__ == "__main__":
    main()
