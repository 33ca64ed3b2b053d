"""viz.render and render_svg: files by suffix or format, drawn by Graphviz's dot or else graphviz-pure, and a
clear error when neither is found."""

from __future__ import annotations

import configparser
import importlib.metadata
import subprocess
import sys
import sysconfig
from pathlib import Path

import graphviz
import pytest
from hand_built import mazur, micrograd_neuron
from programs import PROGRAMS, draw_with, hide_dot
from svg_reading import Picture

import nn
from viz import GraphvizNotFound, draw_graph, draw_network, render, render_svg
from viz.drawing import DOT_ONLY, INSTALL, NO_PDF, image, renderer
from viz.notebook import value_html
from viz.style import FONT


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize(
    ("file", "format", "starts"),
    [
        ("g.svg", None, b"<?xml"),
        ("g.png", None, b"\x89PNG"),
        ("g.dot", None, b"digraph computation_graph {"),
        ("g.gv", None, b"digraph computation_graph {"),
        ("g.img", "png", b"\x89PNG"),
        ("g.svg", "dot", b"digraph"),
    ],
)
def test_render_writes_the_format_its_suffix_or_argument_names(program, monkeypatch, tmp_path, file, format, starts):
    draw_with(program, monkeypatch, tmp_path)
    path = render(micrograd_neuron(), tmp_path / file, format=format)
    assert path == tmp_path / file and path.read_bytes().startswith(starts)


def test_dot_writes_pdf(monkeypatch, tmp_path):
    draw_with("dot", monkeypatch, tmp_path)
    assert render(micrograd_neuron(), tmp_path / "g.PDF").read_bytes().startswith(b"%PDF")


def test_without_dot_pdf_says_it_needs_dot(no_dot, tmp_path):
    with pytest.raises(GraphvizNotFound) as caught:
        render(micrograd_neuron(), tmp_path / "g.pdf")
    assert str(caught.value) == NO_PDF and "apt-get install graphviz" in NO_PDF
    assert not (tmp_path / "g.pdf").exists()


@pytest.mark.parametrize("program", PROGRAMS)
def test_each_program_draws_the_same_bytes_every_time(program, monkeypatch, tmp_path):
    draw_with(program, monkeypatch, tmp_path)
    assert renderer()[0] == program
    root = nn.example("russo-3-3-3").forward().backward().loss
    for format in ("svg", "png"):
        first = [image(draw_graph(root), format), image(draw_network(root), format)]
        assert first == [image(draw_graph(root), format), image(draw_network(root), format)]


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
    hide_dot(monkeypatch, tmp_path)


@pytest.fixture
def nothing_draws(no_dot, monkeypatch):
    """Neither Graphviz's dot nor graphviz-pure can be found."""
    monkeypatch.setattr("viz.drawing.PURE", "graphviz-pure-not-installed")


def test_without_dot_graphviz_pure_draws_found_beside_python(no_dot):
    name, program = renderer()
    assert name == "graphviz-pure" and Path(program).parent == Path(sysconfig.get_path("scripts"))
    svg = render_svg(mazur(), highlight="w1")
    assert "(graphviz-pure)" in svg and Picture(svg).node("w1").texts == ["w1", "data 0.15"]


def test_graphviz_pure_is_given_a_font_it_has_the_widths_of(no_dot):
    svg = render_svg(mazur())
    # it measures text by built-in widths per font name; a list of fallbacks it measures as Times, too narrow
    assert 'font-family="Helvetica,sans-Serif"' in svg and FONT not in svg
    assert f'fontname="{FONT}"' in draw_graph(mazur()).source  # the DOT text keeps the list, for dot and browsers


def test_without_dot_every_way_of_rendering_draws_but_graphviz_own_render(no_dot, tmp_path):
    drawing = draw_graph(mazur())
    svg = render_svg(drawing)
    assert render(drawing, tmp_path / "g.svg").read_text() == svg == drawing.pipe(format="svg", encoding="utf-8")
    assert render(graphviz.Digraph(body=["a -> b"]), tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")
    assert drawing._repr_mimebundle_() == {"image/svg+xml": svg}  # what Jupyter calls to display it
    with pytest.raises(GraphvizNotFound) as caught:
        drawing.render(tmp_path / "g", format="svg")  # graphviz's own, which runs dot itself
    assert str(caught.value) == DOT_ONLY and "viz.render(drawing, path)" in DOT_ONLY


def test_when_nothing_draws_every_way_of_rendering_says_what_to_install(nothing_draws, tmp_path):
    drawing = draw_graph(mazur())
    plain = graphviz.Digraph(body=["a -> b"])
    attempts = [
        lambda: render(drawing, tmp_path / "g.svg"),
        lambda: render_svg(drawing),
        lambda: render(plain, tmp_path / "p.png"),
        lambda: drawing.pipe(format="svg"),
        lambda: drawing._repr_mimebundle_(),  # what Jupyter calls to display it
    ]
    for attempt in attempts:
        with pytest.raises(GraphvizNotFound) as caught:
            attempt()
        assert str(caught.value) == INSTALL
        assert "pip install graphviz-pure" in INSTALL and "apt-get install graphviz" in INSTALL
    assert caught.value.source == drawing.source


def test_when_nothing_draws_the_dot_source_is_still_available(nothing_draws, tmp_path):
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


def test_a_plain_install_brings_a_program_that_draws():
    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parent.parent / "setup.cfg")
    assert "graphviz-pure" in [r.split(">")[0] for r in config["options"]["install_requires"].split()]


def test_when_nothing_draws_a_values_notebook_display_keeps_its_numbers_and_says_what_to_install(nothing_draws):
    html = value_html(micrograd_neuron())
    assert "(install graphviz-pure or Graphviz's dot to see its graph)" in html and "<svg" not in html
    assert "<b>o</b>: data <code>0.707107</code>" in html
