"""The power-over-time chart: lay a trace's power series (read by :mod:`une_eval.traces`) out as SVG geometry.

The template draws the SVG from these numbers (so every label passes through autoescaping);
nothing here formats markup. Traces follow docs/traces.md (``time_unix_ns``, ``power_instant_mw``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the trace readers (numpy) load only when a certificate has traces to chart
    from une_eval.traces import PowerSeries

MAX_POINTS = 400
COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c", "#3b3838")


@dataclass(frozen=True, slots=True)
class Line:
    """One device's polyline in chart coordinates."""

    label: str
    colour: str
    points: str


@dataclass(frozen=True, slots=True)
class Tick:
    """An axis tick: position in chart coordinates and its value."""

    pos: float
    value: float


@dataclass(frozen=True, slots=True)
class RunWindow:
    """A measured run's time window, in Unix nanoseconds, and whether it completed."""

    index: int
    start_unix_ns: int
    end_unix_ns: int
    complete: bool


@dataclass(frozen=True, slots=True)
class Band:
    """A run's window shaded on the chart (chart coordinates), marked when the run failed."""

    index: int
    x0: float
    x1: float
    failed: bool


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything the template needs to draw the chart."""

    width: float
    height: float
    left: float
    bottom: float
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    bands: tuple[Band, ...] = ()


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``high`` (steps of 1, 2 or 5 times a power of ten)."""
    raw = high / count
    if not 1e-9 <= raw <= 1e15:  # nothing sensible to scale: zero, denormal or absurd values (NaN too)
        return [0.0, 1.0]
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(high / step) + 1)]


def layout_chart(
    series: list[tuple[str, PowerSeries]],
    *,
    runs: list[RunWindow] | None = None,
    width: float = 480,
    height: float = 170,
    left: float = 44,
    bottom: float = 22,
) -> Chart | None:
    """Scale the series into a ``width`` x ``height`` box with axes; None when there is nothing to draw.

    Every series is placed on one time axis from the earliest first sample; each run's window that the
    axis reaches is shaded (clipped to the plot), a failed run marked.
    """
    series = [(label, s) for label, s in series if s.time_s]
    if not series:
        return None
    origin_ns = min(s.start_unix_ns for _, s in series)
    offsets = [(s.start_unix_ns - origin_ns) * 1e-9 for _, s in series]
    x_ticks = nice_ticks(max(off + s.time_s[-1] for off, (_, s) in zip(offsets, series, strict=True)))
    y_ticks = nice_ticks(max(max(s.power_w) for _, s in series))
    plot_w, plot_h = width - left - 8, height - bottom - 8

    def x(v: float) -> float:
        return left + plot_w * min(max(v, 0.0), x_ticks[-1]) / x_ticks[-1]

    def y(v: float) -> float:
        return 8 + plot_h * (1 - v / y_ticks[-1])

    lines = tuple(
        Line(
            label,
            COLOURS[i % len(COLOURS)],
            " ".join(f"{x(off + t):.1f},{y(p):.1f}" for t, p in zip(s.time_s, s.power_w, strict=True)),
        )
        for i, ((label, s), off) in enumerate(zip(series, offsets, strict=True))
    )
    bands = tuple(
        Band(r.index, x((r.start_unix_ns - origin_ns) * 1e-9), x((r.end_unix_ns - origin_ns) * 1e-9), not r.complete)
        for r in runs or ()
        if r.end_unix_ns > origin_ns and (r.start_unix_ns - origin_ns) * 1e-9 < x_ticks[-1]
    )
    return Chart(
        width,
        height,
        left,
        bottom,
        lines,
        tuple(Tick(x(v), v) for v in x_ticks),
        tuple(Tick(y(v), v) for v in y_ticks),
        bands,
    )
