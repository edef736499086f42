"""spec/ describes itself; one registry resolves every reference and never fetches; the bundle works offline."""

from __future__ import annotations

import copy
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, REPO
from une_eval.errors import SpecError
from une_eval.schemas import (
    SCHEMA_BASE,
    SchemaKind,
    SpecFileError,
    bundled_schema,
    check_spec_document,
    lookup,
    registry,
    schema_documents,
    schema_validator,
    submission_validator,
    validator_for,
)
from une_eval.spec import load_profile, profile_names, rule_catalogue
from une_eval.vocabulary import phases

SPEC = REPO / "spec"
SCHEMA_INVALID = sorted(
    p for p in (FIXTURES / "invalid").glob("schema-*.json") if not p.name.endswith(".expected.json")
)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _bundled_spec_files() -> Iterator[tuple[SchemaKind, Path]]:
    yield SchemaKind.RULES, SPEC / "rules.json"
    for path in sorted((SPEC / "profiles").glob("*.json")):
        yield SchemaKind.PROFILE, path
    for path in sorted((SPEC / "ratings").glob("*.json")):
        yield SchemaKind.RATING_SCHEME, path
    yield SchemaKind.DECLARATIONS, FIXTURES / "traces" / "h200-declarations.json"
    for path in sorted((FIXTURES / "valid").glob("*.json")):
        yield SchemaKind.SUBMISSION, path


def test_every_kind_has_a_schema_under_the_submission_schemas_base() -> None:
    for kind in SchemaKind:
        doc = schema_documents()[kind.schema_id]
        assert doc["$id"].startswith(SCHEMA_BASE)
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {p.name for p in (SPEC / "schemas" / "1.0").glob("*.schema.json")} == {
        uri.rsplit("/", 1)[1] for uri in schema_documents()
    }


@pytest.mark.parametrize(("kind", "path"), list(_bundled_spec_files()), ids=lambda v: getattr(v, "name", str(v)))
def test_every_bundled_spec_file_meets_its_schema(kind: SchemaKind, path: Path) -> None:
    assert check_spec_document(kind, _json(path), str(path))


def test_a_broken_catalogue_is_refused_with_the_pointer_of_the_entry() -> None:
    raw = _json(SPEC / "rules.json")
    broken = copy.deepcopy(raw)
    del broken["rules"][3]["source"]
    broken["rules"][5]["parameters"] = {"tolerance_s": "allowed difference"}  # a description, no schema
    with pytest.raises(SpecFileError) as info:
        check_spec_document(SchemaKind.RULES, broken, "rules.json")
    assert [p.pointer for p in info.value.problems] == ["/rules/3", "/rules/5/parameters/tolerance_s"]
    assert str(info.value).startswith("rules.json: /rules/3: 'source' is a required property")


def test_a_broken_bundled_profile_is_refused_with_its_pointer() -> None:
    raw = _json(SPEC / "profiles" / "une-style.json")
    raw["rules"]["runs.cv"] = {"max_cv_pct": 5, "severity": "critical"}
    raw["phases"] = ["inference", "deployment"]
    with pytest.raises(SpecFileError) as info:
        check_spec_document(SchemaKind.PROFILE, raw, "une-style.json")
    assert [p.pointer for p in info.value.problems] == ["/phases/1", "/rules/runs.cv/severity"]


def test_a_broken_declarations_file_is_refused_with_its_pointer() -> None:
    raw = _json(FIXTURES / "traces" / "h200-declarations.json")
    raw["system"]["software"] = {"framework": "PyTorch"}
    raw["measurement"] = {}
    with pytest.raises(SpecFileError) as info:
        check_spec_document(SchemaKind.DECLARATIONS, raw, "d.json")
    assert [p.pointer for p in info.value.problems] == ["", "/system/software"]


def test_declarations_need_no_os_but_submissions_do() -> None:
    sub = _json(FIXTURES / "valid" / "llm-inference-h100.json")
    del sub["system"]["software"]["os"]
    assert [e.validator for e in submission_validator().iter_errors(sub)] == ["required"]
    decl = _json(FIXTURES / "traces" / "h200-declarations.json")
    assert "os" not in decl["system"]["software"]
    assert not list(schema_validator(SchemaKind.DECLARATIONS).iter_errors(decl))


def test_all_bundled_profiles_and_the_catalogue_load() -> None:
    assert len(rule_catalogue()) > 30
    for name in profile_names():
        assert set(load_profile(name).phases) <= set(phases())


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - shared by the server's handler instances on purpose

    def do_GET(self) -> None:
        _CountingHandler.requests.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_an_unknown_reference_fails_and_is_never_fetched() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/schema.json"
        with pytest.raises(Exception, match=r"Unresolvable|unresolvable|schema\.json"):
            list(validator_for({"$ref": url}).iter_errors("text"))
        with pytest.raises(SpecError, match="does not resolve to a bundled schema"):
            lookup(registry().resolver(), url)
        assert _CountingHandler.requests == []
    finally:
        server.shutdown()
        server.server_close()


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for key, value in node.items():
            if key not in ("enum", "const"):
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.mark.parametrize("kind", list(SchemaKind))
def test_the_bundle_is_one_self_contained_document(kind: SchemaKind) -> None:
    bundle = bundled_schema(kind)
    assert bundle["$id"] == kind.schema_id
    refs = list(_refs(bundle))
    assert refs
    for ref in refs:
        assert ref.startswith("#/$defs/") or ref.startswith("https://json-schema.org/"), ref
        if ref.startswith("#/$defs/"):
            assert ref.removeprefix("#/$defs/") in bundle["$defs"], ref


def test_the_bundle_validates_exactly_like_the_spec() -> None:
    import jsonschema

    bundle = jsonschema.Draft202012Validator(bundled_schema(), format_checker=submission_validator().format_checker)
    docs = [_json(p) for p in sorted((FIXTURES / "valid").glob("*.json")) + SCHEMA_INVALID]
    for doc in docs:
        got = sorted((list(e.absolute_path), e.validator) for e in bundle.iter_errors(doc))
        want = sorted((list(e.absolute_path), e.validator) for e in submission_validator().iter_errors(doc))
        assert [(str(p), v) for p, v in got] == [(str(p), v) for p, v in want]


def _check_jsonschema(schema: Path, files: list[Path], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).parent / "check-jsonschema"
    assert tool.exists(), "check-jsonschema is a development dependency (pip install -e '.[dev]')"
    dead = "http://127.0.0.1:9"  # any attempt to fetch the $id host fails at once
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "https_proxy": dead}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    cmd = [str(tool), "--schemafile", str(schema), *map(str, files)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_check_jsonschema_uses_the_bundle_offline(tmp_path: Path) -> None:
    schema = tmp_path / "submission.schema.json"
    schema.write_text(json.dumps(bundled_schema()), encoding="utf-8")
    valid = _check_jsonschema(schema, sorted((FIXTURES / "valid").glob("*.json")), tmp_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert SCHEMA_INVALID
    for path in SCHEMA_INVALID:
        result = _check_jsonschema(schema, [path], tmp_path)
        assert result.returncode == 1, (path.name, result.stdout + result.stderr)
        assert "Connection" not in result.stdout + result.stderr


def test_check_jsonschema_cannot_use_the_unbundled_schema_offline(tmp_path: Path) -> None:
    """The reason for --bundle: the plain schema's references point at the $id host."""
    plain = SPEC / "schemas" / "1.0" / "submission.schema.json"
    result = _check_jsonschema(plain, [FIXTURES / "valid" / "llm-inference-h100.json"], tmp_path)
    assert result.returncode != 0
    assert "common.schema.json" in result.stdout + result.stderr


def test_check_jsonschema_checks_profiles_with_the_profile_bundle(tmp_path: Path) -> None:
    schema = tmp_path / "profile.schema.json"
    schema.write_text(json.dumps(bundled_schema(SchemaKind.PROFILE)), encoding="utf-8")
    files = [*sorted((SPEC / "profiles").glob("*.json")), FIXTURES / "profiles" / "our-body.json"]
    result = _check_jsonschema(schema, files, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
