"""`une-eval certify` never overwrites without --force, and its certificate numbers do not collide."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.acceptance.measure_helpers import cli_env
from une_eval.cli import main
from une_eval.report.content import check_number, new_certificate_number

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "fixtures" / "valid" / "training-multinode-h100.json"
ENV = {"UNE_EVAL_KEY_PASSPHRASE": "test-only-passphrase"}
NUMBER = re.compile(r"^UEC-(\d{8})-([0-9A-HJKMNP-TV-Z]{26})$")


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("certify-output")
    result = CliRunner().invoke(main, ["keys", "init", "--dir", str(folder / "auditor")], env=ENV)
    assert result.exit_code == 0, result.output
    return folder / "auditor" / "auditor.p12"


def _certify(key: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "une_eval", "certify", str(VALID), "--key", str(key), "--lang", "en", *args]
    return subprocess.run(argv, env=cli_env(key.parent, ENV), capture_output=True, text=True, timeout=180, check=False)


def test_an_existing_output_is_refused_without_force_and_replaced_with_it(key: Path, tmp_path: Path) -> None:
    target = tmp_path / "certificate.pdf"
    target.write_bytes(b"an earlier certificate")
    refused = _certify(key, "-o", str(target))
    assert refused.returncode == 2
    [line] = refused.stderr.strip().splitlines()
    assert f"{target} already exists; pass --force to replace it" in line
    assert target.read_bytes() == b"an earlier certificate"
    forced = _certify(key, "-o", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.read_bytes().startswith(b"%PDF-")


def test_a_link_at_the_output_is_not_followed(key: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    target = tmp_path / "certificate.pdf"
    target.symlink_to(victim)
    refused = _certify(key, "-o", str(target))
    assert refused.returncode == 2
    assert victim.read_text() == "keep"


def test_a_numbered_certificate_is_not_written_over_one_in_the_folder(key: Path, tmp_path: Path) -> None:
    first = _certify(key, "-o", str(tmp_path), "--number", "CB-2026-7")
    assert first.returncode == 0, first.stderr
    issued = tmp_path / "certificate-CB-2026-7.pdf"
    before = issued.read_bytes()
    again = _certify(key, "-o", str(tmp_path), "--number", "CB-2026-7")
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert issued.read_bytes() == before


def test_two_certifies_at_the_same_moment_get_different_numbers(key: Path, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "une_eval", "certify", str(VALID), "--key", str(key), "-o", str(tmp_path)]
    env = cli_env(key.parent, ENV)
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    numbers = [re.search(r"UEC-\S+", o).group(0) for o in outputs]  # type: ignore[union-attr]
    assert numbers[0] != numbers[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"certificate-{n}.pdf" for n in numbers)


def test_numbers_carry_128_random_bits_after_the_date() -> None:
    moment = dt.datetime(2026, 11, 26, 10, 0, 0, tzinfo=dt.UTC)  # all in the same second
    numbers = [new_certificate_number(moment) for _ in range(20_000)]
    assert len(set(numbers)) == len(numbers)
    for n in numbers[:100]:
        match = NUMBER.fullmatch(n)
        assert match, n
        assert match.group(1) == "20261126"
        assert check_number(n) == n
    # 26 base-32 digits hold 130 bits; the top one carries the 3 highest of 128 bits (0-7).
    assert {n[13] for n in numbers} == set("01234567")
    # every other position uses the whole alphabet: no bits are constant
    assert all(len({n[i] for n in numbers}) == 32 for i in range(14, 39))
