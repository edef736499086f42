"""Generate ``docs/profiles.md`` from ``spec/`` (profiles, rule catalogue, rating schemes) so it cannot drift.

``python -m une_eval.docgen_profiles docs/profiles.md`` rewrites the file; a test fails when it is stale.
The "Your own profile" section shows ``fixtures/profiles/`` and the output of ``une-eval validate`` run
on them from the repository root, so it needs a checkout (not an installed wheel).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from une_eval.rating import load_scheme, scheme_names
from une_eval.spec import MAX_EXTENDS_DEPTH, Profile, load_profile, profile_names, rule_catalogue

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_PROFILE = "fixtures/profiles/our-body.json"
BROKEN_PROFILE = "fixtures/profiles/broken-profile.json"
EXAMPLE_SUBMISSION = "fixtures/valid/llm-inference-h100.json"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _profile_section(prof: Profile) -> list[str]:
    lines = [
        f"## `{prof.name}` {prof.version}: {prof.title}",
        "",
        prof.description,
        "",
        f"- Phases: {', '.join(prof.phases)}",
        f"- Required assurance: {prof.required_assurance.value}",
    ]
    if prof.extends:
        lines.append(f"- Extends: `{prof.extends}` (inherits its rules; the rules below are the merged set)")
    lines += [
        "- Sources:",
        *[f"  - {s}" for s in prof.sources],
        "",
        "| rule | severity | parameters | what it checks | source |",
        "| --- | --- | --- | --- | --- |",
    ]
    cat = rule_catalogue()
    for rule_id in prof.rules:
        params = ", ".join(f"`{k}` = `{json.dumps(v)}`" for k, v in prof.params(rule_id).items())
        lines.append(
            f"| `{rule_id}` | {prof.severity_of(rule_id).value} | {_cell(params)} | "
            f"{_cell(cat[rule_id].title)} | {_cell(cat[rule_id].source)} |"
        )
    return [*lines, ""]


RATINGS_INTRO = (
    "An efficiency class is either **relative** (the rated value is placed among the reference values of a "
    "published set) or **absolute** (it is compared with fixed thresholds); the certificate says which, and "
    "a relative class names its reference set, edition and date. The class is computed on one metric, "
    "`gpu_wh_per_1000_queries`: the mean over complete runs of GPU energy per 1000 queries, in Wh.",
    "",
    "The default scheme, `ai-energy-score-2025-02`, takes its reference values from the public AI Energy "
    "Score leaderboard of February 2025 (166 models, 10 tasks, each measured on one NVIDIA H100 over the "
    "task's 1000-query dataset). The leaderboard publishes `total_gpu_energy` in kWh per 1000 queries and "
    "shows it multiplied by 1000 as GPU energy in Wh; the scheme stores Wh per 1000 queries. The leaderboard "
    "gives stars within a task (for text generation, within a model-size class: A up to 20 B parameters, "
    "B up to 66 B, C above) by cutting the range from the lowest to the highest energy into five equal "
    "bands, 5 stars for the lowest. The scheme does the same with classes A to E (A = 5 stars, E = 1 star); "
    "applied to the leaderboard's own values, it gives back every one of the 166 published stars. A value "
    "below the range is A, above it E, and the certificate says when a value lies outside the range. The "
    "leaderboard's table is kept as published in `spec/ratings/reference/ai-energy-score-2025-02/`, with "
    "its source and the SHA-256 of each file.",
    "",
    "A body replaces the reference set with its own scheme file, passed with `--rating-scheme` "
    "(`une-eval schema rating-scheme` gives its schema): a relative scheme must name its `reference_set` "
    "(name, edition, date), which every class computed from it prints.",
)


def _ratings_section() -> list[str]:
    lines = ["## Rating schemes (`spec/ratings/`)", "", *RATINGS_INTRO, ""]
    for name in scheme_names():
        s = load_scheme(name)
        lines += [
            f"### `{name}`: {s['title']}",
            "",
            f"- Kind: {s['kind']}; phase: {s['phase']}; metric: "
            f"`{s['metric']}` ({s['unit']}); classes: {', '.join(s['classes'])}",
            f"- Provisional: {'yes' if s['provisional'] else 'no'}. {s.get('notice', '')}",
            f"- Derivation: {s.get('derivation', '')}",
            f"- Provenance: {s['provenance']}",
            *_reference_lines(s),
            *_group_lines(s),
            "",
        ]
    return lines


def _reference_lines(scheme: dict[str, Any]) -> list[str]:
    """A relative scheme's reference set: what, which edition, when, where from."""
    ref = scheme.get("reference_set")
    if ref is None:
        return []
    where = f", {ref['url']}" if ref.get("url") else ""
    lines = [f"- Reference set: {ref['name']}, {ref['edition']} ({ref['date']}){where}"]
    if ref.get("copy"):
        lines.append(f"- Copy read: {ref['copy']}")
    if ref.get("table"):
        lines.append(f"- Reference table as published: `spec/ratings/{ref['table']}/` (with its README)")
    return lines


def _group_lines(scheme: dict[str, Any]) -> list[str]:
    """One line per group: for a relative scheme, its reference range and how many values it holds."""
    if scheme["kind"] != "relative":
        return ["- Groups: " + "; ".join(g["label"] for g in scheme["groups"])]
    lines = ["- Groups (reference range, number of reference values):"]
    for g in scheme["groups"]:
        refs = g["reference_values"]
        lines.append(f"  - {g['label']}: {min(refs):.4g} to {max(refs):.4g} {scheme['unit']} ({len(refs)})")
    return lines


def _run(*args: str) -> list[str]:
    """The command line as a user types it, then what it prints and its exit code."""
    from une_eval.cli import main

    with contextlib.chdir(REPO):
        result = CliRunner(env={"NO_COLOR": "1", "FORCE_COLOR": None, "COLUMNS": None}).invoke(main, list(args))
    output = [line.rstrip() for line in result.output.rstrip().splitlines()]
    return [
        f"    $ une-eval {' '.join(args)}",
        *[f"    {line}".rstrip() for line in output],
        f"    (exit code {result.exit_code})",
    ]


def _own_profile_section() -> list[str]:
    example = (REPO / EXAMPLE_PROFILE).read_text(encoding="utf-8").rstrip().splitlines()
    return [
        "## Your own profile",
        "",
        "A certification body can check against its own rules without changing une-eval: write a profile "
        "file and pass its path (anything ending in `.json` or holding a `/`) where a profile name goes: "
        "`une-eval validate --profile`, `une-eval certify --profile`, `une-eval profiles --show`. A rating "
        "scheme file works the same way with `--rating-scheme`. The file is read with the same safe loader as "
        "submissions, checked against the profile schema (`une-eval schema profile`; `--bundle` gives one "
        "self-contained file for an editor, see [schema.md](schema.md)) and then against the rule catalogue:",
        "",
        "- `extends` names a bundled profile or another profile file (a path relative to this one). Rules, "
        "parameters, phases and `required_assurance` are inherited; the file's own entries override them, "
        f"parameter by parameter. No cycles; a chain of at most {MAX_EXTENDS_DEPTH} profiles.",
        "- `rules` maps a catalogued rule id ([rules.md](rules.md)) to its parameters, which must be exactly "
        "those the catalogue declares, with values of the declared type (inherited ones count); "
        '`"severity"` (`error`, `warning`, `info`) overrides the default; `false` drops an inherited rule.',
        "- `phases` (default: inherited, else both) and `required_assurance`: `evidence-checked` (a conformant "
        "verdict needs the declared energies recomputed from the raw traces) or `declared-only` (default: "
        "inherited, else `evidence-checked`).",
        "- `name` is printed in every verdict and certificate; a file may not take a bundled profile's name.",
        "",
        "A certificate issued with `une-eval certify --profile FILE` carries the profile it was checked "
        "against: the merged document (no `extends` left) as a third attachment, `profile.json`, with its "
        "SHA-256 and version in the signed metadata and printed in Annex B. `une-eval verify` re-validates the "
        "embedded submission against that attachment, and only when its SHA-256 is the recorded one; it never "
        "reads a profile from the verifier's disk for a name the certificate does not carry. A bundled profile "
        "is not attached: verify takes it by name, and refuses it when this une-eval bundles another version.",
        "",
        f"The example `{EXAMPLE_PROFILE}` tightens `une-style` for inference audits:",
        "",
        *[f"    {line}" for line in example],
        "",
        "Checked against it, the bundled LLM example (5 runs, CV 0.38 %) no longer conforms:",
        "",
        *_run("validate", EXAMPLE_SUBMISSION, "--profile", EXAMPLE_PROFILE),
        "",
        f"A profile file with mistakes (`{BROKEN_PROFILE}`: a CV limit written as text, a parameter `runs.cv` "
        "does not take, a `runs.count` without `min_runs_inference`) is refused before any submission is "
        "read, with exit code 2 and one line naming the file and the JSON Pointer of the first problem; "
        "`--format json` lists them all:",
        "",
        *_run("validate", EXAMPLE_SUBMISSION, "--profile", BROKEN_PROFILE),
        "",
        *_run("validate", EXAMPLE_SUBMISSION, "--profile", BROKEN_PROFILE, "--format", "json"),
        "",
    ]


def render_profiles_markdown() -> str:
    """Render the whole of docs/profiles.md."""
    lines = [
        "# Profiles",
        "",
        "<!-- Generated by `python -m une_eval.docgen_profiles docs/profiles.md` from "
        "spec/profiles, spec/rules.json and spec/ratings. Do not edit by hand. -->",
        "",
        "A profile is a set of rules with parameters, stored as data in `spec/profiles/`. A profile may "
        "extend another; a rule set to `false` there disables an inherited rule. List them with "
        "`une-eval profiles`, and show one with `une-eval profiles --show NAME`. No profile here claims "
        "conformance to UNE 0086, whose text is not public. A certification body can pass its own profile "
        "file instead (see [Your own profile](#your-own-profile)).",
        "",
    ]
    for name in profile_names():
        lines += _profile_section(load_profile(name))
    lines += _own_profile_section()
    lines += _ratings_section()
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    """``python -m une_eval.docgen_profiles [OUT.md]``: write the profiles page to OUT.md, or to stdout."""
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        sys.stderr.write("usage: python -m une_eval.docgen_profiles [OUT.md]  (default: stdout)\n")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    text = render_profiles_markdown()
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
