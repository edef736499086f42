"""The certificate templates' compiled Python shipped in the package: current, used, and never a different document."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import jinja2
import pytest

from une_eval.report import precompiled
from une_eval.report.content import Prepared, prepare_bytes
from une_eval.report.language import SOURCE_LANGUAGE, language, template_environment
from une_eval.report.precompiled import PrecompiledLoader, compiled_modules
from une_eval.report.render import Renderer, reports_root
from une_eval.report.sign import Auditor

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "fixtures" / "valid" / "llm-inference-h100.json"
SHIPPED = ROOT / "une_eval" / "report" / "compiled_templates"
HOSTILE_NAME = '<img src="file:///etc/passwd"> <script>alert(1)</script> {{ 7*7 }} {% raw %}'


def _loader(env: jinja2.Environment) -> PrecompiledLoader:
    assert isinstance(env.loader, PrecompiledLoader)
    return env.loader


def test_the_shipped_compiled_templates_are_those_of_the_templates_now() -> None:
    # Fails after a template (or Jinja, or the environment's settings) changes until
    # `python -m une_eval.report.precompiled` is run again.
    expected = compiled_modules(template_environment(reports_root(), language(SOURCE_LANGUAGE)))
    shipped = {p.name: p.read_text(encoding="utf-8") for p in SHIPPED.glob("*.py")}
    assert sorted(shipped) == sorted(expected)
    stale = [name for name, text in expected.items() if shipped[name] != text]
    assert not stale, f"stale compiled templates {stale}: run python -m une_eval.report.precompiled"
    templates = {p.name for p in (reports_root() / "templates").iterdir() if p.is_file()}
    assert set(expected) == {precompiled.module_name(t) + ".py" for t in templates} | {"__init__.py"}


def test_every_bundled_template_comes_compiled() -> None:
    env = template_environment(reports_root(), language("es"))
    for name in ("certificate.html.j2", "nodes.j2", "words.j2"):
        env.get_template(name)
    assert _loader(env).served_compiled == {"certificate.html.j2", "nodes.j2", "words.j2"}


def _hostile_prepared() -> Prepared:
    doc = json.loads(VALID.read_text(encoding="utf-8"))
    hostile = copy.deepcopy(doc)
    hostile["system"]["model"]["name"] = HOSTILE_NAME
    hostile["submitter"]["organisation"] = "<style>x</style> Evil & Co"
    return prepare_bytes(json.dumps(hostile).encode(), source_name="h.json", base_dir=VALID.parent)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_compiled_and_source_templates_write_the_same_certificate(lang: str) -> None:
    prepared = _hostile_prepared()
    renderer = Renderer()
    from_source = template_environment(renderer.root, language(lang))
    from_source.loader = jinja2.FileSystemLoader(renderer.root / "templates")  # the same settings, compiled now
    args = {
        "number": "UEC-TEST-P",
        "issued_at": prepared.submission.created_at,
        "auditor": Auditor("<b>A</b>", "O & O"),
        "lang": lang,
        "findings_sha256": "0" * 64,
    }
    compiled_html = renderer.html(prepared, **args)  # type: ignore[arg-type]
    assert _loader(renderer.envs[lang]).served_compiled == {"certificate.html.j2", "nodes.j2", "words.j2"}
    renderer.envs[lang] = from_source
    assert renderer.html(prepared, **args) == compiled_html  # type: ignore[arg-type]
    for raw in ("<script>", "<style>x", "<b>A</b>"):
        assert raw not in compiled_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} {% raw %}" in compiled_html


def _copy_of_templates(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    shutil.copytree(reports_root() / "templates", root / "templates")
    return root


def test_a_changed_template_is_compiled_from_its_source(tmp_path: Path) -> None:
    root = _copy_of_templates(tmp_path)
    words = root / "templates" / "words.j2"
    words.write_text(
        words.read_text(encoding="utf-8") + "{% macro shout(x) %}{{ x }}!{% endmacro %}\n", encoding="utf-8"
    )
    env = template_environment(root, language("en"))
    assert str(env.get_template("words.j2").module.shout("<i>new</i>")) == "&lt;i&gt;new&lt;/i&gt;!"  # type: ignore[attr-defined]
    env.get_template("nodes.j2")
    assert _loader(env).served_compiled == {"nodes.j2"}  # the unchanged one still comes compiled


def test_other_settings_or_another_jinja_compile_from_source(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = jinja2.Environment(loader=PrecompiledLoader(reports_root() / "templates"), autoescape=False)
    plain.add_extension("jinja2.ext.i18n")
    plain.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    plain.get_template("words.j2")
    assert _loader(plain).served_compiled == set()
    env = template_environment(reports_root(), language("en"))
    monkeypatch.setattr(jinja2, "__version__", "0.0.0")
    env.get_template("words.j2")
    assert _loader(env).served_compiled == set()


def test_environments_do_not_share_compiled_namespaces() -> None:
    english = template_environment(reports_root(), language("en"))
    spanish = template_environment(reports_root(), language("es"))
    one, other = english.get_template("words.j2"), spanish.get_template("words.j2")
    assert one.environment is english
    assert other.environment is spanish
    assert one.module.outcome("conformant") == "CONFORMANT"  # type: ignore[attr-defined]
    assert other.module.outcome("conformant") == "CONFORME"  # type: ignore[attr-defined]
