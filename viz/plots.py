"""Small SVG plots written directly, without Graphviz: a loss curve and a two-input decision boundary."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from viz.labels import number

WIDTH, HEIGHT, MARGIN = 360, 220, 44
GRID = 30  # cells per side of the decision-boundary picture
LOW, HIGH = (59, 111, 182), (214, 39, 40)  # the colours of the two classes: blue below the midpoint, red above


def loss_plot(losses: Sequence[float], *, title: str = "loss") -> str:
    """The loss at each step as an SVG line plot, with the first and last loss written on it."""
    if not losses:
        raise ValueError("loss_plot: no losses to plot")
    finite = [x for x in losses if math.isfinite(x)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    span = high - low or 1.0
    width, height = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    last = max(len(losses) - 1, 1)
    points = " ".join(
        f"{MARGIN + width * i / last:.1f},{MARGIN + height * (1 - (x - low) / span):.1f}"
        for i, x in enumerate(losses)
        if math.isfinite(x)
    )
    labels = [
        _text(MARGIN - 6, MARGIN + 4, number(high, 4), "end"),
        _text(MARGIN - 6, MARGIN + height + 4, number(low, 4), "end"),
        _text(MARGIN, MARGIN + height + 16, "0", "middle"),
        _text(MARGIN + width, MARGIN + height + 16, str(len(losses) - 1), "middle"),
        _text(MARGIN + width / 2, MARGIN + height + 32, "step", "middle"),
        _text(MARGIN, MARGIN - 14, f"{title}: {number(losses[0], 4)} → {number(losses[-1], 4)}", "start"),
    ]
    return _svg(
        f'<rect x="{MARGIN}" y="{MARGIN}" width="{width}" height="{height}" fill="#fafafa" stroke="#999"/>'
        f'<polyline points="{points}" fill="none" stroke="#d62728" stroke-width="2"/>' + "".join(labels),
        f"{title} over {len(losses)} steps",
    )


def boundary_plot(
    predict: Callable[[float, float], float], points: Sequence[tuple[float, float, float]], *, title: str = ""
) -> str:
    """predict over the square around points, coloured by side of the targets' midpoint, the points on top."""
    if not points:
        raise ValueError("boundary_plot: no points to draw")
    xs, ys, targets = zip(*points)
    x0, x1 = _padded(min(xs), max(xs))
    y0, y1 = _padded(min(ys), max(ys))
    middle = (min(targets) + max(targets)) / 2
    size = HEIGHT - 2 * MARGIN + 40
    cell = size / GRID
    cells = []
    for row in range(GRID):
        for col in range(GRID):
            x = x0 + (x1 - x0) * (col + 0.5) / GRID
            y = y1 - (y1 - y0) * (row + 0.5) / GRID
            colour = _shade(predict(x, y) - middle)
            cells.append(
                f'<rect x="{MARGIN + col * cell:.2f}" y="{20 + row * cell:.2f}" width="{cell + 0.5:.2f}" '
                f'height="{cell + 0.5:.2f}" fill="{colour}"/>'
            )
    dots = []
    for x, y, t in points:
        cx = MARGIN + size * (x - x0) / (x1 - x0)
        cy = 20 + size * (y1 - y) / (y1 - y0)
        fill = _hex(HIGH if t > middle else LOW)
        dots.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="{fill}" stroke="white" stroke-width="1"/>')
    frame = f'<rect x="{MARGIN}" y="20" width="{size:.0f}" height="{size:.0f}" fill="none" stroke="#999"/>'
    frame += _text(MARGIN, 14, title or "decision boundary", "start")
    body = f'<g shape-rendering="crispEdges">{"".join(cells)}</g>{frame}{"".join(dots)}'
    return _svg(body, title or "decision boundary", width=int(size) + 2 * MARGIN)


def _padded(low: float, high: float) -> tuple[float, float]:
    pad = (high - low) * 0.1 or 0.5
    return low - pad, high + pad


def _shade(score: float) -> str:
    """A pale colour of the class score's side, paler near the boundary (score 0)."""
    strength = min(abs(score), 1.0) * 0.45 + 0.12
    r, g, b = HIGH if score > 0 else LOW
    return _hex(tuple(round(255 - (255 - c) * strength) for c in (r, g, b)))


def _hex(rgb: tuple[int, ...]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _text(x: float, y: float, text: str, anchor: str) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11">{escape(text)}</text>'


def _svg(body: str, title: str, *, width: int = WIDTH) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" width="{width}" height="{HEIGHT}" '
        f'role="img" font-family="Helvetica,Arial,sans-serif"><title>{escape(title)}</title>{body}</svg>'
    )
