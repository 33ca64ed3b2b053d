"""The names a network gives its values: name patterns, their expansion, and the default names.

A pattern is a ``str.format`` template; the placeholders it may use are listed in ``PLACEHOLDERS``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

MAX_NAME_LENGTH = 100  # characters in one name, given or made by a pattern

# What each placeholder of a name pattern stands for (all indices count from 1).
PLACEHOLDERS = {
    "layer": "the layer's index (1 = the first layer of neurons)",
    "n": "the neuron's index within its layer",
    "neuron": "the neuron's name",
    "i": "the index of the weight's input within the neuron",
    "input": "the name of the weight's input (an input of the network or a neuron of the layer below)",
    "j": "the weight's index within its layer, neuron by neuron: (n - 1)·fan_in + i",
    "k": "the weight's (or bias's) index within the whole network, layer by layer, neuron by neuron",
}

DEFAULT_INPUTS = "x{i}"
DEFAULT_NEURONS = "n{layer}_{n}"
DEFAULT_WEIGHTS = "w{layer}_{n}_{i}"
DEFAULT_BIASES = {"neuron": "b{layer}_{n}", "shared": "b{layer}", "none": ""}
DEFAULT_NET = "net_{neuron}"
DEFAULT_OUT = "out_{neuron}"


def bias_count(mode: str, size: int) -> int:
    """How many biases a layer of size neurons has in bias mode "neuron", "shared" or "none"."""
    return {"neuron": size, "shared": 1, "none": 0}[mode]


class NamingError(ValueError):
    """A name pattern or name list that cannot name the values it is meant for."""


@dataclass(frozen=True)
class LayerNames:
    """Every name of one layer: neurons, weights (one row per neuron), biases, net and out values."""

    neurons: tuple[str, ...]
    weights: tuple[tuple[str, ...], ...]
    biases: tuple[str, ...]  # one per neuron, one shared by the layer, or none
    net: tuple[str, ...]
    out: tuple[str, ...]


Names = str | Sequence[str]


def expand(what: str, names: Names, count: int, index: str = "n", **fields: object) -> tuple[str, ...]:
    """count names: a list taken as it is (its length checked), or a pattern formatted for index = 1..count."""
    if isinstance(names, str):
        return tuple(fill(what, names, **{index: n}, **fields) for n in range(1, count + 1))
    names = tuple(names)
    if len(names) != count or not all(isinstance(x, str) for x in names):
        raise NamingError(f"{what}: expected a pattern or a list of {count} names, got {list(names)!r}")
    for name in names:
        check_name(what, name)
    return names


def check_name(what: str, name: str) -> str:
    """name, or a NamingError if it is empty (a value without a name) or longer than MAX_NAME_LENGTH."""
    if not name:
        raise NamingError(f"{what}: a name cannot be empty")
    return _check_length(what, name)


def _check_length(what: str, text: str) -> str:
    if len(text) > MAX_NAME_LENGTH:
        raise NamingError(f"{what}: {text[:20]!r}... is {len(text):,} characters; a name has at most {MAX_NAME_LENGTH}")
    return text


def fill(what: str, pattern: str, **fields: object) -> str:
    """pattern with its placeholders filled in, or a NamingError naming what is wrong with the pattern.

    A placeholder is {name} or {name:format}, a format's widths and precisions at most MAX_NAME_LENGTH:
    no pattern can make a huge name before it is measured.
    """
    _check_length(f"{what} pattern", pattern)
    try:
        placeholders = _placeholders(pattern)
    except ValueError as e:
        raise NamingError(f"{what}: bad pattern {pattern!r}: {e}") from None
    for name, spec in placeholders:
        if name not in fields:
            known = ", ".join("{" + f + "}" for f in fields)
            raise NamingError(f"{what}: unknown placeholder {{{name}}} in {pattern!r}; use {known}")
        if "{" in spec or any(int(n) > MAX_NAME_LENGTH for n in re.findall(r"\d+", spec)):
            raise NamingError(
                f"{what}: the format {{{name}:{spec}}} in {pattern!r} could make names longer than "
                f"{MAX_NAME_LENGTH} characters"
            )
    try:
        name = pattern.format(**fields)
    except ValueError as e:  # a format that does not fit the value, e.g. {neuron:d}
        raise NamingError(f"{what}: bad pattern {pattern!r}: {e}") from None
    return check_name(what, name)


@lru_cache(maxsize=256)
def _placeholders(pattern: str) -> tuple[tuple[str, str], ...]:
    """The placeholders of a pattern, as (name, format); a ValueError if it is no str.format pattern."""
    return tuple((name, spec or "") for _, name, spec, _ in string.Formatter().parse(pattern) if name is not None)


def layer_names(
    layer: int,
    size: int,
    inputs: Sequence[str],
    bias: str,
    *,
    neurons: Names = DEFAULT_NEURONS,
    weights: str | Sequence[Sequence[str]] = DEFAULT_WEIGHTS,
    biases: Names | None = None,
    net: Names = DEFAULT_NET,
    out: Names = DEFAULT_OUT,
    first_weight: int = 1,
    first_bias: int = 1,
) -> LayerNames:
    """The names of layer ``layer`` (size neurons fed by the named inputs), from patterns or lists.

    first_weight and first_bias are the network-wide counters {k} start from for this layer.
    """
    where = f"layer {layer}"
    neuron_names = expand(f"{where} neurons", neurons, size, layer=layer)
    return LayerNames(
        neurons=neuron_names,
        weights=_weight_names(where, weights, layer, neuron_names, inputs, first_weight),
        biases=_bias_names(where, biases, bias, layer, neuron_names, first_bias),
        net=per_neuron(f"{where} net names", net, neuron_names, layer),
        out=per_neuron(f"{where} out names", out, neuron_names, layer),
    )


def _weight_names(
    where: str,
    weights: str | Sequence[Sequence[str]],
    layer: int,
    neurons: Sequence[str],
    inputs: Sequence[str],
    first_weight: int,
) -> tuple[tuple[str, ...], ...]:
    """A row of names per neuron, one per input: a pattern filled in, or rows taken as they are (checked)."""
    fan_in = len(inputs)
    if isinstance(weights, str):
        return tuple(
            tuple(
                fill(
                    f"{where} weight names",
                    weights,
                    layer=layer,
                    n=n,
                    neuron=neuron,
                    i=i,
                    input=inputs[i - 1],
                    j=(n - 1) * fan_in + i,
                    k=first_weight + (n - 1) * fan_in + i - 1,
                )
                for i in range(1, fan_in + 1)
            )
            for n, neuron in enumerate(neurons, 1)
        )
    rows = tuple(tuple(row) for row in weights)
    if len(rows) != len(neurons) or any(len(row) != fan_in or not all(isinstance(x, str) for x in row) for row in rows):
        raise NamingError(
            f"{where} weight names: expected {len(neurons)} rows (one per neuron) of {fan_in} names "
            f"(one per input), got {[list(r) for r in rows]!r}"
        )
    for row in rows:
        for name in row:
            check_name(f"{where} weight names", name)
    return rows


def _bias_names(
    where: str, biases: Names | None, bias: str, layer: int, neurons: Sequence[str], first_bias: int
) -> tuple[str, ...]:
    """The names of a layer's biases in bias mode bias: a pattern filled in (default DEFAULT_BIASES), or a list."""
    count = bias_count(bias, len(neurons))
    if biases is None:
        biases = DEFAULT_BIASES[bias]
    if not isinstance(biases, str):
        return expand(f"{where} bias names", biases, count)
    return tuple(
        fill(
            f"{where} bias names",
            biases,
            layer=layer,
            n=n,
            neuron=neurons[n - 1] if bias == "neuron" else "",
            k=first_bias + n - 1,
        )
        for n in range(1, count + 1)
    )


def per_neuron(what: str, names: Names, neurons: Sequence[str], layer: int) -> tuple[str, ...]:
    """One name per neuron: a list taken as it is, or a pattern filled in with {layer}, {n}, {neuron}."""
    if isinstance(names, str):
        return tuple(fill(what, names, layer=layer, n=n, neuron=x) for n, x in enumerate(neurons, 1))
    return expand(what, names, len(neurons))
