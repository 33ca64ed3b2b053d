"""Small SVG plots written directly, without Graphviz: a loss curve and a two-input decision boundary."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Any

from viz.labels import number

Label = tuple[float, float, str, str]  # x, y, text and text-anchor of a text element

WIDTH, HEIGHT, MARGIN = 360, 220, 44
FONT = 11  # the labels' size in pixels
GRID, SIZE = 30, 172  # the decision-boundary picture: cells per side, and the side in pixels
MAX_SIDE = 2000  # cells or pixels per side: 4 million predictions are minutes of a scalar engine
LOW, HIGH = (59, 111, 182), (214, 39, 40)  # the colours of the two classes: blue below the midpoint, red above
# class 0, 1, 2, ... of class scores: the two classes' colours, then matplotlib's tab10 colours that remain
CLASSES = (LOW, HIGH, (44, 160, 44), (255, 127, 14), (148, 103, 189), (140, 86, 75), (227, 119, 194), (23, 190, 207))


def loss_plot(losses: Sequence[float], *, title: str = "loss") -> str:
    """The loss at each step as an SVG line plot, its lowest and highest loss on the y-axis and the first and last
    in its title."""
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
    ticks = [(high, MARGIN + 4)] if high > low else []  # a flat loss has one tick, where its line is
    labels = [
        *((MARGIN - 6, y, number(x, 4), "end") for x, y in [*ticks, (low, MARGIN + height + 4)]),
        (MARGIN, MARGIN + height + 16, "0", "middle"),
        (MARGIN + width, MARGIN + height + 16, str(len(losses) - 1), "middle"),
        (MARGIN + width / 2, MARGIN + height + 32, "step", "middle"),
        (MARGIN, MARGIN - 14, f"{title}: {number(losses[0], 4)} → {number(losses[-1], 4)}", "start"),
    ]
    return _svg(
        f'<rect x="{MARGIN}" y="{MARGIN}" width="{width}" height="{height}" fill="#fafafa" stroke="#999"/>'
        f'<polyline points="{points}" fill="none" stroke="#d62728" stroke-width="2"/>',
        labels,
        f"{title} over {len(losses)} steps",
    )


def has_curve(losses: Sequence[float]) -> bool:
    """Whether loss_plot draws a line: two finite losses or more (one is a dot, which says nothing)."""
    return sum(math.isfinite(x) for x in losses) >= 2


def has_boundary(points: Sequence[tuple[float, float, float]]) -> bool:
    """Whether boundary_plot has a boundary to show: points of two targets or classes or more."""
    return len({target for _, _, target in points}) >= 2


def boundary_plot(
    predict: Callable[[float, float], float | Sequence[float]],
    points: Sequence[tuple[float, float, float]],
    *,
    title: str = "",
    size: int = SIZE,
    grid: int = GRID,
) -> str:
    """predict on a grid of grid × grid cells over the square around points, the points (x, y, target) on top.

    predict(x, y) is a score, coloured by its side of the targets' midpoint, or a list of class scores,
    coloured by the largest; a point's target is then its class index. size: the square's side in pixels.
    """
    for what, n, low in (("size", size, 10), ("grid", grid, 1)):
        if isinstance(n, bool) or not isinstance(n, int) or not low <= n <= MAX_SIDE:
            raise ValueError(f"boundary_plot: {what} must be a whole number from {low} to {MAX_SIDE}, got {n!r}")
    if not points:
        raise ValueError("boundary_plot: no points to draw")
    xs, ys, targets = zip(*_finite(points))
    x0, x1, y0, y1 = extent(points)
    first = _scores(predict, xs[0], ys[0], None)
    shade, dot = _colouring(first, targets)
    cell = size / grid
    cells = []
    for row in range(grid):
        y = y1 - (y1 - y0) * (row + 0.5) / grid
        fills = [shade(_scores(predict, x0 + (x1 - x0) * (col + 0.5) / grid, y, first)) for col in range(grid)]
        for start, count, fill in _runs(fills):  # a run of one colour is one rectangle: a fine grid stays small
            cells.append(
                f'<rect x="{MARGIN + start * cell:.2f}" y="{20 + row * cell:.2f}" width="{count * cell + 0.5:.2f}" '
                f'height="{cell + 0.5:.2f}" fill="{fill}"/>'
            )
    dots = []
    for x, y, t in points:
        cx = MARGIN + size * (x - x0) / (x1 - x0)
        cy = 20 + size * (y1 - y) / (y1 - y0)
        dots.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="{dot(t)}" stroke="white" stroke-width="1"/>')
    frame = f'<rect x="{MARGIN}" y="20" width="{size:.0f}" height="{size:.0f}" fill="none" stroke="#999"/>'
    body = f'<g shape-rendering="crispEdges">{"".join(cells)}</g>{frame}{"".join(dots)}'
    heading = title or "decision boundary"
    return _svg(body, [(MARGIN, 14, heading, "start")], heading, width=size + 2 * MARGIN, height=size + 48)


def extent(points: Sequence[tuple[float, float, float]]) -> tuple[float, float, float, float]:
    """The square's sides around points (x, y, target) that a decision boundary is drawn over: x0, x1, y0, y1."""
    xs, ys, _ = zip(*_finite(points))
    x0, x1 = _padded(min(xs), max(xs))
    y0, y1 = _padded(min(ys), max(ys))
    if not math.isfinite(x1 - x0) or not math.isfinite(y1 - y0):
        raise ValueError("boundary_plot: the points span more than a float can hold")
    return x0, x1, y0, y1


def colours(classes: int | None) -> list[str]:
    """The colours of a boundary's sides (None: a score's, below and above the targets' midpoint) or classes."""
    return [_hex(c) for c in ((LOW, HIGH) if classes is None else CLASSES[:classes])]


def _finite(points: Sequence[tuple[float, float, float]]) -> Sequence[tuple[float, float, float]]:
    """points, or a ValueError naming the first with a coordinate or target that is not a finite number."""
    for i, point in enumerate(points):
        if not all(isinstance(c, numbers.Real) and math.isfinite(c) for c in point):
            raise ValueError(
                f"boundary_plot: point {i} is {tuple(point)!r}; its x, y and target must be finite numbers"
            )
    return points


def _scores(predict: Callable[[float, float], Any], x: float, y: float, like: Any) -> float | list[float]:
    """predict(x, y) as a finite score or a list of finite class scores, of the same kind as like (None: any)."""
    got = predict(x, y)
    at = f"predict({x:.6g}, {y:.6g})"
    if isinstance(got, numbers.Real) and not isinstance(got, bool) and not isinstance(like, list):
        if not math.isfinite(got):
            raise ValueError(f"boundary_plot: {at} gave {got!r}; a score must be a finite number")
        return float(got)
    if isinstance(got, str | bytes) or not isinstance(got, Iterable) or isinstance(like, float):
        kind = "a number" if isinstance(like, float) else "a number or a list of class scores"
        raise TypeError(f"boundary_plot: {at} must give {kind}, got {type(got).__name__}: {got!r}")
    scores = list(got)
    if like is not None and len(scores) != len(like):
        raise ValueError(f"boundary_plot: {at} gave {len(scores)} class scores, but {len(like)} at the first point")
    if not all(isinstance(s, numbers.Real) and math.isfinite(s) for s in scores):
        raise ValueError(f"boundary_plot: {at} gave {scores!r}; a class score must be a finite number")
    return [float(s) for s in scores]


def _runs(items: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, length, item) of each run of equal items, in order."""
    runs: list[tuple[int, int, str]] = []
    for i, item in enumerate(items):
        if runs and runs[-1][2] == item:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1, item)
        else:
            runs.append((i, 1, item))
    return runs


def _colouring(
    first: float | Sequence[float], targets: Sequence[float]
) -> tuple[Callable[[Any], str], Callable[[Any], str]]:
    """(the colour of a prediction, the colour of a point's target), for a score or for class scores like first."""
    if isinstance(first, float):
        middle = (min(targets) + max(targets)) / 2
        return (lambda score: _shade(score - middle)), (lambda t: _hex(HIGH if t > middle else LOW))
    count = len(first)
    if not 2 <= count <= len(CLASSES):
        raise ValueError(f"boundary_plot: colours 2 to {len(CLASSES)} classes, got {count} class scores")
    bad = next((t for t in targets if isinstance(t, bool) or t not in range(count)), None)
    if bad is not None:
        raise ValueError(f"boundary_plot: a point's class must be a whole number from 0 to {count - 1}, got {bad!r}")
    return (lambda scores: _pale(CLASSES[_largest(scores)], 0.4)), (lambda t: _hex(CLASSES[int(t)]))


def _largest(scores: Sequence[float]) -> int:
    return max(range(len(scores)), key=scores.__getitem__)


def _padded(low: float, high: float) -> tuple[float, float]:
    pad = (high - low) * 0.1 or 0.5
    return low - pad, high + pad


def _shade(score: float) -> str:
    """A pale colour of the class score's side, paler near the boundary (score 0)."""
    return _pale(HIGH if score > 0 else LOW, min(abs(score), 1.0) * 0.45 + 0.12)


def _pale(rgb: tuple[int, int, int], strength: float) -> str:
    """rgb mixed with white: strength 1 is rgb itself, 0 white."""
    return _hex(tuple(round(255 - (255 - c) * strength) for c in rgb))


def _hex(rgb: tuple[int, ...]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _svg(shapes: str, labels: Sequence[Label], title: str, *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """An SVG of shapes and labels, widened at either side as far as a label reaches, so that none is cut."""
    spans = [_span(x, text, anchor) for x, _, text, anchor in labels]
    left = math.floor(min([0.0, *(start for start, _ in spans)]))
    right = math.ceil(max([float(width), *(end for _, end in spans)]))
    texts = "".join(
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT}">{escape(text)}</text>'
        for x, y, text, anchor in labels
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left} 0 {right - left} {height}" width="{right - left}" '
        f'height="{height}" role="img" font-family="Helvetica,Arial,sans-serif"><title>{escape(title)}</title>'
        f"{shapes}{texts}</svg>"
    )


def _span(x: float, text: str, anchor: str) -> tuple[float, float]:
    """Where a label drawn at x with this text-anchor starts and ends, with a pixel to spare at each end."""
    width = _width(text)
    start = x - width * {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor]
    return start - 1, start + width + 1


def _width(text: str) -> float:
    """text's width in pixels at FONT, at most: each character as wide as in the widest of Helvetica, Arial and
    DejaVu Sans (the fallback of many systems)."""
    wide = "mwMW@%+=<>#^~"
    return FONT * sum(1.0 if c in wide or not c.isascii() else 0.8 if c.isupper() else 0.64 for c in text)
