"""Each command imports only what it uses: the heavy libraries load on first use, not at start-up.

These run the command line in a fresh interpreter and look at ``sys.modules`` afterwards; they check
what is loaded, never how long it took (timings live in bench/coldstart.py and docs/benchmarks.md).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION = ROOT / "fixtures" / "valid" / "training-multinode-h100.json"  # a submission without traces
WITH_TRACES = ROOT / "fixtures" / "evidence" / "h200" / "steady.json"
PROBE = """
import json, sys
from une_eval.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print("\\nMODULES " + json.dumps(sorted(m for m in sys.modules if "." not in m)))
"""
# Libraries a plain validation never needs (measurement, certificates, summaries); pandas, pyarrow and numpy
# only once a trace is read. Submissions and the spec's own files (profiles, catalogue, rating schemes)
# are checked with jsonschema-rs; python-jsonschema loads only to word the problems of a refused spec file.
NOT_FOR_VALIDATE = {"weasyprint", "pyhanko", "aiohttp", "jinja2", "pynvml", "matplotlib", "jsonschema"}
TRACE_LIBRARIES = {"pandas", "pyarrow", "numpy"}


def loaded_by(*args: str, env: dict[str, str] | None = None) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("MODULES ")), None)
    assert line is not None, out.stderr[-2000:]
    return set(json.loads(line.removeprefix("MODULES ")))


def test_validating_a_file_without_traces_loads_no_heavy_library() -> None:
    loaded = loaded_by("validate", str(SUBMISSION))
    assert {"une_eval", "pydantic", "jsonschema_rs", "msgspec"} <= loaded
    assert not loaded & (NOT_FOR_VALIDATE | TRACE_LIBRARIES)


def test_json_output_and_absent_traces_load_neither_rich_nor_the_trace_libraries(tmp_path: Path) -> None:
    listed = tmp_path / "traces-absent.json"  # the example lists traces, none of which is beside this copy
    listed.write_bytes((ROOT / "fixtures" / "valid" / "aes-text-generation-h100.json").read_bytes())
    loaded = loaded_by("validate", "--format", "json", str(listed), str(SUBMISSION))
    assert {"une_eval", "pydantic", "jsonschema_rs", "msgspec"} <= loaded
    assert not loaded & (NOT_FOR_VALIDATE | TRACE_LIBRARIES | {"rich", "concurrent", "jsonschema", "referencing"})


def test_trace_libraries_load_when_a_trace_is_read() -> None:
    loaded = loaded_by("validate", str(WITH_TRACES))
    assert {"pyarrow", "numpy"} <= loaded
    assert "pandas" not in loaded  # traces are read with pyarrow and numpy alone
    assert not loaded & NOT_FOR_VALIDATE


@pytest.mark.parametrize("command", [["profiles"], ["rules"], ["schema"], ["--version"]])
def test_listing_commands_load_no_validation_stack(command: list[str]) -> None:
    # The bundled profiles and catalogue they list are checked by jsonschema-rs (the light, compiled
    # checker), so neither the models nor python-jsonschema and its reference registry load.
    loaded = loaded_by(*command)
    assert not loaded & (NOT_FOR_VALIDATE | TRACE_LIBRARIES | {"pydantic"})


def test_certifying_loads_the_renderer_and_signer_but_not_the_trace_or_table_stack(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    env = {"UNE_EVAL_KEY_PASSPHRASE": "test-only-passphrase"}
    loaded_by("keys", "init", "--dir", str(keys), env=env)
    loaded = loaded_by(
        "certify", str(SUBMISSION), "--key", str(keys / "auditor.p12"), "-o", str(tmp_path / "c.pdf"), env=env
    )
    assert (tmp_path / "c.pdf").stat().st_size > 1000
    assert {"weasyprint", "pyhanko"} <= loaded
    assert not loaded & (TRACE_LIBRARIES | {"rich", "matplotlib", "pynvml", "jsonschema"})


def test_a_command_line_process_collects_after_its_imports_and_skips_the_walk_at_exit() -> None:
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('GC', gc.isenabled(), gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['une-eval', 'validate', {str(SUBMISSION)!r}]\n"
        "from une_eval.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[-1] == "GC True True"


def test_in_process_callers_keep_the_collector_as_it_was() -> None:
    from click.testing import CliRunner

    from une_eval.cli import main

    frozen = gc.get_freeze_count()
    result = CliRunner().invoke(main, ["validate", str(SUBMISSION)])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
