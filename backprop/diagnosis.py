"""Why a printed number is wrong in itself: the usual slips (a wrong sign, a step added instead of subtracted,
a factor left out, another parameter's gradient or value, a chain-rule factor from the wrong node, another named
value) tried one by one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import cached_property

from autograd import Value
from backprop.claims import Claim
from backprop.explanation import NamedGraph
from backprop.quantities import Quantity, evaluate, parse_quantity, split_step
from backprop.recomputation import Recomputation, number_text

# The diagnosis tries each parameter in place of each other one: quadratic, so only for networks this small
# (the documents' have at most 26); a larger network's slips are still found, just not named.
MAX_DIAGNOSED_PARAMETERS = 64
MATCHED_DIGITS = 4  # significant digits an inferred match with another value of the pass needs
MAX_PATHS = 20  # a derivative over more paths is not tried path by path


class Diagnosis:
    """Names the slip that gives a part's printed number, when one of the usual slips does."""

    def __init__(self, numbers: Recomputation):
        self.numbers = numbers
        self.part = numbers.part

    def cause(self, claim: Claim, printed: float, places: int, base: float) -> str | None:
        """A likely cause for a number its own inputs do not give (base: what they give, else the engine's).

        Without a declared from/rule the cause is inferred, and says so; an inferred match with one of the
        many other values of the pass at fewer than MATCHED_DIGITS significant digits says it may be chance.
        """
        for value, text, chance in self.candidates(claim, base):
            if self.numbers.fits(printed, value, places):
                return hedged(text, claim.printed or "") if chance else text
        return None

    def candidates(self, claim: Claim, base: float) -> Iterator[tuple[float, str, bool]]:
        """Each slip cause() tries, in its order: the number it gives, what it says, and whether a match may be
        chance (then cause() hedges the text by the printed number's digits; the live page does the same)."""
        inferred = claim.rule is None
        for value, text in self._causes(claim, base):
            if value is not None:
                yield value, f"inferred: {text}" if inferred else text, False
        if inferred:
            for value, text in self._coincidences(claim):
                if value is not None:
                    yield value, text, True

    @cached_property
    def diagnosable(self) -> bool:
        """True if the network is small enough to try its parameters in place of one another."""
        values = self.part.stage(0).values()
        return sum(bool(v.meta and v.meta.get("role") == "parameter") for v in values) <= MAX_DIAGNOSED_PARAMETERS

    def _causes(self, claim: Claim, base: float) -> Iterator[tuple[float | None, str]]:
        """The slips a few candidates test: what they match is no coincidence at any precision."""
        yield -base, f"the sign is wrong ({number_text(-base, 6)})"
        if claim.rule is None:
            yield from self._undeclared_update(claim)
            yield from self._one_path(claim)
        if claim.rule == "update":
            weight, gradient = (self.numbers.input_value(claim, ref) for ref in claim.inputs)
            yield (
                weight + self.part.learning_rate * gradient,
                "the step was added instead of subtracted (w + η·gradient)",
            )
            yield from self._other_gradients(claim, weight)
        if claim.rule == "product":
            values = [self.numbers.input_value(claim, ref) for ref in claim.inputs]
            for k, ref in enumerate(claim.inputs):
                rest = values[:k] + values[k + 1 :]
                yield math.prod(rest), f"the factor {ref} was left out"
        if claim.rule is not None:
            yield from self._coincidences(claim)

    def _coincidences(self, claim: Claim) -> Iterator[tuple[float | None, str]]:
        """The slips many candidates test (one value in place of another): at a few digits one may match by chance."""
        yield from self._wrong_factors(claim)
        yield from self._swapped_parameters(claim)
        yield from self._other_values(claim)

    def _undeclared_update(self, claim: Claim) -> Iterator[tuple[float, str]]:
        """A parameter after a step printed without from/rule: the step added, or the learning rate left out."""
        name = claim.quantity.of if claim.quantity.kind == "value" else None
        before = self.part.stage(claim.step - 1) if claim.step >= 1 and name else {}
        node = before.get(name) if name else None
        if node is None or not (node.meta and node.meta.get("role") == "parameter"):
            return
        loss = self.part.example().loss_name
        gradient = evaluate(parse_quantity(f"d{loss}/d{name}"), self.part.stage, claim.step - 1)
        rate = self.part.learning_rate
        yield node.data + rate * gradient, "the step was added instead of subtracted (w + η·gradient)"
        if rate != 1.0:
            yield node.data - gradient, f"the learning rate was left out (w − gradient, not w − {rate:g}·gradient)"

    def _one_path(self, claim: Claim) -> Iterator[tuple[float, str]]:
        """A derivative over several chain-rule paths printed as one of them: a path missed at a value used twice."""
        if claim.quantity.kind != "derivative":
            return
        stage = self.part.stage(claim.step)
        graph, target = NamedGraph(stage[claim.quantity.of]), stage[claim.quantity.wrt]
        count = graph.count(target)
        if not 1 < count <= MAX_PATHS:
            return
        for path in graph.paths(target):
            yield path.product, f"a path was missed: this is one of its {count} chain-rule paths ({path.product:.6g})"

    def _wrong_factors(self, claim: Claim) -> Iterator[tuple[float, str]]:
        """A derivative with one chain-rule factor taken from a sibling edge (in the same layer, with the same ops at
        its ends): out_h2·(1 − out_h2) for out_h1·(1 − out_h1), w6 for w5; on every path through that edge."""
        if claim.quantity.kind != "derivative" or not self.diagnosable:
            return
        stage = self.part.stage(claim.step)
        graph, target = NamedGraph(stage[claim.quantity.of]), stage[claim.quantity.wrt]
        depth = {graph.root: 0}  # the longest way down from the root: a layer's values share theirs
        siblings: dict[tuple[int, str, str], list[tuple[Value, Value, float]]] = {}
        for node in reversed(graph.order()):
            for child, slope, _ in graph.edges(node):
                depth[child] = max(depth.get(child, 0), depth[node] + 1)
                siblings.setdefault((depth[node], node.op, _kind(child)), []).append((node, child, slope))
        for node, i, child, slope, _ in graph.on_paths(target):
            tried = {slope}  # a sibling with the same factor gives the right number, or one already tried
            for other, other_child, factor in siblings[(depth[node], node.op, _kind(child))]:
                if factor in tried:
                    continue
                tried.add(factor)
                yield (
                    graph.path_sum(target, factors={(node, i): factor}),
                    f"a factor from the wrong node: ∂{other.label}/∂{other_child.label} "
                    f"({number_text(factor, 6)}) in place of ∂{node.label}/∂{child.label} ({number_text(slope, 6)})",
                )

    def _other_gradients(self, claim: Claim, weight: float) -> Iterator[tuple[float, str]]:
        gradient_ref = claim.inputs[1]
        quantity = self._quantity_of(gradient_ref)
        if quantity is None or quantity.kind != "derivative" or not self.diagnosable:
            return
        stage = self.part.stage(claim.step - 1)
        for name, node in stage.items():
            if node.meta and node.meta.get("role") == "parameter" and name != quantity.wrt:
                other = parse_quantity(f"d{quantity.of}/d{name}")
                gradient = evaluate(other, self.part.stage, claim.step - 1)
                step = weight - self.part.learning_rate * gradient
                yield step, f"it uses the gradient of {name} ({number_text(gradient, 6)})"

    def _swapped_parameters(self, claim: Claim) -> Iterator[tuple[float | None, str]]:
        """Redo the step with one parameter taking another value: its value at another step, or another's."""
        if claim.rule not in ("replay", "update") or not self.diagnosable:
            return
        step = claim.step - 1 if claim.rule == "update" else claim.step
        here, after = self.part.stage(step), self.part.stage(step + 1)
        parameters = [n for n, v in here.items() if v.meta and v.meta.get("role") == "parameter"]
        if claim.rule == "update":
            yield from self._backward_swaps(claim, parameters, here, after)
            return
        before = self.part.stage(step - 1) if step > 0 else None
        for name in parameters:
            candidates = [(after[name].data, f"{name} after the step")]
            if before is not None:
                candidates.append((before[name].data, f"{name} before the step"))
            candidates += [(here[other].data, other) for other in parameters if other != name]
            for number, label in candidates:
                value = self.numbers.try_recompute(claim, {name: number})
                yield value, f"it matches with {label} ({number_text(number, 6)}) in place of {name}"

    def _backward_swaps(
        self, claim: Claim, parameters: list[str], here: dict, after: dict
    ) -> Iterator[tuple[float, str]]:
        """An update whose gradient used another value for a weight on its chain-rule paths."""
        gradient_ref = claim.inputs[1]
        quantity = self._quantity_of(gradient_ref)
        if quantity is None or quantity.kind != "derivative" or gradient_ref in self.numbers.document_values:
            return
        weight = self.numbers.input_value(claim, claim.inputs[0])
        graph, target = NamedGraph(here[quantity.of]), here[quantity.wrt]
        edges = graph.on_paths(target)
        used = sorted({weight for *_, weight in edges if weight}, key=parameters.index)
        for name in used:
            candidates = [(after[name].data, f"the updated {name}")]
            candidates += [(here[o].data, o) for o in parameters if o != name]
            candidates += [(after[o].data, f"the updated {o}") for o in parameters if o != name]
            for number, label in candidates:
                gradient = graph.path_sum(target, {name: number})
                yield (
                    weight - self.part.learning_rate * gradient,
                    f"its gradient uses {label} ({number_text(number, 6)}) in place of {name} "
                    f"({number_text(here[name].data, 6)})",
                )

    def _other_values(self, claim: Claim) -> Iterator[tuple[float, str]]:
        """The printed number is the value of another named value of the pass."""
        if claim.quantity.kind == "expression":
            return
        own = claim.quantity.of if claim.quantity.kind == "value" else None
        for name, node in self.part.stage(claim.step).items():
            if name != own:
                yield node.data, f"it is the value of {name}, not of {claim.quantity.text}"

    def _quantity_of(self, ref: str) -> Quantity | None:
        if ":" in ref:  # another part's claim: its names are its network's, not this part's
            return None
        claim = self.part.claim(ref)
        return claim.quantity if claim is not None else parse_quantity(split_step(ref)[0])


def _kind(v: Value) -> str:
    """What a named value is, for telling siblings: its op, or a leaf's role (a parameter, an input, a target)."""
    return v.op if v.parents else str((v.meta or {}).get("role", "leaf"))


def hedged(text: str, printed: str) -> str:
    """An inferred coincidence's text, saying it may be chance when printed has few significant digits."""
    digits = _significant(printed)
    plural = "s" * (digits != 1)
    hedge = f" (at {digits} significant digit{plural} this may be chance)" if digits < MATCHED_DIGITS else ""
    return f"inferred{hedge}: {text}"


def _significant(printed: str) -> int:
    """The significant digits of a printed number ("0.0520" → 3, "12.5" → 3)."""
    digits = printed.strip().lstrip("+-").split("e")[0].split("E")[0].replace(",", ".").replace(".", "")
    return len(digits.lstrip("0"))
