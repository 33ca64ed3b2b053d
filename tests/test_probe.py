"""backprop probe and autograd.testing: a learner's micrograd-style Value class checked op by op against this
engine, in a child process under time and memory limits.

ENGINE is micrograd 0.1.0's engine with tanh and exp as micrograd's lecture writes them; each classic bug
is a few-line change to it, and the probe must name the op and the bug.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import micrograd.engine
import pytest

import autograd
from autograd.probe.graphs import Graph, shrunk
from autograd.probe.report import AGREE, NOTE, WRONG
from autograd.testing import EngineInputError, assert_engine_matches, check_engine
from backprop.cli import main

LIMITS = {"time_limit": 2.0, "memory_limit": 256, "graphs": 30}  # small: the whole file runs in seconds

ENGINE = """\
import math


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, other):
        assert isinstance(other, (int, float)), "only supporting int/float powers for now"
        out = Value(self.data**other, (self,), f'**{other}')

        def _backward():
            self.grad += (other * self.data**(other-1)) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(0 if self.data < 0 else self.data, (self,), 'ReLU')

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        out = Value(t, (self,), 'tanh')

        def _backward():
            self.grad += (1 - t**2) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), 'exp')

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()
        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1
"""

RECURSIVE_BACKWARD = (  # backward without a topological order: each node passes its grad on when reached
    "        build_topo(self)\n        self.grad = 1\n        for v in reversed(topo):\n            v._backward()\n",
    "        self.grad = 1\n        self._visit()\n\n    def _visit(self):\n        self._backward()\n"
    "        for child in self._prev:\n            child._visit()\n",
)
BUGS = {  # a classic bug: its change to ENGINE, the op that must be wrong, and what its classic bug must say
    "= instead of +=": ([("self.grad += out.grad", "self.grad = out.grad")], "a + b", "`self.grad = …` instead of"),
    "= instead of += in both": (
        [("self.grad += out.grad", "self.grad = out.grad"), ("other.grad += out.grad", "other.grad = out.grad")],
        "a + b",
        "`self.grad = …` and `other.grad = …` instead of `+=`",
    ),
    "relu twice as steep": ([("(out.data > 0) * out", "2 * (out.data > 0) * out")], "a.relu()", "d/da is 2 times"),
    "no topological order": ([RECURSIVE_BACKWARD], "backward(): a node used twice", "no topological order"),
    "topo, not reversed": ([("reversed(topo)", "topo")], "a + b", "topo leaves first (topo, not reversed(topo))"),
    "2 - a computes a - 2": ([("return other + (-self)", "return self - other")], "2 - a", "2 - a computes a - 2"),
    "tanh' is 1 - t": ([("(1 - t**2)", "(1 - t)")], "a.tanh()", "is 1 - t²; here 1 - t"),
    "pow without its exponent": (
        [("(other * self.data**(other-1))", "(self.data**(other-1))")],
        "a ** n",
        "here a^(n-1): the factor n (the exponent) is missing",
    ),
    "no * out.grad": (
        [("self.grad += other.data * out.grad", "self.grad += other.data")],
        "a * b",
        "the gradient passed to self is not multiplied by the output's",
    ),
    "each operand its own value": (
        [
            ("self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
            ("other.grad += self.data * out.grad", "other.grad += other.data * out.grad"),
        ],
        "a * b",
        "each operand gets the other's (d/da and d/db swapped)",
    ),
    "exp' is a": ([("out.data * out.grad", "self.data * out.grad")], "a.exp()", "is e^a (out.data); here a"),
    "relu without its gate": ([("(out.data > 0) * out.grad", "out.grad")], "a.relu()", "1 everywhere: the gate"),
    "a number not made a Value": (
        [("        other = other if isinstance(other, Value) else Value(other)\n        out = Value(self.data +",
          "        out = Value(self.data +")],
        "a + 2",
        "the number is not made a Value",
    ),
    "tanh' forgets the chain": ([("(1 - t**2) * out.grad", "(1 - t**2)")], "a.tanh()", "not multiplied by the output"),
}  # fmt: skip


def engine(tmp_path: Path, *changes: tuple[str, str], name: str = "mine") -> str:
    """ENGINE with each change made (each changes exactly one place), as a file; its FILE.py:Value."""
    text = ENGINE
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return f"{path}:Value"


def rows(report) -> dict:
    return {row.name: row for row in report.rows}


def test_micrograd_passes_as_it_is_and_its_accumulating_backward_is_reported_not_failed():
    report = check_engine(micrograd.engine.Value, **LIMITS)
    assert report.ok and report.wrong() == []
    assert "a ** b (AssertionError: only supporting int/float powers for now)" in report.absent
    assert {"a + b", "2 - a", "a ** n", "2 / a", "a.relu()"} <= set(report.found)
    found = rows(report)
    assert found["backward() twice"].status == NOTE
    assert "after two calls a.grad is 3 times one call's, as in micrograd" in found["backward() twice"].note
    assert found["a chain of 5000 ops"].status == NOTE  # its recursive build_topo: a limit, with the fix
    assert "RecursionError in build_topo, engine.py:" in found["a chain of 5000 ops"].note
    assert found["random expressions"].status == AGREE


def test_this_engine_passes_every_probe():
    report = check_engine(autograd.Value, **LIMITS)
    assert report.ok and report.absent == ()
    assert [row.status for row in report.rows].count(NOTE) == 2  # backward() twice, zero_grad()
    assert "as in PyTorch and this engine" in rows(report)["backward() twice"].note
    assert "gives one pass again" in rows(report)["zero_grad()"].note
    assert rows(report)["a chain of 5000 ops"].status == AGREE


def test_the_lecture_engine_passes(tmp_path):
    report = check_engine(engine(tmp_path), **LIMITS)
    assert report.ok
    assert {"a.tanh()", "a.exp()"} <= {row.name for row in report.rows if row.status == AGREE}


@pytest.mark.parametrize("bug", BUGS)
def test_each_classic_bug_is_caught_with_its_op_named_and_the_bug_matched(tmp_path, bug):
    changes, op, says = BUGS[bug]
    report = check_engine(engine(tmp_path, *changes), **LIMITS)
    assert not report.ok
    row = rows(report)[op]
    assert row.status == WRONG and says in row.failure.bug
    assert op in report.summary()


def test_a_wrong_local_derivative_is_shown_with_both_gradients_and_only_its_op_is_wrong(tmp_path):
    report = check_engine(engine(tmp_path, ("(1 - t**2)", "(1 - t)")), **LIMITS)
    assert [row.name for row in report.wrong()] == ["a.tanh()"]
    failure = rows(report)["a.tanh()"].failure
    assert (failure.expression, failure.point) == ("a.tanh()", "a = 0.5")
    t = math.tanh(0.5)
    assert failure.expected.value == pytest.approx(t) and failure.received.value == pytest.approx(t)
    assert failure.expected.grads == pytest.approx((1 - t * t,)) and failure.received.grads == pytest.approx((1 - t,))
    text = str(report)
    table = [line.split() for line in text.splitlines() if "|" in line]
    assert table[0] == ["|", "expected", "|", "received"]
    assert table[2] == ["d/da", "|", f"{1 - t * t:.10g}", "|", f"{1 - t:.10g}", "<-", "differs"]
    assert text.endswith("mine.py:Value: 18 of 19 probes agree, 1 wrong: a.tanh()")


def test_an_input_used_twice_is_the_smallest_expression_that_shows_equals_for_plus_equals(tmp_path):
    changes = BUGS["= instead of += in both"][0]
    failure = rows(check_engine(engine(tmp_path, *changes), **LIMITS))["a + b"].failure
    assert (failure.expression, failure.point) == ("a + a", "a = 1.5")
    assert (failure.expected.grads, failure.received.grads) == ((2.0,), (1.0,))


def test_a_bug_seen_again_in_another_op_is_named_not_repeated(tmp_path):
    text = str(check_engine(engine(tmp_path, ("self.grad += out.grad", "self.grad = out.grad")), **LIMITS))
    assert text.count("the classic bug: `self.grad = …` instead of `+=`") == 1
    assert "(a - 2) + a  at a = 1.5: the same classic bug as a + b" in text


def test_random_expressions_find_and_shrink_a_bug_no_single_op_shows(tmp_path):
    report = check_engine(engine(tmp_path, RECURSIVE_BACKWARD), **LIMITS)
    assert [row.name for row in report.wrong()] == ["backward(): a node used twice", "random expressions"]
    failure = rows(report)["random expressions"].failure
    assert failure.expression.startswith("t = ") and failure.expression.count(";") == 1  # one shared node, two ops
    assert not failure.received.agrees(failure.expected)  # as it was when it failed: a set's order can change it


def test_shrinking_keeps_one_op_at_plain_values():
    graph = Graph.over((0.3, -1.7, 2.9), ("a * b", (0, 1)), ("a.tanh()", (3,)), ("a + b", (4, 2)), ("a * b", (5, 3)))
    small = shrunk(graph, lambda g: any(node.form == "a.tanh()" for node in g.nodes))
    assert (small.text(), small.point()) == ("a.tanh()", "a = 1.0")
    assert graph.text() == "t = a * b; (t.tanh() + c) * t"


def test_a_kink_convention_is_a_note_not_a_failure(tmp_path):
    report = check_engine(engine(tmp_path, ("(out.data > 0) * out.grad", "(self.data >= 0) * out.grad")), **LIMITS)
    assert report.ok
    relu = rows(report)["a.relu()"]
    assert relu.status == AGREE and "at a = 0.0, a kink, d/da is 1; PyTorch and this engine give 0" in relu.note


def test_zero_grad_that_zeroes_only_the_leaves_is_reported(tmp_path):
    leaves = (
        "    def __neg__(self):",
        "    def zero_grad(self):\n        stack = [self]\n        while stack:\n            v = stack.pop()\n"
        "            if not v._prev:\n                v.grad = 0\n            stack.extend(v._prev)\n\n"
        "    def __neg__(self):",
    )
    report = check_engine(engine(tmp_path, leaves), **LIMITS)
    assert report.ok  # what zero_grad does is reported, not failed
    note = rows(report)["zero_grad()"].note
    assert "out.zero_grad() leaves the grad of t and out, so backward() after it gives a.grad = -3" in note
    assert "not one pass's -1.5: what it leaves is passed on again" in note


def line(spec: str, text: str) -> int:
    """The number of the line of spec's file that holds text."""
    lines = Path(spec.rpartition(":")[0]).read_text(encoding="utf-8").splitlines()
    return next(k for k, written in enumerate(lines, 1) if text in written)


def test_an_infinite_loop_in_add_is_reported_where_it_is_and_the_rest_is_probed(tmp_path):
    loop = engine(
        tmp_path, ("    def __add__(self, other):\n", "    def __add__(self, other):\n        while True: pass\n")
    )
    report = check_engine(loop, **{**LIMITS, "time_limit": 0.5})
    add = rows(report)["a + b"]
    assert (add.status, add.note) == (WRONG, f"timed out after 0.5 s (in __add__, mine.py:{line(loop, 'while')})")
    assert rows(report)["a * b"].status == rows(report)["a.tanh()"].status == AGREE


def test_a_hang_the_timer_cannot_stop_is_killed(tmp_path):
    stuck = (
        "        out = Value(math.exp(",
        "        sum(range(10**15))  # C code: no signal handler runs\n        out = Value(math.exp(",
    )
    report = check_engine(engine(tmp_path, stuck), **{**LIMITS, "time_limit": 0.5})
    assert rows(report)["a.exp()"].note == "timed out after 0.5 s (stuck where a timer cannot stop it)"
    assert rows(report)["a.tanh()"].status == rows(report)["a * b"].status == AGREE  # a new process goes on


def test_a_crash_is_reported_and_the_probe_goes_on(tmp_path):
    crash = ("        out = Value(math.exp(", "        __import__('os')._exit(3)\n        out = Value(math.exp(")
    report = check_engine(engine(tmp_path, crash), **LIMITS)
    assert rows(report)["a.exp()"].note == "crashed: the process exited with status 3"
    assert [row.name for row in report.wrong()] == ["a.exp()"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory limit is RLIMIT_AS: Linux only")
def test_a_huge_allocation_meets_the_memory_limit(tmp_path):
    huge = engine(
        tmp_path, ("        out = Value(math.exp(", "        hoard = [0.0] * 10**9\n        out = Value(math.exp(")
    )
    report = check_engine(huge, **LIMITS)
    error = rows(report)["a.exp()"].failure.received.error
    assert error == f"MemoryError (out of the probe's memory) (in exp, mine.py:{line(huge, 'hoard')})"


def test_what_the_class_prints_does_not_reach_the_report(tmp_path, capsys):
    noisy = (
        "        out = Value(self.data + other.data",
        "        print('adding'); out = Value(self.data + other.data",
    )
    assert main(["probe", engine(tmp_path, noisy), "--graphs", "5"]) == 0
    out, err = capsys.readouterr()
    assert "adding" not in out + err and err == ""


def test_the_command_exits_0_when_everything_agrees_and_1_when_an_op_is_wrong(tmp_path, capsys):
    assert main(["probe", "micrograd.engine:Value", "--graphs", "5"]) == 0  # package.module:CLASS
    out = capsys.readouterr().out
    assert out.startswith("Probing micrograd.engine:Value against autograd.Value (limits: 10 s a probe, ")
    assert out.endswith("micrograd.engine:Value: 17 of 17 probes agree, 0 wrong\n")
    assert main(["probe", engine(tmp_path, ("(1 - t**2)", "(1 - t)")), "--time-limit", "3"]) == 1
    assert "wrong    a.tanh()\n" in capsys.readouterr().out


NOT_A_FLOAT = ("    def __init__(self, data, _children=(), _op=''):", "    def __init__(self, data, label):")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nowhere.py:Value", "no such file: nowhere.py"),
        ("{tmp}/mine.py:Valeu", "{tmp}/mine.py has no Valeu"),
        ("{tmp}/mine.py", "expected FILE.py:CLASS or package.module:CLASS, got '{tmp}/mine.py'"),
        ("no_such_package.engine:Value", "no module named 'no_such_package'"),
        ("math:pi", "math:pi is float 3.141592653589793, not a class"),
        ("{tmp}/broken.py:Value", "importing {tmp}/broken.py raised SyntaxError: "),
        ("{tmp}/label.py:Value", "{tmp}/label.py:Value: Value(1.5) raised TypeError: Value.__init__() missing 1 "
         "required positional argument: 'label'; the probe builds each input from a float"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys, spec, message):
    engine(tmp_path)
    engine(tmp_path, NOT_A_FLOAT, name="label")
    (tmp_path / "broken.py").write_text("class Value(:\n", encoding="utf-8")
    assert main(["probe", spec.format(tmp=tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"backprop: error: {message.format(tmp=tmp_path)}")
    with pytest.raises(EngineInputError):
        check_engine(spec.format(tmp=tmp_path))


def test_the_report_in_python_asserts_and_shows_as_html(tmp_path):
    assert assert_engine_matches(micrograd.engine.Value, **LIMITS).ok
    reflected = engine(tmp_path, ("return other + (-self)", "return self - other"))
    with pytest.raises(AssertionError) as raised:
        assert_engine_matches(reflected, **LIMITS)
    assert "the classic bug: 2 - a computes a - 2" in str(raised.value)
    report = check_engine(reflected, **LIMITS)
    page = report._repr_html_()
    assert page.count("<tr ") == len(report.rows)
    assert "<code>2 - a</code>" in page and "&lt;- differs" in page and "<- differs" not in page
    assert page.endswith("<p><b>" + f"{reflected}: 18 of 19 probes agree, 1 wrong: 2 - a</b></p></div>")
