"""The live page's decision boundary (viz.Predictor, viz/boundary.js): the model's own program over the input plane,
redrawn as the page trains, against the Python model on the same grid, in headless Chromium."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest
from test_live_page import no_console_errors, open_page

import nn
import viz
from autograd import Value, define_op

pytest.importorskip("selenium.webdriver", reason="selenium is not installed")


def moons(classes: bool = False):
    """A small two-input MLP on moons, its whole batch's loss for the page's graph, and its Predictor."""
    model = nn.MLP(2, [6, 2 if classes else 1], seed=1)
    data = nn.moons(24, seed=2)
    if classes:  # a score per class: the target as a one-hot pair
        data = [nn.Sample(s.inputs, (1.0, 0.0) if s.targets[0] < 0 else (0.0, 1.0)) for s in data]
    loss = "cross_entropy" if classes else "hinge"
    x = [Value(0.0, "x1"), Value(0.0, "x2")]
    points = [(*s.inputs, s.targets.index(1.0) if classes else s.targets[0]) for s in data]
    training = viz.Training([], points=points, live=viz.Predictor((x[0], x[1]), model.forward(x)))
    return model, data, loss, training


def opened(browser, tmp_path, *, classes: bool = False):
    """The page of moons() trained with SGD (Adam for classes) on its whole batch, open in the browser."""
    model, data, loss, training = moons(classes)
    optimizer = nn.Adam(model.parameters(), lr=0.05) if classes else nn.SGD(model.parameters(), lr=0.1)
    graph = nn.training.batch_loss(model, data, loss)
    graph.backward()
    path = tmp_path / "moons.html"
    path.write_text(viz.page(graph, training=training, optimizer=optimizer), encoding="utf-8")
    open_page(browser, path)
    return model, data, loss, optimizer


def python_classes(model, grid, x, y, middle):
    """Each cell's class by the Python model, row by row from the top (None: too near the boundary to tell)."""
    (x0, x1), (y0, y1) = x, y
    found = []
    for row in range(grid):
        b = y1 - (y1 - y0) * (row + 0.5) / grid
        for col in range(grid):
            scores = [o.data for o in model.forward([x0 + (x1 - x0) * (col + 0.5) / grid, b])]
            if middle is not None:
                found.append(None if abs(scores[0] - middle) < 1e-9 else int(scores[0] > middle))
            else:
                ranked = sorted(scores)
                found.append(None if ranked[-1] - ranked[-2] < 1e-9 else scores.index(ranked[-1]))
    return found


def canvas_classes(browser):
    """The class each cell's centre is painted in, away from the dots: 1 red (above the midpoint: class 1), 0 blue."""
    return browser.execute_script(
        """
        const canvas = document.querySelector('#boundary canvas');
        const {grid, x: [x0, x1], y: [y0, y1]} = backprop.boundary();
        const scale = canvas.width / canvas.clientWidth, side = canvas.clientWidth, cell = side / grid;
        const dots = JSON.parse(document.getElementById('page-data').textContent).boundary.points
          .map(([x, y]) => [side * (x - x0) / (x1 - x0), side * (y1 - y) / (y1 - y0)]);
        const pixels = canvas.getContext('2d');
        return Array.from({length: grid * grid}, (_, n) => {
          const [cx, cy] = [(n % grid + 0.5) * cell, (Math.floor(n / grid) + 0.5) * cell];
          if (dots.some(([x, y]) => Math.hypot(x - cx, y - cy) < 6)) return null;
          const [r, g, b] = pixels.getImageData(Math.floor(cx * scale), Math.floor(cy * scale), 1, 1).data;
          return r > b ? 1 : 0;
        });
        """
    )


def agree(page, python):
    pairs = [(a, b) for a, b in zip(page, python) if a is not None and b is not None]
    assert len(pairs) > 0.9 * len(page)
    return all(a == b for a, b in pairs)


def test_the_boundary_after_live_steps_is_the_python_models(browser, tmp_path):
    model, data, loss, optimizer = opened(browser, tmp_path)
    before = browser.execute_script("return backprop.boundary()")
    assert before["grid"] == 30 and len(before["classes"]) == 900
    assert agree(before["classes"], python_classes(model, 30, before["x"], before["y"], 0.0))
    losses = browser.execute_script("return backprop.step(60)")
    history = nn.train(model, data, steps=60, optimizer=optimizer, loss=loss)
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(losses, history.losses))
    after = browser.execute_script("return backprop.boundary()")
    expected = python_classes(model, 30, after["x"], after["y"], 0.0)
    assert agree(after["classes"], expected) and after["classes"] != before["classes"]  # it moved, as Python's did
    browser.execute_script("return new Promise((done) => setTimeout(done, 400))")  # the drawing's wait
    assert agree(canvas_classes(browser), expected)
    no_console_errors(browser)


def test_training_live_redraws_the_boundary_and_shows_steps_per_second(browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    model, data, loss, optimizer = opened(browser, tmp_path)
    browser.set_window_size(1280, 800)
    run = browser.find_element("id", "run")
    run.click()
    caption = browser.find_element("id", "trained")
    WebDriverWait(browser, 60).until(lambda b: "steps/s" in caption.text)
    browser.save_screenshot(str(tmp_path / "training.png"))
    run.click()  # pause: the last numbers drawn
    steps = int(caption.get_attribute("data-steps"))
    assert "steps/s" not in caption.text and caption.text.startswith(f"{steps} steps, loss")
    nn.train(model, data, steps=steps, optimizer=optimizer, loss=loss)
    shown = browser.execute_script("return backprop.boundary()")
    expected = python_classes(model, 30, shown["x"], shown["y"], 0.0)
    assert agree(shown["classes"], expected)
    assert agree(canvas_classes(browser), expected)
    assert browser.find_element("id", "boundary").is_displayed()
    no_console_errors(browser)


def test_a_boundary_of_classes_is_the_largest_score(browser, tmp_path):
    model, data, loss, optimizer = opened(browser, tmp_path, classes=True)
    browser.execute_script("backprop.step(40)")
    nn.train(model, data, steps=40, optimizer=optimizer, loss=loss)
    shown = browser.execute_script("return backprop.boundary()")
    expected = python_classes(model, 30, shown["x"], shown["y"], None)
    assert agree(shown["classes"], expected) and set(shown["classes"]) == {0, 1}
    browser.execute_script("return new Promise((done) => setTimeout(done, 400))")
    assert agree(canvas_classes(browser), expected)
    no_console_errors(browser)


def test_a_page_without_a_boundary_says_so(browser, russo):
    open_page(browser, russo)
    message = browser.execute_script("try { backprop.boundary(); } catch (e) { return e.message; }")
    assert message == (
        "boundary: this page draws no boundary (a model of two inputs, with samples of two classes or more)"
    )
    assert not browser.find_elements("id", "boundary")


def test_a_predictor_of_classes_takes_points_of_those_classes():
    model, data, loss, _ = moons()
    x = [Value(0.0, "x1"), Value(0.0, "x2")]
    two = viz.Predictor((x[0], x[1]), [x[0] * 1.0, x[1] * 1.0])
    bad = viz.Training([], points=[(0.0, 0.0, 0), (1.0, 1.0, 2)], live=two)
    message = "Training.live: 2 class scores: the points' classes must be whole numbers from 0 to 1, and there may be"
    with pytest.raises(ValueError, match=f"^{re.escape(message)} at most 8 classes$"):
        viz.page(nn.training.batch_loss(model, data[:2], loss), training=bad, learning_rate=0.1)


def test_a_predictor_the_page_cannot_run_leaves_the_boundary_out_and_says_why():
    model, data, loss, training = moons()
    floats_only = define_op("test_boundary_floats_only", lambda a: math.exp(a), lambda a, out: (out,))
    x = [Value(0.0, "x1"), Value(0.0, "x2")]
    live = viz.Predictor((x[0], x[1]), [floats_only(x[0]) + x[1] * model.parameters()[0]])
    html = viz.page(
        nn.training.batch_loss(model, data[:2], loss), training=replace(training, live=live), learning_rate=0.1
    )
    assert 'id="boundary"' not in html and "const PREDICT" not in html
    assert "The decision boundary is not redrawn as the page trains: test_boundary_floats_only: its rules" in html


def test_a_predictor_whose_inputs_are_not_its_leaves_is_refused():
    model, data, loss, training = moons()
    x = Value(0.0, "x1")
    for inputs in [(x, x * 2), (x, Value(1.0, "elsewhere"))]:
        bad = viz.Training([], points=training.points, live=viz.Predictor(inputs, model.forward([x, 1.0])))
        with pytest.raises(
            ValueError, match=r"^Training\.live: inputs must be two leaves the outputs are computed from$"
        ):
            viz.page(nn.training.batch_loss(model, data[:2], loss), training=bad, learning_rate=0.1)


def test_a_predictor_of_another_models_parameters_is_refused():
    # its boundary stood still as the page trained, beside a loss curve that fell: drawn as live, it was not
    model, data, loss, training = moons()
    graph = nn.training.batch_loss(model, data[:2], loss)
    x = [Value(0.0, "x1"), Value(0.0, "x2")]
    other = viz.Training([], points=training.points, live=viz.Predictor((x[0], x[1]), nn.MLP(2, [6, 1]).forward(x)))
    message = "^Training.live: the outputs use none of {}: build them from the same parameters$"
    with pytest.raises(ValueError, match=message.format("the values the page trains")):
        viz.page(graph, training=other, optimizer=nn.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match=message.format("the page's leaves")):
        viz.page(graph, training=other, learning_rate=0.1)
    assert "BOUNDARY" in viz.page(graph, training=training, optimizer=nn.SGD(model.parameters(), lr=0.1))


def test_backprop_pages_classifier_draws_its_boundary_as_it_trains(browser, tmp_path):
    from backprop.cli import main

    samples = "".join(
        f"[[samples]]\ninputs = [{x}, {y}]\ntargets = {[float(k == c) for k in range(3)]}\n"
        for x, y, c in ((0.0, 1.0, 0), (1.0, -1.0, 1), (-1.0, -1.0, 2), (0.5, 0.5, 0))
    )
    layers = '[[layers]]\nsize = 4\nactivation = "tanh"\n[[layers]]\nsize = 3\nactivation = "softmax"\n'
    spec = tmp_path / "classes.toml"
    head = 'name = "classes"\ninputs = 2\nloss = "categorical_cross_entropy"\nlearning_rate = 0.5\n'
    spec.write_text(head + layers + samples, encoding="utf-8")
    assert main(["page", str(spec), "--train", "20", "-o", str(tmp_path / "classes.html")]) == 0
    open_page(browser, tmp_path / "classes.html")
    assert browser.find_element("id", "boundary").is_displayed()
    browser.execute_script("backprop.step(25)")
    example = nn.load_spec(spec)  # the page trains the batch, as nn.train and its training view do
    nn.train(example.network, example.samples, steps=25, optimizer=example.optimizer, loss=example.loss)
    shown = browser.execute_script("return backprop.boundary()")
    expected = python_classes(example.network, 30, shown["x"], shown["y"], None)
    assert agree(shown["classes"], expected) and len(set(shown["classes"])) >= 2
    no_console_errors(browser)
