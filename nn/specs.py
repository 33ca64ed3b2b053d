"""Network specs in TOML: reading and checking them, and the worked examples they describe.

The schema is documented in ``SCHEMA`` below (and in the README). ``load_spec`` accepts a path to a
TOML file or an already parsed dict (e.g. a table embedded in an audit file).
"""

from __future__ import annotations

import importlib.resources
import math
import re
import string
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd import Value, grad, sum_values, trace
from inputfiles import FieldReader, Path_, check_tree, dotted, parse_toml, read_text, shown, toml_line
from nn import naming, notebook
from nn.activations import ACTIVATIONS, Activation
from nn.datasets import Sample
from nn.layers import BIAS_MODES, MLP
from nn.losses import LOSSES, Loss, loss_function, squared_errors
from nn.optim import SGD

DEFAULT_LOSS = "half_squared_error"
_SCHEMA = string.Template("""\
Top-level fields (* = required):
  name*           stable name: lower-case letters, digits and hyphens, e.g. "russo-3-3-3"
  title           one line saying what the network is (default: the name)
  source          the document it comes from
  notes           a string or a list of strings: contradictions in the document, values chosen here
  inputs*         the input names, e.g. ["i1", "i2", "i3"], or their number (names x1, x2, ...)
  layers*         an array of tables, one per layer of neurons, from the inputs to the outputs
  samples*        an array of tables {inputs = [...], targets = [...]}, one per training pair
  worked_sample   the index of the sample the document works through (default 0)
  targets         target names: a pattern or one per output (default "target_{neuron}")
  errors          per-output error names for loss "half_squared_error" with several outputs
                  (default "E_{neuron}")
$losses
  loss_name       the name of the total loss (default "E_total")
  learning_rate*  the step size of the document's gradient descent
  trainable       what a step updates: "all" (default), "weights", "biases" or a list of names
  seed            seeds the random initial weights of layers that give none (default 0)
Fields of each [[layers]] table:
  size            the number of neurons (* unless neurons is a list)
$activations
  bias            "neuron" (one per neuron, default), "shared" (one for the layer) or "none"
                  (the default for a layer that gives weights but no biases)
  neurons         neuron names: a pattern or a list (default "n{layer}_{n}")
  weight_names    a pattern, or a list of rows (one per neuron) of names (one per input)
                  (default "w{layer}_{n}_{i}")
  bias_names      a pattern or a list (default "b{layer}_{n}", or "b{layer}" if shared)
  net, out        names of each neuron's weighted sum and activation (default "net_{neuron}",
                  "out_{neuron}"; a linear neuron's net and out are one value with both names)
  weights         initial weights, one row per neuron, one column per input: weights[n][i] is the
                  weight from input i to neuron n (the documents number their weights in this order)
  biases          initial biases: one per neuron, or one if shared (default 0)
Patterns are Python format strings; placeholders: {layer}, {n}, {neuron}, {i}, {input}, {j}, {k}
(see nn.naming.PLACEHOLDERS), each as {name} or {name:format}.
Limits: at most 100,000 parameters (weights and biases) in a network; a name (given, or made by a
pattern) has at most 100 characters.
""")


def schema(losses: Mapping[str, Loss], activations: Mapping[str, Activation]) -> str:
    """The spec schema's text, its field loss listing these losses and activation these activations."""
    loss_choices = ", ".join(
        _quoted(name, f"default: {loss.summary}" if name == DEFAULT_LOSS else loss.summary)
        for name, loss in losses.items()
    )
    *first, last = (_quoted(name, activation.summary) for name, activation in activations.items())
    activation_choices = ", ".join([*first, f"or {last}"] if first else [last])
    # the widths the schema's lists were first wrapped at by hand, so that the text reads as it did
    return _SCHEMA.substitute(
        losses=_schema_field("loss", loss_choices, width=104),
        activations=_schema_field("activation*", activation_choices, width=92),
    )


def _quoted(name: str, summary: str) -> str:
    return f'"{name}" ({summary})' if summary else f'"{name}"'


def _schema_field(field: str, text: str, *, width: int) -> str:
    """A field of the schema: its name, then text wrapped to width in the column of descriptions."""
    return textwrap.fill(
        text, width, initial_indent=f"  {field:<16}", subsequent_indent=" " * 18, break_on_hyphens=False
    )


SCHEMA = schema(LOSSES, ACTIVATIONS)

TOP_FIELDS = [
    "name",
    "title",
    "source",
    "notes",
    "inputs",
    "layers",
    "samples",
    "worked_sample",
    "targets",
    "errors",
    "loss",
    "loss_name",
    "learning_rate",
    "trainable",
    "seed",
]
LAYER_FIELDS = [
    "size",
    "activation",
    "bias",
    "neurons",
    "weight_names",
    "bias_names",
    "net",
    "out",
    "weights",
    "biases",
]
SAMPLE_FIELDS = ("inputs", "targets")
TRAINABLE_GROUPS = ("all", "weights", "biases")
MAX_PARAMETERS = 100_000  # weights and biases of one network: a forward pass stays well under a second
_SIZE_LIMIT = f"a network has at most {MAX_PARAMETERS:,} parameters (weights and biases)"
_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class SpecError(ValueError):
    """A network spec that cannot be read: ``file:line: field: what is wrong`` (line when known)."""


@dataclass
class Pass:
    """One forward pass of a worked example: every value of its graph, looked up by name."""

    sample: Sample
    index: int  # which sample of the example
    values: dict[str, Value]  # parameters, inputs, net and out values, targets, errors, the loss
    outputs: list[Value]
    loss: Value

    def __getitem__(self, name: str) -> Value:
        """The value called ``name``."""
        found = self.values.get(name)
        if found is None:
            raise KeyError(f"no value named {name!r} in this pass; the names are {', '.join(self.values)}")
        return found

    def __contains__(self, name: object) -> bool:
        return name in self.values

    def _repr_html_(self) -> str:
        return notebook.pass_html(self)

    def names(self) -> list[str]:
        """Every name in the pass, parameters first and the loss last."""
        return list(self.values)

    def backward(self) -> Pass:
        """Fill in d loss / d value as .grad on every value of the pass (earlier grads are cleared)."""
        self.loss.zero_grad()
        self.loss.backward()
        return self

    def gradient(self, name: str, of: str | None = None) -> float:
        """d of / d name (of defaults to the loss), without touching any .grad."""
        output = self.loss if of is None else self[of]
        return grad(output, [self[name]])[0]


@dataclass
class WorkedExample:
    """A document's network with its samples, loss and learning rate, and the document's notes."""

    name: str
    title: str
    source: str
    network: MLP
    samples: tuple[Sample, ...]
    loss: str
    learning_rate: float
    notes: tuple[str, ...]
    trainable: tuple[str, ...]  # the parameters step() updates
    worked_sample: int = 0
    target_names: tuple[str, ...] = ()
    error_names: tuple[str, ...] = ()  # per-output errors (half_squared_error, several outputs)
    loss_name: str = "E_total"
    spec: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.initial = {name: p.data for name, p in self.network.parameters_by_name().items()}
        params = self.network.parameters_by_name()  # once: looking each name up by itself is quadratic
        self.optimizer = SGD([params[x] for x in self.trainable], lr=self.learning_rate)

    def forward(self, sample: int | None = None) -> Pass:
        """One forward pass of sample (default: the one the document works through) as a named graph."""
        index = self.worked_sample if sample is None else sample
        if not -len(self.samples) <= index < len(self.samples):
            raise IndexError(f"{self.name}: no sample {index}; it has {len(self.samples)}")
        data = self.samples[index]
        outputs, values = self.network.named_forward(data.inputs)
        last = self.network.layers[-1]
        targets = [
            Value(t, name, meta={"role": "target", "layer": last.index, "neuron": neuron.name})
            for t, name, neuron in zip(data.targets, self.target_names, last.neurons)
        ]
        values.update(zip(self.target_names, targets))
        if self.loss == "half_squared_error" and self.error_names:
            errors = squared_errors(outputs, targets)
            for error, name, neuron in zip(errors, self.error_names, last.neurons):
                error.label, error.meta = name, {"role": "loss", "neuron": neuron.name}
                values[name] = error
            total = sum_values(errors)
        else:
            total = loss_function(self.loss)(outputs, targets)
        total.label, total.meta = self.loss_name, {"role": "loss"}
        values[self.loss_name] = total
        return Pass(data, index, {**self.network.parameters_by_name(), **values}, outputs, total)

    def step(self, sample: int | None = None) -> Pass:
        """One gradient-descent step on sample with the document's learning rate and parameters.

        Returns the pass the step was computed from, its grads filled in.
        """
        pass_ = self.forward(sample).backward()
        self.optimizer.step()
        return pass_

    def train(self, steps: int, sample: int | None = None) -> list[float]:
        """steps of step(sample), replayed from one trace (autograd.trace): each step's loss, before its update.

        Float for float the loop of step(sample); only the parameters' data change, not their grads.
        """
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"{self.name}: train: steps must be a whole number >= 0, got {steps!r}")
        self.forward(sample)  # an unknown sample is an IndexError before anything is traced
        program = trace(lambda: self.forward(sample).loss)
        return self.optimizer.descend(program, steps)

    def __getitem__(self, name: str) -> Value:
        """The network's parameter called ``name`` (its current value)."""
        return self.network[name]

    def parameter_values(self) -> dict[str, float]:
        """Every parameter's current value by name."""
        return {name: p.data for name, p in self.network.parameters_by_name().items()}

    def reset(self) -> None:
        """Put every parameter back to its initial value, with zero grad."""
        for name, p in self.network.parameters_by_name().items():
            p.data, p.grad = self.initial[name], 0.0

    @property
    def heading(self) -> str:
        """The name as written, then the title: "my-net" alone when the title is the name (its default)."""
        return self.name if self.title == self.name else f"{self.name}: {self.title}"

    def describe(self) -> str:
        """A few lines: what the example is, where it comes from, how it trains, and its notes."""
        sizes = "-".join(map(str, self.network.sizes))
        bias = {"neuron": "a bias per neuron", "shared": "one shared bias", "none": "no bias"}
        layers = "; ".join(f"{layer.activation}, {bias[layer.bias_mode]}" for layer in self.network.layers)
        lines = [
            self.heading,
            *([f"  source: {self.source}"] if self.source else []),
            f"  network: {sizes}, layers {layers}",
            f"  loss: {self.loss} ({self.loss_name}), learning rate {self.learning_rate:g}, "
            f"trains {', '.join(self.trainable)}",
            f"  samples: {len(self.samples)} (the document works through sample {self.worked_sample})",
        ]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        notes = f", notes={list(self.notes)!r}" if self.notes else ""
        return f"WorkedExample({self.name!r}, title={self.title!r}, source={self.source!r}{notes})"

    def __str__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        return notebook.example_html(self)


# ---- reading specs -----------------------------------------------------------------------------


def load_spec(spec: str | Path | Mapping[str, Any], *, where: str | None = None) -> WorkedExample:
    """The worked example a TOML spec describes: a path to a .toml file, or a parsed dict.

    where: how errors name a dict's origin (default "<spec>"). Errors are SpecError.
    """
    if not isinstance(spec, str | Path):
        reader = _Reader(where or "<spec>", "")
        check_tree(spec, reader.fail)
        return reader.example(spec)
    path = Path(spec)
    text = read_text(path, "spec", SpecError)
    return _Reader(str(path), text).example(parse_toml(text, str(path), SpecError))


def spec_error(path: str | Path, field: Path_, message: str) -> SpecError:
    """The error load_spec gives about a field of the spec file at path: ``file:line: field: message``.

    For what goes wrong later with the file's numbers (a step of gradient descent that overflows).
    """
    path = Path(path)
    return _Reader(str(path), read_text(path, "spec", SpecError)).fail(field, message)


def examples() -> list[str]:
    """The stable names of the documents' networks shipped with the package."""
    return sorted(p.name.removesuffix(".toml") for p in _shipped().iterdir() if p.name.endswith(".toml"))


def example(name: str) -> WorkedExample:
    """A fresh copy of the shipped worked example called ``name``."""
    if name not in examples():
        raise KeyError(f"no example named {name!r}; the examples are {', '.join(examples())}")
    with importlib.resources.as_file(_shipped() / f"{name}.toml") as path:
        return load_spec(path)


def _shipped() -> Any:
    return importlib.resources.files("nn.networks")


class _Reader(FieldReader[SpecError]):
    """Checks a parsed spec field by field, naming the file, the field and (for files) its line."""

    error = SpecError

    def line(self, path: Path_) -> int | None:
        """The line of the field itself, if set by its key: a top-level one, or one in the n-th [[table]].

        Indices into a value and fields of a table are looked up by the key or [[table]] that holds them,
        with no line for a field that is not written (missing) or that is set inside an inline value.
        """
        if len(path) >= 2 and isinstance(path[1], int):  # a field of the n-th [[table]], else an item of a list
            field = path[:3] if len(path) > 2 and isinstance(path[2], str) else path[:2]
            return toml_line(self.text, field, enclosing=False) or toml_line(self.text, path[:1], enclosing=False)
        # a field set by its key, else an array of tables: its first [[table]]
        return toml_line(self.text, path[:1], enclosing=False) or toml_line(self.text, (*path[:1], 0), enclosing=False)

    def number(self, value: Any, path: Path_) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"expected a number, got {shown(value)}")
        if not math.isfinite(value):
            raise self.fail(path, f"expected a finite number, got {value!r}")
        return float(value)

    def numbers(self, value: Any, path: Path_, count: int | None = None, what: str = "numbers") -> list[float]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list of {what}, got {shown(value)}")
        if count is not None and len(value) != count:
            raise self.fail(path, f"expected {count} {what}, got {len(value)}")
        return [self.number(x, (*path, i)) for i, x in enumerate(value)]

    def names(self, value: Any, path: Path_) -> Any:
        """A pattern string, or a list of strings (or of lists of strings, for weight names)."""
        flat = (
            [x for row in value for x in (row if isinstance(row, list) else [row])] if isinstance(value, list) else []
        )
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(x, str) for x in flat)):
            return value
        raise self.fail(path, f"expected a name pattern or a list of names, got {shown(value)}")

    def known_fields(self, table: Mapping[str, Any], path: Path_, allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail((*path, key), f"unknown field; the fields are {', '.join(allowed)}")

    def example(self, spec: Mapping[str, Any]) -> WorkedExample:
        """The worked example a parsed spec describes, each field checked in the schema's order."""
        if not isinstance(spec, Mapping):
            raise self.fail((), f"expected a table, got {shown(spec)}")
        self.known_fields(spec, (), TOP_FIELDS)
        name = self.get(spec, ("name",), (str,))
        if not _NAME.fullmatch(name):
            raise self.fail(("name",), f"use lower-case letters, digits and single hyphens, got {name!r}")
        notes = self.notes(spec)
        nin, inputs = self.inputs(spec)
        network = self.network(spec, nin, inputs)
        samples = self.samples(spec, nin, len(network.layers[-1].neurons))
        worked = self.get(spec, ("worked_sample",), (int,), 0)
        if not 0 <= worked < len(samples):
            raise self.fail(("worked_sample",), f"no sample {worked}; there are {len(samples)}")
        loss = self.loss(spec, network)
        target_names, error_names, loss_name = self.value_names(spec, network, loss)
        learning_rate = self.learning_rate(spec)
        example = WorkedExample(
            name=name,
            title=self.get(spec, ("title",), (str,), name),
            source=self.get(spec, ("source",), (str,), ""),
            network=network,
            samples=samples,
            loss=loss,
            learning_rate=learning_rate,
            notes=tuple(notes),
            trainable=self.trainable(spec, network),
            worked_sample=worked,
            target_names=target_names,
            error_names=error_names,
            loss_name=loss_name,
            spec=dict(spec),
        )
        self.check_worked_pass(example)
        return example

    def check_worked_pass(self, example: WorkedExample) -> None:
        """Refuse numbers whose worked pass (what every view of it shows) overflows or leaves an op's domain."""
        try:
            example.forward().backward()
        except (ArithmeticError, ValueError) as e:  # the engine's errors name the op and its operands
            raise self.fail(("samples", example.worked_sample), f"this sample's pass cannot be computed: {e}") from None
        finally:
            example.reset()  # the grads, back to 0

    def notes(self, spec: Mapping[str, Any]) -> list[str]:
        notes = self.get(spec, ("notes",), (str, list), [])
        notes = [notes] if isinstance(notes, str) else notes
        for i, note in enumerate(notes):
            if not isinstance(note, str):
                raise self.fail(("notes", i), f"expected a string, got {shown(note)}")
        return notes

    def inputs(self, spec: Mapping[str, Any]) -> tuple[int, naming.Names]:
        """How many inputs the network has, and their names (a list, or the default pattern for a number)."""
        inputs = self.get(spec, ("inputs",), (list, int))
        if isinstance(inputs, list):
            if not inputs or not all(isinstance(x, str) for x in inputs):
                raise self.fail(("inputs",), f"expected a non-empty list of input names, got {shown(inputs)}")
            self.listed_once(inputs, ("inputs",), "an input's name")
            return len(inputs), inputs
        if inputs < 1:
            raise self.fail(("inputs",), f"a network needs at least one input, got {inputs}")
        if inputs > MAX_PARAMETERS:  # each input has a weight to each neuron of the first layer
            raise self.fail(("inputs",), f"{inputs:,} is too many: {_SIZE_LIMIT}")
        return inputs, naming.DEFAULT_INPUTS

    def network(self, spec: Mapping[str, Any], nin: int, inputs: naming.Names) -> MLP:
        """The network of the spec's layers, their sizes and values checked before anything is built."""
        layers = self.get(spec, ("layers",), (list,))
        if not layers:
            raise self.fail(("layers",), "a network needs at least one layer")
        seed = self.get(spec, ("seed",), (int,), 0)
        shapes = [self.layer(table, ("layers", n)) for n, table in enumerate(layers)]
        self.check_size(nin, shapes)
        fan_ins = [nin] + [s["size"] for s in shapes[:-1]]
        for n, (s, fan_in) in enumerate(zip(shapes, fan_ins)):
            self.layer_values(layers[n], s, fan_in, ("layers", n))
        return self.built_network(nin, inputs, shapes, seed)

    def samples(self, spec: Mapping[str, Any], nin: int, nout: int) -> tuple[Sample, ...]:
        samples = self.get(spec, ("samples",), (list,))
        if not samples:
            raise self.fail(("samples",), "needs at least one sample")
        return tuple(self.sample(s, ("samples", i), nin, nout) for i, s in enumerate(samples))

    def loss(self, spec: Mapping[str, Any], network: MLP) -> str:
        """The name of the spec's loss, one that takes the outputs of the network's last layer."""
        loss = self.get(spec, ("loss",), (str,), DEFAULT_LOSS)
        if loss not in LOSSES:
            raise self.fail(("loss",), f"unknown loss {loss!r}; use one of {', '.join(LOSSES)}")
        problem = LOSSES[loss].misfit(network.layers[-1].activation)
        if problem:
            raise self.fail(("loss",), problem)
        return loss

    def value_names(
        self, spec: Mapping[str, Any], network: MLP, loss: str
    ) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        """The names of the targets, of the per-output errors (half_squared_error, several outputs) and of the loss."""
        last = network.layers[-1]
        outputs = [neuron.name for neuron in last.neurons]
        target_names = self.output_names(spec, "targets", "target_{neuron}", outputs, last.index)
        error_names: tuple[str, ...] = ()
        if loss == "half_squared_error" and len(outputs) > 1:
            error_names = self.output_names(spec, "errors", "E_{neuron}", outputs, last.index)
        loss_name = self.get(spec, ("loss_name",), (str,), "E_total")
        try:
            naming.check_name("loss_name", loss_name)
        except naming.NamingError as e:
            raise self.fail(("loss_name",), str(e).removeprefix("loss_name: ")) from None
        self.check_new_names(network, [("targets", target_names), ("errors", error_names), ("loss_name", (loss_name,))])
        return target_names, error_names, loss_name

    def learning_rate(self, spec: Mapping[str, Any]) -> float:
        learning_rate = self.number(self.get(spec, ("learning_rate",), (int, float)), ("learning_rate",))
        if not learning_rate > 0.0:
            raise self.fail(("learning_rate",), f"must be positive, got {learning_rate!r}")
        return learning_rate

    def layer(self, table: Any, path: Path_) -> dict[str, Any]:
        """The layer's shape and names; its initial values are checked once fan-ins are known."""
        if not isinstance(table, Mapping):
            raise self.fail(path, f"expected a table, got {shown(table)}")
        self.known_fields(table, path, LAYER_FIELDS)
        neurons = self.names(
            self.get(table, (*path, "neurons"), (str, list), naming.DEFAULT_NEURONS), (*path, "neurons")
        )
        size = self.get(table, (*path, "size"), (int,), len(neurons) if isinstance(neurons, list) else ...)
        if size < 1:
            raise self.fail((*path, "size"), f"a layer needs at least one neuron, got {size}")
        if size > MAX_PARAMETERS:  # each neuron has at least one weight
            raise self.fail((*path, "size"), f"{size:,} is too many: {_SIZE_LIMIT}")
        if isinstance(neurons, list) and len(neurons) != size:
            raise self.fail((*path, "neurons"), f"expected {size} names (size), got {len(neurons)}")
        activation = self.get(table, (*path, "activation"), (str,))
        if activation not in ACTIVATIONS:
            raise self.fail(
                (*path, "activation"), f"unknown activation {activation!r}; use one of {', '.join(ACTIVATIONS)}"
            )
        # weights given without biases: a network without biases, as the document wrote it (not a zero bias to train)
        written = "none" if "weights" in table and "biases" not in table else "neuron"
        bias = self.get(table, (*path, "bias"), (str,), written)
        if bias not in BIAS_MODES:
            raise self.fail((*path, "bias"), f"unknown bias mode {bias!r}; use one of {', '.join(BIAS_MODES)}")
        names = {"neurons": neurons}
        for key, arg in (("weight_names", "weights"), ("bias_names", "biases"), ("net", "net"), ("out", "out")):
            if key in table:
                names[arg] = self.names(table[key], (*path, key))
        return {"size": size, "activation": activation, "bias": bias, "names": names}

    def check_size(self, nin: int, shapes: list[dict[str, Any]]) -> None:
        """Refuse, before building anything, a network of more than MAX_PARAMETERS weights and biases."""
        total, fan_in = 0, nin
        for s in shapes:
            total += s["size"] * fan_in + naming.bias_count(s["bias"], s["size"])
            fan_in = s["size"]
        if total > MAX_PARAMETERS:
            raise self.fail(("layers",), f"the layers make {total:,} parameters: {_SIZE_LIMIT}")

    def layer_values(self, table: Mapping[str, Any], shape: dict[str, Any], fan_in: int, path: Path_) -> None:
        size, bias = shape["size"], shape["bias"]
        weights = None
        if "weights" in table:
            rows = table["weights"]
            if not isinstance(rows, list) or len(rows) != size:
                raise self.fail((*path, "weights"), f"expected {size} rows (one per neuron), got {shown(rows)}")
            weights = [
                self.numbers(row, (*path, "weights", n), fan_in, "weights (one per input)")
                for n, row in enumerate(rows)
            ]
        count = naming.bias_count(bias, size)
        biases = None
        if "biases" in table:
            biases = self.numbers(table["biases"], (*path, "biases"), count, f"biases (bias = {bias!r})")
        shape.update(weights=weights, biases=biases)

    def built_network(self, nin: int, inputs: naming.Names, shapes: list[dict[str, Any]], seed: int) -> MLP:
        try:
            return MLP(
                nin,
                [s["size"] for s in shapes],
                activation=[s["activation"] for s in shapes],
                bias=[s["bias"] for s in shapes],
                weights=[s["weights"] for s in shapes],
                biases=[s["biases"] for s in shapes],
                seed=seed,
                inputs=inputs,
                names=[s["names"] for s in shapes],
            )
        except ValueError as e:  # names that clash or do not fit: a layer's ("layer 2 neurons: ..."), or the inputs'
            message = str(e)
            layer = re.match(r"layer (\d+) ", message)
            field = ("layers", int(layer[1]) - 1) if layer else ("inputs",) if message.startswith("inputs:") else ()
            raise self.fail(field or ("layers",), message) from None

    def sample(self, table: Any, path: Path_, nin: int, nout: int) -> Sample:
        if not isinstance(table, Mapping):
            raise self.fail(path, f"expected a table {{inputs = [...], targets = [...]}}, got {shown(table)}")
        self.known_fields(table, path, SAMPLE_FIELDS)
        inputs = self.numbers(self.get(table, (*path, "inputs"), (list,)), (*path, "inputs"), nin, "inputs")
        targets = self.numbers(self.get(table, (*path, "targets"), (list,)), (*path, "targets"), nout, "targets")
        return Sample(tuple(inputs), tuple(targets))

    def output_names(
        self, spec: Mapping[str, Any], key: str, default: str, outputs: list[str], layer: int
    ) -> tuple[str, ...]:
        names = self.names(self.get(spec, (key,), (str, list), default), (key,))
        try:
            return naming.per_neuron(key, names, outputs, layer)
        except naming.NamingError as e:
            raise self.fail((key,), str(e)) from None

    def check_new_names(self, network: MLP, groups: list[tuple[str, Sequence[str]]]) -> None:
        taken = set(network.input_names) | set(network.parameters_by_name())
        for layer in network.layers:
            for n in layer.neurons:
                taken |= {n.net_name, n.out_name}
        for key, names in groups:
            for name in names:
                if name in taken:
                    raise self.fail((key,), f"the name {name!r} is already used by another value")
                taken.add(name)

    def trainable(self, spec: Mapping[str, Any], network: MLP) -> tuple[str, ...]:
        value = self.get(spec, ("trainable",), (str, list), "all")
        params = network.parameters_by_name()
        if isinstance(value, str):
            if value not in TRAINABLE_GROUPS:
                raise self.fail(
                    ("trainable",), f"use one of {', '.join(TRAINABLE_GROUPS)} or a list of names, got {value!r}"
                )
            biases = {p.label for layer in network.layers for p in layer.bias_parameters()}
            keep = {"all": lambda x: True, "weights": lambda x: x not in biases, "biases": lambda x: x in biases}[value]
            chosen = tuple(x for x in params if keep(x))
        else:
            chosen = self.trainable_names(value, params)
        if not chosen:
            raise self.fail(("trainable",), "selects no parameter")
        return chosen

    def trainable_names(self, names: list[Any], params: Mapping[str, Value]) -> tuple[str, ...]:
        """A list of trainable parameters: each a parameter's name, and listed once (else it would step twice)."""
        self.listed_once(names, ("trainable",), "a parameter's name")
        for i, x in enumerate(names):
            if x not in params:
                raise self.fail(("trainable", i), f"no parameter named {x!r}; the parameters are {', '.join(params)}")
        return tuple(names)

    def listed_once(self, names: list[Any], path: Path_, what: str) -> None:
        """Refuse a list of names that holds anything but names, or one name twice (which would be meant?)."""
        seen: dict[str, int] = {}
        for i, x in enumerate(names):
            if not isinstance(x, str):
                raise self.fail((*path, i), f"expected {what}, got {shown(x)}")
            if x in seen:
                raise self.fail((*path, i), f"{x!r} is listed twice: {dotted(path)}[{seen[x]}] and [{i}]")
            seen[x] = i
