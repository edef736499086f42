"""Validation cost: layer by layer in one process, and whole processes against check-jsonschema.

    PYTHONPATH=. python bench/validate.py [--files 1000] [--rounds 3] [--baseline-src DIR] [--layers-only]

Builds N distinct submissions (the bundled valid examples with fresh ids and perturbed names; a
quarter are the 32-GPU training example, the largest) in a temporary folder, then prints two tables:

1. files per CPU-second of each layer in this process (best of the rounds, layers interleaved):
   plain ``json.loads`` beside the safe loader, a folder scan's claim check, both schema back ends,
   the model and rule layers, the figures with their provenance, the verdict's JSON text and the
   whole pipeline (``--layers-only`` stops here; run with another tree first on ``PYTHONPATH`` and
   this ``bench`` folder, it measures that version's layers);
2. CPU time of whole processes over the same N files, run interleaved: ``une-eval validate`` (the
   whole pipeline: load, schema, model, rules, rating, JSON report) against ``check-jsonschema``
   checking the schema only, given the schema inlined into one file (its fastest configuration: with
   the two bundled files and a cross-file ``$ref`` it spends ~0.3 s a file; that figure is on a small
   sample). ``--baseline-src`` adds ``une-eval`` run from another source tree (an earlier version).
   Both source trees are byte-compiled first (``compileall``), as an installed package is, so that no
   run spends its time compiling une-eval's modules (check-jsonschema's come compiled from its install).
"""

from __future__ import annotations

import argparse
import compileall
import copy
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.processes import Command, interleaved, machine_line, median_cpu, median_wall, python_command
from une_eval.audit import Assurance
from une_eval.loading import MAX_FILE_BYTES, load_json_document, parse_strict, read_bounded
from une_eval.model import Submission
from une_eval.spec import inline_references, load_profile, submission_schema, submission_validator
from une_eval.text import json_text
from une_eval.validation import check_file
from une_eval.validation.figures import figures_of
from une_eval.validation.pipeline import run_rules
from une_eval.validation.scan import claim_of
from une_eval.validation.schema_layer import schema_findings

REPO = Path(__file__).resolve().parent.parent
DECLARED = Assurance.DECLARED_ONLY


def build_corpus(folder: Path, n: int, *, traces: bool = True) -> list[Path]:
    """N distinct submissions in ``folder``; with ``traces`` their raw traces beside them (all conform).

    Without the traces every file still parses, passes the schema and runs every rule, but its evidence
    cannot be recomputed, so it does not conform (exit code 1).
    """
    bases = [json.loads(p.read_text()) for p in sorted((REPO / "fixtures" / "valid").glob("*.json"))]
    rng = random.Random(0)
    folder.mkdir(parents=True)
    paths = []
    for i in range(n):
        doc = copy.deepcopy(bases[i % len(bases)])
        doc["submission_id"] = f"bench-{i:05d}"
        doc["system"]["model"]["name"] += f" variant {rng.randint(0, 10**6)}"
        path = folder / f"s{i:05d}.json"
        path.write_text(json.dumps(doc, indent=2))
        paths.append(path)
    if traces:
        shutil.copytree(REPO / "fixtures" / "valid" / "traces", folder / "traces")
    return paths


def layer_rates(files: list[Path], rounds: int) -> list[tuple[str, float]]:
    """Files per CPU-second of each layer, best of ``rounds`` interleaved rounds."""
    docs = {p: load_json_document(p) for p in files}
    models = {p: Submission.model_validate(docs[p]) for p in files}
    profile = load_profile("une-style")
    reference = submission_validator()
    findings = {p: run_rules(models[p], docs[p], profile) for p in files}
    audits = {p: check_file(p) for p in files}
    layers: list[tuple[str, Callable[[Path], Any]]] = [
        ("read + json.loads (no checks, reference)", lambda p: json.loads(p.read_bytes())),
        ("safe load (fast path, as used)", load_json_document),
        ("safe load, strict path alone (the former loader)", lambda p: parse_strict(read_bounded(p, MAX_FILE_BYTES))),
        ("folder scan's claim check", claim_of),
        ("schema layer, jsonschema-rs (as used)", lambda p: list(schema_findings(docs[p]))),
        ("schema layer, python-jsonschema (test reference)", lambda p: list(reference.iter_errors(docs[p]))),
        ("model layer (pydantic)", lambda p: Submission.model_validate(docs[p])),
        ("rule layer (une-style)", lambda p: run_rules(models[p], docs[p], profile)),
        ("figures and their provenance", lambda p: figures_of(models[p], findings[p], profile, DECLARED)),
        ("verdict JSON (Audit.to_json, written as text)", lambda p: json_text(audits[p].to_json())),
        ("whole pipeline (check_file)", check_file),
    ]
    best = {label: 0.0 for label, _ in layers}
    for _ in range(rounds):
        for label, fn in layers:
            start = time.process_time()
            for p in files:
                fn(p)
            best[label] = max(best[label], len(files) / max(time.process_time() - start, 1e-9))
    return list(best.items())


def process_commands(
    corpus: Path, bare: Path, files: list[Path], inlined: Path, baseline: Path | None
) -> list[Command]:
    """check-jsonschema first (the reference), then une-eval on the corpus with and without its traces."""
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    json_out = ("validate", "--format", "json")
    commands = [
        Command(
            "check-jsonschema, inlined schema (schema only)", [exe, "--schemafile", str(inlined), *map(str, files)]
        ),
        python_command("une-eval validate, traces recomputed", REPO, *json_out, str(corpus)),
        python_command("une-eval validate, no traces beside", REPO, *json_out, str(bare), ok_codes=(1,)),
    ]
    if baseline is not None:
        commands += [
            python_command("baseline tree, traces recomputed", baseline, *json_out, str(corpus)),
            python_command("baseline tree, no traces beside", baseline, *json_out, str(bare), ok_codes=(1,)),
        ]
    return commands


def bundled_schema_rate(files: list[Path]) -> float:
    """Files per CPU-second of check-jsonschema with the schema as shipped (two files, a cross-file $ref)."""
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    schema = REPO / "spec" / "schemas" / "1.0" / "submission.schema.json"
    command = Command("bundled", [exe, "--schemafile", str(schema), "--base-uri", schema.as_uri(), *map(str, files)])
    return len(files) / median_cpu(interleaved([command], 1)["bundled"])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bundled-sample", type=int, default=10, help="files for the bundled-schema figure")
    parser.add_argument("--baseline-src", type=Path, default=None, help="an earlier une-eval source tree")
    parser.add_argument("--layers-only", action="store_true", help="only the in-process table (any source tree)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        files = build_corpus(corpus, args.files)
        bare = Path(tmp) / "bare"
        build_corpus(bare, args.files, traces=False)
        inlined = Path(tmp) / "inlined.schema.json"
        inlined.write_text(json.dumps(inline_references(submission_schema())))
        print(f"# {args.files} files; {machine_line()}\n")
        print(f"| {'in one process (best of ' + str(args.rounds) + ')':50} | files per CPU-second |")
        print(f"| {'-' * 50} | ------------------: |")
        for label, rate in layer_rates(files, args.rounds):
            print(f"| {label:50} | {rate:19,.0f} |")
        if args.layers_only:
            return
        for tree in (REPO, args.baseline_src):
            if tree is not None:
                compileall.compile_dir(tree / "une_eval", quiet=1)
        commands = process_commands(corpus, bare, files, inlined, args.baseline_src)
        timings = interleaved(commands, args.rounds)
        bundled = bundled_schema_rate(files[: args.bundled_sample])
    reference = median_cpu(timings[commands[0].label])
    print(f"\n| {'whole processes, ' + str(args.files) + ' files (median of ' + str(args.rounds) + ')':50} ", end="")
    print("| CPU s | wall s | CPU vs check-jsonschema |")
    print(f"| {'-' * 50} | ----: | -----: | ----------------------: |")
    for command in commands:
        cpu, wall = median_cpu(timings[command.label]), median_wall(timings[command.label])
        print(f"| {command.label:50} | {cpu:5.2f} | {wall:6.2f} | {cpu / reference:22.2f}x |")
    print(f"\ncheck-jsonschema with the bundled schema files: {bundled:.1f} files per CPU-second")


if __name__ == "__main__":
    main()
