#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine with Python 3.11+:
#   ./dev.sh demo              set up, then run the main job on the bundled demo data
#   ./dev.sh test [ARGS]       set up, then run the test suite (ARGS go to pytest)
#   ./dev.sh lint              ruff check, ruff format --check and mypy --strict
#   ./dev.sh setup             system packages (apt-get) and a virtual environment in .venv
#   ./dev.sh api-docs          the API reference, generated from the docstrings into docs/api/
#   ./dev.sh dist              the wheel and the sdist in dist/, with a check of what they carry
#   ./dev.sh wheel-demo [WHL]  the demo with the wheel installed in a fresh virtual environment,
#                              run from a temporary folder (default: the wheel ./dev.sh dist builds)
# VENV (default .venv) and PYTHON (default python3) pick the environment and the interpreter.
set -euo pipefail
cd "$(dirname "$0")"
REPO=$PWD
VENV=${VENV:-.venv}
case "$VENV" in /*) ;; *) VENV=$REPO/$VENV ;; esac
PY=${PYTHON:-python3}

# WeasyPrint needs Pango; libharfbuzz-subset0 makes font subsetting ~3x faster; poppler-utils gives pdfsig,
# pdftotext and pdftoppm, which the tests use as independent PDF checkers; libnss3-tools gives certutil, which
# builds the NSS database through which pdfsig trusts a test CA. The certificate register's tests need
# PostgreSQL (a throw-away server per run), Chromium with its driver (the public page in a real, headless
# browser) and zbar-tools (zbarimg reads the certificate's QR code as a phone would).
APT_PACKAGES="python3-venv poppler-utils libnss3-tools libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
APT_PACKAGES="$APT_PACKAGES postgresql chromium chromium-driver zbar-tools"
# The many-node tests run a real Slurm (munged, slurmctld, one slurmd per fake node) on this machine.
APT_PACKAGES="$APT_PACKAGES slurm-wlm munge"
# The modules the API reference documents: the public API and the packages behind it.
API_MODULES="une_eval une_eval.audit une_eval.findings une_eval.errors une_eval.model une_eval.validation une_eval.measure une_eval.report"

die() { echo "dev.sh: $*" >&2; exit 1; }

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

# pip_install VENV ARGS...: pip's own chatter goes to a log, shown only when the install fails.
pip_install() {
  local venv=$1 log=$1/pip-install.log
  shift
  if ! "$venv/bin/python" -m pip install -q "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "installing the Python packages failed (log above, also in $log)"
  fi
}

# What the environment was installed from. setup_venv writes it after a successful install and skips
# pip while it matches, so a second run needs no package index.
install_stamp() {
  printf 'pyproject.toml sha256 %s\nsource %s\n' "$(sha256sum pyproject.toml | cut -d' ' -f1)" "$REPO"
}

setup_venv() {
  local stamp=$VENV/.une-eval-installed want
  want=$(install_stamp)
  if [ -x "$VENV/bin/une-eval" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  rm -f "$stamp"
  pip_install "$VENV" --upgrade pip
  pip_install "$VENV" -e ".[dev]"
  printf '%s\n' "$want" >"$stamp"
}

setup() { setup_system; setup_venv; }

# run_demo UNE_EVAL OUT FIXTURES: measure (replayed), validate, certify and verify; fails unless PASSED.
run_demo() {
  local ue=$1 out=$2 traces=$3/traces
  rm -rf "$out"
  # Development keys only: a real auditor signs with a key from a trusted CA (docs/certify.md).
  # The passphrase is given to the two key steps alone, never exported: a measured workload must not see it.
  local passphrase=${UNE_EVAL_KEY_PASSPHRASE:-demo-only-passphrase}
  echo "== 1. measure: replay a real H200 NVML recording through the protocol =="
  # A replay measures nothing of a system: it is checked against the profile for replays and rehearsals,
  # and its certificate says on page 1 that the figures were played back from a recording.
  "$ue" measure --phase inference --unit query --work-units 1000 --runs 5 --idle-s 60 --seed 1 \
    --profile replay-rehearsal \
    --declarations "$traces/h200-declarations.json" \
    --replay "$traces/h200-trace.csv" "$traces/h200-probe.json" "$traces/h200-host.json" \
    -o "$out/measurement"
  echo "== 2. validate: the measured submission, with its energy recomputed from the raw traces =="
  "$ue" validate "$out/measurement/submission.json"
  echo "== 3. certify: development keys, then a signed PDF/A-3 certificate =="
  UNE_EVAL_KEY_PASSPHRASE=$passphrase "$ue" keys init --dir "$out/auditor"
  UNE_EVAL_KEY_PASSPHRASE=$passphrase "$ue" certify "$out/measurement/submission.json" \
    --key "$out/auditor/auditor.p12" --lang es -o "$out/certificate.pdf"
  echo "== 4. verify: signature, trust, revocation, coverage, attachments, re-validation =="
  "$ue" verify "$out/certificate.pdf" --trust "$out/auditor/ca.pem" --crl "$out/auditor/ca.crl" | tee "$out/verify.txt"
  grep -q "^PASSED " "$out/verify.txt" || die "the certificate did not verify"
}

demo() {
  setup
  run_demo "$VENV/bin/une-eval" demo-out fixtures
  echo
  echo "Done: demo-out/certificate.pdf (open it in any PDF reader; its signature panel shows the signer)."
}

test_() {
  setup
  "$VENV/bin/python" -m pytest "$@"
}

lint() {
  setup
  "$VENV/bin/ruff" check une_eval tests bench fixtures .ci
  "$VENV/bin/ruff" format --check une_eval tests bench fixtures .ci
  "$VENV/bin/mypy"
}

# pdoc reports problems (a module that does not import, a name in __all__ that does not resolve, a docstring
# it cannot read) as warnings and would still write the pages: .ci/api_docs.py fails on any of them.
api_docs() {
  setup
  rm -rf docs/api
  # shellcheck disable=SC2086
  "$VENV/bin/python" .ci/api_docs.py docs/api $API_MODULES || die "the API reference has warnings (above)"
  echo "wrote the API reference: docs/api/index.html"
}

dist() {
  setup
  rm -rf dist
  local log=$VENV/build.log
  "$VENV/bin/python" -m build --outdir dist . >"$log" 2>&1 || { cat "$log" >&2; die "building the wheel failed"; }
  "$VENV/bin/python" .ci/check_dist.py dist
}

wheel_demo() {
  local wheel=${1:-} tmp
  setup_system
  if [ -z "$wheel" ]; then
    dist
    wheel=$(echo dist/une_eval-*-py3-none-any.whl)
  fi
  [ -f "$wheel" ] || die "no wheel at $wheel"
  wheel=$(realpath "$wheel")
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/une-eval-wheel.XXXXXX")
  echo "installing $(basename "$wheel") into a fresh virtual environment in $tmp"
  "$PY" -m venv "$tmp/venv"
  pip_install "$tmp/venv" "$wheel"
  (
    cd "$tmp"
    unset PYTHONPATH
    # The package must come from the wheel, with its data as real files, not from a source tree.
    "$tmp/venv/bin/python" -P -c 'import sys, pathlib, une_eval
pkg = pathlib.Path(une_eval.__file__).parent
if not pkg.resolve().is_relative_to(pathlib.Path(sys.prefix).resolve()):
    sys.exit(f"une_eval imported from {pkg}, not from the virtual environment")
if any((pkg / d).is_symlink() or not (pkg / d).is_dir() for d in ("_spec", "_reports")):
    sys.exit(f"{pkg}: _spec and _reports must be folders, not links")
print(f"une_eval {une_eval.__version__} from {pkg}")'
    run_demo "$tmp/venv/bin/une-eval" "$tmp/demo-out" "$REPO/fixtures"
  )
  rm -rf "$tmp"
  echo "Done: the installed wheel issued and verified a certificate."
}

case "${1:-}" in
  setup) setup ;;
  demo) demo ;;
  test) shift; test_ "$@" ;;
  lint) lint ;;
  api-docs) api_docs ;;
  dist) dist ;;
  wheel-demo) shift; wheel_demo "$@" ;;
  *) echo "usage: ./dev.sh {demo|test|lint|setup|api-docs|dist|wheel-demo [WHEEL]}" >&2; exit 2 ;;
esac
