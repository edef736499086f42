#!/usr/bin/env bash
# Real-GPU check of `une-eval measure`. Run from the repository root on a machine with an
# NVIDIA GPU; results go under $OUT (default /tmp/une-eval-gpu-check). Copy along the wheels the machine
# lacks in .whl/ (see docs/measure.md, "Checking on a real GPU"). Takes about 3.5 minutes:
# 30 s idle + warm-up + 3 runs of ~20 s + pauses.
set -uo pipefail
OUT=${OUT:-/tmp/une-eval-gpu-check}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
mkdir -p "$OUT"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
{
  date -u +%FT%TZ
  nvidia-smi --query-gpu=name,driver_version,power.limit,power.default_limit --format=csv
  python3 -c "import torch, pynvml; print('torch', torch.__version__, 'cuda', torch.version.cuda)"
} > "$OUT/environment.txt" 2>&1

if python3 -c "import pytest" 2>/dev/null; then
  python3 -m pytest -q -p no:cacheprovider -m gpu tests/unit/measure/test_nvml_gpu.py > "$OUT/gpu-tests.txt" 2>&1
  echo "gpu tests exit $?" >> "$OUT/gpu-tests.txt"
fi

export GPU_CHECK_DIR="$OUT/measure"
mkdir -p "$GPU_CHECK_DIR"
python3 -m une_eval measure --phase inference --unit query --per 1000 --runs 3 --idle-s 30 --pause-s 3 6 \
  --seed 1 --gpus 0 --declarations bench/gpu_declarations.json -o "$OUT/measure" --quiet \
  -- python3 bench/gpu_workload.py --seconds "$SECONDS_PER_RUN" > "$OUT/measure.txt" 2>&1
echo "measure exit $?" >> "$OUT/measure.txt"
python3 -m une_eval validate "$OUT/measure/submission.json" > "$OUT/validate.txt" 2>&1
echo "validate exit $?" >> "$OUT/validate.txt"
python3 bench/gpu_compare.py "$OUT/measure" > "$OUT/compare.txt" 2>&1
cat "$OUT/environment.txt" "$OUT/measure.txt" "$OUT/validate.txt" "$OUT/compare.txt"
