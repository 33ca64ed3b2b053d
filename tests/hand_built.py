"""Graphs built by hand with labels and metadata, as nn would tag them, for the drawing tests."""

from __future__ import annotations

from autograd import Value, sum_values, weighted_sum


def parameter(data: float, label: str, layer: int, neuron: str | None = None) -> Value:
    """A parameter leaf tagged as nn tags one."""
    meta = {"role": "parameter", "layer": layer} | ({"neuron": neuron} if neuron else {})
    return Value(data, label, meta=meta)


def mazur(binary: bool = False) -> Value:
    """Mazur's 2-2-2 sigmoid network with shared biases b1, b2, and its squared-error loss E_total.

    binary=True builds each neuron's net from + and * (micrograd's way), whose intermediate values
    carry no metadata; else one weighted-sum node per neuron (nn's way).
    """
    i = [Value(x, f"i{k}", meta={"role": "input", "layer": 0, "neuron": f"i{k}"}) for k, x in ((1, 0.05), (2, 0.10))]
    w = dict(enumerate((0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55), start=1))
    b1, b2 = parameter(0.35, "b1", 1), parameter(0.60, "b2", 2)

    def neuron(name: str, layer: int, first: int, inputs: list[Value], bias: Value) -> Value:
        ws = [parameter(w[first + k], f"w{first + k}", layer, name) for k in range(len(inputs))]
        net = sum((wk * x for wk, x in zip(ws, inputs)), bias * 1) if binary else weighted_sum(ws, inputs, bias)
        net.label, net.meta = f"net_{name}", {"layer": layer, "neuron": name}
        out = net.sigmoid()
        out.label, out.meta = f"out_{name}", {"layer": layer, "neuron": name}
        return out

    h = [neuron("h1", 1, 1, i, b1), neuron("h2", 1, 3, i, b1)]
    o = [neuron("o1", 2, 5, h, b2), neuron("o2", 2, 7, h, b2)]
    errors = []
    for k, (out, t) in enumerate(zip(o, (0.01, 0.99)), start=1):
        target = Value(t, f"target_o{k}", meta={"role": "target"})
        e = 0.5 * (target - out) ** 2
        e.label = f"E_o{k}"
        errors.append(e)
    loss = sum_values(errors)
    loss.label, loss.meta = "E_total", {"role": "loss"}
    return loss


def micrograd_neuron() -> Value:
    """micrograd's trace_graph example: a 2-input tanh neuron, labelled, no metadata."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def softmax_example():
    """A 2-2-3 worked example whose output layer is softmax, with categorical cross-entropy (the README's)."""
    import nn

    layers = [
        {
            "neurons": ["h1", "h2"],
            "activation": "sigmoid",
            "weights": [[0.1, 0.2], [0.3, -0.4]],
            "biases": [0.05, -0.05],
        },
        {
            "neurons": ["y1", "y2", "y3"],
            "activation": "softmax",
            "weights": [[0.5, -0.6], [0.7, 0.8], [-0.9, 0.2]],
            "biases": [0.1, 0.0, -0.1],
        },
    ]
    spec = {
        "name": "softmax-2-2-3",
        "inputs": ["x1", "x2"],
        "loss": "categorical_cross_entropy",
        "learning_rate": 0.5,
        "layers": layers,
        "samples": [{"inputs": [1.0, 0.5], "targets": [0.0, 1.0, 0.0]}],
    }
    return nn.load_spec(spec)
