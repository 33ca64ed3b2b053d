"""Reading SVG: the nodes, edges and clusters that Graphviz writes, by title, and the colours of the plots."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Shape:
    """One node, edge or cluster of the picture: its title, its texts, and its colours."""

    title: str
    element: ET.Element

    @property
    def texts(self) -> list[str]:
        """Every text line drawn in it, in order."""
        return [t.text or "" for t in self.element.iter(f"{SVG}text")]

    @property
    def text(self) -> str:
        """The text lines joined by spaces."""
        return " ".join(self.texts)

    @property
    def fills(self) -> set[str]:
        """The fill colours of its shapes."""
        return {e.get("fill") for e in self.element.iter() if e.get("fill") not in (None, "none")}

    @property
    def strokes(self) -> set[str]:
        """The stroke colours of its shapes."""
        return {e.get("stroke") for e in self.element.iter() if e.get("stroke") not in (None, "none")}

    @property
    def top(self) -> float:
        """The y of its first text line (SVG's y grows downward)."""
        return float(next(self.element.iter(f"{SVG}text")).get("y"))


class Picture:
    """An SVG document parsed with xml.etree: its nodes, edges and clusters by title."""

    def __init__(self, svg: str | bytes):
        self.root = ET.fromstring(svg)
        self.nodes = self._shapes("node")
        self.edges = self._shapes("edge")
        self.clusters = self._shapes("cluster")
        self.caption = " ".join(t.text or "" for t in self.root.find(f"{SVG}g").findall(f"{SVG}text"))

    def _shapes(self, kind: str) -> dict[str, Shape]:
        found = {}
        for g in self.root.iter(f"{SVG}g"):
            if g.get("class") == kind:
                title = g.find(f"{SVG}title").text
                found[title if title not in found else f"{title}#{len(found)}"] = Shape(title, g)
        return found

    def node(self, text: str) -> Shape:
        """The one node whose first text line is text."""
        (found,) = [n for n in self.nodes.values() if n.texts and n.texts[0] == text]
        return found

    def edges_between(self, tail: str, head: str) -> list[Shape]:
        """The edges from node tail to node head (by title)."""
        return [e for e in self.edges.values() if e.title == f"{tail}->{head}"]


def svg_colour(rgb: tuple[int, int, int]) -> str:
    """rgb as SVG writes it, "#rrggbb"."""
    return "#" + "".join(f"{c:02x}" for c in rgb)


def strength_of(rgb: tuple[int, int, int], colour: str) -> float | None:
    """How much of rgb colour "#rrggbb" is, mixed with white (1: rgb itself, 0: white); None if no such mix."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    deepest = max(range(3), key=lambda i: 255 - rgb[i])  # the channel that tells the strength best
    strength = (255 - channels[deepest]) / (255 - rgb[deepest])
    if all(abs(255 - (255 - c) * strength - mixed) <= 1 for c, mixed in zip(rgb, channels)):  # each rounded
        return strength
    return None


# Helvetica's advance widths (its AFM metrics, Arial's too) in thousandths of the font size; others 0.556
HELVETICA = {
    c: width
    for chars, width in (
        ("0123456789abdeghnopqu_", 556),
        (" .,:;/!ft", 278),
        ("ijl", 222),
        ("-r()", 333),
        ("ckvxyzs", 500),
        ("+=", 584),
        ("m", 833),
        ("w", 722),
        ("→", 1000),
    )
    for c in chars
}


def label_extents(svg: str) -> list[tuple[str, float, float]]:
    """(text, left, right) of each text element, at Helvetica's widths, relative to the viewBox's left edge."""
    root = ET.fromstring(svg)
    left_edge = float(root.get("viewBox").split()[0])
    extents = []
    for t in root.iter(f"{SVG}text"):
        text, size = t.text or "", float(t.get("font-size"))
        width = size * sum(HELVETICA.get(c, 556) for c in text) / 1000
        start = float(t.get("x")) - width * {"start": 0, "middle": 0.5, "end": 1}[t.get("text-anchor", "start")]
        extents.append((text, start - left_edge, start + width - left_edge))
    return extents


def picture_width(svg: str) -> float:
    """The width of the SVG's viewBox."""
    return float(ET.fromstring(svg).get("viewBox").split()[2])
