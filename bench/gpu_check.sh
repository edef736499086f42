#!/usr/bin/env bash
# Real-GPU check of `une-eval measure`. Run from the repository root on a machine with an
# NVIDIA GPU; results go under $OUT (default /tmp/une-eval-gpu-check): summary.txt (every step's
# output), measurement.tar.gz (the whole measurement folder) and nvidia-smi.csv (power at 100 ms, read
# by nvidia-smi while the measurement ran). Copy along the wheels the machine lacks in .whl/ (see
# docs/measure.md, "Checking on a real GPU"). Takes about 4 minutes: NVML probe and sampler cost
# (~25 s), then 30 s idle + warm-up + 3 runs of ~20 s + pauses.
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/une-eval-gpu-check}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
WORK=$(mktemp -d /tmp/une-eval-gpu-check.XXXXXX)
mkdir -p "$OUT"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
SUMMARY="$OUT/summary.txt"
step() { echo; echo "== $* =="; }
{
  step environment
  date -u +%FT%TZ
  nvidia-smi --query-gpu=name,driver_version,power.limit,power.default_limit,temperature.gpu --format=csv
  python3 -c "import sys, torch, pynvml; print(sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda)"
  python3 -c "import une_eval, pydantic, jsonschema_rs; print('une_eval imports')"

  step "NVML probe (bench/gpu_probe.py)"
  timeout 30 python3 bench/gpu_probe.py --seconds 3
  echo "probe exit $?"

  step "sampler cost on real NVML (bench/sampler.py --real)"
  timeout 60 python3 bench/sampler.py --real --seconds 8
  echo "sampler exit $?"

  step "GPU-marked tests"
  timeout 60 python3 -m pytest -q -p no:cacheprovider -m gpu tests/unit/measure/test_nvml_gpu.py
  echo "gpu tests exit $?"
} > "$SUMMARY" 2>&1

export GPU_CHECK_DIR="$WORK/independent"
mkdir -p "$GPU_CHECK_DIR"
nvidia-smi --query-gpu=timestamp,power.draw,power.draw.instant,clocks.sm,temperature.gpu --format=csv,nounits \
  -lms 100 > "$OUT/nvidia-smi.csv" 2>&1 &
SMI=$!
{
  step "une-eval measure"
  date -u +%FT%TZ
  timeout 330 python3 -m une_eval measure --phase inference --unit query --per 1000 --runs 3 --idle-s 30 \
    --pause-s 3 6 --seed 1 --gpus 0 --declarations bench/gpu_declarations.json -o "$WORK/measurement" --quiet \
    -- python3 bench/gpu_workload.py --seconds "$SECONDS_PER_RUN"
  echo "measure exit $?"
  date -u +%FT%TZ
} >> "$SUMMARY" 2>&1
kill "$SMI" 2>/dev/null
{
  step "une-eval validate"
  python3 -m une_eval validate "$WORK/measurement/submission.json"
  echo "validate exit $?"
  step "runner against the workload's own counter reads (bench/gpu_compare.py)"
  python3 bench/gpu_compare.py "$WORK/measurement" "$GPU_CHECK_DIR"
  echo "compare exit $?"
  cp -r "$GPU_CHECK_DIR" "$WORK/measurement/independent-reads" 2>/dev/null
  tar -C "$WORK" -czf "$OUT/measurement.tar.gz" measurement
  echo "measurement folder: $(du -sh "$WORK/measurement" | cut -f1)"
} >> "$SUMMARY" 2>&1
cat "$SUMMARY"
