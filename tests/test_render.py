"""viz.render and render_svg: files by suffix or format, and a clear error when Graphviz's dot is missing."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import graphviz
import pytest
from hand_built import mazur, micrograd_neuron
from svg_reading import Picture

from viz import GraphvizNotFound, draw_graph, draw_network, render, render_svg
from viz.drawing import INSTALL


@pytest.mark.parametrize(
    ("file", "format", "starts"),
    [
        ("g.svg", None, b"<?xml"),
        ("g.png", None, b"\x89PNG"),
        ("g.PDF", None, b"%PDF"),
        ("g.dot", None, b"digraph computation_graph {"),
        ("g.gv", None, b"digraph computation_graph {"),
        ("g.img", "png", b"\x89PNG"),
        ("g.svg", "dot", b"digraph"),
    ],
)
def test_render_writes_the_format_its_suffix_or_argument_names(tmp_path, file, format, starts):
    path = render(micrograd_neuron(), tmp_path / file, format=format)
    assert path == tmp_path / file and path.read_bytes().startswith(starts)


def test_render_takes_a_drawing_or_a_value_with_draw_graph_options(tmp_path):
    root = mazur()
    drawing = draw_network(root)
    assert render(drawing, tmp_path / "n.svg").read_text() == render_svg(drawing)
    svg = render(root, tmp_path / "g.svg", highlight="w1", precision=3).read_text()
    assert (
        svg
        == render_svg(root, highlight="w1", precision=3)
        == render_svg(draw_graph(root, highlight="w1", precision=3))
    )
    assert Picture(svg).node("w1").texts == ["w1", "data 0.15"]


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(
        ValueError,
        match=r"^render: cannot write 'jpg' for '.*g\.jpg'; use a format \(or suffix\) of svg, png, pdf, dot, gv$",
    ):
        render(micrograd_neuron(), tmp_path / "g.jpg")
    with pytest.raises(ValueError, match=r"^render: cannot write '' for '.*g'; use a format"):
        render(micrograd_neuron(), tmp_path / "g")


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which Graphviz's dot cannot be found."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


def test_without_dot_every_way_of_rendering_says_what_to_install(no_dot, tmp_path):
    drawing = draw_graph(mazur())
    plain = graphviz.Digraph(body=["a -> b"])
    attempts = [
        lambda: render(drawing, tmp_path / "g.svg"),
        lambda: render_svg(drawing),
        lambda: render(plain, tmp_path / "p.png"),
        lambda: drawing.pipe(format="svg"),
        lambda: drawing.render(tmp_path / "g", format="svg"),
        lambda: drawing._repr_mimebundle_(),  # what Jupyter calls to display it
    ]
    for attempt in attempts:
        with pytest.raises(GraphvizNotFound) as caught:
            attempt()
        assert str(caught.value) == INSTALL
        assert "apt-get install graphviz" in INSTALL and "https://graphviz.org/download/" in INSTALL
    assert caught.value.source == drawing.source


def test_without_dot_the_dot_source_is_still_available(no_dot, tmp_path):
    drawing = draw_graph(mazur(), highlight="w5")
    assert drawing.source.startswith("digraph computation_graph {")
    assert render(drawing, tmp_path / "g.dot").read_text() == drawing.source


def test_without_the_graphviz_package_importing_viz_says_what_to_install():
    code = "import sys; sys.modules['graphviz'] = None; import viz"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "ImportError: viz needs the graphviz Python package, a dependency of scalar-backprop: pip install graphviz"
    )


def test_a_drawing_displays_inline_in_jupyter_as_svg():
    bundle = draw_graph(micrograd_neuron())._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert Picture(bundle["image/svg+xml"]).node("o").texts == ["o", "data 0.7071"]


def test_a_plain_install_brings_the_graphviz_package():
    requirements = importlib.metadata.requires("scalar-backprop") or []
    plain = [r for r in requirements if "extra ==" not in r]
    assert any(r.startswith("graphviz") for r in plain), requirements
