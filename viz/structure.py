"""What the drawings read from a graph: each value's (layer, neuron), the highlighted paths, the size limit."""

from __future__ import annotations

from typing import Any

from autograd import Value, grad
from viz.labels import html_text, number
from viz.style import HIGHLIGHT

Unit = tuple[Any, Any]  # (layer, neuron) from value metadata; either may be None


NOT_COMPUTED = "grads not computed: call backward() on the root first (or pass grads=True to show them)"


class GraphTooLarge(ValueError):
    """The drawing would have more nodes than max_nodes allows.

    Besides the message, what a caller needs to say so in its own terms (the CLI names its options):
    what would be drawn ("the graph of E_total"), count, max_nodes, and the views that fit: collapsed,
    the node count with a node per neuron (None if that is no smaller or too large too), and network,
    whether the network view fits.
    """

    def __init__(
        self,
        caller: str,
        what: str,
        count: int,
        max_nodes: int,
        advice: str,
        *,
        collapsed: int | None = None,
        network: bool = False,
    ):
        super().__init__(f"{caller}: {what} would have {count} nodes, more than max_nodes={max_nodes}; {advice}")
        self.what, self.count, self.max_nodes, self.collapsed, self.network = what, count, max_nodes, collapsed, network


def units(order: list[Value]) -> dict[Value, Unit]:
    """(layer, neuron) of each value that has one: from its meta, else (for a computed value without
    them) from its first consumer in topological order. A loss or a target belongs to no neuron."""
    found: dict[Value, Unit | None] = {}
    for node in order:  # every consumer comes before its operands
        meta = node.meta or {}
        if _placed(node):
            placed = meta.get("role") not in ("loss", "target")
            found[node] = (meta.get("layer"), meta.get("neuron")) if placed else None
        unit = found.get(node)
        for parent in node.parents:
            if parent not in found and parent.parents and not _placed(parent):
                found[parent] = unit
    return {node: unit for node, unit in found.items() if unit is not None}


def _placed(value: Value) -> bool:
    meta = value.meta or {}
    return "layer" in meta or "neuron" in meta


def operand_paths(order: list[Value]) -> dict[Value, tuple[int, ...]]:
    """For each value, the least sequence of operand positions that leads to it from the root.

    Sorting by it lists values as their consumers' operands list them (h1 before h2, o1 before o2).
    """
    paths: dict[Value, tuple[int, ...]] = {order[0]: ()}
    for node in order:  # a node's path is final once all its consumers are done
        here = paths[node]
        for j, parent in enumerate(node.parents):
            path = (*here, j)
            if parent not in paths or path < paths[parent]:
                paths[parent] = path
    return paths


def anchors(order: list[Value]) -> dict[Value, str]:
    """The address each value's node links to with links=True: #v{i}, i its place counting inputs first."""
    return {v: f"#v{i}" for i, v in enumerate(reversed(order))}


def name(value: Value, fallback: str) -> str:
    """The value's label, or fallback."""
    return value.label if value.label else fallback


def find(order: list[Value], target: Value | str, what: str) -> Value:
    """target itself if it is in the graph, else the one value labelled target; a ValueError if none."""
    if isinstance(target, Value):
        if target not in set(order):
            raise ValueError(f"{what}: {target!r} is not in the graph being drawn")
        return target
    matches = [v for v in order if v.label == target]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"{what}: {len(matches)} values are labelled {target!r}; pass the Value itself")
    labels = sorted({v.label for v in order if v.label})
    shown = ", ".join(labels[:50]) + (f", … ({len(labels)} in all)" if len(labels) > 50 else "")
    raise ValueError(f"{what}: no value is labelled {target!r}; the labels are: {shown or '(none)'}")


def on_paths(order: list[Value], target: Value) -> set[Value]:
    """The values on some path from the root down to target: target and everything computed from it."""
    reached = {target}
    for node in reversed(order):  # operands before their consumers
        if any(parent in reached for parent in node.parents):
            reached.add(node)
    return reached


def path_count(order: list[Value], target: Value) -> int:
    """How many distinct paths lead from the root down to target (an operand used twice counts twice)."""
    paths = {target: 1}
    for node in reversed(order):
        if node is not target:
            paths[node] = sum(paths.get(parent, 0) for parent in node.parents)
    return paths[order[0]]


def check_size(count: int, max_nodes: int, caller: str, what: str, advice: str) -> None:
    """A GraphTooLarge naming count, max_nodes and what to do, if count exceeds max_nodes."""
    if count > max_nodes:
        raise GraphTooLarge(caller, what, count, max_nodes, advice)


def caption(root: Value, order: list[Value], target: Value | None, show_grads: bool, precision: int) -> str:
    """The escaped text under a drawing: that grads are not computed, and what the highlighted paths add up to."""
    lines = [] if show_grads else [NOT_COMPUTED]  # viz's own text: nothing to escape, and never shortened
    if target is not None:
        (g,) = grad(root, [target])
        count = path_count(order, target)
        what = (
            "the product of the factors along the highlighted path"
            if count == 1
            else f"the sum over the {count} highlighted paths of the product of the factors along each"
        )
        lines.append(
            f'<FONT COLOR="{HIGHLIGHT}">∂{html_text(name(root, "root"))} / ∂{html_text(name(target, "target"))}'
            f" = {number(g, precision)}: {what}</FONT>"
        )
    return "<BR/>".join(lines)
