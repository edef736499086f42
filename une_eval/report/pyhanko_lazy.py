"""pyHanko without aiohttp until something is fetched over HTTP.

Importing pyHanko's signing modules loads aiohttp (with yarl, multidict and TLS set-up, about a fifth
of a second at every start of ``certify``) through two package files: ``pyhanko.sign.timestamps``
imports its HTTP timestamp client, and ``pyhanko.sign.validation.ades`` names the HTTP fetcher
backend of ``pyhanko_certvalidator.fetchers.aiohttp_fetchers``. Only ``--tsa-url`` and fetching
revocation data over the network use them. :func:`install` registers both packages before pyHanko
loads them, with the same names loaded on first use: a name defined in a submodule comes from that
submodule; the fetcher backend class is stood for by :class:`DeferredFetcherBackend` until it is
first instantiated. Any other name runs the package's own file, so a newer pyHanko loses nothing;
where the files are not where expected nothing is registered and pyHanko loads as it always did.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

TIMESTAMPS = "pyhanko.sign.timestamps"
FETCHERS = "pyhanko_certvalidator.fetchers.aiohttp_fetchers"
# Each name a package file exports that lives in one of its submodules, and that submodule.
TIMESTAMP_HOMES = {
    "TimeStamper": "api",
    "TimestampRequestError": "common_utils",
    "DummyTimeStamper": "dummy_client",
    "HTTPTimeStamper": "aiohttp_client",
}


class DeferredFetcherBackend:
    """Stands for ``AIOHttpFetcherBackend`` in modules that name it at import; makes the real one when called."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        """The real backend, built with the same arguments (its package loads now)."""
        real = _run_package_file(sys.modules[FETCHERS]).AIOHttpFetcherBackend
        return real(*args, **kwargs)


def install() -> None:
    """Register both lazy packages (each unless already loaded, or not found where expected)."""
    _register(TIMESTAMPS, ("pyhanko", "sign", "timestamps"), TIMESTAMP_HOMES, {})
    _register(
        FETCHERS,
        ("pyhanko_certvalidator", "fetchers", "aiohttp_fetchers"),
        {},
        {"AIOHttpFetcherBackend": DeferredFetcherBackend},
    )


def _register(name: str, parts: tuple[str, ...], homes: dict[str, str], stand_ins: dict[str, type]) -> None:
    if name in sys.modules:
        return
    root = importlib.util.find_spec(parts[0])  # finds, does not import, the top-level package
    if root is None or not root.submodule_search_locations:
        return
    folder = Path(next(iter(root.submodule_search_locations)), *parts[1:])
    if not (folder / "__init__.py").is_file():
        return
    init = folder / "__init__.py"
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    module.__dict__["__getattr__"] = _lazy_attribute(module, homes, stand_ins)  # PEP 562: names on first use
    sys.modules[name] = module


def _run_package_file(module: ModuleType) -> ModuleType:
    """Run the package's own ``__init__.py`` in the registered module (once)."""
    if not module.__dict__.get("_une_eval_ran"):
        module._une_eval_ran = True  # type: ignore[attr-defined]
        spec = module.__spec__
        if spec is None or spec.loader is None:
            raise ImportError(f"{module.__name__}: no loader to run the package file with")
        spec.loader.exec_module(module)
    return module


def _lazy_attribute(module: ModuleType, homes: dict[str, str], stand_ins: dict[str, type]) -> Any:
    def attribute(name: str) -> Any:
        if name in homes:
            value = getattr(importlib.import_module(f"{module.__name__}.{homes[name]}"), name)
            setattr(module, name, value)
            return value
        if name in stand_ins and not module.__dict__.get("_une_eval_ran"):
            return stand_ins[name]
        if (name.startswith("__") and name != "__all__") or module.__dict__.get("_une_eval_ran"):
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        return getattr(_run_package_file(module), name)

    return attribute


__all__ = ["FETCHERS", "TIMESTAMPS", "TIMESTAMP_HOMES", "DeferredFetcherBackend", "install"]
