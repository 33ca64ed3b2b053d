"""Neural networks on the autograd engine: layers, losses, optimisers and the documents' networks."""

from nn.activations import ACTIVATIONS, log_softmax, softmax
from nn.bridge import from_torch, to_torch
from nn.checkpoints import CheckpointError, load_parameters, save_parameters
from nn.datasets import Sample, moons, spirals, swap, xor
from nn.layers import BIAS_MODES, MLP, Layer, Module, Neuron
from nn.losses import (
    LOSSES,
    bce_with_logits,
    categorical_cross_entropy,
    cross_entropy,
    half_squared_error,
    hinge,
    mse,
    squared_errors,
)
from nn.optim import SGD, Adam, AdamW, cosine_schedule, step_schedule
from nn.specs import Pass, SpecError, WorkedExample, example, examples, load_spec, spec_error
from nn.training import History, accuracy, train

__all__ = [
    "ACTIVATIONS",
    "BIAS_MODES",
    "LOSSES",
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "CheckpointError",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "Pass",
    "Sample",
    "SpecError",
    "WorkedExample",
    "accuracy",
    "bce_with_logits",
    "categorical_cross_entropy",
    "cosine_schedule",
    "cross_entropy",
    "example",
    "examples",
    "from_torch",
    "half_squared_error",
    "hinge",
    "load_parameters",
    "load_spec",
    "log_softmax",
    "moons",
    "mse",
    "save_parameters",
    "softmax",
    "spec_error",
    "spirals",
    "squared_errors",
    "step_schedule",
    "swap",
    "to_torch",
    "train",
    "xor",
]
