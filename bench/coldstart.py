"""Cold start: one file from a fresh process, against the tool that does only part of the job.

    PYTHONPATH=. python bench/coldstart.py [--rounds 7] [--baseline-src DIR] [--importtime]

Two pairs of commands, run interleaved, each a fresh process (CPU = user + system time):

* ``une-eval validate one.json`` (schema, model, rules, rating) against ``check-jsonschema`` checking
  the schema only, given the schema inlined into one file (its fastest configuration);
* ``une-eval certify one.json`` (validate, render PDF/A-3b with two attachments, sign PAdES) against
  the ``weasyprint`` command rendering the same certificate HTML, with the same stylesheet, to PDF/A-3b.

``--baseline-src`` adds both une-eval commands run from another source tree (an earlier version);
``--importtime`` prints, for each une-eval command, where its imports go (``python -X importtime``).

Each tree's ``une_eval`` package is compiled to bytecode first (``python -m compileall``), as installing
the package does and as the references' own packages are: a source tree run under
``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile every one of its modules at every start.
``--no-bytecode`` skips that step and leaves the trees as they are (with their ``__pycache__`` folders
removed, each start then compiles the package again, as the figures before this step did).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.processes import (
    Command,
    import_profile,
    interleaved,
    machine_line,
    median_cpu,
    median_wall,
    python_command,
    run_once,
)

REPO = Path(__file__).resolve().parent.parent
SUBMISSION = REPO / "fixtures" / "valid" / "llm-inference-h100.json"
PASSPHRASE = {"UNE_EVAL_KEY_PASSPHRASE": "bench-only-passphrase"}


def tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).parent / name)


def certificate_html(work: Path) -> Path:
    """The HTML une-eval renders for SUBMISSION's certificate, written to a file for the weasyprint command."""
    from une_eval.report.charts import layout_chart
    from une_eval.report.content import prepare
    from une_eval.report.render import Renderer
    from une_eval.report.sign import Auditor

    renderer = Renderer()
    prepared = prepare(SUBMISSION)
    chart = layout_chart([(t.device_id or t.path, t.power) for t in prepared.traces if t.power is not None])
    html = renderer.html(
        prepared,
        number="UEC-20261127-0123456789AB",
        issued_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        auditor=Auditor("Development Auditor", "une-eval development"),
        lang="es",
        findings_sha256="0" * 64,
        chart=chart,
    )
    path = work / "certificate.html"
    path.write_text(html, encoding="utf-8")
    return path


def byte_compile(tree: Path) -> None:
    """Compile the ``une_eval`` package of a source tree to bytecode (its ``__pycache__`` folders)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "une_eval")], check=True)


def pairs(work: Path, baseline: Path | None) -> list[tuple[Command, Command, Command | None]]:
    """(une-eval command, reference command, the une-eval command from the baseline tree or None)."""
    inlined = work / "inlined.schema.json"
    from une_eval.spec import inline_references, submission_schema

    inlined.write_text(json.dumps(inline_references(submission_schema())))
    run_once(python_command("keys", REPO, "keys", "init", "--dir", str(work / "keys"), env=PASSPHRASE))
    if baseline is not None:  # each tree signs with a key file its own `keys init` wrote (their formats may differ)
        init = ("keys", "init", "--dir", str(work / "keys-before"))
        run_once(python_command("keys, baseline tree", baseline, *init, env=PASSPHRASE))
    html, reports = certificate_html(work), REPO / "reports"
    (work / "certificates").mkdir()
    validate_args = ("validate", str(SUBMISSION))
    certify_args = ("certify", str(SUBMISSION), "--key", str(work / "keys" / "auditor.p12"), "-o")
    out = []
    for label, args, reference in (
        (
            "validate one file",
            validate_args,
            Command(
                "check-jsonschema (schema only)",
                [tool("check-jsonschema"), "--schemafile", str(inlined), str(SUBMISSION)],
            ),
        ),
        (
            "certify one file",
            (*certify_args, str(work / "certificates")),  # a folder: each run adds a new numbered file
            Command(
                "weasyprint command (same HTML)",
                [
                    *(tool("weasyprint"), "--pdf-variant", "pdf/a-3b", "-s", str(reports / "certificate.css")),
                    *("-u", (reports / "templates").as_uri() + "/", str(html), str(work / "w.pdf")),
                ],
            ),
        ),
    ):
        ours = python_command(f"une-eval {label}", REPO, *args, env=PASSPHRASE)
        before = None
        if baseline is not None:  # the same example as that tree has it (its schema was older)
            keys, their_keys = str(work / "keys") + "/", str(work / "keys-before") + "/"
            own = [
                str(baseline / SUBMISSION.relative_to(REPO)) if a == str(SUBMISSION) else a.replace(keys, their_keys)
                for a in args
            ]
            before = python_command(f"une-eval {label}, baseline tree", baseline, *own, env=PASSPHRASE)
        out.append((ours, reference, before))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--baseline-src", type=Path, default=None, help="an earlier une-eval source tree")
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--no-bytecode", action="store_true", help="do not compile the trees to bytecode first")
    args = parser.parse_args()
    if not args.no_bytecode:
        for tree in (REPO, args.baseline_src):
            if tree is not None:
                byte_compile(tree)
    with tempfile.TemporaryDirectory() as tmp:
        table = pairs(Path(tmp), args.baseline_src)
        commands = [c for row in table for c in row if c is not None]
        timings = interleaved(commands, args.rounds)
        profiles = {c.label: import_profile(c) for c in commands if args.importtime and c.argv[1:2] == ["-m"]}
    compiled = "source only" if args.no_bytecode else "une_eval byte-compiled in each tree"
    print(f"# {machine_line()}; median of {args.rounds} interleaved runs; {compiled}\n")
    print(f"| {'command':44} | CPU s | wall s | CPU vs reference |")
    print(f"| {'-' * 44} | ----: | -----: | ---------------: |")
    for ours, reference, before in table:
        base = median_cpu(timings[reference.label])
        for command in (ours, before, reference):
            if command is not None:
                cpu, wall = median_cpu(timings[command.label]), median_wall(timings[command.label])
                print(f"| {command.label:44} | {cpu:5.2f} | {wall:6.2f} | {cpu / base:15.2f}x |")
    for label, shares in profiles.items():
        print(
            f"\n{label}, imports (-X importtime, wall seconds, median of 3 runs): "
            + ", ".join(f"{m} {s:.2f} s" for m, s in shares)
        )


if __name__ == "__main__":
    main()
