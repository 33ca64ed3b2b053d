"""The SVG plots: the loss curve's labels, and the decision boundary of one score or of class scores, read back
from the SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from svg_reading import label_extents, picture_width, strength_of, svg_colour

from viz import boundary_plot, loss_plot
from viz.plots import CLASSES, HIGH, LOW, has_boundary, has_curve

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("losses", "ticks"),
    [
        ([0.3873, 0.1, 0.006274], ["0.3873", "0.006274"]),  # the "0." of the minimum was cut at the left edge
        ([0.3089, 2.465190328815662e-32], ["0.3089", "2.465e-32"]),
        ([12345.678, 1e-07], ["1.235e+04", "1e-07"]),
        ([-0.001234, -12345.678], ["-0.001234", "-1.235e+04"]),
        ([5.0, 5.0, 5.0], ["5"]),  # a flat loss: one tick where the line is, not the same number twice
    ],
)
def test_every_label_of_the_loss_plot_fits_inside_it_whole(losses, ticks):
    svg = loss_plot(losses, title="cross-entropy of the whole training set, in nats")
    extents = label_extents(svg)
    texts = [text for text, _, _ in extents]
    assert [t for t in texts if t in ticks] == ticks  # each tick once, written whole
    assert [text for text, left, right in extents if left < 0 or right > picture_width(svg)] == []


def test_the_decision_boundary_s_title_fits_inside_it():
    svg = boundary_plot(lambda x, y: x, TWO, grid=2, title="decision boundary of the whole network after training")
    assert [text for text, left, right in label_extents(svg) if left < 0 or right > picture_width(svg)] == []


def test_a_plot_says_something_only_with_a_line_or_a_boundary_to_draw():
    assert has_curve([0.5, 0.25]) and has_curve([0.5, float("nan"), 0.25])
    assert not has_curve([0.5]) and not has_curve([0.5, float("nan")])  # one loss is a dot, not a curve
    assert has_boundary([(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)]) and has_boundary([(0.0, 0.0, 0), (1.0, 1.0, 2)])
    assert not has_boundary([(0.0, 0.0, 1.0)])  # one sample: nothing to tell apart
    assert not has_boundary([(0.0, 0.0, 1), (1.0, 1.0, 1)])  # one class


def cells(svg: str) -> list[tuple[float, float, str]]:
    """(left, right, fill) of each background rectangle, row by row."""
    root = ET.fromstring(svg)
    group = root.find(f"{SVG}g")
    return [
        (float(r.get("x")), float(r.get("x")) + float(r.get("width")), r.get("fill")) for r in group.iter(f"{SVG}rect")
    ]


def dots(svg: str) -> list[str]:
    return [c.get("fill") for c in ET.fromstring(svg).iter(f"{SVG}circle")]


def test_class_scores_colour_each_cell_by_the_largest_and_each_point_by_its_class():
    points = [(-1.0, 0.0, 0), (1.0, 0.0, 1), (0.0, 1.0, 2)]
    # class 2 above the line y = 0.5, else class 0 left of x = 0 and class 1 right of it
    svg = boundary_plot(lambda x, y: [-x, x, 2 * (y - 0.5) + abs(x)], points, grid=40)
    fills = {fill for _, _, fill in cells(svg)}
    shown = sorted((k, s) for fill in fills for k in range(3) if (s := strength_of(CLASSES[k], fill)) is not None)
    assert [k for k, _ in shown] == [0, 1, 2]  # three colours of cells, each one class's colour
    assert len({round(s, 2) for _, s in shown}) == 1 and shown[0][1] < 1  # all of them paler than the points
    assert dots(svg) == [svg_colour(CLASSES[k]) for k in range(3)]
    rows = ET.fromstring(svg).find(f"{SVG}g").findall(f"{SVG}rect")
    assert len(rows) < 40 * 40 / 4  # a run of one colour is one rectangle


def test_a_score_is_coloured_by_its_side_of_the_targets_midpoint():
    points = [(-1.0, 0.0, -1.0), (1.0, 0.0, 1.0)]
    svg = boundary_plot(lambda x, y: x, points, grid=4)
    centres = [-0.9, -0.3, 0.3, 0.9]  # of the cells across [-1.2, 1.2], the points' span padded by a tenth
    fills = [fill for _, _, fill in cells(svg)[:4]]
    single = [cells(boundary_plot(lambda x, y, c=c: c, points, grid=1))[0][2] for c in centres]
    assert fills == single  # each cell in the colour of its centre's score, as a one-cell plot of that score
    strengths = [strength_of(rgb, fill) for rgb, fill in zip((LOW, LOW, HIGH, HIGH), fills)]  # blue, then red
    assert None not in strengths and strengths[0] > strengths[1] and strengths[3] > strengths[2]  # paler near 0
    assert dots(svg) == [svg_colour(CLASSES[0]), svg_colour(CLASSES[1])]  # blue below the midpoint, red above
    spans = [(left, right) for left, right, _ in cells(svg)]
    assert all(b[0] == pytest.approx(a[1] - 0.5) for a, b in zip(spans, spans[1:4]))  # cells tile the row


@pytest.mark.parametrize(
    ("predict", "points", "options", "message"),
    [
        (lambda x, y: [x], [(0.0, 0.0, 0)], {}, "colours 2 to 8 classes, got 1 class scores"),
        (lambda x, y: [x] * 9, [(0.0, 0.0, 0)], {}, "colours 2 to 8 classes, got 9 class scores"),
        (lambda x, y: [x, y], [(0.0, 0.0, 2)], {}, "a point's class must be a whole number from 0 to 1, got 2"),
        (lambda x, y: [x, y], [(0.0, 0.0, 0.5)], {}, "a point's class must be a whole number from 0 to 1, got 0.5"),
        (lambda x, y: [x, y], [(0.0, 0.0, True)], {}, "a point's class must be a whole number from 0 to 1, got True"),
        (lambda x, y: x, [], {}, "no points to draw"),
        (lambda x, y: x, [(0.0, 0.0, 1.0)], {"grid": 0}, "grid must be a whole number from 1 to 2000, got 0"),
        (lambda x, y: x, [(0.0, 0.0, 1.0)], {"size": 10**6}, "size must be a whole number from 10 to 2000, got"),
        (lambda x, y: x, [(0.0, 0.0, 1.0)], {"size": 300.5}, "size must be a whole number from 10 to 2000, got 300.5"),
    ],
)
def test_bad_arguments_are_refused_by_name(predict, points, options, message):
    with pytest.raises(ValueError, match="^boundary_plot: " + message.replace("(", r"\(")):
        boundary_plot(predict, points, **options)


NAN, INF = float("nan"), float("inf")
TWO = [(0.0, 0.0, 0), (1.0, 1.0, 1)]


@pytest.mark.parametrize(
    ("predict", "points", "message"),
    [
        (lambda x, y: NAN, TWO, "predict(0, 0) gave nan; a score must be a finite number"),
        (lambda x, y: [0.0, NAN], TWO, r"predict(0, 0) gave [0.0, nan]; a class score must be a finite number"),
        (lambda x, y: [INF, 1.0], TWO, r"predict(0, 0) gave [inf, 1.0]; a class score must be a finite"),
        (
            lambda x, y: [1.0, 2.0, 3.0] if x < 0.5 else [1.0, 2.0],
            TWO,
            "predict(0.56, 1.04) gave 2 class scores, but 3 at",
        ),
        (lambda x, y: "ab", TWO, "predict(0, 0) must give a number or a list of class scores, got str: 'ab'"),
        (lambda x, y: None, TWO, "predict(0, 0) must give a number or a list of class scores, got NoneType"),
        (lambda x, y: x, [(NAN, 0.0, 0.0), (1.0, 1.0, 1.0)], "point 0 is (nan, 0.0, 0.0); its x, y and target"),
        (lambda x, y: x, [(0.0, 0.0, 0.0), (1.0, INF, 1.0)], "point 1 is (1.0, inf, 1.0); its x, y and target"),
        (lambda x, y: x, [(0.0, 0.0, NAN), (1.0, 1.0, 1.0)], "point 0 is (0.0, 0.0, nan); its x, y and target"),
        (lambda x, y: x, [(-1e308, 0.0, 0.0), (1e308, 1.0, 1.0)], "the points span more than a float can hold"),
    ],
)
def test_non_finite_or_inconsistent_scores_and_points_are_refused(predict, points, message):
    with pytest.raises((ValueError, TypeError), match="^boundary_plot: " + re.escape(message)):
        boundary_plot(predict, points, grid=10)


def test_class_scores_may_be_any_sequence_of_numbers():
    numpy = pytest.importorskip("numpy")
    as_list = boundary_plot(lambda x, y: [x, y], TWO, grid=4)
    assert boundary_plot(lambda x, y: numpy.array([x, y]), TWO, grid=4) == as_list
    assert (
        boundary_plot(lambda x, y: (x, y), [(0.0, 0.0, numpy.int64(0)), (1.0, 1.0, numpy.int64(1))], grid=4) == as_list
    )
