"""Small line charts as inline SVG, drawn in Python: the pages' policy forbids inline script."""

from __future__ import annotations

from html import escape

from eiso.documents.durations import format_number

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 320, 140, 36, 14, 30


def line_chart(points: list[tuple[str, float]], label: str) -> str:
    """An SVG line chart of (period, value) points; ``label`` is its accessible name."""
    if not points:
        return ""
    values = [value for _, value in points]
    low, high = min(values), max(values)
    if high == low:  # a flat series still needs a vertical scale
        low, high = low - 1, high + 1
    step = (WIDTH - 2 * PAD_X) / max(len(points) - 1, 1)
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM

    def xy(index: int, value: float) -> tuple[float, float]:
        x = PAD_X + index * step if len(points) > 1 else WIDTH / 2
        return round(x, 1), round(PAD_TOP + (high - value) / (high - low) * plot, 1)

    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    parts = [f'<svg class="eiso-chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(label)}</title>',
             f'<line x1="{PAD_X}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_X}" y2="{HEIGHT - PAD_BOTTOM}" stroke="#999"/>']
    if len(coords) > 1:
        path = " ".join(f"{x},{y}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#c62828" stroke-width="2"/>')
    for (x, y), (period, value) in zip(coords, points):
        shown = escape(format_number(value))
        parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="#c62828"><title>{escape(period)}: {shown}</title></circle>')
        parts.append(f'<text x="{x}" y="{max(y - 6, 10)}" font-size="10" text-anchor="middle">{shown}</text>')
        parts.append(f'<text x="{x}" y="{HEIGHT - 10}" font-size="10" text-anchor="middle">{escape(period)}</text>')
    parts.append("</svg>")
    return "".join(parts)
