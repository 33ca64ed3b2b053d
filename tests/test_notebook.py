"""Jupyter: a notebook run by nbconvert shows each object a learner meets as HTML, and train's progress bar."""

from __future__ import annotations

import re

import pytest

import nn
from viz.labels import number

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (the tests extra has it)")
nbconvert = pytest.importorskip("nbconvert.preprocessors", reason="nbconvert is not installed (the tests extra has it)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (the tests extra has it)")

CELLS = {
    "setup": "import nn, viz, backprop\nfrom autograd import Value\nex = nn.example('russo-3-3-3')",
    "leaf": "Value(2.0, label='a')",
    "small graph": "a = Value(2.0, label='a')\nb = (a * a + 1).tanh()\nb.label = 'b'\nb.backward()\nb",
    "pass": "ex.forward()",
    "example": "ex",
    "audit": "backprop.audit_document(backprop.bundled_document('000-russo'))",
    "audit of parts": "backprop.audit_document(backprop.bundled_document('001-three-examples'))",
    "explanation": "backprop.explain(ex.forward(), 'w10')",
    "history": "nn.train(nn.MLP(2, [2, 1], seed=0), nn.xor(), steps=1000)",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Each cell's outputs, by the cell's name above."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in CELLS.values()])
    folder = tmp_path_factory.mktemp("notebook")
    nbconvert.ExecutePreprocessor(timeout=120, kernel_name="python3").preprocess(
        notebook, {"metadata": {"path": str(folder)}}
    )
    return {name: cell.outputs for name, cell in zip(CELLS, notebook.cells)}


def result(outputs, name):
    (shown,) = [o for o in outputs[name] if o.output_type == "execute_result"]
    return shown.data


def test_a_value_shows_its_numbers_and_a_small_graph_its_drawing(outputs):
    leaf = result(outputs, "leaf")
    assert "<b>a</b>: data <code>2</code>, grad <code>0</code> (a leaf)" in leaf["text/html"]
    assert "<svg" not in leaf["text/html"]
    assert "<svg" in result(outputs, "small graph")["text/html"]  # drawn by dot, or graphviz-pure without it
    assert "grad <code>1</code> (made by tanh)" in result(outputs, "small graph")["text/html"]


def test_a_pass_and_an_example_show_tables_of_named_values(outputs):
    pass_ = result(outputs, "pass")["text/html"]
    assert "pass of sample 0: E_total = 0.387286" in pass_
    assert "<tr><td><b>out_h1</b></td><td>0.593873</td>" in pass_
    example = result(outputs, "example")["text/html"]
    assert example.startswith("<div><p>russo-3-3-3: ") and "<td><b>w10</b></td><td>0.65</td>" in example


def test_an_audit_shows_its_verdict_table_and_an_explanation_its_sum(outputs):
    audit = result(outputs, "audit")["text/html"]
    assert "000-russo: 77 numbers: 61 agree" in audit
    assert "<td>dE_total/dw10</td><td>0.05304</td><td>0.0526425</td>" in audit
    assert "disagree: wrong in itself" in audit
    explanation = result(outputs, "explanation")["text/html"]
    assert "∂E_total/∂w10 = 0.0526425" in explanation and "<td>0.766554 · 0.115638 · 0.593873</td>" in explanation


def test_an_audit_of_several_parts_names_each_part_once_above_its_rows(outputs):
    audit = result(outputs, "audit of parts")["text/html"]
    first, second = "Part 1: Example 1: one neuron (network one-neuron)", "Part 2: Example 2: two neurons in a chain"
    assert audit.count("Example 1: one neuron") == 1 and audit.count("Example 2: two neurons in a chain") == 1
    assert audit.index(first) < audit.index("<td>learning_rate</td>") < audit.index(second) < audit.index("<td>w2</td>")


def test_a_history_shows_a_loss_plot_with_axes_and_one_line_and_training_shows_a_progress_bar(outputs):
    history = result(outputs, "history")
    assert history["text/plain"].startswith("History(1000 steps, loss ")
    assert len(history["text/plain"]) < 80
    html = history["text/html"]
    assert html.startswith(f"<div><p>{history['text/plain']}</p><svg") and "<polyline" in html
    losses = nn.train(nn.MLP(2, [2, 1], seed=0), nn.xor(), steps=1000, progress=False).losses  # the cell's run
    labels = re.findall(r"<text [^>]*>([^<]*)</text>", html)
    assert {number(max(losses), 4), number(min(losses), 4), "0", "999", "step"} <= set(labels)  # its axes
    bars = [o for o in outputs["history"] if o.output_type == "display_data"]
    assert bars and "application/vnd.jupyter.widget-view+json" in bars[0].data, "tqdm's notebook widget"
