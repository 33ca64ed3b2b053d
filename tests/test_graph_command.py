"""``backprop graph NAME``: every bundled network drawn to a file, and each error on stderr with status 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from programs import hide_dot
from svg_reading import Picture

import nn
from backprop.cli import main
from viz.drawing import INSTALL, NO_PDF
from viz.style import HIGHLIGHT

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str) -> int:
    return main(["graph", *argv])


@pytest.mark.parametrize("view", ["graph", "network"])
def test_draws_the_worked_example_to_the_file(tmp_path, capsys, view):
    out = tmp_path / f"russo-{view}.svg"
    assert run("russo-3-3-3", "-o", str(out), "--view", view, "--highlight", "w1") == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    pic = Picture(out.read_bytes())
    assert "∂E_total / ∂w1 = " in pic.caption
    assert any(HIGHLIGHT in n.strokes for n in pic.nodes.values())


def test_the_default_file_name_names_the_example_and_the_view(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("one-neuron", "--collapse", "--precision", "3") == 0
    assert (tmp_path / "one-neuron-graph.svg").read_bytes().startswith(b"<?xml")


def test_through_the_backprop_command(tmp_path):
    from backprop.cli import main

    out = tmp_path / "g.png"
    assert main(["graph", "hmkcode-2-2-1", "-o", str(out), "--view", "network"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope"], f"no worked example, document or file named 'nope'; the examples are {', '.join(nn.examples())};"),
        (["russo-3-3-3", "--highlight", "w99"], "highlight: no value is labelled 'w99'; the labels are: "),
        (["russo-3-3-3", "-o", "g.jpg"], "render: cannot write 'jpg' for 'g.jpg'; use a format"),
        (["russo-3-3-3", "--sample", "5"], "russo-3-3-3: no sample 5; it has 1"),
        (["russo-3-3-3", "--precision", "0"], "precision must be a positive integer"),
        (["russo-3-3-3", "-o", "missing/dir/g.svg"], "cannot write missing/dir/g.svg: No such file or directory"),
    ],
)
def test_errors_go_to_stderr_with_status_2(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert run(*argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"backprop: error: {message}") and err.endswith("\n")


def test_when_nothing_draws_it_says_what_to_install_and_how_to_get_the_dot_text(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    hide_dot(monkeypatch, tmp_path)
    monkeypatch.setattr("viz.drawing.PURE", "graphviz-pure-not-installed")
    assert run("russo-3-3-3") == 2
    assert capsys.readouterr().err == f"backprop: error: {INSTALL} Here: -o russo-3-3-3.dot\n"
    assert run("russo-3-3-3", "-o", "g.dot") == 0
    assert (tmp_path / "g.dot").read_text().startswith("digraph computation_graph {")


def test_without_dot_a_pdf_is_refused_saying_what_draws_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    hide_dot(monkeypatch, tmp_path)
    assert run("russo-3-3-3", "-o", "g.pdf") == 2
    assert capsys.readouterr().err == f"backprop: error: {NO_PDF} Here: -o russo-3-3-3.dot\n"


def test_without_dot_the_graph_and_page_commands_draw_with_graphviz_pure(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path / "empty"), "PYTHONPATH": str(ROOT)}  # dot hidden; this checkout's code
    commands = [
        ["graph", "russo-3-3-3", "-o", "g.svg", "--highlight", "w1"],
        ["graph", "russo-3-3-3", "-o", "n.png", "--view", "network"],
        ["page", "russo-3-3-3", "-o", "p.html", "--train", "5"],
    ]
    for argv in commands:
        done = subprocess.run([sys.executable, "-m", "backprop", *argv], cwd=tmp_path, env=env, capture_output=True)
        assert (done.returncode, done.stderr) == (0, b""), argv
    svg = (tmp_path / "g.svg").read_text(encoding="utf-8")
    assert "(graphviz-pure)" in svg and Picture(svg).node("w1").texts == ["w1", "data 0.2", "grad 0.001011"]
    assert (tmp_path / "n.png").read_bytes().startswith(b"\x89PNG")
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    network, graph = (Picture("<svg" + part[: part.index("</svg>") + 6]) for part in page.split("<svg")[1:3])
    assert network.node("h1").texts[0] == "h1" and graph.node("w1").texts[:2] == ["w1", "data 0.2"]


def test_without_the_graphviz_package_only_this_subcommand_fails(tmp_path):
    code = (
        "import sys; sys.modules['graphviz'] = None; from backprop.cli import main; "
        "assert main(['list']) == 0; sys.exit(main(['graph', 'one-neuron']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "backprop: error: viz needs the graphviz Python package, a dependency of scalar-backprop: "
        "pip install graphviz\n"
    )


BIG = """\
name = "big"
inputs = 4
learning_rate = 0.5
samples = [{ inputs = [0.05, 0.1, 0.2, 0.3], targets = [0.01, 0.99] }]
[[layers]]
size = 16
activation = "sigmoid"
[[layers]]
size = 16
activation = "sigmoid"
[[layers]]
size = 2
activation = "sigmoid"
"""


def refusal(capsys, *argv: str) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err
    assert not re.search(r"max_nodes|collapse=|draw_network|draw_graph", err), err  # viz's Python words
    return err


def test_a_graph_too_large_is_refused_with_the_commands_own_options_and_each_works(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.toml").write_text(BIG, encoding="utf-8")
    err = refusal(capsys, "graph", "big.toml", "-o", "big.dot")
    advice = re.fullmatch(
        r"backprop: error: the graph of E_total would have (\d+) nodes, more than --max-nodes 300 allows: "
        r"--collapse draws each neuron as one node \((\d+) nodes\), --view network draws a node per neuron, "
        r"or --max-nodes (\d+) draws all of it\n",
        err,
    )
    assert advice and advice[1] == advice[3] and int(advice[2]) < 300 < int(advice[1]), err
    for option in (["--collapse"], ["--view", "network"], ["--max-nodes", advice[3]]):
        assert run("big.toml", "-o", "big.dot", *option) == 0, option
    err = refusal(capsys, "graph", "big.toml", "--view", "network", "--max-nodes", "10")
    assert re.fullmatch(
        r"backprop: error: the network of E_total would have (\d+) nodes, more than --max-nodes 10 allows: "
        r"--max-nodes \1 draws all of it\n",
        err,
    )
    assert (
        refusal(capsys, "graph", "big.toml", "--max-nodes", "0")
        == "backprop: error: --max-nodes must be at least 1, got 0\n"
    )


def test_a_page_too_large_is_refused_with_its_own_option(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.toml").write_text(BIG, encoding="utf-8")
    err = refusal(capsys, "page", "big.toml", "--train", "0", "--max-nodes", "20")
    advice = re.fullmatch(
        r"backprop: error: the graph of E_total would have (\d+) nodes, more than --max-nodes 20 allows: "
        r"--max-nodes (\d+) draws all of it\n",  # the page collapses the graph already, and draws the network
        err,
    )
    assert advice and advice[1] == advice[2], err
    assert main(["page", "big.toml", "--train", "0", "--max-nodes", advice[2]]) == 0
    assert (tmp_path / "big.html").exists()
