"""The bridge to PyTorch: an MLP as an equivalent float64 torch.nn.Sequential, and such a Sequential as an MLP.

torch is imported only when a function here is called, so importing nn never needs it.
"""

from __future__ import annotations

import functools
import math
import threading
from typing import Any

from nn.activations import ACTIVATIONS
from nn.layers import MLP

# each torch activation module's name -> the activation; Identity (linear, for which to_torch adds no module) last
FROM_TORCH = {
    kind.torch_module: name for name, kind in sorted(ACTIVATIONS.items(), key=lambda item: item[1].function is None)
}
_OVER_FEATURES = {"dim": -1}  # the arguments of a Softmax the engine's softmax layer computes
MAX_PARAMETERS = 1_000_000  # a scalar engine holds one Python object per weight: beyond this, stay in torch


def to_torch(model: MLP) -> Any:
    """A torch.nn.Sequential of model's layers in float64, each a Linear (or SharedBiasLinear) and its activation.

    The weights are copied; a layer without biases becomes Linear(bias=False), one with a shared
    bias a SharedBiasLinear whose bias is a single number.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch: expected an nn.MLP, got {type(model).__name__}")
    torch = _torch()
    modules = []
    for layer, nin, nout in zip(model.layers, model.sizes, model.sizes[1:]):
        weight = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
        if layer.bias_mode == "shared":
            linear = _shared_bias_linear()(nin, nout)
            bias = torch.tensor(layer.shared_bias.data, dtype=torch.float64)  # type: ignore[union-attr]
        else:
            linear = torch.nn.Linear(nin, nout, bias=layer.bias_mode == "neuron", dtype=torch.float64)
            bias = torch.tensor([n.b.data for n in layer.neurons if n.b is not None], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(weight.reshape(nout, nin))
            if linear.bias is not None:
                linear.bias.copy_(bias)
        modules.append(linear)
        kind = ACTIVATIONS[layer.activation]
        if kind.function is not None:
            arguments = _OVER_FEATURES if kind.per_layer else {}  # softmax: over the features, the last dimension
            modules.append(getattr(torch.nn, kind.torch_module)(**arguments))
    return torch.nn.Sequential(*modules)


def from_torch(module: Any, *, seed: int | None = 0) -> MLP:
    """The MLP computing what a torch.nn.Sequential of Linear layers, each followed by at most one activation, does.

    Supported layers: Linear, SharedBiasLinear, Sigmoid, Tanh, ReLU, Softmax (over the last dimension) and
    Identity; the first other one is named in a ValueError. The weights are copied as float64.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, got {type(module).__name__}")
    linear_kinds = (torch.nn.Linear, _shared_bias_linear())
    count = sum(m.out_features * (m.in_features + 1) for m in module if type(m) in linear_kinds)
    if count > MAX_PARAMETERS:  # refused before a weight is copied: a large model would not fit as Python floats
        raise ValueError(
            f"from_torch: the network has about {count:,} parameters; this engine takes at most {MAX_PARAMETERS:,}"
        )
    layers: list[dict[str, Any]] = []
    for i, m in enumerate(module):
        where = f"from_torch: layer {i} ({type(m).__name__})"
        if type(m) in linear_kinds:
            if layers and m.in_features != layers[-1]["nout"]:
                raise ValueError(
                    f"{where}: takes {m.in_features} inputs, but the layer before gives {layers[-1]['nout']}"
                )
            layers.append(_linear_layer(m, where, torch))
        elif type(m).__name__ in FROM_TORCH and type(m) is getattr(torch.nn, type(m).__name__):
            if not layers or layers[-1]["activation"] is not None:
                raise ValueError(f"{where}: an activation must follow a Linear layer (one activation per layer)")
            if isinstance(m, torch.nn.Softmax) and m.dim not in (-1, 1, None):  # None: torch's implicit choice
                raise ValueError(f"{where}: dim={m.dim}; the engine's softmax is over a layer's outputs, dim=-1")
            layers[-1]["activation"] = FROM_TORCH[type(m).__name__]
        else:
            supported = ", ".join(["Linear", "SharedBiasLinear", *FROM_TORCH])
            raise ValueError(f"{where} is not supported; the supported layers are {supported}")
    if not layers:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    return MLP(
        layers[0]["nin"],
        [layer["nout"] for layer in layers],
        activation=[layer["activation"] or "linear" for layer in layers],
        bias=[layer["bias"] for layer in layers],
        weights=[layer["weights"] for layer in layers],
        biases=[layer["biases"] for layer in layers],
        seed=seed,
    )


def _linear_layer(m: Any, where: str, torch: Any) -> dict[str, Any]:
    """A Linear or SharedBiasLinear module's sizes, bias mode and values, each checked to be a finite real."""
    weights = _finite_values(m.weight, f"{where}: weight", torch)
    if m.bias is None:
        bias, biases = "none", None
    else:
        bias, biases = (
            ("shared" if m.bias.dim() == 0 else "neuron"),
            _finite_values(m.bias.reshape(-1), f"{where}: bias", torch),
        )
    return {
        "nin": m.in_features,
        "nout": m.out_features,
        "activation": None,
        "bias": bias,
        "weights": weights,
        "biases": biases,
    }


def _finite_values(tensor: Any, where: str, torch: Any) -> Any:
    """tensor's values as nested lists of floats, or a ValueError naming the first that is not a finite real."""
    if not tensor.is_floating_point():
        raise ValueError(f"{where}: expected real numbers, got dtype {tensor.dtype}")
    values = tensor.detach().to(device="cpu", dtype=torch.float64).tolist()
    flat = values if tensor.dim() == 1 else [x for row in values for x in row]
    bad = next((k for k, x in enumerate(flat) if not math.isfinite(x)), None)
    if bad is not None:
        index = f"[{bad}]" if tensor.dim() == 1 else f"[{bad // tensor.shape[1]}][{bad % tensor.shape[1]}]"
        raise ValueError(f"{where}{index} is {flat[bad]!r}; the engine holds finite numbers only")
    return values


def _torch() -> Any:
    try:
        import torch
    except ImportError as error:  # torch is optional: only the bridge needs it
        raise ImportError(f"nn.bridge needs PyTorch (python -m pip install torch): {error}") from error
    return torch


_MAKING = threading.Lock()  # two threads' first calls must not make two different classes


def _shared_bias_linear() -> type:
    """The torch module for a layer whose neurons share one bias (made once, when torch is first needed)."""
    with _MAKING:
        return _make_shared_bias_linear()


@functools.cache
def _make_shared_bias_linear() -> type:
    torch = _torch()

    class SharedBiasLinear(torch.nn.Module):  # type: ignore[misc,name-defined]
        """y = x·Wᵀ + b with a single bias b added to every output: an nn layer with bias="shared"."""

        def __init__(self, in_features: int, out_features: int, dtype: Any = torch.float64):
            super().__init__()
            self.in_features, self.out_features = in_features, out_features
            self.weight = torch.nn.Parameter(torch.zeros(out_features, in_features, dtype=dtype))
            self.bias = torch.nn.Parameter(torch.zeros((), dtype=dtype))

        def forward(self, x: Any) -> Any:
            return torch.nn.functional.linear(x, self.weight) + self.bias

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, bias=shared"

    # found again as nn.bridge.SharedBiasLinear, so a model holding one pickles (torch.save)
    SharedBiasLinear.__module__, SharedBiasLinear.__qualname__ = __name__, "SharedBiasLinear"
    return SharedBiasLinear


def __getattr__(name: str) -> Any:
    """nn.bridge.SharedBiasLinear, made on first use so that importing nn does not import torch."""
    if name == "SharedBiasLinear":
        return _shared_bias_linear()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
