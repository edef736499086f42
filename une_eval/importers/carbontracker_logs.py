"""Carbontracker's two log files read as data: the standard log's epochs and the output log's consumption.

Every line is ``YYYY-MM-DD HH:MM:SS - message`` in local time (a continuation line is a message of its
own). From the standard log: the version, the PUE factor line, the components with their devices, and
per epoch its ``Duration: H:MM:SS.ss`` and ``Average power usage (W) for <component>: ...`` (one power
per device, or ``None``), as :class:`Epoch`. From the output log: the ``Actual``/``Predicted consumption``
blocks of time, energy and CO2eq, as :class:`Block`. Values are kept with their text as written, for
provenance; a power, energy or CO2eq that is not a finite number is refused. What the values mean for a
submission is :mod:`une_eval.importers.carbontracker`'s.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from une_eval.errors import InputError
from une_eval.importers.source import SourceFile

MAX_EPOCHS = 100_000
_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) - (.*)$")
_VERSION = re.compile(r"^carbontracker version (\S+)")
_PUE = re.compile(r"multiplied by a PUE coefficient of ([0-9.]+)")
_COMPONENTS = re.compile(r"The following components were found:(.*)$")
_DEVICE = re.compile(r" ?(\w+) with device\(s\) (.*?)\.(?= \w+ with device|$)")
_EPOCH = re.compile(r"^Epoch (\d+):$")
_DURATION = re.compile(r"^Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")
_POWER = re.compile(r"^Average power usage \(W\) for (\w+): (.*)$")
# Horizontal space only between the block's lines: no pattern here can backtrack over a run of newlines.
_BLOCK = re.compile(
    r"(Actual|Predicted) consumption(?: for (\d+) epoch\(s\))?:[ \t]*\n[ \t]*Time:[ \t]*(-?\d+:\d{2}:\d{2}(?:\.\d+)?)"
    r"[ \t]*\n[ \t]*Energy:[ \t]*(\S+) (\S+)[ \t]*\n[ \t]*CO2eq:[ \t]*(\S+) (\S+)"
)
MAX_COMPONENTS_LINE = 10_000


@dataclass(slots=True)
class Epoch:
    """One epoch of the standard log: its number, line, duration (s) and power (W) by component and device."""

    number: int
    line: int
    duration_s: float | None = None
    duration_text: str = ""
    power: dict[str, list[float] | None] = field(default_factory=dict)
    power_text: dict[str, str] = field(default_factory=dict)
    logged_at: str = ""  # the local time the epoch's end was logged, to the second


@dataclass(frozen=True, slots=True)
class Block:
    """A consumption block of the output log."""

    kind: str  # "Actual" or "Predicted"
    epochs: int | None
    time_s: float
    energy: float
    energy_unit: str
    energy_text: str
    co2: float
    co2_unit: str
    co2_text: str


def _messages(file: SourceFile) -> Iterator[tuple[int, str, str]]:
    """(line number, message, local time as written or '') with continuation lines as their own messages."""
    for n, raw in enumerate(io.StringIO(file.text()), start=1):
        match = _LINE.match(raw.rstrip("\r\n"))
        yield (n, match.group(2), match.group(1)) if match else (n, raw.strip(), "")


def _hms(h: str, m: str, s: str) -> float:
    return int(h) * 3600 + int(m) * 60 + float(s)


def read_standard(file: SourceFile) -> tuple[str | None, tuple[float, int] | None, dict[str, list[str]], list[Epoch]]:
    """Version, PUE factor (with its line), devices by component and the epochs of a standard log."""
    version, pue, devices, epochs = None, None, dict[str, list[str]](), list[Epoch]()
    for n, line_text, stamp in _messages(file):
        if (m := _VERSION.match(line_text)) and version is None:
            version = m.group(1)
        elif (m := _PUE.search(line_text)) and pue is None:
            pue = (float(m.group(1)), n)
        elif (m := _COMPONENTS.match(line_text)) and not devices and len(line_text) <= MAX_COMPONENTS_LINE:
            devices = {c.lower(): [d.strip() for d in ds.split(",")] for c, ds in _DEVICE.findall(m.group(1))}
        elif m := _EPOCH.match(line_text):
            if len(epochs) >= MAX_EPOCHS:
                raise InputError(f"{file.path}: more than {MAX_EPOCHS:,} epochs")
            epochs.append(Epoch(int(m.group(1)), n, logged_at=stamp))
        elif (m := _DURATION.match(line_text)) and epochs and epochs[-1].duration_s is None:
            epochs[-1].duration_s, epochs[-1].duration_text = _hms(*m.groups()), line_text.removeprefix("Duration: ")
        elif (m := _POWER.match(line_text)) and epochs:
            epochs[-1].power[m.group(1).lower()] = _powers(m.group(2), file.path, n)
            epochs[-1].power_text[m.group(1).lower()] = m.group(2).strip()[:200]
    return version, pue, devices, epochs


def _powers(text: str, path: str, line: int) -> list[float] | None:
    text = text.strip()
    if text == "None":
        return None
    try:
        values = [float(x) for x in text.strip("[]").split()]
    except ValueError:
        raise InputError(f"{path}, line {line}: {text[:40]!r} is not a power in W") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise InputError(f"{path}, line {line}: {text[:40]!r} is not a power in W")
    return values


def read_output(file: SourceFile) -> list[Block]:
    """The consumption blocks of an output log."""
    text = "\n".join(line_text for _, line_text, _ in _messages(file))
    blocks = []
    for m in _BLOCK.finditer(text):
        kind, epochs, time, energy, e_unit, co2, c_unit = m.groups()
        negative = time.startswith("-")
        seconds = _hms(*time.lstrip("-").split(":")) * (-1 if negative else 1)
        try:
            values = float(energy), float(co2)
        except ValueError:
            raise InputError(f"{file.path}: {kind} consumption holds a value that is not a number") from None
        if not all(math.isfinite(v) for v in values):
            raise InputError(f"{file.path}: {kind} consumption holds a value that is not finite")
        blocks.append(
            Block(kind, int(epochs) if epochs else None, seconds, values[0], e_unit, energy, values[1], c_unit, co2)
        )
    return blocks
