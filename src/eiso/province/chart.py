"""Charts as inline SVG drawn here: no script, nothing the page's CSP would refuse, printable."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

COLOURS = {"ok": "#2e7d32", "warn": "#ef6c00", "bad": "#c62828", "none": "#9e9e9e", "bar": "#1565c0"}


@dataclass(frozen=True)
class Segment:
    value: int
    colour: str  # a key of COLOURS
    label: str


def stacked_bars(title: str, rows: list[tuple[str, list[Segment]]], legend: list[Segment]) -> str:
    """One horizontal stacked bar per row (label, segments), scaled to the largest total."""
    label_width, bar_width, height, gap = 150, 420, 16, 6
    total = max((sum(s.value for s in segments) for _, segments in rows), default=0) or 1
    top = 26
    parts = []
    for index, (label, segments) in enumerate(rows):
        y = top + index * (height + gap)
        parts.append(f'<text x="{label_width - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>')
        x = float(label_width)
        for segment in segments:
            width = bar_width * segment.value / total
            if width > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{height}" fill="{COLOURS[segment.colour]}">'
                             f'<title>{escape(label)}: {escape(segment.label)} {segment.value}</title></rect>')
            x += width
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 12}">{sum(s.value for s in segments)}</text>')
    legend_y = top + len(rows) * (height + gap) + 8
    x = label_width
    for segment in legend:
        parts.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{COLOURS[segment.colour]}"/>'
                     f'<text x="{x + 16}" y="{legend_y + 10}">{escape(segment.label)}</text>')
        x += 20 + 7 * len(segment.label)
    full_height = legend_y + 24
    return _svg(title, max(label_width + bar_width + 60, 7 * len(title)), full_height, parts)


def column_chart(title: str, columns: list[Segment]) -> str:
    """Vertical bars (one per revision), value above each bar."""
    plot_height, bar, gap, left = 160, 40, 60, 50
    width = max(left + len(columns) * (bar + gap), 7 * len(title))
    top = 30
    most = max((c.value for c in columns), default=0) or 1
    parts = []
    for index, column in enumerate(columns):
        x = left + index * (bar + gap)
        h = plot_height * column.value / most
        y = top + plot_height - h
        parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{COLOURS[column.colour]}">'
                     f'<title>{escape(column.label)}: {column.value}</title></rect>')
        parts.append(f'<text x="{x + bar / 2}" y="{y - 4:.1f}" text-anchor="middle">{column.value}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{top + plot_height + 16}" text-anchor="middle">{escape(column.label)}</text>')
    return _svg(title, width, top + plot_height + 28, parts)


def _svg(title: str, width: float, height: float, parts: list[str]) -> str:
    return (f'<svg class="eiso-chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" font-size="11" '
            f'font-family="sans-serif"><title>{escape(title)}</title>'
            f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>{"".join(parts)}</svg>')
