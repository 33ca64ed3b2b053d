"""Module, Neuron, Layer and MLP: micrograd's API, plus activations, bias modes, exact weights and names.

Every parameter and every value a forward pass makes carries a label (the documents' names) and
``meta`` (role, layer, neuron) as described on ``autograd.Value``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from autograd import Value, weighted_sum
from nn import naming
from nn.activations import ACTIVATIONS
from nn.naming import LayerNames

BIAS_MODES = ("neuron", "shared", "none")

Inputs = Sequence[Value | float]


def check_choice(what: str, value: object, choices: Sequence[str]) -> str:
    """value if it is one of choices, else a ValueError listing them."""
    if value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value  # type: ignore[return-value]


def parameter(data: float, name: str, layer: int, neuron: str | None = None) -> Value:
    """A parameter leaf named ``name`` with the metadata viz groups it by."""
    meta: dict[str, Any] = {"role": "parameter", "layer": layer}
    if neuron is not None:
        meta["neuron"] = neuron
    return Value(data, name, meta=meta)


class Module:
    """micrograd's base class: parameters() and zero_grad(), plus parameters looked up by name."""

    def parameters(self) -> list[Value]:
        """Every trainable leaf, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters_by_name(self) -> dict[str, Value]:
        """The parameters keyed by their names, in parameters() order."""
        return {p.label: p for p in self.parameters()}  # type: ignore[misc]

    def __getitem__(self, name: str) -> Value:
        """The parameter named ``name``."""
        found = self.parameters_by_name().get(name)
        if found is None:
            known = ", ".join(self.parameters_by_name())
            raise KeyError(f"no parameter named {name!r}; the parameters are {known}")
        return found


class Neuron(Module):
    """One neuron: act(Σ w_i·x_i + b) as one weighted-sum node and one activation node."""

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        weights: Sequence[float] | None = None,
        bias: float | Value | None = 0.0,
        layer: int = 1,
        names: LayerNames | None = None,
        index: int = 1,
        rng: random.Random | None = None,
    ):
        """nin inputs; activation overrides micrograd's nonlin (ReLU or linear).

        A "softmax" neuron makes only its weighted sum: its layer turns all of them into outputs.

        bias: a number makes the neuron's own bias, a Value is a bias it shares, None means none.
        names and index: the layer's names and which neuron of it this is (defaults if None).
        """
        if activation is None:
            activation = "relu" if nonlin else "linear"
        self.activation = check_choice("activation", activation, tuple(ACTIVATIONS))
        kind = ACTIVATIONS[activation]
        self._act = None if kind.per_layer else kind.function  # a per-layer one is the layer's to apply
        if names is None:
            inputs = naming.expand("inputs", naming.DEFAULT_INPUTS, nin, "i")
            names = naming.layer_names(layer, index, inputs, "neuron" if _owns_bias(bias) else "none")
        n = index - 1
        self.name = names.neurons[n]
        self.layer = layer
        self.net_name = names.net[n]
        self.out_name = names.out[n]
        self.meta = {"layer": layer, "neuron": self.name}  # shared by this neuron's net and out nodes
        if weights is None:
            draw = (rng or random).uniform
            weights = [draw(-1.0, 1.0) for _ in range(nin)]
        if len(weights) != nin:
            raise ValueError(f"neuron {self.name}: expected {nin} weights (one per input), got {len(weights)}")
        self.w = [parameter(w, name, layer, self.name) for w, name in zip(weights, names.weights[n])]
        self.owns_bias = _owns_bias(bias)
        if self.owns_bias:
            self.b: Value | None = parameter(bias, names.biases[n], layer, self.name)  # type: ignore[arg-type]
        else:
            self.b = bias  # type: ignore[assignment]

    def __call__(self, x: Inputs) -> Value:
        if ACTIVATIONS[self.activation].per_layer:
            raise ValueError(f"neuron {self.name}: a {self.activation} output needs the whole layer; call the Layer")
        return self.output(self.net(x))

    def net(self, x: Inputs) -> Value:
        """The weighted sum Σ w_i·x_i + b, named as the neuron's net (its out, if linear)."""
        net = weighted_sum(self.w, x, self.b)
        net.label, net.meta = self.out_name if self.activation == "linear" else self.net_name, self.meta
        return net

    def output(self, net: Value) -> Value:
        """The activation of this neuron's net, named as its output (the net itself, if linear)."""
        return net if self._act is None else self.named_output(self._act(net))

    def named_output(self, out: Value) -> Value:
        """out, named and tagged as this neuron's output."""
        out.label, out.meta = self.out_name, self.meta
        return out

    def parameters(self) -> list[Value]:
        """The weights, then the bias (also when the layer shares it)."""
        return [*self.w, self.b] if self.b is not None else list(self.w)

    def __repr__(self) -> str:
        return f"{ACTIVATIONS[self.activation].shown}Neuron({len(self.w)})"


def _owns_bias(bias: object) -> bool:
    """Whether a neuron's bias argument is a number, its own bias's initial value (a Value is shared; None, none)."""
    return isinstance(bias, int | float) and not isinstance(bias, bool)


class Layer(Module):
    """A layer of neurons fed by the same inputs, with one activation and one bias mode."""

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        bias: str = "neuron",
        weights: Sequence[Sequence[float]] | None = None,
        biases: Sequence[float] | None = None,
        layer: int = 1,
        names: LayerNames | None = None,
        rng: random.Random | None = None,
    ):
        """nout neurons of nin inputs; weights[n][i] is the weight from input i to neuron n.

        bias: "neuron" (one each), "shared" (one for the whole layer) or "none"; biases holds their
        initial values (default 0, as in micrograd).
        """
        self.bias_mode = check_choice("bias", bias, BIAS_MODES)
        if names is None:
            names = naming.layer_names(layer, nout, naming.expand("inputs", naming.DEFAULT_INPUTS, nin, "i"), bias)
        self.names = names
        self.index = layer
        biases = _initial_biases(layer, bias, nout, biases)
        if weights is not None and len(weights) != nout:
            raise ValueError(f"layer {layer}: expected {nout} rows of weights (one per neuron), got {len(weights)}")
        self.shared_bias = parameter(biases[0], names.biases[0], layer) if bias == "shared" else None
        self.neurons = [
            Neuron(
                nin,
                nonlin,
                activation=activation,
                weights=None if weights is None else weights[n],
                bias=biases[n] if bias == "neuron" else self.shared_bias,
                layer=layer,
                names=names,
                index=n + 1,
                rng=rng,
            )
            for n in range(nout)
        ]
        self.activation: str = (
            self.neurons[0].activation if self.neurons else activation or ("relu" if nonlin else "linear")
        )

    def __call__(self, x: Inputs) -> Value | list[Value]:
        out = self.forward(x)
        return out[0] if len(out) == 1 else out

    def forward(self, x: Inputs) -> list[Value]:
        """The outputs of every neuron, always as a list."""
        return self.nets_and_outputs(x)[1]

    def nets_and_outputs(self, x: Inputs) -> tuple[list[Value], list[Value]]:
        """Every neuron's weighted sum and output (one node for a linear neuron)."""
        nets = [n.net(x) for n in self.neurons]
        kind = ACTIVATIONS[self.activation]
        if kind.per_layer:
            outputs = kind.function(nets, meta={"layer": self.index})  # type: ignore[misc]
            return nets, [n.named_output(out) for n, out in zip(self.neurons, outputs)]
        return nets, [n.output(net) for n, net in zip(self.neurons, nets)]

    def parameters(self) -> list[Value]:
        """Neuron by neuron, weights then own bias; a shared bias once, after all the weights."""
        if self.shared_bias is None:
            return [p for n in self.neurons for p in n.parameters()]
        return [w for n in self.neurons for w in n.w] + [self.shared_bias]

    def bias_parameters(self) -> list[Value]:
        """The layer's biases: one per neuron, the shared one, or none."""
        if self.shared_bias is not None:
            return [self.shared_bias]
        return [n.b for n in self.neurons if n.b is not None]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


def _initial_biases(layer: int, bias: str, nout: int, biases: Sequence[float] | None) -> Sequence[float]:
    """The initial values of a layer's biases in bias mode bias: as given (their number checked), or 0 each."""
    count = naming.bias_count(bias, nout)
    if biases is None:
        return [0.0] * count
    if len(biases) != count:
        raise ValueError(f"layer {layer}: bias {bias!r} needs {count} bias values, got {len(biases)}")
    return biases


LayerNaming = LayerNames | Mapping[str, Any]


class MLP(Module):
    """micrograd's MLP(nin, nouts), plus per-layer activation and bias mode, exact weights and names."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str | Sequence[str] | None = None,
        bias: str | Sequence[str] = "neuron",
        weights: Sequence[Sequence[Sequence[float]] | None] | None = None,
        biases: Sequence[Sequence[float] | None] | None = None,
        seed: int | None = None,
        inputs: naming.Names = naming.DEFAULT_INPUTS,
        names: Sequence[LayerNaming] | None = None,
    ):
        """nin inputs and a layer of nouts[l] neurons for each l.

        activation: None for micrograd's (ReLU, then a linear last layer), one name for every layer, or
        one per layer. bias: a mode for every layer or one per layer. weights[l][n][i] and biases[l][n]:
        initial values per layer (None: weights uniform in [-1, 1) drawn from random.Random(seed), or
        from the random module if seed is None; biases 0). inputs: the input names (pattern or list).
        names: per layer, a LayerNames or the keyword arguments of naming.layer_names.
        """
        nouts = list(nouts)
        depth = len(nouts)
        self.sizes = [nin, *nouts]
        activations = _per_layer("activation", activation, depth)
        if activation is None:
            activations = ["relu"] * (depth - 1) + ["linear"]
        modes = [check_choice("bias", m, BIAS_MODES) for m in _per_layer("bias", bias, depth)]
        weights = _per_layer("weights", weights, depth, allow_none=True)
        biases = _per_layer("biases", biases, depth, allow_none=True)
        name_specs = _per_layer("names", names, depth, allow_none=True)
        self.input_names = naming.expand("inputs", inputs, nin, "i")
        self.input_meta = [{"role": "input", "layer": 0, "neuron": x} for x in self.input_names]
        rng = random.Random(seed) if seed is not None else None
        self.layers = self._make_layers(activations, modes, weights, biases, name_specs, rng)
        self._check_unique_names()

    def _make_layers(
        self,
        activations: list[str],
        modes: list[str],
        weights: list[Any],
        biases: list[Any],
        name_specs: list[LayerNaming | None],
        rng: random.Random | None,
    ) -> list[Layer]:
        """One Layer per size after the inputs, each named after the layer below it, {k} counting on across layers."""
        below, first_weight, first_bias = self.input_names, 1, 1
        layers = []
        for li, nout in enumerate(self.sizes[1:]):
            names = name_specs[li]
            if not isinstance(names, LayerNames):
                names = naming.layer_names(
                    li + 1, nout, below, modes[li], first_weight=first_weight, first_bias=first_bias, **(names or {})
                )
            layer = Layer(
                self.sizes[li],
                nout,
                activation=activations[li],
                bias=modes[li],
                weights=weights[li],
                biases=biases[li],
                layer=li + 1,
                names=names,
                rng=rng,
            )
            layers.append(layer)
            below = names.neurons
            first_weight += nout * self.sizes[li]
            first_bias += len(names.biases)
        return layers

    def _check_unique_names(self) -> None:
        seen: dict[str, str] = {}
        clashes = []

        def claim(name: str, what: str) -> None:
            if name in seen:
                clashes.append(f"{name!r} ({seen[name]} and {what})")
            seen[name] = what

        units: dict[str, str] = {}  # the names meta["neuron"] groups by: inputs and neurons
        for x in self.input_names:
            claim(x, "an input")
            units[x] = "an input"
        for layer in self.layers:
            for n in layer.neurons:
                if n.name in units:
                    clashes.append(f"{n.name!r} ({units[n.name]} and a neuron of layer {layer.index})")
                units[n.name] = f"a neuron of layer {layer.index}"
        for p in self.parameters():
            claim(p.label, f"a parameter of layer {p.meta['layer']}")  # type: ignore[arg-type,index]
        for layer in self.layers:
            for n in layer.neurons:
                if n.activation != "linear" or n.net_name != n.out_name:
                    claim(n.net_name, f"the net value of {n.name}")
                claim(n.out_name, f"the output of {n.name}")
        if clashes:
            raise ValueError(f"MLP: every value needs its own name; these are used twice: {', '.join(clashes)}")

    def lift_inputs(self, x: Inputs) -> list[Value]:
        """The inputs as Values named and tagged as the network's inputs (Values pass through)."""
        if len(x) != len(self.input_names):
            raise ValueError(f"MLP: expected {len(self.input_names)} inputs, got {len(x)}")
        return [
            v if isinstance(v, Value) else Value(v, name, meta=meta)
            for v, name, meta in zip(x, self.input_names, self.input_meta)
        ]

    def forward(self, x: Inputs) -> list[Value]:
        """The outputs of the last layer, always as a list."""
        x = self.lift_inputs(x)
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def __call__(self, x: Inputs) -> Value | list[Value]:
        out = self.forward(x)
        return out[0] if len(out) == 1 else out

    def named_forward(self, x: Inputs) -> tuple[list[Value], dict[str, Value]]:
        """The outputs and every value of the pass by name: inputs, then each neuron's net and out.

        A linear neuron's net and out are one node; both names lead to it.
        """
        x = self.lift_inputs(x)
        values = dict(zip(self.input_names, x))
        for layer in self.layers:
            nets, x = layer.nets_and_outputs(x)
            for neuron, net, out in zip(layer.neurons, nets, x):
                values[neuron.net_name], values[neuron.out_name] = net, out
        return x, values

    def parameters(self) -> list[Value]:
        """Layer by layer, in each layer's order."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


def _per_layer(what: str, value: Any, depth: int, *, allow_none: bool = False) -> list[Any]:
    """value repeated for every layer, or value itself if it is already one entry per layer."""
    if value is None or isinstance(value, str):
        return [value] * depth
    value = list(value)
    if len(value) != depth:
        raise ValueError(f"MLP: {what} needs one entry per layer ({depth}), got {len(value)}")
    if not allow_none and any(v is None for v in value):
        raise ValueError(f"MLP: {what} has a missing entry: {value!r}")
    return value
