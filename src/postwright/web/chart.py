"""A stacked bar chart of credits used per day and kind, drawn as SVG on the server."""

from __future__ import annotations

from dataclasses import dataclass

from postwright.domain.billing.usage_report import DailyUsage

PALETTE = ("#4338ca", "#0891b2", "#16a34a", "#ea580c", "#db2777", "#7c3aed", "#64748b")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 720, 220, 36, 24, 10, 24


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # y position, value
    labels: list[tuple[float, str]]  # x position, date label
    keys: list[tuple[str, str]]  # kind, colour
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = HEIGHT - BOTTOM


def label(kind: str) -> str:
    """``generate_post_content`` → ``generate post content``."""
    return kind.replace("_", " ").replace("-", " ")


def _nice_top(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000):
        if value <= step * 4:
            return step * 4
    return value


def build(usage: DailyUsage) -> Chart:
    totals = usage.totals
    top = _nice_top(max(totals) if totals else 0)
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT - RIGHT) / max(len(usage.days), 1)
    colors = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(usage.kinds)}
    bars: list[Bar] = []
    for i, day in enumerate(usage.days):
        y: float = HEIGHT - BOTTOM
        for kind in usage.kinds:
            used = usage.used[kind][i]
            if not used:
                continue
            h = plot_h * used / top
            y -= h
            bars.append(
                Bar(
                    x=LEFT + i * slot + slot * 0.15,
                    y=y,
                    width=slot * 0.7,
                    height=h,
                    color=colors[kind],
                    title=f"{day.isoformat()}: {used} credits for {label(kind)}",
                )
            )
    ticks = [(HEIGHT - BOTTOM - plot_h * n / 4, top * n // 4) for n in range(5)]
    labels = [
        (LEFT + i * slot + slot / 2, day.strftime("%d %b"))
        for i, day in enumerate(usage.days)
        if i % 5 == 0 or i == len(usage.days) - 1
    ]
    keys = [(label(k), c) for k, c in colors.items()]
    return Chart(bars=bars, ticks=ticks, labels=labels, keys=keys)
