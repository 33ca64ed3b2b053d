"""viz.page and ``backprop page``: one self-contained HTML file, checked as text and in headless Chromium."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from svg_reading import strength_of, svg_colour

import nn
import viz
from autograd import Value, topological_order
from backprop.cli import main
from backprop.page_command import page
from viz.plots import CLASSES

NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def russo_names() -> list[str]:
    """The names the page gives the Russo pass's values, inputs first, as its data lists them."""
    pass_ = nn.example("russo-3-3-3").forward()
    return [v.label or f"v{i}" for i, v in enumerate(reversed(topological_order(pass_.loss)))]


def row_of(name):
    """The CSS selector of the audit rows that select the Russo value called name."""
    return f'tr[data-value="{russo_names().index(name)}"]'


def open_page(browser, path, anchor=""):
    browser.get(path.as_uri() + anchor)
    return browser


def text_of(browser, element_id):
    return browser.find_element("id", element_id).text


# --- as text -----------------------------------------------------------------------------------------


def test_the_page_is_self_contained_and_the_same_bytes_every_time(russo):
    html = russo.read_text(encoding="utf-8")
    assert page("000-russo", train=20) == html
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", html)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= NAMESPACES
    assert re.findall(r'href="([^"]*)"', html) and all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', html))


def test_a_document_s_page_cites_the_document_and_says_when_its_address_is_not_known(russo):
    html = russo.read_text(encoding="utf-8")
    assert "Source: Luigi Russo, 2018-11-18, address not known; the copy we have: 000_c76ab19165a8483c.txt" in html
    assert "Source: Datamapu, 2024-03-31, https://datamapu.com/posts/deep_learning/backpropagation/" in page(
        "001-three-examples", 1, train=0
    )


def test_every_value_of_the_pass_carries_its_name(russo):
    html = russo.read_text(encoding="utf-8")
    drawn = set(re.findall(r'<a data-value="\d+" data-name="([^"]+)"', html))
    assert set(nn.example("russo-3-3-3").forward().values) <= drawn
    assert set(russo_names()) == drawn


def test_label_text_cannot_break_out_of_the_page():
    x = Value(1.0, label='</script><b onclick="x">&')
    y = (x * 2).tanh()
    y.label = "y</svg>"
    y.backward()
    html = viz.page(y, title="<i>t</i>")
    assert "</script><b" not in html and "y</svg>" not in html and "<i>t</i>" not in html
    assert 'data-name="&lt;/script&gt;&lt;b onclick=&quot;x&quot;&gt;&amp;"' in html


def test_a_page_for_any_graph_without_neurons_shows_the_backward_sum():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b + a
    c.label = "c"
    c.backward()
    html = viz.page(c)
    assert "The network" not in html and "The computation graph" in html
    assert "∂c/∂a = ∂v" in html and "= -3·1 + 1·1 = -2" in html


def test_the_audit_rows_select_their_values(russo):
    html = russo.read_text(encoding="utf-8")
    w10 = russo_names().index("w10")
    row = re.search(rf'<tr [^>]*data-value="{w10}" class="v-disagree"><td>dE_total/dw10</td>', html)
    assert row, "the dE_total/dw10 row selects w10 and shows its disagreement"


def test_the_command_explains_what_it_cannot_do(tmp_path, capsys):
    assert main(["page", "001-three-examples", "-o", str(tmp_path / "p.html")]) == 2
    assert "001-three-examples has 2 parts; choose one with --part 1 to 2" in capsys.readouterr().err
    assert main(["page", "one-neuron", "--train", "-1"]) == 2
    assert "--train must be between 0 and 100,000, got -1" in capsys.readouterr().err
    assert main(["page", "no-such-thing"]) == 2
    assert "no worked example, document or file named 'no-such-thing'" in capsys.readouterr().err
    assert main(["page", "one-neuron", "-o", str(tmp_path / "missing" / "p.html")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_the_command_takes_parts_spec_files_and_writes_a_training_view(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["page", "001-three-examples", "--part", "2", "--train", "5"]) == 0
    assert capsys.readouterr().out == "wrote 001-three-examples-part2.html\n"
    html = (tmp_path / "001-three-examples-part2.html").read_text(encoding="utf-8")
    assert "Training: 5 steps" in html and 'id="audit"' in html
    assert main(["page", "hmkcode-2-2-1", "--train", "0"]) == 0
    assert 'id="training"' not in (tmp_path / "hmkcode-2-2-1.html").read_text(encoding="utf-8")
    assert main(["page", "swap-2-4-3-2", "--train", "3"]) == 0
    assert "decision boundary after training" in (tmp_path / "swap-2-4-3-2.html").read_text(encoding="utf-8")


def training_figures(training) -> list[str]:
    """The titles of the training section's pictures on a page with this training view."""
    html = viz.page(Value(1.0, label="x") * 2, training=training)
    return re.findall(r"<figure><svg [^>]*><title>([^<]*)</title>", html)


def test_a_training_picture_that_says_nothing_is_left_out(tmp_path, capsys):
    def predict(a, b):
        return a - b

    both = ["loss over 2 steps", "decision boundary after training"]
    assert training_figures(viz.Training([0.5, 0.2], predict, [(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)])) == both
    assert training_figures(viz.Training([0.5, 0.2], predict, [(0.0, 0.0, 1.0)])) == both[:1]  # one sample
    assert training_figures(viz.Training([0.5, 0.2], predict, [(0.0, 0.0, 1.0), (1.0, 1.0, 1.0)])) == both[:1]
    assert training_figures(viz.Training([0.5, float("nan")], predict, [(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)])) == [
        both[1]  # one finite loss draws no line
    ]
    assert 'id="training"' not in viz.page(Value(1.0), training=viz.Training([0.5], predict, [(0.0, 0.0, 1.0)]))
    assert main(["page", "hmkcode-2-2-1", "--train", "3", "-o", str(tmp_path / "one.html")]) == 0  # one sample
    html = (tmp_path / "one.html").read_text(encoding="utf-8")
    assert "Training: 3 steps" in html and "<title>loss over 3 steps</title>" in html
    assert "decision boundary" not in html


def test_a_classifier_s_page_colours_its_boundary_by_class(tmp_path, capsys):
    samples = "".join(
        f"[[samples]]\ninputs = [{x}, {y}]\ntargets = {[float(k == c) for k in range(3)]}\n"
        for x, y, c in ((0.0, 1.0, 0), (1.0, -1.0, 1), (-1.0, -1.0, 2))
    )
    layers = '[[layers]]\nsize = 4\nactivation = "tanh"\n[[layers]]\nsize = 3\nactivation = "softmax"\n'
    path = tmp_path / "classes.toml"
    head = 'name = "classes"\ninputs = 2\nloss = "categorical_cross_entropy"\nlearning_rate = 0.5\n'
    path.write_text(head + layers + samples, encoding="utf-8")
    assert main(["page", str(path), "--train", "200", "-o", str(tmp_path / "classes.html")]) == 0
    html = (tmp_path / "classes.html").read_text(encoding="utf-8")
    start = html.index("<title>decision boundary after training</title>")
    boundary = html[start : html.index("</svg>", start)]
    assert [svg_colour(CLASSES[k]) in boundary for k in range(3)] == [True] * 3  # each point in its class's colour
    fills = set(re.findall(r'fill="(#[0-9a-f]{6})"', boundary))
    paler = {k for k in range(3) for fill in fills if 0 < (strength_of(CLASSES[k], fill) or 0) < 1}
    assert paler == {0, 1, 2}  # and each class has cells, paler than its points


# --- in Chromium --------------------------------------------------------------------------------------


def test_no_console_errors_and_clicking_w10_shows_the_engine_and_the_document(browser, russo):
    open_page(browser, russo)
    browser.find_element("css selector", 'svg a[data-name="w10"]').click()
    detail = text_of(browser, "detail")
    assert detail.startswith("w10\na parameter (trained)")
    assert "0.0526425" in detail
    assert "dE_total/dw10: printed 0.05304, engine 0.0526425 (disagree: wrong in itself)" in detail
    assert browser.execute_script("return location.hash") == "#w10"
    on_path = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg a.on-path'), a => a.dataset.name)"
    )
    assert {"w10", "net_o1", "out_o1", "E_o1", "E_total"} <= set(on_path) and "w11" not in on_path
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_name_in_the_address_selects_it_and_an_audit_row_selects_its_value(browser, russo):
    open_page(browser, russo, "#out_h1")
    assert text_of(browser, "detail").startswith("out_h1\na computed value")
    assert "out_h1 = σ(net_h1) = σ(0.38) = 0.593873" in text_of(browser, "detail")
    assert in_graph_pane(browser, "out_h1")
    browser.find_element("css selector", row_of("w5")).click()
    assert text_of(browser, "detail").startswith("w5\n")
    assert browser.execute_script("return location.hash") == "#w5"
    assert in_graph_pane(browser, "w5")  # the row brings its value into the drawings' view


def in_graph_pane(browser, name, pane=1):
    """Whether the value called name lies wholly inside the visible part of the computation graph's pane
    (the pane-th drawing's: the second after the network's, the first on a page without one)."""
    return browser.execute_script(
        "const pane = document.querySelectorAll('.pane')[arguments[1]], view = pane.getBoundingClientRect();"
        "const box = pane.querySelector('a[data-name=\"' + arguments[0] + '\"]').getBoundingClientRect();"
        "return box.left >= view.left && box.right <= view.right && box.top >= view.top && box.bottom <= view.bottom;",
        name,
        pane,
    )


def test_the_drawings_open_where_the_forward_pass_starts(browser, russo):
    open_page(browser, russo)
    assert in_graph_pane(browser, "i1") and not in_graph_pane(browser, "E_total")


@pytest.mark.parametrize("anchor", ["#no-such-value", "#%E0%A4%A"])  # a name the page lacks; not even UTF-8
def test_an_address_that_names_nothing_opens_like_none(browser, russo, anchor):
    browser.get("about:blank")  # a load, not a move within the page
    open_page(browser, russo, anchor)
    assert in_graph_pane(browser, "i1") and not in_graph_pane(browser, "E_total")
    assert not browser.get_log("browser")  # no uncaught error
    browser.find_element("css selector", row_of("w5")).click()
    assert browser.execute_script("return location.hash") == "#w5"


def test_play_steps_by_itself_until_paused(browser, russo):
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(browser, russo)
    browser.find_element("tag name", "body").send_keys("p")
    step = browser.find_element("id", "step")
    WebDriverWait(browser, 30).until(lambda _: int(step.get_attribute("data-step") or -1) >= 1)
    browser.find_element("id", "play").click()  # pause
    assert browser.find_element("id", "play").text == "▶ play"
    paused_at = step.get_attribute("data-step")
    browser.find_element("id", "next").click()
    assert int(step.get_attribute("data-step")) == int(paused_at) + 1


def test_the_keyboard_alone_reaches_and_selects_a_value(browser, russo):
    open_page(browser, russo)
    body = browser.find_element("tag name", "body")
    for _ in range(12):  # past the notes, the fit buttons and the step buttons to the first drawn value
        body = browser.switch_to.active_element
        body.send_keys("\ue004")  # the tab key
        name = browser.execute_script("return document.activeElement.dataset && document.activeElement.dataset.name")
        if name:
            break
    assert name in russo_names()
    assert text_of(browser, "detail").startswith(name + "\n")
    browser.switch_to.active_element.send_keys("\ue014")  # the right arrow steps, from wherever the focus is
    assert (
        browser.find_element("id", "step").get_attribute("data-name") == "i1"
    )  # the first value the walkthrough gives


def moons_mlp_spec(*samples: tuple[list[float], list[float]]) -> dict:
    """The spec of micrograd's moons MLP, 2-16-16-1 with ReLU and the hinge loss, on samples (inputs, targets)."""
    return {
        "name": "moons-mlp",
        "inputs": 2,
        "learning_rate": 0.05,
        "loss": "hinge",
        "layers": [
            {"size": 16, "activation": "relu"},
            {"size": 16, "activation": "relu"},
            {"size": 1, "activation": "linear"},
        ],
        "samples": [{"inputs": inputs, "targets": targets} for inputs, targets in samples],
    }


def test_a_2_16_16_1_network_opens_and_responds(browser, tmp_path):
    spec = moons_mlp_spec(([0.5, -0.25], [1.0]), ([1.5, 0.5], [-1.0]))
    example = nn.load_spec(spec)
    loss = example.forward().backward().loss
    path = tmp_path / "mlp.html"
    path.write_text(viz.page(loss), encoding="utf-8")
    open_page(browser, path, "#w1_1_1")
    assert text_of(browser, "detail").startswith("w1_1_1\na parameter")
    browser.find_element("id", "next").click()
    assert text_of(browser, "step").startswith("Step 1 of ")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_every_label_of_the_training_plots_lies_inside_its_picture_as_chromium_draws_it(browser, tmp_path):
    cases = ([0.3873, 0.006274], [0.3089, 2.465e-32], [12345.678, 1e-07], [-0.001234, -12345.678], [5.0, 5.0])
    plots = [viz.loss_plot(losses, title="cross-entropy of the whole training set") for losses in cases]
    plots.append(viz.boundary_plot(lambda x, y: x, [(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)], grid=2, title="W" * 40))
    path = tmp_path / "plots.html"
    path.write_text("<!doctype html><meta charset=utf-8><body>" + "".join(plots), encoding="utf-8")
    open_page(browser, path)
    cut = browser.execute_script(
        "return [...document.querySelectorAll('svg text')].filter(t => {"
        "  const box = t.getBBox(), view = t.ownerSVGElement.viewBox.baseVal;"
        "  return box.x < view.x || box.x + box.width > view.x + view.width; }).map(t => t.textContent)"
    )
    assert cut == []


def test_a_graph_too_large_is_refused_before_the_page_is_built_and_max_nodes_is_the_pages_own():
    from viz.structure import GraphTooLarge

    def chain(n):
        y = Value(0.5, "x")
        for _ in range(n):
            y = y.tanh()
        y.backward()
        return y

    with pytest.raises(GraphTooLarge, match=r"would have 3001 nodes, more than max_nodes=2000; raise max_nodes"):
        viz.page(chain(3000))
    small = chain(60)
    with pytest.raises(GraphTooLarge, match=r"would have 61 nodes, more than max_nodes=50; raise max_nodes"):
        viz.page(small, max_nodes=50)
    assert viz.page(small).startswith("<!DOCTYPE html>")


RUNAWAY = """\
name = "runaway"
inputs = 2
learning_rate = {lr}
[[layers]]
size = 1
activation = "linear"
weights = [[0.5, -0.5]]
[[samples]]
inputs = [1.0, 2.0]
targets = [1.0]
[[samples]]
inputs = [-1.0, 3.0]
targets = [0.0]
"""


@pytest.mark.parametrize(
    ("lr", "steps", "notes"),
    [
        ("1e300", 1, ["train: step 1 (lr=1e+300): pow: ", " overflows a float; try lr=1e+299"]),
        ("1.0", 100, ["train: the loss rose from 3.125 to ", " by step 1 with lr=1: the steps overshoot; try lr=0.1"]),
    ],
)
def test_a_training_view_that_runs_away_is_written_and_says_so(tmp_path, capsys, lr, steps, notes):
    """The page a user asked for is more use than none: it shows the losses so far and nn.train's advice."""
    path = tmp_path / "runaway.toml"
    path.write_text(RUNAWAY.format(lr=lr), encoding="utf-8")
    assert main(["page", str(path), "-o", str(tmp_path / "p.html")]) == 0
    assert capsys.readouterr() == (f"wrote {tmp_path / 'p.html'}\n", "")  # no warning's traceback-like lines
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="training">') :]
    assert section.startswith(f'<section id="training"><h2>Training: {steps} steps</h2><p class="note">')
    note = re.search(r'<p class="note">([^<]*)</p>', section)[1]
    assert note.startswith(notes[0]) and notes[1] in note
    assert "decision boundary" not in section  # runaway weights draw no boundary worth showing


def test_a_training_view_that_stops_before_its_first_loss_still_says_why():
    html = viz.page(Value(1.0, "x"), training=viz.Training([], notes=["train: step 0 (lr=1): overflow"]))
    assert '<section id="training"><h2>Training: 0 steps</h2><p class="note">train: step 0 (lr=1): overflow' in html


# Labels a page must show and select whatever they hold: quotes, markup, controls, a lone surrogate (no
# UTF-8 holds it), very long ones, CSS selector characters, and pairs that look alike once made visible.
HOSTILE = [
    "q'uote",
    'd"quote',
    "back\\slash",
    "</script><!--",
    "<!--",
    "new\nline",
    "nul\x00",
    "nul\\x00",  # what the NUL above shows as
    "bell\x07\x1b[31m",
    "lone\ud800",
    "lone\\ud800",
    "x" * 60 + "A" * 5000 + "y" * 30,
    "x" * 60 + "B" * 5000 + "y" * 30,  # cut for showing, both read the same
    "é",
    "e\u0301",
    "🙂\u200d🙂",
    "a[b]",
    "#id",
    ".cls:hover",
    "x~2",
    "x",
    "x",
    "",
    "v3",
    "sp ace",
    "tab\there",
    "tab here",
    "%41",
    "%",
    "&amp;",
    "\u202eRTL",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A page of a sum over values with HOSTILE labels, with an audit row for each label, written as UTF-8."""
    leaves = [Value(k / 10, label) for k, label in enumerate(HOSTILE)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf * 2
    total.label = "total"
    total.backward()
    audit = [viz.AuditLine(f"row {k}", "1", "1", "agree", "", value=label) for k, label in enumerate(HOSTILE)]
    path = tmp_path_factory.mktemp("hostile") / "hostile.html"
    path.write_text(viz.page(total, audit=audit, title="lone\udc00 </title>"), encoding="utf-8")  # it can be written
    drawn = list(reversed(topological_order(total)))
    return path, [drawn.index(leaf) for leaf in leaves]


def test_hostile_labels_stay_text_and_every_name_is_unique(hostile):
    path, _ = hostile
    html = path.read_text(encoding="utf-8")
    assert "</script><!--" not in html and "\x00" not in html and "\x1b" not in html
    data = json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)[1])
    names = [v["name"] for v in data["values"]]
    assert len(set(names)) == len(names)


def test_selecting_any_value_selects_that_value_whatever_its_hostile_label(browser, hostile):
    open_page(browser, hostile[0])
    count, results = browser.execute_script(
        """
        const data = JSON.parse(document.getElementById("page-data").textContent), out = [];
        data.values.forEach((v, i) => {
          for (const a of document.querySelectorAll('a[data-value="' + i + '"]')) {
            a.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
            const selected = Array.from(document.querySelectorAll("a.selected"), (s) => Number(s.dataset.value));
            out.push([i, selected, document.querySelector("#detail .name").textContent === v.name,
                      decodeURIComponent(location.hash.slice(1)) === v.name]);
          }
        });
        return [data.values.length, out];
        """
    )
    assert {i for i, *_ in results} == set(range(count))  # every value is drawn, and each of its links tried
    for i, selected, shown, addressed in results:
        assert (set(selected), shown, addressed) == ({i}, True, True), i
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_hostile_name_in_the_address_and_an_audit_row_select_their_value(browser, hostile):
    path, leaves = hostile
    open_page(browser, path)
    names = browser.execute_script("return JSON.parse(document.getElementById('page-data').textContent).values")
    for k in range(len(HOSTILE)):
        i = leaves[k]
        browser.get("about:blank")
        open_page(browser, path, "#" + quote(names[i]["name"], safe=""))
        assert browser.execute_script("return document.querySelector('#detail .name').textContent") == names[i]["name"]
        row = browser.find_element("css selector", f'tr[data-row="{k}"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
        row.click()
        expected = min(leaves[j] for j, label in enumerate(HOSTILE) if label == HOSTILE[k])  # the first drawn
        selected = browser.execute_script(
            "return Array.from(document.querySelectorAll('a.selected'), a => a.dataset.value)"
        )
        assert set(selected) == {str(expected)}, HOSTILE[k]


def test_names_stay_unique_when_labels_look_like_the_made_up_ones():
    from viz.page import _unique_names

    labels = ["x", "x~2", "x", "x~2~", "v4", None, "nul\x00", "nul\\x00", "a\tb", "a b", "\ud800", "\\ud800"]
    names = _unique_names([Value(0.0, label) for label in labels])
    assert len(set(names)) == len(names)
    assert names[:6] == ["x", "x~2", "x~2~~", "x~2~", "v4", "v5"]
    assert names[6:] == ["nul\\x00", "nul\\x00~7", "a b", "a b~9", "\\ud800", "\\ud800~11"]  # shown alike


def test_sgd_with_momentum_leaves_the_page_static_and_says_why():
    x = Value(3.0, "x")
    html = viz.page(x * x, optimizer=nn.SGD([x], lr=0.1, momentum=0.9))
    assert "const ENGINE = null;" in html
    assert "SGD with momentum keeps a velocity per parameter, which a page&#x27;s step does not" in html


def test_a_page_takes_trained_or_an_optimizer_not_both():
    x = Value(3.0, "x")
    with pytest.raises(
        ValueError, match=r"^page: give trained or optimizer \(which trains its parameters\), not both$"
    ):
        viz.page(x * x, trained=[x], optimizer=nn.SGD([x], lr=0.1))
