"""Write the HTML API reference from the docstrings with pdoc; any warning fails the build.

Usage: ``python .ci/api_docs.py OUT_DIR MODULE...`` (``./dev.sh api-docs`` names the documented modules).
Exit 0 when the reference was written without a warning, 1 otherwise (each warning printed on stderr).

A name that a package loads on first use (through a module ``__getattr__``) is resolved before pdoc
reads the package, so it is documented like any other member instead of being taken for a submodule.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.render


def resolve_lazy_names(module_name: str) -> None:
    """Put every lazily loaded name of the module's ``__all__`` into its namespace."""
    module = importlib.import_module(module_name)
    for name in getattr(module, "__all__", ()):
        if name in vars(module):
            continue
        try:
            value = getattr(module, name)
        except AttributeError:
            continue  # not a lazy name: pdoc looks for a submodule and reports it if there is none
        setattr(module, name, value)


def main(out_dir: Path, modules: list[str]) -> int:
    """Write the reference of ``modules`` into ``out_dir``; 1 if anything warned."""
    with warnings.catch_warnings(record=True) as caught:
        for module in modules:
            try:
                resolve_lazy_names(module)
            except ImportError as exc:
                print(f"api-docs: cannot import {module}: {exc}", file=sys.stderr)
                return 1
        pdoc.render.configure(docformat="restructuredtext", show_source=False)
        pdoc.pdoc(*modules, output_directory=out_dir)
    for warning in caught:
        print(f"api-docs: {warning.message} ({warning.filename}:{warning.lineno})", file=sys.stderr)
    return 1 if caught else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python .ci/api_docs.py OUT_DIR MODULE...")
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
