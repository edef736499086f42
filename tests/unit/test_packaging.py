"""Packaging facts that drift: the declared dependencies match the imports, the version is one version."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import une_eval
from tests.conftest import REPO

# Declared runtime dependencies that no module imports by name, each with the reason it is needed.
USED_INDIRECTLY = {
    "pyarrow": "pandas' Parquet engine (trace files, --summary x.parquet)",
    "rfc3339-validator": "jsonschema's date-time format check (une_eval.spec refuses to run without it)",
    "rfc3986-validator": "jsonschema's uri format check (une_eval.spec refuses to run without it)",
}
# Imports of the tests and benchmarks that are deliberately not dependencies.
NOT_DECLARED = {"torch": "bench/gpu_workload.py runs on GPU nodes, with the node's own PyTorch"}


def normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert match, f"unreadable requirement {requirement!r}"
        names.add(normalise(match.group(0)))
    return names


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return requirement_names(project["dependencies"]), requirement_names(project["optional-dependencies"]["dev"])


def imported_modules(*folders: str) -> dict[str, Path]:
    """Top-level third-party modules imported anywhere under the folders (lazy imports included)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.partition(".")[0]
                    if top not in sys.stdlib_module_names and top not in {"une_eval", "tests", "bench", "fixtures"}:
                        found.setdefault(top, path.relative_to(REPO))
    return found


def distributions_of(modules: dict[str, Path]) -> dict[str, set[str]]:
    installed = packages_distributions()
    unknown = sorted(m for m in modules if m not in installed and m not in NOT_DECLARED)
    assert not unknown, f"imported but installed by no distribution: {unknown}"
    return {m: {normalise(d) for d in installed.get(m, [])} for m in modules}


def test_every_module_the_package_imports_is_a_declared_dependency() -> None:
    runtime, _ = declared()
    modules = imported_modules("une_eval")
    assert {"pydantic", "weasyprint", "pyhanko"} <= modules.keys(), "the import scan found too little"
    missing = {m: str(modules[m]) for m, dists in distributions_of(modules).items() if not dists & runtime}
    assert not missing, f"imported by the package but not in [project] dependencies: {missing}"


def test_every_declared_dependency_is_imported_or_has_a_reason() -> None:
    runtime, _ = declared()
    used = set().union(*distributions_of(imported_modules("une_eval")).values())
    unused = runtime - used - set(USED_INDIRECTLY)
    assert not unused, f"declared in [project] dependencies but never imported by une_eval: {sorted(unused)}"
    stale = set(USED_INDIRECTLY) - runtime
    assert not stale, f"USED_INDIRECTLY names what is no longer declared: {sorted(stale)}"


def test_tests_and_benchmarks_import_only_declared_distributions() -> None:
    runtime, dev = declared()
    modules = {m: p for m, p in imported_modules("tests", "bench", "fixtures").items() if m not in NOT_DECLARED}
    missing = {m: str(modules[m]) for m, dists in distributions_of(modules).items() if not dists & (runtime | dev)}
    assert not missing, f"imported by tests or benchmarks but declared nowhere: {missing}"


def test_the_package_version_is_the_project_version() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert une_eval.__version__ == project["version"], "une_eval.__version__ and pyproject.toml disagree"
