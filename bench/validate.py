"""Validation throughput, layer by layer, and the schema layer against check-jsonschema.

    python bench/validate.py [--files 1000]

Builds a corpus of N submissions (the bundled valid examples with fresh ids and perturbed figures,
so every file is distinct) in a temporary folder, then times: safe loading, the schema layer, the
model layer, the rule layer, the whole pipeline, and `check-jsonschema` over the same files in one
process (its start-up amortised over the corpus). Prints a table of files per second.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from une_eval.loading import load_json_document
from une_eval.model import Submission
from une_eval.spec import inline_references, load_profile, submission_schema, submission_validator
from une_eval.validation import check_file
from une_eval.validation.pipeline import run_rules

REPO = Path(__file__).resolve().parent.parent


def build_corpus(folder: Path, n: int) -> list[Path]:
    bases = [json.loads(p.read_text()) for p in sorted((REPO / "fixtures" / "valid").glob("*.json"))]
    rng = random.Random(0)
    paths = []
    for i in range(n):
        doc = copy.deepcopy(bases[i % len(bases)])
        doc["submission_id"] = f"bench-{i:05d}"
        doc["system"]["model"]["name"] += f" variant {rng.randint(0, 10**6)}"
        path = folder / f"s{i:05d}.json"
        path.write_text(json.dumps(doc))
        paths.append(path)
    return paths


def rate(label: str, files: list[Path], fn: Callable[[Path], Any]) -> tuple[str, float]:
    start = time.perf_counter()
    for p in files:
        fn(p)
    elapsed = time.perf_counter() - start
    return label, len(files) / elapsed


def check_jsonschema_rate(files: list[Path], schema_file: Path) -> float | None:
    """Files per second of one check-jsonschema process over all the files (start-up included)."""
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    if not Path(exe).exists():
        return None
    cmd = [exe, "--schemafile", str(schema_file), "--base-uri", schema_file.as_uri(), *map(str, files)]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        print("check-jsonschema failed:", out.stdout[-500:], out.stderr[-500:], file=sys.stderr)
        return None
    return len(files) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    profile = load_profile("une-style")
    validator = submission_validator()
    with tempfile.TemporaryDirectory() as tmp:
        files = build_corpus(Path(tmp), args.files)
        docs = {p: load_json_document(p) for p in files}
        models = {p: Submission.model_validate(docs[p]) for p in files}
        rows = [
            rate("safe load (read + parse)", files, load_json_document),
            rate("schema layer (jsonschema, formats on)", files, lambda p: list(validator.iter_errors(docs[p]))),
            rate("model layer (pydantic)", files, lambda p: Submission.model_validate(docs[p])),
            rate("rule layer (une-style)", files, lambda p: run_rules(models[p], docs[p], profile)),
            rate("whole pipeline (check_file)", files, check_file),
            rate("load + schema layer", files, lambda p: list(validator.iter_errors(load_json_document(p)))),
        ]
        schema_dir = REPO / "spec" / "schemas" / "1.0"
        cj = check_jsonschema_rate(files, schema_dir / "submission.schema.json")
        inlined = Path(tmp) / "inlined.schema.json"
        inlined.write_text(json.dumps(inline_references(submission_schema())))
        cj_inlined = check_jsonschema_rate(files, inlined)
    print(
        f"# {args.files} files, Python {platform.python_version()}, {platform.machine()}, {time.strftime('%Y-%m-%d')}"
    )
    print(f"| {'step':42} | files/s |")
    print(f"| {'-' * 42} | ------: |")
    for label, value in rows:
        print(f"| {label:42} | {value:7.0f} |")
    others: tuple[tuple[str, float | None], ...] = (
        ("check-jsonschema, bundled schema files", cj),
        ("check-jsonschema, one inlined schema", cj_inlined),
    )
    for label, other in others:
        if other is not None:
            print(f"| {label:42} | {other:7.1f} |")


if __name__ == "__main__":
    main()
