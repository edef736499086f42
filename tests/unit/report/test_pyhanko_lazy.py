"""pyHanko's HTTP clients load on first use, and the lazily registered packages give pyHanko's own objects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import sys
import une_eval.report.sign, une_eval.report.issue, une_eval.report.verify
assert "aiohttp" not in sys.modules, "signing modules loaded aiohttp"
import pyhanko.sign.timestamps as ts
from une_eval.report.pyhanko_lazy import TIMESTAMP_HOMES, DeferredFetcherBackend
before = {name: getattr(ts, name) for name in TIMESTAMP_HOMES if name != "HTTPTimeStamper"}
assert "aiohttp" not in sys.modules, "a timestamp name other than the HTTP client loaded aiohttp"
stamper = une_eval.report.sign.http_timestamper("http://tsa.invalid/")
assert "aiohttp" in sys.modules
names = ts.__all__  # runs the package's own file
assert sorted(names) == sorted(TIMESTAMP_HOMES), names
for name, value in before.items():
    assert getattr(ts, name) is value, name
assert isinstance(stamper, ts.HTTPTimeStamper)
from pyhanko_certvalidator.fetchers import _default_fetcher_backend
backend = _default_fetcher_backend()  # through the stand-in: pyHanko's own backend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
assert AIOHttpFetcherBackend is not DeferredFetcherBackend  # the package's own file has run
assert type(backend) is AIOHttpFetcherBackend
print("OK")
"""


def test_http_clients_load_on_first_use_and_names_are_pyhankos_own() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert out.stdout.strip().endswith("OK"), out.stderr[-3000:]
