#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine with Python 3.11+:
#   ./dev.sh demo    set up, then run the main job on the bundled demo data
#   ./dev.sh test    set up, then run the test suite
#   ./dev.sh lint    ruff and mypy --strict
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
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[dev]"
}

setup() { setup_system; setup_venv; }

demo() {
  setup
  local ue="$VENV/bin/une-eval"
  echo "== une-eval validate: the bundled example submissions =="
  "$ue" validate fixtures/valid/
  echo
  echo "== une-eval validate: a non-conformant example (exit code 1 is expected) =="
  "$ue" validate fixtures/invalid/runs.cv.json || [ $? -eq 1 ]
}

test_() {
  setup
  "$VENV/bin/python" -m pytest "$@"
}

lint() {
  "$VENV/bin/ruff" check une_eval tests bench fixtures
  "$VENV/bin/mypy"
}

case "${1:-}" in
  setup) setup ;;
  demo) demo ;;
  test) shift; test_ "$@" ;;
  lint) lint ;;
  *) echo "usage: ./dev.sh {demo|test|lint|setup}" >&2; exit 2 ;;
esac
