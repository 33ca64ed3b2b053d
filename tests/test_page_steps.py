"""The page's step mode (viz.steps, viz/steps.js): the forward pass over the named values in the walkthrough's
order, the backward pass as chain-rule steps, each number shown only once reached, in headless Chromium against
the Python engine."""

from __future__ import annotations

import math
import re

import pytest
from test_live_page import no_console_errors, open_page

import nn
import viz
from autograd import Value, topological_order
from backprop import page, walkthrough
from backprop.walkthrough import reading_order
from viz.steps import walk

Keys = pytest.importorskip("selenium.webdriver.common.keys", reason="selenium is not installed").Keys
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?")


def russo_pass(**data):
    """The Russo pass (backward done) with these parameters set: its values by the names the page gives them."""
    example = nn.example("russo-3-3-3")
    for name, x in data.items():
        example.network[name].data = x
    loss = example.forward().backward().loss
    return {v.label or f"v{i}": v for i, v in enumerate(reversed(topological_order(loss)))}


def named(v: Value, label: str) -> Value:
    v.label = label
    return v


def walkthrough_names(example) -> list[str]:
    """The names the walkthrough writes an equation for before its backward pass, in its order (read from its text)."""
    text = walkthrough(example).split("backward pass\n")[0]
    return re.findall(r"^  (\S+)\s+= ", text, re.MULTILINE)


def walked(browser) -> list[dict]:
    """Every step of the walk through the API: its position and the text of its step box."""
    return browser.execute_script(
        "backprop.walk(false); const seen = [backprop.next()];"
        "while (seen[seen.length - 1].k < seen[0].n) seen.push(backprop.next());"
        "return seen.map((p) => p);"
    )


def step_text(browser) -> str:
    return browser.execute_script("return document.querySelector('#step pre').textContent")


def show(x: float, digits: int = 6) -> str:
    return f"{x + 0.0:.{digits}g}"


# --- the order, in Python ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", nn.examples())
def test_a_networks_walk_is_the_walkthroughs_order_and_its_backward_pass_needs_only_what_is_known(name):
    example = nn.example(name)
    pass_ = example.forward()
    drawn = topological_order(pass_.loss)[::-1]
    order = walk(drawn, [pass_[n] for n in reading_order(example, pass_)])
    assert [drawn[i].label for i in order["forward"]] == walkthrough_names(example)
    labelled = {i for i, v in enumerate(drawn) if v.label}
    assert sorted(order["backward"]) == sorted(order["forward"]) == sorted(labelled)
    done: set[int] = set()
    for i in order["backward"]:  # every named value computed from i has its gradient already
        assert not {j for j in labelled if j != i and _computed_from(drawn, j, i)} - done, drawn[i].label
        done.add(i)


def _computed_from(drawn, j, i) -> bool:
    return drawn[i] in topological_order(drawn[j])


def test_a_value_of_a_softmax_layer_is_stepped_after_every_net_it_is_computed_from():
    x, w1, w2 = Value(1.0, "x"), Value(0.5, "w1"), Value(-0.5, "w2")
    n1, n2 = named(x * w1, "n1"), named(x * w2, "n2")
    total = n1.exp() + n2.exp()
    o1, o2 = named(n1.exp() / total, "o1"), named(n2.exp() / total, "o2")
    loss = named(o1 * o2, "L")
    drawn = topological_order(loss)[::-1]
    order = walk(drawn, [x, w1, w2, n1, o1, n2, o2, loss])  # each neuron's net, then its out
    assert [drawn[i].label for i in order["forward"]] == ["x", "w1", "w2", "n1", "n2", "o1", "o2", "L"]


def test_a_walk_that_leaves_the_graph_repeats_a_value_or_misses_the_root_is_refused():
    a = Value(2.0, "a")
    loss = named(a * a, "L")
    loss.backward()
    with pytest.raises(ValueError, match=r"walk: Value\(data=3.0.*\) is not a value of this graph"):
        viz.page(loss, walk=[a, Value(3.0), loss])
    with pytest.raises(ValueError, match=r"walk: Value\(data=2.0.*label='a'\) is stepped twice"):
        viz.page(loss, walk=[a, a, loss])
    with pytest.raises(ValueError, match="walk: the root must be one of the values stepped"):
        viz.page(loss, walk=[a])


# --- in Chromium ---------------------------------------------------------------------------------------


def test_the_walk_is_the_walkthroughs_order_then_back_then_the_update(browser, russo):
    open_page(browser, russo)
    steps = walked(browser)
    names = walkthrough_names(nn.example("russo-3-3-3"))
    forward = [s["name"] for s in steps if s["phase"] == "forward"]
    backward = [s["name"] for s in steps if s["phase"] == "backward"]
    update = [s["name"] for s in steps if s["phase"] == "update"]
    assert forward == names
    assert backward[0] == "E_total" and sorted(backward) == sorted(names)
    assert update == [f"w{k}" for k in range(1, 19)]  # the document's step trains the weights only
    assert [s["k"] for s in steps] == list(range(1, len(steps) + 1)) and steps[0]["n"] == len(steps)
    no_console_errors(browser)


def visible_state(browser) -> dict:
    """What the page shows now: the position, each drawn number (value, data or grad, text), each local
    derivative on an edge, and the text a reader sees in the side panel and the drawings' column."""
    return browser.execute_script(
        "return {position: backprop.position(),"
        " drawn: Array.from(document.querySelectorAll('[data-show]'), (el) =>"
        "   [Number(el.closest('a').dataset.value), el.dataset.show, el.textContent]),"
        " side: document.getElementById('side').innerText,"
        " column: document.querySelector('.drawings').innerText};"
    )


def russo_drawn() -> list[Value]:
    return list(russo_pass().values())


def test_no_gradient_shows_before_the_backward_pass_reaches_it_and_each_is_the_engines(browser, russo):
    open_page(browser, russo)
    values = russo_drawn()
    named = {i for i, v in enumerate(values) if v.label}
    above = {i: {j for j in named if j != i and values[i] in topological_order(values[j])} for i in range(len(values))}
    allowed = _numbers_not_gradients(values)
    browser.execute_script("backprop.walk(true)")
    met: set[int] = set()  # the named values the forward pass has reached
    known: set[int] = set()  # those the backward pass has
    while True:
        state = visible_state(browser)
        where = state["position"]
        i = next(k for k in named if values[k].label == where["name"])
        (met if where["phase"] == "forward" else known if where["phase"] == "backward" else set()).add(i)
        for j, which, text in state["drawn"]:
            number = text.removeprefix("grad ").removeprefix("data ")
            v = values[j]
            if which == "grad":  # a folded value's once every named value computed from it has its own
                reached = where["phase"] == "update" or (j in known if j in named else above[j] <= known)
            else:
                reached = where["phase"] != "forward" or j not in named or j in met
            if j in named or which == "grad":
                assert (number != "?") == reached, (where, v.label, which, text)
            if number != "?":
                assert number == show(v.grad if which == "grad" else v.data, 4), (where, j, which, text)
        hidden = {show(values[j].grad) for j in named - known} - allowed if where["phase"] != "update" else set()
        seen = set(NUMBER.findall(state["side"] + state["column"]))
        assert not hidden & seen, (where, hidden & seen)
        if where["phase"] == "backward":  # the gradient revealed is the Python engine's
            got = browser.execute_script("return backprop.get(arguments[0]).grad", where["name"])
            assert math.isclose(got, values[i].grad, rel_tol=1e-12, abs_tol=1e-300)
            assert step_text(browser).endswith(" = " + show(values[i].grad)) or where["name"] == "E_total"
        if where["k"] == where["n"]:
            break
        browser.execute_script("backprop.next()")
    no_console_errors(browser)


def _numbers_not_gradients(values: list[Value]) -> set[str]:
    """Numbers a page may show that no gradient explains: every value's data and local derivative, and 1."""
    numbers = {"1", "0", "-1"}
    for v in values:
        numbers |= {
            show(v.data),
            show(v.data, 4),
            *(show(d) for d in v.local_grads),
            *(show(d, 4) for d in v.local_grads),
        }
    return numbers


def step_to(browser, name, phase):
    """Walk from the start to the step of name in phase; its position."""
    return browser.execute_script(
        "let p = backprop.walk(false) || backprop.next();"
        "while (!(p.name === arguments[0] && p.phase === arguments[1]) && p.k < p.n) p = backprop.next();"
        "return p;",
        name,
        phase,
    )


def test_each_backward_step_is_the_chain_rule_from_the_gradients_already_known(browser, russo):
    open_page(browser, russo)
    v = russo_pass()
    step_to(browser, "out_h1", "backward")
    terms = [(f"net_o{k}", v[w]) for k, w in ((1, "w10"), (2, "w13"), (3, "w16"))]  # ∂net_ok/∂out_h1: its weight
    symbols = " + ".join(f"∂{n}/∂out_h1·∂E_total/∂{n}" for n, _ in terms)
    numbers = " + ".join(f"{show(w.data)}·{_factor(v[n].grad)}" for n, w in terms)
    assert step_text(browser) == f"∂E_total/∂out_h1 = {symbols}\n= {numbers} = {show(v['out_h1'].grad)}"
    step_to(browser, "out_o1", "backward")  # through E_o1 = ½(target_o1 − out_o1)², folded: out_o1 − target_o1
    slope = v["out_o1"].data - v["target_o1"].data
    assert step_text(browser) == (
        f"∂E_total/∂out_o1 = ∂E_o1/∂out_o1·∂E_total/∂E_o1\n= {show(slope)}·1 = {show(v['out_o1'].grad)}"
    )
    step_to(browser, "w10", "backward")
    assert step_text(browser).endswith(f"= {show(v['out_h1'].data)}·{show(v['net_o1'].grad)} = {show(v['w10'].grad)}")


def _factor(x: float) -> str:
    return f"({show(x)})" if x < 0 else show(x)


def test_after_the_backward_pass_each_weight_is_updated_as_the_documents_step_does(browser, russo):
    open_page(browser, russo)
    before = russo_pass()
    example = nn.example("russo-3-3-3")
    example.step()
    for name in ("w1", "w18"):
        assert step_to(browser, name, "update")["phase"] == "update"
        g = before[name].grad
        new = show(example.network[name].data)
        assert step_text(browser) == (
            f"{name} ← {name} − η·∂E_total/∂{name} = {show(before[name].data)} − 0.5·{_factor(g)} = {new}"
        )


def test_an_edit_recomputes_and_the_walk_keeps_its_place(browser, russo):
    open_page(browser, russo)
    at = step_to(browser, "out_h1", "backward")
    browser.execute_script("backprop.set('w10', 0.9)")
    assert browser.execute_script("return backprop.position()") == at
    v = russo_pass(w10=0.9)
    assert step_text(browser).startswith("∂E_total/∂out_h1 = ∂net_o1/∂out_h1·∂E_total/∂net_o1 + ")
    assert step_text(browser).endswith(" = " + show(v["out_h1"].grad))
    assert f"0.9·{show(v['net_o1'].grad)}" in step_text(browser)
    drawn = visible_state(browser)["drawn"]
    w1 = next(i for i, n in enumerate(v) if n == "w1")
    assert {t for i, which, t in drawn if i == w1 and which == "grad"} == {"grad ?"}  # not reached yet: still hidden
    browser.execute_script("backprop.reset()")
    no_console_errors(browser)


def test_practice_hides_what_it_hides_while_the_walk_goes_on(browser, russo):
    open_page(browser, russo)
    values = russo_drawn()
    every = {show(v.grad) for v in values if v.label} - _numbers_not_gradients(values)
    browser.execute_script("backprop.practice(true); backprop.walk(true)")
    while True:
        state = visible_state(browser)
        assert not every & set(NUMBER.findall(state["side"] + state["column"])), state["position"]
        hidden = browser.execute_script(
            "return Array.from(document.querySelectorAll('[data-show=\"grad\"]'))"
            ".every((el) => getComputedStyle(el).visibility === 'hidden' || el.textContent.endsWith('?'))"
        )
        assert hidden, state["position"]
        if state["position"]["phase"] != "forward":  # the rule to apply, never its numbers
            assert "\n" not in step_text(browser) and not re.search(r"= -?\d", step_text(browser))
        if state["position"]["k"] == state["position"]["n"]:
            break
        browser.execute_script("backprop.next()")
    assert step_text(browser) == "w18 ← w18 − η·∂E_total/∂w18"
    step_to(browser, "out_h1", "forward")
    browser.execute_script("backprop.practice('values')")
    assert step_text(browser) == "out_h1 = σ(net_h1)"
    assert "its value" in browser.find_element("id", "detail").text  # the side panel asks for it instead
    browser.execute_script("backprop.practice(false)")
    no_console_errors(browser)


def test_the_keyboard_alone_walks_plays_and_leaves(browser, russo):
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(browser, russo)
    body = browser.find_element("tag name", "body")
    position = lambda: browser.execute_script("return backprop.position()")  # noqa: E731
    for _ in range(3):
        body.send_keys(Keys.ARROW_RIGHT)
    assert position()["name"] == "i3" and browser.find_element("id", "step").text.startswith("Step 3 of 102 · ")
    body.send_keys(Keys.ARROW_LEFT)
    assert position()["k"] == 2 and browser.find_element("id", "detail").text.startswith("i2\n")
    assert browser.find_element("id", "walk").get_attribute("aria-pressed") == "true"
    body.send_keys("p")
    WebDriverWait(browser, 30).until(lambda _: position()["k"] >= 3)
    body.send_keys("p")
    paused = position()["k"]
    assert browser.find_element("id", "play").text == "▶ play"
    body.send_keys(Keys.ARROW_RIGHT)
    assert position()["k"] == paused + 1
    body.send_keys(Keys.ESCAPE)
    assert position() == {"k": 0, "n": 102, "name": None, "phase": None}
    assert "?" not in "".join(t for _, _, t in visible_state(browser)["drawn"])
    assert browser.find_element("id", "audit").is_displayed()
    keys = browser.execute_script(
        "return ['back', 'next', 'play', 'walk'].map((id) =>"
        " document.getElementById(id).getAttribute('aria-keyshortcuts'))"
    )
    assert keys == ["ArrowLeft", "ArrowRight", "P", "Escape"]
    assert browser.find_element("id", "step").get_attribute("role") == "status"  # announced as it changes
    no_console_errors(browser)


def test_the_step_api_refuses_what_it_cannot_do(browser, russo):
    open_page(browser, russo)
    error = browser.execute_script("try { backprop.walk('yes'); } catch (e) { return e.message; }")
    assert error == 'walk: on must be true or false, got "yes"'


def test_an_expression_page_steps_its_leaves_then_its_formulas_then_back(browser, tmp_path):
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = named(a * b, "e")
    d = named(e + c, "d")
    loss = named(d * f, "L")
    path = tmp_path / "karpathy.html"
    path.write_text(page(loss), encoding="utf-8")
    loss.backward()
    grads = {v.label: v.grad for v in (a, b, c, d, e, f, loss)}
    open_page(browser, path)
    steps = walked(browser)
    assert [s["name"] for s in steps] == ["a", "b", "c", "f", "e", "d", "L", "L", "f", "d", "c", "e", "a", "b"]
    browser.execute_script("backprop.walk(false); backprop.walk(true)")
    for s in steps[1:]:
        browser.execute_script("backprop.next()")
        if s["phase"] == "backward":
            assert browser.execute_script("return backprop.get(arguments[0]).grad", s["name"]) == grads[s["name"]]
            root = step_text(browser) == "∂L/∂L = 1: backward starts here" and s["name"] == "L"
            assert root or step_text(browser).endswith(" = " + show(grads[s["name"]])), s
    assert step_text(browser) == "∂L/∂b = ∂e/∂b·∂L/∂e\n= 2·(-2) = -4"
    no_console_errors(browser)


def test_a_static_page_walks_every_value_with_the_gradients_it_printed(browser, tmp_path):
    from autograd import define_op

    floats_only = define_op("test_steps_floats_only", lambda a: math.exp(a), lambda a, out: (out,))
    x = Value(0.5, "x")
    y = floats_only(x * x)
    y.backward()
    path = tmp_path / "static.html"
    path.write_text(viz.page(y), encoding="utf-8")  # no engine: the page cannot recompute
    open_page(browser, path)
    steps = walked(browser)
    assert [(s["name"], s["phase"]) for s in steps] == [
        ("x", "forward"),
        ("v1", "forward"),
        ("v2", "forward"),
        ("v2", "backward"),
        ("v1", "backward"),
        ("x", "backward"),
    ]
    assert step_text(browser) == f"∂v2/∂x = ∂v1/∂x·∂v2/∂v1\n= {show(x.grad)}"  # its factors need the engine
    no_console_errors(browser)


def test_a_value_used_twice_adds_up_its_paths_through_the_formula_it_is_folded_into(browser, tmp_path):
    x = Value(3.0, "x")
    y = named(x * x + x, "y")  # ∂y/∂x = 2x + 1 = 7, through the unnamed x·x (x used twice) and directly
    path = tmp_path / "twice.html"
    path.write_text(page(y), encoding="utf-8")
    open_page(browser, path)
    assert [(s["name"], s["phase"]) for s in walked(browser)] == [
        ("x", "forward"),
        ("y", "forward"),
        ("y", "backward"),
        ("x", "backward"),
    ]
    assert step_text(browser) == "∂y/∂x = ∂y/∂x·∂y/∂y\n= 7·1 = 7"


def test_a_page_that_trains_with_adam_names_adams_step_in_the_update_not_gradient_descents(browser, tmp_path):
    """The update's number is the page's optimizer's; its text must not write it as w − η·g."""
    model = nn.MLP(2, [2, 1], seed=0)
    data = nn.moons(8, seed=0)
    optimizer = nn.Adam(model.parameters(), lr=0.05)
    loss = nn.training.batch_loss(model, data, "mse")
    loss.backward()
    path = tmp_path / "adam.html"
    path.write_text(viz.page(loss, optimizer=optimizer))
    browser.get(path.as_uri())
    name = model.parameters()[0].label
    assert step_to(browser, name, "update")["phase"] == "update"
    weight = model.parameters()[0]
    optimizer.step()
    root = browser.execute_script("return backprop.names()").pop()
    assert step_text(browser) == f"{name} ← Adam's step from ∂{root}/∂{name} = {show(weight.grad)}: {show(weight.data)}"
    no_console_errors(browser)
