"""What every drawing reads from a graph before it draws: its values in order, the highlighted value and
its paths, whether grads show, each value's link, and the empty Drawing with its caption."""

from __future__ import annotations

from dataclasses import dataclass

from autograd import Value, topological_order
from viz.drawing import Drawing, new_drawing
from viz.labels import check_precision
from viz.structure import anchors, caption, find, on_paths


@dataclass(frozen=True)
class Scene:
    """A graph about to be drawn, and the options every view shares."""

    root: Value
    order: list[Value]  # the root first, every consumer before its operands
    drawn: list[Value]  # inputs first: the i-th is node v{i}, and what #v{i} links to
    precision: int
    target: Value | None  # the highlighted value
    path: set[Value]  # the values on the paths from the root down to target
    show_grads: bool
    links: dict[Value, str]  # each value's address, with links=True; else empty

    def link(self, value: Value) -> dict[str, str]:
        """The node attributes that make value's node a link (none without links=True)."""
        return {"href": self.links[value]} if self.links else {}

    def drawing(self, rankdir: str, name: str) -> Drawing:
        """An empty Drawing laid out in rankdir, captioned with the grads note and the highlight's sum."""
        text = caption(self.root, self.order, self.target, self.show_grads, self.precision)
        return new_drawing(rankdir, text, name)


def scene(
    root: Value, *, precision: int, highlight: Value | str | None, grads: bool | None, links: bool = False
) -> Scene:
    """The scene of root's graph: grads=None shows them once backward has run (some grad is not 0)."""
    precision = check_precision(precision)
    order = topological_order(root)
    target = None if highlight is None else find(order, highlight, "highlight")
    return Scene(
        root=root,
        order=order,
        drawn=order[::-1],
        precision=precision,
        target=target,
        path=on_paths(order, target) if target is not None else set(),
        show_grads=any(v.grad for v in order) if grads is None else grads,
        links=anchors(order) if links else {},
    )
