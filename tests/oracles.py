"""PyTorch as an optional oracle: a test that needs it skips, with the reason, where it is not installed."""

from __future__ import annotations

import pytest

try:
    import torch
except ImportError:  # the tests that compare with PyTorch skip; the others still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is the oracle here: pip install torch==2.13.0")


def torch_activation(name: str):
    """The PyTorch function of a layer's activation (linear: the identity; softmax: over the last dimension)."""
    if name == "softmax":
        return lambda x: torch.softmax(x, dim=-1)
    return (lambda x: x) if name == "linear" else getattr(torch, name)
