"""The JSON Schemas of ``spec/`` and the one reference registry every validator and schema walker uses.

Owns: reading the bundled schema files (``spec/schemas/<version>/*.schema.json``, through
:mod:`importlib.resources`, with the strict JSON loader), the single :class:`referencing.Registry`
through which every ``$ref`` resolves (the bundled schemas and the JSON Schema meta-schemas; an unknown
reference fails, nothing is ever fetched), validators for submissions and for spec/'s own files
(profiles, the rule catalogue, rating schemes, measurement declarations), the two rewritings of a schema
(fully inlined, for fast validation; bundled into one self-contained document, for other tools and
editors), and the check of a spec file against its schema with every problem's JSON Pointer.

A file shipped with une-eval is first offered to a compiled validator (jsonschema-rs, the same
schemas, formats checked): when it passes, python-jsonschema and the registry are never loaded, and a
command that reads only bundled files starts without them. A bundled file it refuses, and every other
document, is checked by python-jsonschema, which words each problem as before.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

import msgspec

from une_eval.errors import InputError, SpecError
from une_eval.findings import pointer
from une_eval.loading import load_json_document, parse_json_bytes

if TYPE_CHECKING:  # python-jsonschema and referencing load on first use: a bundled file passes without them
    import jsonschema
    import jsonschema_rs
    import referencing
    import referencing._core

SCHEMA_VERSION = "1.0"
SCHEMA_BASE = f"https://une-eval.github.io/spec/schemas/{SCHEMA_VERSION}/"
SUBMISSION_SCHEMA_ID = f"{SCHEMA_BASE}submission.schema.json"
MAX_SPEC_FILE_BYTES = 1024 * 1024
_MAX_REF_DEPTH = 64


class SchemaKind(enum.StrEnum):
    """The documents the bundled schemas describe (``une-eval schema KIND``)."""

    SUBMISSION = "submission"
    DECLARATIONS = "declarations"
    PROFILE = "profile"
    RULES = "rules"
    RATING_SCHEME = "rating-scheme"

    @property
    def schema_id(self) -> str:
        """The ``$id`` of this kind's schema."""
        return f"{SCHEMA_BASE}{self.value}.schema.json"


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """One problem in a spec file: where (RFC 6901 JSON Pointer into that file) and what."""

    pointer: str
    message: str

    def to_json(self) -> dict[str, str]:
        """Plain JSON-ready dict."""
        return {"pointer": self.pointer, "message": self.message}


class SpecFileError(SpecError):
    """A spec file (bundled or a certification body's own) that does not meet its schema or the catalogue."""

    def __init__(self, origin: str, problems: list[SpecProblem]) -> None:
        self.origin = origin
        self.problems = tuple(problems)
        first = problems[0] if problems else SpecProblem("", "invalid")
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(f"{origin}: {first.pointer or '/'}: {first.message}{more}")

    def to_json(self) -> dict[str, Any]:
        """The file and every problem, for ``--format json``."""
        return {"error": str(self), "file": self.origin, "problems": [p.to_json() for p in self.problems]}


def spec_root() -> Traversable:
    """The folder holding the bundled spec (the repository's ``spec/``, the package's ``_spec``)."""
    return resources.files("une_eval").joinpath("_spec")


def read_bundled(*parts: str) -> Any:
    """A bundled spec file, parsed strictly (duplicate keys, NaN and deep nesting are refused)."""
    node = spec_root().joinpath(*parts)
    try:
        return parse_json_bytes(node.read_bytes())
    except (OSError, InputError) as exc:
        raise SpecError(f"cannot read bundled spec file {'/'.join(parts)}: {exc}") from None


def read_spec_file(path: Path) -> dict[str, Any]:
    """A user's spec file (profile, rating scheme), read with the safe loader; at most 1 MiB."""
    try:
        return load_json_document(path, max_bytes=MAX_SPEC_FILE_BYTES)
    except InputError as exc:
        raise SpecError(f"{path}: {exc}") from None


def looks_like_path(reference: str) -> bool:
    """Whether a ``--profile``/``--rating-scheme`` value names a file rather than a bundled entry."""
    return reference.endswith(".json") or "/" in reference or "\\" in reference


def file_version(reference: str) -> tuple[int, int] | None:
    """Modification time and size of a referenced spec file (a cache key: an edited file is read again)."""
    if not looks_like_path(reference):
        return None
    try:
        info = Path(reference).stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


@functools.cache
def schema_documents() -> dict[str, dict[str, Any]]:
    """Every bundled schema of the current version, by ``$id``."""
    docs: dict[str, dict[str, Any]] = {}
    folder = spec_root().joinpath("schemas", SCHEMA_VERSION)
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if node.name.endswith(".schema.json"):
            doc = read_bundled("schemas", SCHEMA_VERSION, node.name)
            if not isinstance(doc, dict) or doc.get("$id") != f"{SCHEMA_BASE}{node.name}":
                raise SpecError(f"bundled schema {node.name} does not have the $id {SCHEMA_BASE}{node.name}")
            docs[doc["$id"]] = doc
    missing = [k.value for k in SchemaKind if k.schema_id not in docs]
    if missing:
        raise SpecError(f"the bundled spec lacks the schema(s) {', '.join(missing)}")
    return docs


def meta_schemas() -> referencing.Registry[Any]:
    """The JSON Schema meta-schemas (draft 2020-12 and older), as shipped with python-jsonschema."""
    from jsonschema_specifications import REGISTRY

    meta: referencing.Registry[Any] = REGISTRY
    return meta


@functools.cache
def registry() -> referencing.Registry[Any]:
    """The one registry: the bundled schemas and the JSON Schema meta-schemas; unknown references fail."""
    import referencing
    from referencing.jsonschema import DRAFT202012

    own = [(uri, DRAFT202012.create_resource(doc)) for uri, doc in schema_documents().items()]
    combined: referencing.Registry[Any] = meta_schemas().combine(referencing.Registry().with_resources(own))
    return combined.crawl()


def schema_of(kind: SchemaKind) -> dict[str, Any]:
    """The bundled schema of a kind of document, as written (``$ref`` between files kept)."""
    return schema_documents()[kind.schema_id]


def submission_schema() -> dict[str, Any]:
    """The submission JSON Schema as a dict (what ``une-eval schema`` prints)."""
    return schema_of(SchemaKind.SUBMISSION)


def format_checker() -> jsonschema.FormatChecker:
    """The format checker, refusing to run without the checkers our schemas rely on."""
    import jsonschema

    checker: jsonschema.FormatChecker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    missing = {"date-time", "date", "uri", "email"} - set(checker.checkers)
    if missing:
        raise SpecError(
            f"jsonschema cannot check the formats {sorted(missing)}: install rfc3339-validator and rfc3986-validator"
        )
    return checker


def validator_for(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator resolving references through :func:`registry` only, checking formats for real."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema, registry=registry(), format_checker=format_checker())


@functools.cache
def schema_validator(kind: SchemaKind) -> jsonschema.Draft202012Validator:
    """A validator for one kind of document."""
    return validator_for(schema_of(kind))


@functools.cache
def submission_validator() -> jsonschema.Draft202012Validator:
    """A compiled validator for submissions (references inlined: half the schema layer's cost)."""
    return validator_for(inline_references(submission_schema()))


def _resolver(base_uri: str) -> referencing._core.Resolver[Any]:
    return registry().resolver(base_uri=base_uri)


def lookup(resolver: referencing._core.Resolver[Any], ref: str) -> referencing._core.Resolved[Any]:
    """Resolve one ``$ref`` through the registry; an unknown one is a :class:`SpecError`, never a fetch."""
    import referencing.exceptions

    try:
        return resolver.lookup(ref)
    except referencing.exceptions.Unresolvable as exc:
        raise SpecError(f"the schema reference {ref!r} does not resolve to a bundled schema ({exc})") from None


_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})


def inline_references(schema: dict[str, Any], base_uri: str = SUBMISSION_SCHEMA_ID) -> dict[str, Any]:
    """The schema with every ``$ref`` replaced by its target (our schemas are not recursive).

    Same meaning, no reference lookups at validation time. A ``$ref`` with assertion keywords beside
    it becomes an ``allOf`` so that both still apply.
    """

    def walk(node: Any, resolver: referencing._core.Resolver[Any], depth: int) -> Any:
        if depth > _MAX_REF_DEPTH:
            raise SpecError(f"the bundled schema nests references more than {_MAX_REF_DEPTH} deep (recursive $ref?)")
        if isinstance(node, list):
            return [walk(v, resolver, depth) for v in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            resolved = lookup(resolver, node["$ref"])
            target = walk(resolved.contents, resolved.resolver, depth + 1)
            siblings = {k: walk(v, resolver, depth) for k, v in node.items() if k != "$ref"}
            if set(siblings) <= _ANNOTATIONS:
                return {**target, **siblings}
            return {"allOf": [target, siblings]}
        return {k: (v if k in ("enum", "const") else walk(v, resolver, depth)) for k, v in node.items()}

    inlined: dict[str, Any] = walk(schema, _resolver(base_uri), 0)
    inlined.pop("$defs", None)
    return inlined


def _bundled_name(uri: str, fragment: str) -> str:
    stem = uri.rsplit("/", 1)[1].removesuffix(".schema.json")
    parts = fragment.split("/")
    if fragment == "":
        return stem
    if len(parts) == 3 and parts[:2] == ["", "$defs"]:
        return f"{stem}.{parts[2]}"
    raise SpecError(f"cannot bundle the reference {uri}#{fragment}: only whole schemas and $defs entries")


def bundled_schema(kind: SchemaKind = SchemaKind.SUBMISSION) -> dict[str, Any]:
    """One self-contained schema document: references to other files moved into its ``$defs``.

    The ``$id`` is kept; every ``$ref`` becomes local (``#/$defs/common.text``) except those to the JSON
    Schema meta-schemas, which every validator ships. Standard validators and editors use it offline.
    """
    root_id = kind.schema_id
    queued: set[str] = set()
    pending: list[tuple[str, str, str]] = []  # (document uri, fragment, local name) still to copy in

    def rewrite(node: Any, base: str) -> Any:
        if isinstance(node, list):
            return [rewrite(v, base) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: (v if k in ("enum", "const") else rewrite(v, base)) for k, v in node.items()}
        if isinstance(out.get("$ref"), str):
            absolute = urljoin(base, out["$ref"])
            uri, fragment = urldefrag(absolute)
            if uri in meta_schemas():
                out["$ref"] = absolute
            elif uri == root_id:
                out["$ref"] = f"#{fragment}"
            elif uri in schema_documents():
                name = _bundled_name(uri, fragment)
                if name not in queued:
                    queued.add(name)
                    pending.append((uri, fragment, name))
                out["$ref"] = f"#/$defs/{name}"
            else:
                raise SpecError(f"the schema reference {out['$ref']!r} does not resolve to a bundled schema")
        return out

    bundled: dict[str, Any] = rewrite(schema_of(kind), root_id)
    defs: dict[str, Any] = bundled.setdefault("$defs", {})
    while pending:
        uri, fragment, name = pending.pop(0)
        target = lookup(_resolver(uri), f"#{fragment}").contents
        defs[name] = rewrite({k: v for k, v in target.items() if k not in ("$id", "$schema", "$defs")}, uri)
    return dict(sorted(bundled.items(), key=lambda kv: kv[0] == "$defs"))


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "const" and error.validator_value is False:
        return "must be an object of the rule's parameters, or false to disable the rule"
    text = error.message
    return text if len(text) <= 200 else text[:197] + "..."


def _errors(validator: jsonschema.Draft202012Validator, doc: Any) -> Iterator[jsonschema.ValidationError]:
    import referencing.exceptions

    try:
        yield from validator.iter_errors(doc)
    except referencing.exceptions.Unresolvable as exc:
        raise SpecError(f"a schema reference does not resolve to a bundled schema ({exc})") from None


def problems_against(validator: jsonschema.Draft202012Validator, doc: Any, *prefix: str) -> list[SpecProblem]:
    """Every schema error of ``doc`` as a problem; pointers start with ``prefix`` (where ``doc`` sits)."""
    errors = sorted(_errors(validator, doc), key=lambda e: [str(p) for p in e.absolute_path])
    return [SpecProblem(pointer(*prefix, *e.absolute_path), _describe(e)) for e in errors]


def _plain_float(value: Any) -> float:
    if isinstance(value, float):
        return float(value)
    raise TypeError(type(value).__name__)


_PLAIN_ENCODER = msgspec.json.Encoder(enc_hook=_plain_float)


def compiled_check(schema: dict[str, Any], base_uri: str | None = None) -> jsonschema_rs.Validator | None:
    """A compiled validator (jsonschema-rs) for a bundled spec file's quick check.

    Bundled references only, formats checked, none unknown; None where it does not compile
    (python-jsonschema then decides alone).
    """
    import jsonschema_rs

    try:
        return jsonschema_rs.Draft202012Validator(
            schema,
            validate_formats=True,
            ignore_unknown_formats=False,
            registry=jsonschema_rs.Registry(list(schema_documents().items())),
            base_uri=base_uri,
            offline=True,
            email_options=jsonschema_rs.EmailOptions(allow_display_text=False),
        )
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
        return None


@functools.cache
def _compiled_kind_check(kind: SchemaKind) -> jsonschema_rs.Validator | None:
    return compiled_check(schema_of(kind), kind.schema_id)


def passes_compiled(validator: jsonschema_rs.Validator | None, doc: Any) -> bool:
    """True when the compiled validator accepts ``doc`` (as plain JSON); False when it refuses or cannot tell."""
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(msgspec.json.decode(_PLAIN_ENCODER.encode(doc))))
    except (TypeError, ValueError, msgspec.EncodeError):
        return False


def check_spec_document(kind: SchemaKind, doc: Any, origin: str, *, bundled: bool = False) -> dict[str, Any]:
    """Return ``doc`` when it meets its kind's schema; else raise :class:`SpecFileError` with every problem.

    A ``bundled`` file (shipped with une-eval and held valid under both validators by the tests) that the
    compiled validator accepts is taken at once; any other document, and a bundled one it refuses, is
    checked by python-jsonschema, which words every problem.
    """
    if bundled and isinstance(doc, dict) and passes_compiled(_compiled_kind_check(kind), doc):
        return doc
    problems = problems_against(schema_validator(kind), doc)
    if problems:
        raise SpecFileError(origin, problems)
    if not isinstance(doc, dict):  # every spec schema asks for an object; kept for the type checker
        raise SpecFileError(origin, [SpecProblem("", "the top level is not a JSON object")])
    return doc
