"""Every learner tool on any expression: a Value graph in Python, or an expression spec file on the command line."""

from __future__ import annotations

import math

import pytest

import backprop
from autograd import Value
from backprop.claims import DocumentError
from backprop.cli import main
from backprop.expressions import ExpressionExample, load_expressions
from tests.oracles import needs_torch, torch

LECTURE = """\
# lecture.toml
title = "L = (a·b + c)·f"

[values]
a = 2.0
b = -3.0
c = 10.0
f = -2.0

[expressions]
e = "a * b"
d = "e + c"
L = "d * f"
"""

NEURON = """\
# neuron.toml
learning_rate = 0.1

[values]
x1 = 2.0
x2 = 0.0
w1 = -3.0
w2 = 1.0
b = 6.8813735870195432

[expressions]
n = "x1*w1 + x2*w2 + b"
o = "tanh(n)"
"""

# every kind of function and operator, for the oracle
MIXED = """\
[values]
x = 0.7
y = -1.3
z = 2.5

[expressions]
p = "sigmoid(x * y) / (1 + exp(-z))"
q = "log(z ** 2 + sqrt(z)) - relu(y) + relu(x)"
r = "p * q - tanh(p - q) ** 3 + 2 ** x"
"""


def lecture_graph():
    """Karpathy's L = (a·b + c)·f, built in Python and labelled as the lecture does."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_lecture_expression_is_explained_by_its_labels():
    L = lecture_graph()
    explanation = backprop.explain(L, "a")
    assert explanation.symbol == "∂L/∂a"
    assert explanation.gradient == 6.0  # ∂L/∂a = f·b: the lecture's a.grad
    assert [f.symbol() for f in explanation.paths[0].factors] == ["∂L/∂d", "∂d/∂a"]
    assert {n: backprop.explain(L, n).gradient for n in "bcdef"} == {"b": -4, "c": -2, "d": -2, "e": -2, "f": 4}
    assert L.grad == 0.0 and L.parents[0].grad == 0.0  # the caller's graph is not touched


def test_the_lecture_expression_walks_through_forward_and_backward():
    text = backprop.walkthrough(lecture_graph())
    assert "  e = a·b = 2·(-3) = -6\n  d = e + c = (-6) + 10 = 4\n  L = d·f = 4·(-2) = -8\n" in text
    assert "Expression L of a, b, c, f, no learning rate: one forward and backward pass." in text
    assert "  ∂L/∂a = ∂L/∂d · ∂d/∂a\n          = -2 · -3 = 6\n" in text
    assert "update" not in text  # no learning rate, no step
    with pytest.raises(ValueError, match="has no learning rate: it takes no gradient-descent steps"):
        backprop.walkthrough(lecture_graph(), steps=2)


def test_unlabelled_intermediates_are_shown_by_their_formula():
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    text = backprop.walkthrough((a * b + c) * f)
    assert "  loss = (a·b + c)·f = (2·(-3) + 10)·(-2) = -8\n" in text
    assert backprop.explain((a * b + c) * f, "b").gradient == -4.0


def test_a_name_given_twice_is_refused():
    a, b = Value(1.0, "x"), Value(2.0, "x")
    with pytest.raises(ValueError, match="two values of the graph are labelled 'x'"):
        backprop.explain(a * b, "x")


def test_a_step_changes_the_leaves_of_a_copy_only():
    example = ExpressionExample(lecture_graph(), learning_rate=0.01)
    text = backprop.walkthrough(example, steps=2)
    assert "  a ← a − η·∂L/∂a = 2 − 0.01·6 = 1.94\n" in text
    assert "After 2 steps: forward pass again" in text
    assert example.current == {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}


def test_the_page_and_the_graph_of_a_value():
    pytest.importorskip("graphviz")
    import viz

    L = lecture_graph()
    html = backprop.page(L, train=0)
    assert "∂L/∂a" in html and "L = (a·b + c)·f" not in html  # d is named: L = d·f
    assert "d·f" in html
    assert "grads not computed" in viz.draw_graph(L).source  # the page left the caller's graph alone
    L.backward()
    assert "grad 6" in viz.draw_graph(L).source


@needs_torch
@pytest.mark.parametrize("text", [LECTURE, NEURON, MIXED], ids=["lecture", "neuron", "mixed"])
def test_expression_specs_agree_with_pytorch(tmp_path, text):
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    pass_ = load_expressions(path).forward().backward()
    t = {n: torch.tensor(v.data, dtype=torch.float64, requires_grad=True) for n, v in pass_.values.items()}
    for name, formula in _formulas(text).items():  # each expression from its leaves, in torch
        t[name] = eval(formula, {**vars(torch), **t})
        t[name].retain_grad()
    output = list(t)[-1]
    t[output].backward()
    for name, v in pass_.values.items():
        assert v.data == pytest.approx(t[name].item(), rel=1e-12, abs=1e-15), name
        assert v.grad == pytest.approx(t[name].grad.item(), rel=1e-12, abs=1e-15), name


def _formulas(text: str) -> dict[str, str]:
    body = text.split("[expressions]")[1]
    pairs = (line.split(" = ", 1) for line in body.strip().splitlines())
    return {
        name: formula.strip('"').replace("2 ** x", "torch.tensor(2.0, dtype=torch.float64) ** x")
        for name, formula in pairs
    }


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('e = "a * g"', "lecture.toml:11: expressions.e: 'a * g': unknown name 'g'; the names are a, b, c, f, e, d, L"),
        ('e = "d * b"', "lecture.toml:11: expressions.e: a cycle: e → d → e"),
        (
            'e = "gauss(a) * b"',
            "lecture.toml:11: expressions.e: 'gauss(a) * b': gauss is not a function; the functions",
        ),
        ('e = "log(b) * a"', "lecture.toml:11: expressions.e: 'log(b) * a' cannot be computed: log: operand must be"),
        ('e = "a.real"', "lecture.toml:11: expressions.e: 'a.real': only numbers, names, functions"),
        ('e = "a # b"', "lecture.toml:11: expressions.e: 'a # b': '#' is not allowed"),
        ('e = "a"', "lecture.toml:11: expressions.e: 'a' is a itself; use the name a"),
        ('e = "2 * 3"', "lecture.toml:11: expressions.e: '2 * 3' uses no name: a number belongs in [values]"),
        ('e = "a * b"\ng = "a + 1"', "lecture.toml:12: expressions.g: L does not use g; leave it out or use it"),
    ],
)
def test_bad_expression_specs_name_the_file_line_and_field(tmp_path, monkeypatch, capsys, lines, message):
    monkeypatch.chdir(tmp_path)
    text = LECTURE.replace('[expressions]\ne = "a * b"', "[expressions]\n" + lines)
    if "g = " in lines:
        text = text.replace('d = "e + c"\nL = "d * f"\n', "") + 'd = "e + c"\nL = "d * f"\n'
    (tmp_path / "lecture.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DocumentError) as error:
        load_expressions("lecture.toml")
    assert str(error.value).startswith(message)
    for command in ("walkthrough", "explain", "list", "page"):
        status, out, err = run(capsys, command, "lecture.toml")
        assert (status, out) == (2, "")
        assert err.startswith(f"backprop: error: {message}")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("c = 10.0", "c = true", "lecture.toml:7: values.c: expected a finite number, got boolean True"),
        ("c = 10.0", "tanh = 10.0", "lecture.toml:7: values.tanh: 'tanh' is the name of a function"),
        ("c = 10.0", '"ﬁ" = 10.0', "lecture.toml:7: values.ﬁ: the name 'ﬁ' is read by Python as 'fi' (Unicode's"),
        ('title = "L = (a·b + c)·f"', "learning_rate = -1", "lecture.toml:2: learning_rate: must be a positive"),
        ('title = "L = (a·b + c)·f"', 'output = "q"', "lecture.toml:2: output: no expression named 'q'"),
        ('title = "L = (a·b + c)·f"', "layer = 1", "lecture.toml:2: layer: unknown field; the fields are"),
        ('title = "L = (a·b + c)·f"', "notes = [1]", "lecture.toml:2: notes[0]: expected a string, got integer 1"),
    ],
)
def test_bad_fields_of_an_expression_spec(tmp_path, old, new, message):
    path = tmp_path / "lecture.toml"
    path.write_text(LECTURE.replace(old, new), encoding="utf-8")
    with pytest.raises(DocumentError) as error:
        load_expressions(path)
    assert str(error.value).startswith(str(tmp_path / message))


def test_a_long_flat_sum_or_product_is_one_level_deep_and_a_deep_nesting_is_refused(tmp_path):
    terms = [f"a{i}" for i in range(1, 201)]
    values = "".join(f"{t} = {i / 100}\n" for i, t in enumerate(terms, 1))
    path = tmp_path / "long.toml"
    path.write_text(
        f"[values]\n{values}\n[expressions]\n"
        f's = "{" + ".join(terms[:150])} - {" - ".join(terms[150:])}"\n'
        f'p = "s * {" * ".join(terms[:60])} / a61 / a62"\n',
        encoding="utf-8",
    )
    pass_ = load_expressions(path).forward().backward()
    s = sum(i / 100 for i in range(1, 151)) - sum(i / 100 for i in range(151, 201))
    product = math.prod(i / 100 for i in range(1, 61)) / 0.61 / 0.62
    assert pass_.values["s"].data == pytest.approx(s, rel=1e-12)
    assert pass_.values["p"].data == pytest.approx(s * product, rel=1e-12)
    assert pass_.values["a200"].grad == pytest.approx(-product, rel=1e-12)  # ∂p/∂a200 = −(the product)
    deep = "a1" + " + (a2" * 21 + ")" * 21
    path.write_text(f'[values]\na1 = 1.0\na2 = 2.0\n\n[expressions]\ns = "{deep}"\n', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"long.toml:6: expressions.s: .*: nested more than 20 deep"):
        load_expressions(path)


def test_every_command_takes_an_expression_spec(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "neuron.toml").write_text(NEURON, encoding="utf-8")
    status, out, _ = run(capsys, "explain", "neuron.toml", "w1")
    assert (status, out) == (0, "∂o/∂w1 = ∂o/∂n · ∂n/∂w1\n         = 0.5 · 2 = 1\n\n")
    status, out, _ = run(capsys, "walkthrough", "neuron.toml", "--steps", "2")
    assert status == 0 and "  w1 ← w1 − η·∂o/∂w1 = -3 − 0.1·1 = -3.1\n" in out
    status, out, _ = run(capsys, "list", "neuron.toml")
    assert out.splitlines()[:2] == [
        "neuron: each value by the name explain, claim files and quantities use",
        "  x1  2             parameter",
    ]
    pytest.importorskip("graphviz")
    assert run(capsys, "graph", "neuron.toml", "-o", "neuron.dot")[:2] == (0, "wrote neuron.dot\n")
    assert "tanh" in (tmp_path / "neuron.dot").read_text()
    assert run(capsys, "page", "neuron.toml")[:2] == (0, "wrote neuron.html\n")
    assert "Training: 100 steps" in (tmp_path / "neuron.html").read_text()
    status, _, err = run(capsys, "check", "neuron.toml")
    assert status == 2 and "neuron.toml: an expression spec, not a claim file" in err


def test_the_lectures_expressions_are_bundled_with_their_source(capsys, tmp_path, monkeypatch):
    """The lecture's two expressions by name, their gradients those it fills in by hand, its source cited."""
    from backprop import expressions

    assert expressions.examples() == ["karpathy-l", "karpathy-neuron"]
    neuron = expressions.example("karpathy-neuron").forward().backward()
    assert {n: neuron[n].grad for n in ("x1", "w1", "x2", "w2")} == pytest.approx(
        {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0}
    )
    assert neuron["o"].data == pytest.approx(2**-0.5)
    status, out, _ = run(capsys, "list")
    assert status == 0 and "Expressions (backprop walkthrough NAME)\n  karpathy-l       L = (a·b + c)·f" in out
    assert 'source: Andrej Karpathy, "The spelled-out intro to neural networks and backpropagation' in out
    assert "https://www.youtube.com/watch?v=VMj-3S1tku0" in out
    status, out, _ = run(capsys, "explain", "karpathy-l", "a")
    assert (status, out) == (0, "∂L/∂a = ∂L/∂d · ∂d/∂a\n        = -2 · -3 = 6\n\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text('network = "karpathy-l"\n[[claim]]\nquantity = "dL/dc"\nprinted = "-2"\n')
    assert run(capsys, "check", "mine.toml")[0] == 0
    pytest.importorskip("graphviz")
    assert "Source: Andrej Karpathy" in backprop.page("karpathy-neuron", train=0)
