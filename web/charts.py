"""The dashboard's charts, drawn by matplotlib on the server (no JavaScript, no CDN).

SVG for the pages (shown as images; each chart has a table beside it for screen readers)
and PNG for the PDF report. Texts come in already translated: this module knows no Flask.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on a server

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

# pyplot keeps global state; one chart at a time per process keeps threads from mixing figures.
_LOCK = threading.Lock()
BLUE, GREEN, GREY, ORANGE = "#1f5fa8", "#2e7d4f", "#6b7280", "#b45309"
plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "none",
                     "axes.spines.top": False, "axes.spines.right": False})


@dataclass(frozen=True)
class Bars:
    title: str
    labels: Sequence[str]
    series: Sequence[tuple[str, Sequence[float]]]  # (name, one value per label)
    horizontal: bool = False


@dataclass(frozen=True)
class Curve:
    title: str
    x_label: str
    y_label: str
    days: Sequence[int]
    survival: Sequence[float]
    milestones: Sequence[tuple[int, str]]  # (day, label) drawn as dotted lines
    observed_until: int | None = None  # the longest match seen: nothing is drawn beyond it
    censored: Sequence[tuple[int, float]] = ()  # (day, share) where a still-running match was last seen
    censored_label: str = ""  # the legend's words for the marks
    few_after: int | None = None  # beyond this day fewer than a handful are followed: drawn dashed
    few_label: str = ""


def _render(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=150 if fmt == "png" else 72)
    plt.close(fig)
    return buffer.getvalue()


def _whole_numbers(axis) -> None:  # noqa: ANN001
    # Counts: ticks on whole numbers only, so no tick ever needs a decimal separator.
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}"))


def bars(chart: Bars, fmt: str = "svg") -> bytes:
    with _LOCK:
        height = max(2.2, 0.45 * len(chart.labels) + 1) if chart.horizontal else 2.8
        fig, ax = plt.subplots(figsize=(5.6, height))
        n = max(1, len(chart.series))
        width = 0.8 / n
        colours = (BLUE, GREEN, ORANGE, GREY)
        for i, (name, values) in enumerate(chart.series):
            positions = [p - 0.4 + width * (i + 0.5) for p in range(len(chart.labels))]
            draw = ax.barh if chart.horizontal else ax.bar
            drawn = draw(positions, values, width * 0.95, label=name, color=colours[i % len(colours)])
            ax.bar_label(drawn, fmt="%g", padding=2, fontsize=8)
        if chart.horizontal:
            ax.set_yticks(range(len(chart.labels)), chart.labels)
            ax.invert_yaxis()
            _whole_numbers(ax.xaxis)
        else:
            ax.set_xticks(range(len(chart.labels)), chart.labels)
            _whole_numbers(ax.yaxis)
        ax.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
        if len(chart.series) > 1:
            ax.legend(frameon=False, fontsize=8)
        return _render(fig, fmt)


@dataclass(frozen=True)
class CurveLines:
    """What a survival chart draws, in data units (days, share 0..1)."""

    solid: list[tuple[float, float]]
    dashed: list[tuple[float, float]]  # the tail that rests on a few matches
    marks: list[tuple[float, float]]  # censored: still running when last seen
    last: int  # the x axis ends here: the longest observation


def curve_lines(chart: Curve) -> CurveLines:
    """The step curve from day 0 to the longest observation and not beyond; marks on it."""
    last = chart.observed_until if chart.observed_until is not None else max(chart.days, default=0)
    last = max(last, 1)
    steps = [(d, s) for d, s in zip(chart.days, chart.survival, strict=True) if d <= last]
    points = [(0, 1.0), *steps, (last, steps[-1][1] if steps else 1.0)]
    cut = chart.few_after if chart.few_after is not None and 0 < chart.few_after < last else None
    if cut is None:
        solid, dashed = points, []
    else:
        at_cut = [y for x, y in points if x <= cut][-1]
        solid = [(x, y) for x, y in points if x <= cut] + [(cut, at_cut)]
        dashed = [(cut, at_cut)] + [(x, y) for x, y in points if x > cut]
    marks = [(d, share) for d, share in chart.censored if 0 <= d <= last]
    return CurveLines(solid=solid, dashed=dashed, marks=marks, last=last)


def survival_curve(chart: Curve, fmt: str = "svg") -> bytes:
    """A Kaplan–Meier step curve drawn only as far as matches were observed, with a mark where
    a still-running match was last seen (censored), the way survival curves are drawn."""
    lines = curve_lines(chart)
    with _LOCK:
        fig, ax = plt.subplots(figsize=(5.6, 2.8))
        ax.step([x for x, _y in lines.solid], [y * 100 for _x, y in lines.solid], where="post", color=BLUE,
                linewidth=2)
        if lines.dashed:
            # The tail rests on a few matches: the same curve, dashed, so nobody reads it as firm.
            ax.step([x for x, _y in lines.dashed], [y * 100 for _x, y in lines.dashed], where="post", color=BLUE,
                    linewidth=1.5, linestyle="--", label=chart.few_label or None)
        if lines.marks:
            ax.plot([x for x, _y in lines.marks], [y * 100 for _x, y in lines.marks], linestyle="none",
                    marker="|", markersize=9, markeredgewidth=1.5, color=BLUE, label=chart.censored_label or None)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=8, loc="lower left")
        for day, text in chart.milestones:
            if day <= lines.last:
                ax.axvline(day, color=GREY, linestyle=":", linewidth=1)
                ax.text(day, 101, f" {text}", fontsize=8, color=GREY, va="bottom")
        ax.set_ylim(0, 112)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_xlim(0, lines.last * 1.02)
        _whole_numbers(ax.xaxis)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}"))
        ax.set_xlabel(chart.x_label)
        ax.set_ylabel(chart.y_label)
        ax.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
        return _render(fig, fmt)


@dataclass(frozen=True)
class Lines:
    """Counts over time, one line per series (e.g. active volunteers per programme)."""

    title: str
    labels: Sequence[str]  # the x axis, e.g. months
    series: Sequence[tuple[str, Sequence[float]]]


def lines(chart: Lines, fmt: str = "svg") -> bytes:
    with _LOCK:
        fig, ax = plt.subplots(figsize=(5.6, 2.8))
        colours = (BLUE, GREEN, ORANGE, GREY)
        styles = ("-", "--", "-.", ":")
        for i, (name, values) in enumerate(chart.series):
            # Colour and line style both differ, so the lines are told apart without colour too.
            ax.plot(range(len(values)), values, label=name, color=colours[i % len(colours)],
                    linestyle=styles[(i // len(colours) + i) % len(styles)], marker="o", markersize=3, linewidth=2)
        step = max(1, len(chart.labels) // 6)
        ax.set_xticks(range(0, len(chart.labels), step), [chart.labels[i] for i in range(0, len(chart.labels), step)])
        _whole_numbers(ax.yaxis)
        ax.set_ylim(bottom=0)
        ax.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
        if chart.series:
            ax.legend(frameon=False, fontsize=8)
        return _render(fig, fmt)
