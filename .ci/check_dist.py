"""Check what the built wheel and sdist carry: every module, and the real spec/ and reports/ files.

In the source tree ``une_eval/_spec`` and ``une_eval/_reports`` are symbolic links to ``spec/`` and
``reports/``; an install needs the files themselves. For each archive this lists the bundled files and
fails unless the package files match the tracked sources byte for byte, with nothing missing, nothing
extra and no link anywhere. Usage: ``python .ci/check_dist.py DIST_DIR`` (exit 0 good, 1 not).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINKED = {"une_eval/_spec": "spec", "une_eval/_reports": "reports"}
SDIST_TOP = ("PKG-INFO", "README.md", "LICENSE", "pyproject.toml")
S_IFMT, S_IFREG = 0o170000, 0o100000


def tracked_files(*folders: str) -> list[str]:
    """Files git tracks under the folders, links included as links."""
    command = ["git", "ls-files", "-z", *folders]
    out = subprocess.run(command, cwd=REPO, capture_output=True, check=True)  # noqa: S603 (fixed arguments)
    return sorted(name for name in out.stdout.decode().split("\0") if name)


def expected_package() -> dict[str, bytes]:
    """Path inside the package -> bytes, for every file an install of une_eval must hold."""
    expected = {name: (REPO / name).read_bytes() for name in tracked_files("une_eval") if name not in LINKED}
    for inside, source in LINKED.items():
        for name in tracked_files(source):
            expected[inside + name[len(source) :]] = (REPO / name).read_bytes()
    return expected


def compare(archive: str, found: dict[str, bytes], expected: dict[str, bytes]) -> list[str]:
    """What is missing, extra or different in an archive's package files."""
    problems = [f"{archive}: missing {name}" for name in sorted(expected.keys() - found.keys())]
    problems += [f"{archive}: unexpected {name}" for name in sorted(found.keys() - expected.keys())]
    problems += [
        f"{archive}: {name} differs from the source"
        for name in sorted(found)
        if found[name] != expected.get(name, found[name])
    ]
    return problems


def list_bundled(archive: str, found: dict[str, bytes]) -> None:
    """Print the bundled data files (those behind the links in the source tree) with their sizes."""
    print(f"{archive}: {len(found)} files in une_eval/, of which bundled data:")
    for name in sorted(n for n in found if n.startswith(tuple(LINKED))):
        print(f"  {len(found[name]):>9}  {name}")


def check_wheel(path: Path, expected: dict[str, bytes]) -> list[str]:
    """Problems of the wheel: its package files, links, the console script and the licence."""
    problems, found = [], {}
    with zipfile.ZipFile(path) as wheel:
        for info in wheel.infolist():
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if mode and mode & S_IFMT != S_IFREG:
                problems.append(f"{path.name}: {info.filename} is not a regular file (mode {mode:o})")
            if info.filename.startswith("une_eval/"):
                found[info.filename] = wheel.read(info)
            elif ".dist-info/" not in info.filename:
                problems.append(f"{path.name}: unexpected {info.filename} outside the package")
        names = wheel.namelist()
        entry_points = next((wheel.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")), "")
        if "une-eval = une_eval.cli:main" not in entry_points:
            problems.append(f"{path.name}: no une-eval console script")
        if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
            problems.append(f"{path.name}: no LICENSE in the dist-info")
    list_bundled(path.name, found)
    return problems + compare(path.name, found, expected)


def check_sdist(path: Path, expected: dict[str, bytes], top: str) -> list[str]:
    """Problems of the sdist: its package files, links and the top-level files a build needs."""
    problems, found, members = [], {}, set()
    with tarfile.open(path) as sdist:
        for member in sdist.getmembers():
            if member.isdir():
                continue
            if not member.isfile():
                problems.append(f"{path.name}: {member.name} is a link or device, not a regular file")
                continue
            name = member.name.removeprefix(top + "/")
            members.add(name)
            if name.startswith("une_eval/"):
                handle = sdist.extractfile(member)
                found[name] = handle.read() if handle else b""
    problems += [f"{path.name}: missing {name}" for name in SDIST_TOP if name not in members]
    list_bundled(path.name, found)
    return problems + compare(path.name, found, expected)


def main(dist: Path) -> int:
    """Check the wheel and the sdist of this version in ``dist``; 0 when both are right, 1 otherwise."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    stem = f"{project['name'].replace('-', '_')}-{project['version']}"
    wheel, sdist = dist / f"{stem}-py3-none-any.whl", dist / f"{stem}.tar.gz"
    problems = [f"{p}: not built" for p in (wheel, sdist) if not p.is_file()]
    if not problems:
        expected = expected_package()
        problems = check_wheel(wheel, expected) + check_sdist(sdist, expected, stem)
    for problem in problems:
        print("check_dist:", problem, file=sys.stderr)
    if problems:
        return 1
    print(f"check_dist: wheel and sdist each hold the {len(expected)} package files, byte-identical, no links")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python .ci/check_dist.py DIST_DIR")
    sys.exit(main(Path(sys.argv[1])))
