"""Time to issue a certificate: with and without register recording, PAdES B-B against B-LTA.

    python bench/issue_lta.py [--certificates 10] [--submission fixtures/valid/llm-inference-h100.json]

Issues N certificates in one process (renderer and key loaded once, as ``certify`` does in a batch), in
turn (round robin) in four ways: B-B without a register, B-B recorded in a SQLite register, B-LTA
(signature timestamp, DSS with the chain and the CA's CRL, document timestamp) without a register, and
B-LTA recorded. The TSA is
a local RFC 3161 server on 127.0.0.1 (pyHanko's test TSA behind HTTP), so the figures hold no network
latency: add a real TSA's round trips (two per B-LTA certificate) to them. Prints per-certificate
median and 95th-percentile wall time, the total, and the size of one file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.unit.report.tsa import local_tsa, served  # noqa: E402
from une_eval.output import write_atomic  # noqa: E402
from une_eval.registry.db import connect, parse_location  # noqa: E402
from une_eval.registry.issuing import issue_and_record  # noqa: E402
from une_eval.registry.migrations import migrate  # noqa: E402
from une_eval.registry.store import Register  # noqa: E402
from une_eval.report.crl import load_crls  # noqa: E402
from une_eval.report.issue import Issued, issue_certificate  # noqa: E402
from une_eval.report.keys import init_dev_pki  # noqa: E402
from une_eval.report.render import Renderer  # noqa: E402
from une_eval.report.sign import Level, http_timestamper, load_signer, validation_context_for  # noqa: E402

PASSPHRASE = b"bench-only-passphrase"


def _issue_one(
    folder: Path,
    tag: str,
    submission: Path,
    renderer: Renderer,
    signer: Any,
    register: Register | None,
    signing: dict[str, Any],
    i: int,
) -> int:
    """Issue certificate ``i`` (recorded when a register is given); return the file's size."""
    target = folder / f"{tag}-{i}.pdf"

    def write(issued: Issued) -> Path:
        write_atomic(target, issued.pdf, replace=False)
        return target

    if register is not None:
        issue_and_record(register, submission, write, renderer=renderer, signer=signer, lang="en", **signing)
    else:
        write(issue_certificate(submission, renderer=renderer, signer=signer, lang="en", **signing))
    return target.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--certificates", type=int, default=10)
    parser.add_argument("--submission", type=Path, default=ROOT / "fixtures" / "valid" / "llm-inference-h100.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = init_dev_pki(folder / "keys", passphrase=PASSPHRASE)
        signer = load_signer(p12=paths.auditor_p12, passphrase=PASSPHRASE)
        renderer = Renderer()
        issue_certificate(args.submission, renderer=renderer, signer=signer, lang="en")  # warm-up
        db = connect(parse_location(str(folder / "register.db")), create=True)
        migrate(db)
        register = Register(db)
        with served(local_tsa(paths, PASSPHRASE)) as url:
            lta: dict[str, Any] = {
                "timestamper": http_timestamper(url),
                "level": Level.B_LTA,
                "validation": validation_context_for(signer, load_crls([paths.ca_crl]), fetch=False),
            }
            configs: tuple[tuple[str, Register | None, dict[str, Any]], ...] = (
                ("B-B", None, {}),
                ("B-B + register", register, {}),
                ("B-LTA", None, lta),
                ("B-LTA + register", register, lta),
            )
            times: dict[str, list[float]] = {name: [] for name, _, _ in configs}
            sizes: dict[str, int] = {}
            for i in range(args.certificates):  # round robin: a busy moment hits every way alike
                for name, reg, signing in configs:
                    tag = name.replace(" ", "").replace("+", "-")
                    began = time.perf_counter()
                    sizes[name] = _issue_one(folder, tag, args.submission, renderer, signer, reg, signing, i)
                    times[name].append(time.perf_counter() - began)
    rows = [(name, times[name], sizes[name]) for name, _, _ in configs]
    base = statistics.median(rows[0][1])
    print(f"{'issuing':<18} {'certs':>5} {'median s':>9} {'p95 s':>7} {'total s':>8} {'vs B-B':>7} {'PDF KiB':>8}")
    for name, took, size in rows:
        p95 = sorted(took)[max(0, round(0.95 * len(took)) - 1)]
        median = statistics.median(took)
        print(
            f"{name:<18} {len(took):>5} {median:>9.3f} {p95:>7.3f} {sum(took):>8.2f} "
            f"{median / base:>6.2f}x {size / 1024:>8.1f}"
        )


if __name__ == "__main__":
    main()
