"""Neural networks on the autograd engine: layers, losses, optimisers and the documents' networks."""

from nn.datasets import Sample, moons, swap, xor
from nn.layers import ACTIVATIONS, BIAS_MODES, MLP, Layer, Module, Neuron
from nn.losses import bce_with_logits, half_squared_error, hinge, mse, squared_errors
from nn.optim import SGD
from nn.specs import Pass, SpecError, WorkedExample, example, examples, load_spec

__all__ = [
    "ACTIVATIONS",
    "BIAS_MODES",
    "MLP",
    "SGD",
    "Layer",
    "Module",
    "Neuron",
    "Pass",
    "Sample",
    "SpecError",
    "WorkedExample",
    "bce_with_logits",
    "example",
    "examples",
    "half_squared_error",
    "hinge",
    "load_spec",
    "moons",
    "mse",
    "squared_errors",
    "swap",
    "xor",
]
