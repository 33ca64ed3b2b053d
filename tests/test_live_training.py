"""The live page's step trains what its document trains (viz.Objective): the batch's loss, or each sample in turn,
while the graph drawn stays the worked sample's; in V8 (mini-racer) and in headless Chromium, against nn.train
and the document's own steps (backprop.claims' in-turn training)."""

from __future__ import annotations

import json
import math
import re

import pytest
from test_live_boundary import agree, python_classes
from test_live_page import assert_page_is, no_console_errors, open_page

import autograd
import nn
import viz
from autograd import Value, define_op
from backprop.page_command import page

SPEC = """name = "four"
inputs = 2
learning_rate = 0.5
worked_sample = 1
[[layers]]
size = 3
activation = "tanh"
[[layers]]
size = 1
activation = "sigmoid"
"""
SAMPLES = [((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0), ((-1.0, -0.5), 0.0)]
FIRST = 2  # the claim file's sample: training in turn starts there


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A spec of four samples (the page trains their batch) and a claim file that trains them in turn from FIRST."""
    folder = tmp_path_factory.mktemp("objective")
    rows = "".join(f"[[samples]]\ninputs = {list(x)}\ntargets = [{t}]\n" for x, t in SAMPLES)
    (folder / "four.toml").write_text(SPEC + rows, encoding="utf-8")
    (folder / "mean.toml").write_text('loss = "mse"\n' + SPEC + rows, encoding="utf-8")  # the batch's mean
    claim = f'[[claim]]\nquantity = "x1"\nprinted = "{SAMPLES[FIRST][0][0]:g}"\n'
    turns = f'network = "four.toml"\nsample = {FIRST}\ntraining = "in turn"\n' + claim
    (folder / "turns.toml").write_text(turns, encoding="utf-8")
    return folder / "four.toml", folder / "turns.toml"


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def in_turn(example, steps, first=FIRST):
    """The document's training in turn (backprop.claims' stage): each step's loss, before its update."""
    return [example.step((first + k) % len(example.samples)).loss.data for k in range(steps)]


def batch(example, steps):
    history = nn.train(example.network, example.samples, steps=steps, optimizer=example.optimizer, loss=example.loss)
    return history.losses


def v8_steps(html, steps, edit=None):
    """The page's OBJECTIVE run for steps steps in V8: each step's loss and the parameters after them, by name.

    edit: new numbers of the drawn sample's leaves, by name, given to its turn as the page's data says."""
    mini_racer = pytest.importorskip("py_mini_racer", reason="mini-racer is not installed")
    data = json.loads(re.search(r'id="page-data">(.*?)</script>', html, re.DOTALL).group(1))
    text = re.search(r"<script>const OBJECTIVE = (.*?);</script>", html, re.DOTALL).group(1)
    names = [value["name"] for value in data["values"]]
    objective = data["objective"]
    with mini_racer.MiniRacer() as engine:
        engine.eval(f"var P = {text}; var v = P.initial();")
        if edit:
            numbers = json.loads(engine.eval(f"JSON.stringify(P.turn({objective['turn']}))"))
            for page, k in objective["edits"]:
                numbers[k] = edit.get(names[page], numbers[k])
            engine.eval(f"P.turn({objective['turn']}, {json.dumps(numbers)})")
        losses = json.loads(engine.eval(f"JSON.stringify(P.train(v, {data['lr']!r}, {steps}))"))
        v = json.loads(engine.eval("JSON.stringify(v)"))
    return losses, {names[page]: v[mine] for mine, page in objective["shared"]}


def assert_trained(losses, parameters, expected_losses, network):
    assert len(losses) == len(expected_losses) and all(map(close, losses, expected_losses))
    by_name = network.parameters_by_name()
    assert set(parameters) == set(by_name)
    for name, x in parameters.items():
        assert close(x, by_name[name].data), (name, x, by_name[name].data)


@pytest.mark.parametrize("name", ["four.toml", "mean.toml"])
def test_a_spec_of_several_samples_trains_its_batch_in_v8(files, name):
    spec = files[0].with_name(name)
    losses, parameters = v8_steps(page(str(spec)), 100)
    example = nn.load_spec(spec)
    assert_trained(losses, parameters, batch(example, 100), example.network)


def test_a_document_that_trains_in_turn_trains_each_sample_in_turn_in_v8(files):
    _, turns = files
    losses, parameters = v8_steps(page(str(turns)), 100)
    example = nn.load_spec(files[0])
    assert_trained(losses, parameters, in_turn(example, 100), example.network)
    again = nn.load_spec(files[0])  # nn.train of one sample a call, the optimizer kept: the same steps
    for k in range(100):
        sample = again.samples[(FIRST + k) % 4]
        nn.train(again.network, [sample], steps=1, optimizer=again.optimizer, loss=again.loss)
    assert_trained(losses, parameters, losses, again.network)


def adam_page(example, training: str):
    """viz.page of example's worked sample, made with Adam, whose step trains the batch (as one graph, or one sample
    at a time) or each sample in turn from FIRST; and the optimizer, after two steps of that training (the page starts
    from its state)."""
    optimizer = nn.Adam(example.network.parameters(), lr=0.05, weight_decay=0.01)
    example.optimizer = optimizer
    if training == "in turn":
        in_turn(example, 2)
    else:
        batch(example, 2)
    turn = example.forward(FIRST)
    leaves = [turn[n] for n in (*example.network.input_names, *example.target_names)]
    start = FIRST + 2 if training == "in turn" else 0  # two steps were taken already
    order = [example.samples[(start + k) % 4] for k in range(4)]
    turns = [dict(zip(leaves, (*s.inputs, *s.targets))) for s in order]
    if training == "batch graph":
        objective = viz.Objective(nn.training.batch_loss(example.network, example.samples, example.loss), "batch")
    else:
        drawn = (example.worked_sample - start) % 4  # the turn of the sample shown
        objective = viz.Objective(turn.loss, training, turns, 1.0 if training == "batch" else None, drawn)
    shown = example.forward().backward().loss
    return viz.page(shown, training=viz.Training([], objective=objective), optimizer=optimizer), optimizer


@pytest.mark.parametrize("training", ["batch", "batch graph", "in turn"])
def test_adams_steps_in_v8_are_the_documents_training(files, training):
    example = nn.load_spec(files[0])
    html, _ = adam_page(example, training)
    losses, parameters = v8_steps(html, 100)
    expected = adams_steps(example, training, 100)
    assert_trained(losses, parameters, expected, example.network)


def python_order(example, sample=None):
    """Every value of sample's pass (default: the worked one's) at example's parameters now, as the page lists them."""
    return autograd.topological_order(example.forward(sample).backward().loss)[::-1]


def test_100_steps_in_the_page_train_the_batch_and_redraw_the_worked_sample(browser, files, tmp_path):
    spec, _ = files
    path = tmp_path / "four.html"
    path.write_text(page(str(spec)), encoding="utf-8")
    open_page(browser, path)
    says = browser.find_element("id", "trains").text
    assert says.startswith("Each step trains the batch of 4 samples (their half_squared_error together)")
    assert says.endswith("the graph shows sample 2's pass. Edit its inputs or targets and that sample trains with its "
                         "new numbers.")  # fmt: skip
    losses = browser.execute_script("backprop.step(37); return backprop.step(63)")
    example = nn.load_spec(spec)
    assert all(map(close, losses, batch(example, 100)[37:]))
    assert_page_is(browser, python_order(example))  # the graph drawn: sample 2's pass at the trained parameters
    shown = browser.execute_script("return backprop.boundary()")
    expected = python_classes(example.network, 30, shown["x"], shown["y"], 0.5)
    assert agree(shown["classes"], expected) and len(set(shown["classes"])) == 2
    no_console_errors(browser)


def test_in_turn_steps_in_the_page_continue_across_calls_and_start_again_at_reset(browser, files, tmp_path):
    _, turns = files
    path = tmp_path / "turns.html"
    path.write_text(page(str(turns)), encoding="utf-8")
    open_page(browser, path)
    assert "one sample, the 4 in turn from sample 3, as the document does" in browser.find_element("id", "trains").text
    first = browser.execute_script("return backprop.step(5)")
    example = nn.load_spec(files[0])
    expected = in_turn(example, 5)
    assert all(map(close, first, expected))
    browser.execute_script("backprop.reset()")
    assert all(map(close, browser.execute_script("return backprop.step(5)"), expected))  # from the first turn again
    losses = browser.execute_script("return backprop.step(95)")
    assert all(map(close, losses, in_turn(example, 95, FIRST + 5)))
    assert_page_is(browser, python_order(example, FIRST))  # the graph drawn: the claim file's sample
    no_console_errors(browser)


@pytest.mark.parametrize("training", ["batch", "in turn"])
def test_adams_steps_in_the_page_are_the_documents_training(browser, files, tmp_path, training):
    example = nn.load_spec(files[0])
    html, _ = adam_page(example, training)
    path = tmp_path / "adam.html"
    path.write_text(html, encoding="utf-8")
    open_page(browser, path, "#w1_1_1")
    after = browser.find_element("css selector", "#detail .update").text  # what the next step makes w1_1_1
    losses = browser.execute_script("return backprop.step(100)")
    assert all(map(close, losses, adams_steps(example, training, 100)))
    assert_page_is(browser, python_order(example))  # the parameters among them
    assert after == f"after one step at learning rate 0.05: {next_step(files, training, 'w1_1_1'):.6g}"
    no_console_errors(browser)


def adams_steps(example, training, steps):
    """steps more of adam_page's training of example: in turn, from where its two first steps left off."""
    return in_turn(example, steps, FIRST + 2) if training == "in turn" else batch(example, steps)


def next_step(files, training, name):
    """name after the third step under Adam, on a fresh copy: the page's next, after the two it starts from."""
    example = nn.load_spec(files[0])
    adam_page(example, training)
    adams_steps(example, training, 1)
    return example.network[name].data


def test_one_sample_trains_the_graph_drawn_and_says_nothing_more(russo):
    html = russo.read_text(encoding="utf-8")
    assert "const OBJECTIVE" not in html and 'id="trains"' not in html


def test_turns_must_set_the_same_leaves_of_the_objective():
    w = Value(0.5, "w")
    x, t = Value(1.0, "x"), Value(0.0, "t")
    loss = (x * w - t) ** 2
    for turns in ([{x: 1.0}, {t: 2.0}], [{x * 2: 1.0}], [{Value(3.0, "elsewhere"): 1.0}]):
        with pytest.raises(ValueError, match=r"^Objective\.turns: each turn must set the same leaves of the objective"):
            viz.page(loss, training=viz.Training([], objective=viz.Objective(loss, "", turns)), trained=[w],
                     learning_rate=0.1)  # fmt: skip


def test_an_objective_the_page_cannot_run_takes_no_step_and_says_why():
    floats_only = define_op("test_objective_floats_only", lambda a: math.exp(a), lambda a, out: (out,))
    w = Value(0.5, "w")
    drawn = (w * 2.0) ** 2
    objective = viz.Objective(floats_only(w) + drawn, "")
    html = viz.page(drawn, training=viz.Training([], objective=objective), trained=[w], learning_rate=0.1)
    assert "const ENGINE" in html and "const OBJECTIVE" not in html
    assert "This page cannot train as its document does, so it takes no step: test_objective_floats_only" in html
    assert '"lr":null' in html


def test_the_training_view_of_a_document_in_turn_is_its_steps_in_turn(files):
    _, turns = files
    html = page(str(turns), train=30)
    assert viz.loss_plot(in_turn(nn.load_spec(files[0]), 30)) in html
    assert viz.loss_plot(batch(nn.load_spec(files[0]), 30)) not in html


def test_turns_give_each_leaf_a_number_each_turn_inside_the_graph():
    x, w = Value(1.0, "x"), Value(0.5, "w")
    nodes = autograd.script.graph(autograd.topological_order(x * w)[::-1])
    for turns, message in [
        (autograd.script.Turns((0,), ((1.0,), (2.0, 3.0))), "Turns: each of 2 turns must give 1 numbers"),
        (autograd.script.Turns((0,), ()), "Turns: each of 0 turns must give 1 numbers"),
        (autograd.script.Turns((5,), ((1.0,),)), "Turns: a position is outside the graph's 3 values: [5]"),
    ]:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            autograd.script.program(nodes, [1.0, 0.5, 0.5], [1], turns=turns)


def test_a_batch_whose_loss_overflows_is_an_error_and_a_batch_needs_its_samples():
    mini_racer = pytest.importorskip("py_mini_racer", reason="mini-racer is not installed")
    x, w = Value(1.0, "x"), Value(1.0, "w")
    nodes = autograd.script.graph(autograd.topological_order(x * w)[::-1])
    turns = autograd.script.Turns((0,), ((1e308,), (1e308,)), batch=1.0)
    text = autograd.script.program(nodes, [1.0, 1.0, 1.0], [1], turns=turns)
    with mini_racer.MiniRacer() as engine:
        engine.eval(f"var P = {text}; var v = P.initial();")
        with pytest.raises(mini_racer.JSEvalException, match=r"OverflowError: the batch's loss overflows a float: inf"):
            engine.eval("P.train(v, 0.1, 1)")
    loss = x * w
    with pytest.raises(ValueError, match=r"^Objective: a batch takes turns: each sample's numbers for the loss's"):
        viz.page(loss, training=viz.Training([], objective=viz.Objective(loss, "", (), 0.5)), trained=[w],
                 learning_rate=0.1)  # fmt: skip


def test_a_2_16_16_1_spec_of_100_samples_is_a_page_within_2_mb(tmp_path):
    layers = "".join(
        f'[[layers]]\nsize = {k}\nactivation = "{a}"\n' for k, a in ((16, "relu"), (16, "relu"), (1, "linear"))
    )
    rows = "".join(
        f"[[samples]]\ninputs = {list(s.inputs)}\ntargets = {list(s.targets)}\n" for s in nn.moons(100, seed=2)
    )
    spec = tmp_path / "moons.toml"
    spec.write_text(
        f'name = "moons"\ninputs = 2\nlearning_rate = 0.05\nloss = "hinge"\n{layers}{rows}', encoding="utf-8"
    )
    html = page(str(spec), train=5)
    assert "const OBJECTIVE" in html and len(html.encode("utf-8")) <= 2_000_000  # one sample's program, not 100


EDIT = {"x1": 0.3, "target_n2_1": 0.7}  # an input and a target of the drawn sample, as the page sets them


def edited(example, sample):
    """example, sample's numbers edited as EDIT edits them."""
    inputs = example.samples[sample].inputs
    new = nn.datasets.Sample((EDIT["x1"], *inputs[1:]), (EDIT["target_n2_1"],))
    example.samples = (*example.samples[:sample], new, *example.samples[sample + 1 :])
    return example


DOCUMENTS = {"batch": (0, 1, batch), "in turn": (1, FIRST, in_turn)}  # the page's file, its drawn sample, its steps


@pytest.mark.parametrize("document", DOCUMENTS)
def test_an_edited_sample_trains_with_its_new_numbers_in_v8(files, document):
    which, drawn, steps = DOCUMENTS[document]
    html = page(str(files[which]))
    data = json.loads(re.search(r'id="page-data">(.*?)</script>', html, re.DOTALL).group(1))
    names = [data["values"][k]["name"] for k, _ in data["objective"]["edits"]]
    assert names == ["x1", "x2", "target_n2_1"] and data["objective"]["untrained"] == []
    losses, parameters = v8_steps(html, 60, EDIT)
    example = edited(nn.load_spec(files[0]), drawn)
    assert_trained(losses, parameters, steps(example, 60), example.network)


@pytest.mark.parametrize("training", ["batch", "in turn"])
def test_an_edited_sample_takes_adams_steps_with_its_new_numbers_in_v8(files, training):
    example = nn.load_spec(files[0])
    html, _ = adam_page(example, training)  # the graph drawn: sample 1, turn 1 in turn (from FIRST + 2), 1 of the batch
    losses, parameters = v8_steps(html, 60, EDIT)
    assert_trained(losses, parameters, adams_steps(edited(example, 1), training, 60), example.network)


def page_parameters(browser, network):
    """The page's number of each of network's parameters, by name."""
    return {
        name: browser.execute_script(f"return backprop.get({name!r}).data") for name in network.parameters_by_name()
    }


@pytest.mark.parametrize("document", DOCUMENTS)
def test_an_edited_sample_is_the_sample_the_page_trains_until_reset(browser, files, tmp_path, document):
    which, drawn, steps = DOCUMENTS[document]
    path = tmp_path / "edited.html"
    path.write_text(page(str(files[which])), encoding="utf-8")
    open_page(browser, path)
    says = browser.find_element("id", "trains").text
    assert says.endswith("Edit its inputs or targets and that sample trains with its new numbers.")
    for name, x in EDIT.items():
        browser.execute_script(f"backprop.set({name!r}, {x!r})")
    losses = browser.execute_script("return backprop.step(40)")
    example = edited(nn.load_spec(files[0]), drawn)
    assert_trained(losses, page_parameters(browser, example.network), steps(example, 40), example.network)
    assert_page_is(browser, python_order(example, drawn))  # the edited sample's pass at the trained parameters
    browser.execute_script("backprop.reset()")
    losses = browser.execute_script("return backprop.step(40)")
    example = nn.load_spec(files[0])
    assert_trained(losses, page_parameters(browser, example.network), steps(example, 40), example.network)
    no_console_errors(browser)


def test_an_edit_no_step_takes_stops_the_step_until_it_is_set_back(browser, tmp_path):
    w = Value(0.5, "w")
    x, t = Value(1.0, "x"), Value(0.0, "t")
    shown = (x * w - t) ** 2
    other_x, other_t = Value(1.0, "x"), Value(0.0, "t")
    turns = [{other_x: 1.0, other_t: 0.0}, {other_x: 2.0, other_t: 1.0}]
    objective = viz.Objective((other_x * w - other_t) ** 2, "Each step trains two samples.", turns, 1.0)
    path = tmp_path / "untrained.html"
    path.write_text(viz.page(shown, training=viz.Training([], objective=objective), trained=[w], learning_rate=0.1))
    open_page(browser, path)
    assert browser.find_element("id", "trains").text == "Each step trains two samples."
    browser.execute_script("backprop.set('x', 3.0)")
    with pytest.raises(Exception, match=r"step: x is edited, but a step trains the document's samples, which do not "
                                        r"take it: set it back, or reset"):  # fmt: skip
        browser.execute_script("backprop.step(1)")
    browser.execute_script("backprop.set('x', 1.0)")
    expected = sum((a * 0.5 - b) ** 2 for a, b in ((1.0, 0.0), (2.0, 1.0)))
    assert close(browser.execute_script("return backprop.step(1)[0]"), expected)


def test_the_drawn_turn_must_be_a_turn_and_its_sample_the_graph_drawn():
    w = Value(0.5, "w")
    x, t = Value(1.0, "x"), Value(0.0, "t")
    other_x, other_t = Value(1.0, "x"), Value(0.0, "t")
    loss = (other_x * w - other_t) ** 2
    turns = [{other_x: 1.0, other_t: 0.0}, {other_x: 2.0, other_t: 1.0}]
    wrong = "Objective.drawn: turn 1 gives 'x' 2.0, the graph drawn 1.0: it is not that turn's sample"
    unmatched = (
        "Objective.drawn: the graph drawn has {} leaves labelled {!r}, not one to match the turns' leaf of that label"
    )
    for shown, drawn, message in [
        ((x * w - t) ** 2, 2, "Objective.drawn: no turn 2; there are 2"),
        ((x * w - t) ** 2, 1, wrong),
        ((x * w) ** 2, 0, unmatched.format(0, "t")),
        ((x * w - t) * Value(2.0, "x"), 0, unmatched.format(2, "x")),
    ]:
        objective = viz.Objective(loss, "", turns, drawn=drawn)
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            viz.page(shown, training=viz.Training([], objective=objective), trained=[w], learning_rate=0.1)


def test_a_turns_new_numbers_are_its_leaves_finite_numbers():
    mini_racer = pytest.importorskip("py_mini_racer", reason="mini-racer is not installed")
    x, w = Value(1.0, "x"), Value(1.0, "w")
    nodes = autograd.script.graph(autograd.topological_order(x * w)[::-1])
    turns = autograd.script.Turns((0,), ((1.0,), (2.0,)))
    with mini_racer.MiniRacer() as engine:
        engine.eval(f"var P = {autograd.script.program(nodes, [1.0, 1.0, 1.0], [1], turns=turns)};")
        engine.eval("P.turn(1, [4.0])")
        assert json.loads(engine.eval("JSON.stringify(P.turn(1))")) == [4.0]
        for call, message in [
            ("P.turn(2)", "IndexError: turn: no turn 2; the program has 2"),
            ("P.turn(0, [1, 2])", "ValueError: turn 0: its new numbers must be 1 finite numbers, got 1,2"),
            ("P.turn(0, [NaN])", "ValueError: turn 0: its new numbers must be 1 finite numbers, got NaN"),
        ]:
            with pytest.raises(mini_racer.JSEvalException, match=re.escape(message)):
                engine.eval(call)
        engine.eval(f"var Q = {autograd.script.program(nodes, [1.0, 1.0, 1.0], [1])};")
        with pytest.raises(
            mini_racer.JSEvalException, match=re.escape("IndexError: turn: no turn 0; the program has 0")
        ):
            engine.eval("Q.turn(0)")
