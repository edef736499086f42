"""Document templates compiled ahead of time: Jinja's Python for ``reports/templates``, shipped in the package.

Compiling the certificate's templates (parsing them and generating and compiling their Python) costs
about 0.1 s of CPU, which a process issuing one certificate would pay at every start. The package
ships that Python instead, in :mod:`une_eval.report.compiled_templates`: one module per template and
a manifest naming, for each template, its module and the SHA-256 of the source it was compiled from,
with the Jinja version and the environment settings used. ``python -m une_eval.report.precompiled``
writes them again after a template changes (a unit test fails while they are stale).

:class:`PrecompiledLoader` serves a template from its shipped module only when the template's source
as read now, the Jinja version and the environment's settings are all those the manifest records;
otherwise it compiles the source, as any Jinja loader does. A stale or missing module therefore
costs time, never a different document. Nothing is written at run time: the modules' code objects
come through Python's own import machinery (the package's ``__pycache__``, like any other module of
the package), and each environment runs them in a namespace of its own.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import jinja2

PACKAGE = "une_eval.report.compiled_templates"
_MODULE_FOLDER = Path(__file__).resolve().parent / "compiled_templates"


def module_name(template: str) -> str:
    """The module a template's compiled Python goes in (``certificate.html.j2`` -> ``t_certificate_html_j2``)."""
    return "t_" + re.sub(r"[^0-9A-Za-z]", "_", template)


def source_sha256(source: str) -> str:
    """The digest the manifest records for a template's source text."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def settings_of(environment: jinja2.Environment) -> str:
    """The environment settings that change the Python Jinja generates for a template."""
    env = environment
    parts = (
        f"autoescape={env.autoescape!r}",
        f"trim_blocks={env.trim_blocks}",
        f"lstrip_blocks={env.lstrip_blocks}",
        f"keep_trailing_newline={env.keep_trailing_newline}",
        f"newline={env.newline_sequence!r}",
        f"optimized={env.optimized}",
        f"delimiters={(env.block_start_string, env.block_end_string, env.variable_start_string)!r}"
        f"{(env.variable_end_string, env.comment_start_string, env.comment_end_string)!r}",
        f"line_prefixes={(env.line_statement_prefix, env.line_comment_prefix)!r}",
        f"extensions={sorted(env.extensions)!r}",
    )
    return ";".join(parts)


def _manifest() -> ModuleType | None:
    try:
        return importlib.import_module(PACKAGE)
    except ImportError:
        return None


def shipped_code(environment: jinja2.Environment, name: str, source: str) -> CodeType | None:
    """The shipped compiled code of template ``name``, or None unless it was compiled from ``source`` as set now."""
    manifest = _manifest()
    if manifest is None or getattr(manifest, "JINJA_VERSION", None) != jinja2.__version__:
        return None
    if getattr(manifest, "SETTINGS", None) != settings_of(environment):
        return None
    entry = getattr(manifest, "TEMPLATES", {}).get(name)
    if entry is None or entry[1] != source_sha256(source):
        return None
    spec = importlib.util.find_spec(f"{PACKAGE}.{entry[0]}")
    loader = spec.loader if spec is not None else None
    if loader is None or not hasattr(loader, "get_code"):
        return None
    code: CodeType | None = loader.get_code(spec.name) if spec is not None else None
    return code


class PrecompiledLoader(jinja2.BaseLoader):
    """Templates from a folder, served from their shipped compiled Python when it matches (see the module)."""

    def __init__(self, folder: Path) -> None:
        self.files = jinja2.FileSystemLoader(folder)
        self.served_compiled: set[str] = set()  # the templates this loader did not have to compile

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        """The template's source, as :class:`jinja2.FileSystemLoader` reads it."""
        return self.files.get_source(environment, template)

    def list_templates(self) -> list[str]:
        """Every template in the folder."""
        return self.files.list_templates()

    def load(
        self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None
    ) -> jinja2.Template:
        """The template ``name``: its shipped code when it was compiled from this source, else compiled now."""
        source, filename, uptodate = self.get_source(environment, name)
        code = shipped_code(environment, name, source)
        if code is None:
            code = environment.compile(source, name, filename)
        else:
            self.served_compiled.add(name)
        return environment.template_class.from_code(environment, code, {} if globals is None else globals, uptodate)


def compiled_modules(environment: jinja2.Environment) -> dict[str, str]:
    """Every file of :mod:`une_eval.report.compiled_templates` for ``environment``'s templates: name -> text."""
    loader = environment.loader
    if not isinstance(loader, PrecompiledLoader):
        raise TypeError("the environment does not load its templates with PrecompiledLoader")
    entries: dict[str, tuple[str, str]] = {}
    files: dict[str, str] = {}
    for name in sorted(loader.list_templates()):
        source, _, _ = loader.get_source(environment, name)
        module = module_name(name)
        if f"{module}.py" in files:
            raise ValueError(f"two templates compile to the module {module}: rename one")
        python = environment.compile(source, name, name, raw=True, defer_init=True)
        files[f"{module}.py"] = f"{python}\n# Compiled from {name} by python -m une_eval.report.precompiled.\n"
        entries[name] = (module, source_sha256(source))
    lines = [
        '"""Compiled document templates and their manifest: written by ``python -m une_eval.report.precompiled``."""',
        "",
        f"JINJA_VERSION = {jinja2.__version__!r}",
        f"SETTINGS = {settings_of(environment)!r}",
        "TEMPLATES = {",
        *(f"    {name!r}: {entry!r}," for name, entry in entries.items()),
        "}",
        "",
    ]
    files["__init__.py"] = "\n".join(lines)
    return files


def write_compiled(folder: Path = _MODULE_FOLDER) -> list[Path]:
    """Write the compiled templates of the bundled ``reports/templates`` into ``folder`` (stale files removed)."""
    from une_eval.report.language import SOURCE_LANGUAGE, language, template_environment
    from une_eval.report.render import reports_root

    files = compiled_modules(template_environment(reports_root(), language(SOURCE_LANGUAGE)))
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.py"):
        if old.name not in files:
            old.unlink()
    written = []
    for file_name, text in files.items():
        path = folder / file_name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":  # run as a script, this file is not the module the loaders' class comes from
    from une_eval.report.precompiled import write_compiled as write

    for path in write():
        print(f"wrote {path}")
