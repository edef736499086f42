#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine with Python 3.11+:
#   ./dev.sh demo    set up, then run the main job on the bundled demo data
#   ./dev.sh test    set up, then run the test suite
#   ./dev.sh lint    ruff (check and format --check) and mypy --strict
#   ./dev.sh setup   system packages (apt-get) and a virtual environment in .venv
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

# WeasyPrint needs Pango; libharfbuzz-subset0 makes font subsetting ~3x faster; poppler-utils gives pdfsig,
# pdftotext and pdftoppm, which the tests use as independent PDF checkers.
APT_PACKAGES="python3-venv poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"

setup_system() {
  local missing=""
  for pkg in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
  done
  [ -z "$missing" ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing system packages:$missing"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

setup_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  # pip's own chatter goes to a log; it is shown only when the install fails.
  local log="$VENV/pip-install.log"
  if ! { "$VENV/bin/python" -m pip install -q --upgrade pip && "$VENV/bin/python" -m pip install -q -e ".[dev]"; } \
      >"$log" 2>&1; then
    cat "$log" >&2
    echo "dev.sh: installing the Python packages failed (log above, also in $log)" >&2
    exit 1
  fi
}

setup() { setup_system; setup_venv; }

demo() {
  setup
  local ue="$VENV/bin/une-eval" out=demo-out
  rm -rf "$out"
  # Development keys only: a real auditor signs with a key from a trusted CA (docs/certify.md).
  # The passphrase is given to the two key steps alone, never exported: a measured workload must not see it.
  local passphrase=${UNE_EVAL_KEY_PASSPHRASE:-demo-only-passphrase}
  echo "== 1. measure: replay a real H200 NVML recording through the protocol =="
  "$ue" measure --phase inference --unit query --work-units 1000 --runs 5 --idle-s 60 --seed 1 \
    --declarations fixtures/traces/h200-declarations.json \
    --replay fixtures/traces/h200-trace.csv fixtures/traces/h200-probe.json fixtures/traces/h200-host.json \
    -o "$out/measurement"
  echo "== 2. validate: the measured submission, with its energy recomputed from the raw traces =="
  "$ue" validate "$out/measurement/submission.json"
  echo "== 3. certify: development keys, then a signed PDF/A-3 certificate =="
  UNE_EVAL_KEY_PASSPHRASE=$passphrase "$ue" keys init --dir "$out/auditor"
  UNE_EVAL_KEY_PASSPHRASE=$passphrase "$ue" certify "$out/measurement/submission.json" \
    --key "$out/auditor/auditor.p12" --lang es -o "$out/certificate.pdf"
  echo "== 4. verify: signature, trust, whole-file coverage, attachments, re-validation =="
  "$ue" verify "$out/certificate.pdf" --trust "$out/auditor/ca.pem"
  echo
  echo "Done: $out/certificate.pdf (open it in any PDF reader; its signature panel shows the signer)."
}

test_() {
  setup
  "$VENV/bin/python" -m pytest "$@"
}

lint() {
  "$VENV/bin/ruff" check une_eval tests bench fixtures
  "$VENV/bin/ruff" format --check une_eval tests bench fixtures
  "$VENV/bin/mypy"
}

case "${1:-}" in
  setup) setup ;;
  demo) demo ;;
  test) shift; test_ "$@" ;;
  lint) lint ;;
  *) echo "usage: ./dev.sh {demo|test|lint|setup}" >&2; exit 2 ;;
esac
