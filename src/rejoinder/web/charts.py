"""The Stats page's chart: inline SVG made on the server (no script, no third party).

Stacked bars per day (published, held, filed as spam, discarded) on the left axis and the
engine's accuracy as a line on the right axis (0-100 %). Every bar has a ``<title>`` (the
browser's tooltip) and ``data-*`` attributes; the page also shows the same numbers as a table,
which is what screen readers and tests read.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from rejoinder.storage.stats import DayCounts

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 48, 12, 32
SERIES = (  # counter, string key, colour (4.5:1 or better on white)
    ("published", "published", "#2e7d32"),
    ("held", "held", "#8a5a00"),
    ("spam", "filed", "#c62828"),
    ("discarded", "discarded", "#555555"),
)
ACCURACY_COLOUR = "#1565c0"


def nice_ceiling(value: int) -> int:
    """A round axis top at or above value: 1, 2, 5, 10, 20, 50, …"""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def _text(x: float, y: float, label: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" '
        f'fill="#333333">{escape(label)}</text>'
    )


def _axes(top: int, plot_w: float, plot_h: float, days: list[DayCounts]) -> list[str]:
    parts = [
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="#767676"/>'
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + plot_h * (1 - fraction)
        parts.append(_text(LEFT - 6, y + 4, f"{round(top * fraction)}", "end"))
        parts.append(_text(LEFT + plot_w + 6, y + 4, f"{round(100 * fraction)}%", "start"))
        if fraction:
            parts.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                'stroke="#dddddd"/>'
            )
    slot = plot_w / len(days)
    for index in sorted({0, len(days) // 2, len(days) - 1}):
        parts.append(_text(LEFT + slot * (index + 0.5), HEIGHT - 10, days[index].day[5:]))
    return parts


def _bars(
    days: list[DayCounts], top: int, plot_w: float, plot_h: float, t: dict[str, str]
) -> list[str]:
    slot = plot_w / len(days)
    width = max(1.0, slot * 0.7)
    parts = []
    for index, day in enumerate(days):
        x = LEFT + slot * index + (slot - width) / 2
        base = TOP + plot_h
        for counter, key, colour in SERIES:
            count = int(getattr(day, counter))
            if not count:
                continue
            height = plot_h * count / top
            base -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{width:.1f}" height="{height:.1f}" '
                f'fill="{colour}" data-day="{day.day}" data-kind="{counter}" data-count="{count}">'
                f"<title>{escape(day.day)}: {count} {escape(t[key])}</title></rect>"
            )
    return parts


def _accuracy(days: list[DayCounts], plot_w: float, plot_h: float) -> list[str]:
    slot = plot_w / len(days)
    points = [
        (LEFT + slot * (i + 0.5), TOP + plot_h * (1 - d.accuracy))
        for i, d in enumerate(days)
        if d.accuracy is not None
    ]
    if not points:
        return []
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{ACCURACY_COLOUR}"/>' for x, y in points
    )
    return [
        f'<polyline points="{line}" fill="none" stroke="{ACCURACY_COLOUR}" stroke-width="2" '
        f'data-kind="accuracy"/>',
        dots,
    ]


def stats_chart(days: list[DayCounts], title: str, description: str, t: dict[str, str]) -> Markup:
    """The whole ``<svg>`` element, safe to put in a page as it is."""
    top = nice_ceiling(max((d.total for d in days), default=0) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rm-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-labelledby="chart-t chart-d" data-top="' + str(top) + '">',
        f'<title id="chart-t">{escape(title)}</title><desc id="chart-d">{escape(description)}</desc>',
        *_axes(top, plot_w, plot_h, days),
        *_bars(days, top, plot_w, plot_h, t),
        *_accuracy(days, plot_w, plot_h),
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped or a number
