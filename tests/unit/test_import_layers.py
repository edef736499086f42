"""Imports go one way: cli -> jobs -> validation -> core, with the remaining exceptions listed by name.

Core is every module directly in ``une_eval/`` and the ``traces`` package; validation is the job the others
build on (a certificate, a merge and an import all check a submission); the other jobs (measure, importers,
merging, report, registry) do not import each other. What breaks the rule today is listed in :data:`KNOWN`:
a new exception fails this test, and so does one that is gone (strike it from the list), so the list only
shrinks. Imports under ``if TYPE_CHECKING:`` are for annotations only and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "une_eval"
LAYER = {"traces": 0, "validation": 1, "measure": 2, "importers": 2, "merging": 2, "report": 2, "registry": 2}
CLI = 3
# (importing file, imported package): the exceptions that remain, each with why it is still there.
KNOWN = {
    ("docgen_profiles.py", "cli"),  # the profiles page prints the CLI's own help text
    ("validation/summary.py", "report"),  # the batch summary uses the certificates' message catalogues
    ("merging/__init__.py", "measure"),  # safe node names and timestamps from the runner
    ("merging/document.py", "measure"),
    ("merging/inputs.py", "measure"),
    ("merging/runs.py", "measure"),
    ("registry/issuing.py", "report"),  # recording a certificate issues it
    ("registry/standing.py", "report"),  # verify's three-valued indication
    ("report/batch.py", "registry"),  # certify --jobs reserves and records numbers
}


def _layer(parts: tuple[str, ...]) -> tuple[str, int]:
    """The package a module belongs to and its layer (core modules are their own 'package', layer 0)."""
    if len(parts) == 1:
        return "", 0
    if parts[0] == "cli":
        return "cli", CLI
    return parts[0], LAYER.get(parts[0], 0)


def _runtime_imports(path: Path) -> set[str]:
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                self.generic_visit(node)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.module == "une_eval":
                found.update(f"une_eval.{a.name}" for a in node.names)
            elif node.module and node.module.startswith("une_eval."):
                found.add(node.module)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(a.name for a in node.names if a.name.startswith("une_eval."))

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _violations() -> set[tuple[str, str]]:
    out = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if parts in {("__init__.py",), ("__main__.py",)}:
            continue  # the public API's verbs and the entry point reach every job on purpose
        own, level = _layer(parts)
        for module in _runtime_imports(path):
            target = module.split(".")[1]
            if not (PACKAGE / target).is_dir() or target == own:
                continue
            other, other_level = _layer((target, "x"))
            if other_level > level or (other_level == level and other_level >= 2):
                out.add(("/".join(parts), other))
    return out


def test_imports_go_one_way_but_for_the_listed_exceptions() -> None:
    found = _violations()
    assert found - KNOWN == set(), "new imports against the layers (cli -> jobs -> validation -> core)"
    assert KNOWN - found == set(), "exceptions that are gone: strike them from KNOWN"


def test_validation_and_core_no_longer_reach_into_the_importers() -> None:
    assert not {v for v in _violations() if v[1] == "importers"}
