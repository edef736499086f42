#!/usr/bin/env bash
# Ctrl-C in the middle of a measured run on a real GPU (run after bench/gpu_check.sh, same set-up).
# The runner gets SIGINT the way a terminal delivers it (to its whole foreground process group) about
# half-way through run 1; what comes back under $OUT (default /tmp/une-eval-gpu-interrupt) is
# interrupt.txt (the runner's output, its exit code, `une-eval validate` of the partial submission)
# and measurement.tar.gz. About 100 s.
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/une-eval-gpu-interrupt}
WORK=$(mktemp -d /tmp/une-eval-gpu-interrupt.XXXXXX)
mkdir -p "$OUT"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
export GPU_CHECK_DIR="$WORK/independent"
mkdir -p "$GPU_CHECK_DIR"
REPORT="$OUT/interrupt.txt"
set -m # job control: the runner gets a process group of its own, as in a terminal, and SIGINT is not ignored
python3 -m une_eval measure --phase inference --unit query --per 1000 --runs 3 --idle-s 30 --pause-s 1 2 \
  --seed 1 --gpus 0 --declarations bench/gpu_declarations.json -o "$WORK/measurement" \
  -- python3 bench/gpu_workload.py --seconds 15 > "$WORK/runner.txt" 2>&1 &
RUNNER=$!
# Wait until run 1 has started, then 7 s more (run 1 is ~17 s: torch start-up + 15 s of matmuls).
for _ in $(seq 1 120); do
  grep -q "phase run-1" "$WORK/measurement/run.log" 2>/dev/null && break
  kill -0 "$RUNNER" 2>/dev/null || break
  sleep 1
done
sleep 7
date -u +%FT%T.%3NZ > "$WORK/sigint-at.txt"
kill -INT -- "-$RUNNER"
wait "$RUNNER"
RC=$?
{
  echo "== runner output =="
  cat "$WORK/runner.txt"
  echo "runner exit $RC (SIGINT sent at $(cat "$WORK/sigint-at.txt"))"
  echo "== run.log =="
  cat "$WORK/measurement/run.log"
  echo "== une-eval validate (the partial submission) =="
  python3 -m une_eval validate "$WORK/measurement/submission.json"
  echo "validate exit $?"
  echo "== runs =="
  python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))['measurement']
print('complete', m['complete'], m.get('incomplete_reason'))
for r in m['runs']:
    print(r['index'], r['duration_s'], r['energy'], r['complete'], r.get('exit_code'), r.get('reason'))
" "$WORK/measurement/submission.json"
  echo "== workload's own reads =="
  cat "$GPU_CHECK_DIR"/*.json
  cp -r "$GPU_CHECK_DIR" "$WORK/measurement/independent-reads"
  tar -C "$WORK" -czf "$OUT/measurement.tar.gz" measurement
} > "$REPORT" 2>&1
cat "$REPORT"
