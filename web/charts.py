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


def _render(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=150 if fmt == "png" else 72)
    plt.close(fig)
    return buffer.getvalue()


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
        else:
            ax.set_xticks(range(len(chart.labels)), chart.labels)
        ax.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
        if len(chart.series) > 1:
            ax.legend(frameon=False, fontsize=8)
        return _render(fig, fmt)


def survival_curve(chart: Curve, fmt: str = "svg") -> bytes:
    with _LOCK:
        fig, ax = plt.subplots(figsize=(5.6, 2.8))
        last = max([*chart.days, *(d for d, _ in chart.milestones)], default=365)
        xs = [0, *chart.days, last]
        ys = [1.0, *chart.survival, chart.survival[-1] if chart.survival else 1.0]
        ax.step(xs, [y * 100 for y in ys], where="post", color=BLUE, linewidth=2)
        for day, text in chart.milestones:
            ax.axvline(day, color=GREY, linestyle=":", linewidth=1)
            ax.text(day, 3, f" {text}", fontsize=8, color=GREY)
        ax.set_ylim(0, 105)
        ax.set_xlim(0, last)
        ax.set_xlabel(chart.x_label)
        ax.set_ylabel(chart.y_label)
        ax.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
        return _render(fig, fmt)
