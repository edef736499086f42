"""GPU workload for bench/gpu_check.sh: back-to-back bf16 matmuls, with its own energy-counter reads.

It reads NVML's total-energy counter itself, first thing at start-up (before importing torch) and
last thing before exiting, and writes those reads to $GPU_CHECK_DIR/independent-<phase>.json, so the
runner's per-run energy can be compared with an independent read of the same counter. Work units
(matmuls done) go to $UNE_EVAL_RESULT_FILE.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pynvml

pynvml.nvmlInit()
_handle = pynvml.nvmlDeviceGetHandleByIndex(int(os.environ.get("GPU_CHECK_INDEX", "0")))
start_mj = pynvml.nvmlDeviceGetTotalEnergyConsumption(_handle)
start_ns = time.time_ns()

import torch  # type: ignore[import-not-found, unused-ignore]  # noqa: E402 - after the first counter read

seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 20.0
n = 8192
a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
torch.cuda.synchronize()
matmuls = 0
t0 = time.monotonic()
while time.monotonic() - t0 < seconds:
    for _ in range(20):
        a @ b
    matmuls += 20
    torch.cuda.synchronize()
load_s = time.monotonic() - t0

end_mj = pynvml.nvmlDeviceGetTotalEnergyConsumption(_handle)
end_ns = time.time_ns()
phase = os.environ.get("UNE_EVAL_PHASE", "manual")
record = {
    "phase": phase,
    "start_mj": start_mj,
    "end_mj": end_mj,
    "start_unix_ns": start_ns,
    "end_unix_ns": end_ns,
    "load_s": load_s,
    "matmuls": matmuls,
    "tflops": 2 * n**3 * matmuls / load_s / 1e12,
}
out_dir = Path(os.environ.get("GPU_CHECK_DIR", "."))
(out_dir / f"independent-{phase}.json").write_text(json.dumps(record, indent=1))
result_file = os.environ.get("UNE_EVAL_RESULT_FILE")
if result_file:
    Path(result_file).write_text(json.dumps({"work_units": matmuls}))
pynvml.nvmlShutdown()
