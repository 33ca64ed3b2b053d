"""Sums over samples: one sample's graph traced once (per shape of sample) and replayed for every sample.

A batch loss is usually a reduction over samples of one per-sample graph. Tracing that graph instead
of the whole batch costs the same for any batch, and the replay adds the samples up in the order the
dynamic engine does, so every number is the engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from autograd import primitive
from autograd import value as value_module
from autograd.compiler import native
from autograd.compiler.arguments import Shape, flatten, shape_of, size
from autograd.compiler.codegen import defined, source_of
from autograd.compiler.tracing import record
from autograd.compiler.updates import UpdateRule, code_shape
from autograd.graph import collector_paused
from autograd.value import Value, all_finite_floats, as_finite_float, sum_values

Terms = Callable[..., Sequence[Value]]
_FLOAT = {float}
KEPT_SAMPLES = 1 << 16  # immutable samples whose numbers a SampleSum keeps; past that it starts again


def trace_sum(terms: Terms, *example_args: Any, native: bool | str = "auto") -> SampleSum:
    """Trace terms (one sample's arguments -> that sample's Values) once on example_args; see SampleSum.

    native: the loop over samples also compiled to C, as autograd.trace's native says.
    """
    if native not in (True, False, "auto"):
        raise ValueError(f"trace_sum: native must be True, False or 'auto', got {native!r}")
    program = SampleSum(terms, native)
    program._replay(_shapes(example_args), example_args)
    return program


class SampleSum:
    """Σ of terms(*sample) over samples, replayed from one traced sample graph (one per shape of sample).

    Float for float sum_values([t for sample in samples for t in terms(*sample)]) and its backward:
    terms must build the same graph for every sample of a shape, as for autograd.trace.
    """

    def __init__(self, terms: Terms, native: bool | str = "auto"):
        self.terms = terms
        self.native = native
        self._replays: dict[tuple[Shape, ...], _Replay] = {}
        self._kept: dict[int, tuple[Any, _Replay, list[float]]] = {}  # by id: a sample, its replay and numbers
        self._redefinitions = primitive.redefinitions  # the replays are the rules' as they were then

    def __repr__(self) -> str:
        name = getattr(self.terms, "__name__", "terms")
        return f"<SampleSum of {name}: {len(self._replays)} traced sample shape(s)>"

    @property
    def source(self) -> str:
        """The generated code of each traced sample shape, one after the other."""
        return "\n".join(replay.source.sample_loop() for replay in self._replays.values())

    def backward(self, samples: Sequence[Sequence[Any]], seed: float = 1.0) -> float:
        """The sum over samples (each a tuple of terms' arguments); adds seed · d sum / d p to each p.grad.

        As sum.backward(seed) would, for the sum built by the dynamic engine.
        """
        seed = as_finite_float(seed, "backward gradient")
        samples = list(samples)  # read twice if the engine must redo the sum (an iterator would be spent)
        if not samples:
            raise ValueError("SampleSum: needs at least one sample, got none")
        self._forget_if_redefined()
        runs = self._runs(samples)
        try:
            total, grads = _accumulated(runs, seed)
        except (ArithmeticError, ValueError):
            return self._dynamic(samples, seed)  # the engine's own error, or a false alarm's same numbers
        with value_module.ACCUMULATING:  # as backward does: concurrent calls all add up
            for q, g in grads:
                q.grad += g
        return total

    def _forget_if_redefined(self) -> None:
        """Drop the replays if an op was redefined since they were traced: traced again, with its new rules."""
        if self._redefinitions != primitive.redefinitions:
            self._replays, self._kept, self._redefinitions = {}, {}, primitive.redefinitions

    def _runs(self, samples: Sequence[Sequence[Any]]) -> list[tuple[_Replay, list[list[float]]]]:
        """Consecutive samples of one shape, with their numbers, each with the replay of that shape."""
        runs: list[tuple[_Replay, list[list[float]]]] = []
        replay: _Replay | None = None
        kept = self._kept
        for sample in samples:
            known = kept.get(id(sample))
            if known is not None and known[0] is sample:
                replay, floats = known[1], known[2]
            else:
                found = None if replay is None else replay.numbers(sample)
                if replay is None or found is None:
                    replay, found = self._replay_of(sample)
                floats = found
                if _immutable(sample):  # a dataset's samples: their numbers are read once, not every step
                    if len(kept) >= KEPT_SAMPLES:
                        kept.clear()
                    kept[id(sample)] = (sample, replay, floats)
            if runs and runs[-1][0] is replay:
                runs[-1][1].append(floats)
            else:
                runs.append((replay, [floats]))
        return runs

    def _replay(self, shapes: tuple[Shape, ...], example: Sequence[Any]) -> _Replay:
        replay = self._replays.get(shapes)
        if replay is None:
            replay = self._replays[shapes] = _Replay(self.terms, shapes, example, self.native)
        return replay

    def _replay_of(self, sample: Sequence[Any]) -> tuple[_Replay, list[float]]:
        """The replay of sample's shape (traced at sample if there is none yet) and sample's numbers."""
        shapes = _shapes(sample)
        floats: list[float] = []
        flatten(sample, shapes, floats)
        return self._replay(shapes, sample), floats

    def train(
        self, samples: Sequence[Sequence[Any]], steps: int, rule: UpdateRule, params: Sequence[Value], seed: float = 1.0
    ) -> Trained | None:
        """Steps of training in one generated loop: each the sum over samples, backward(seed), then rule's update.

        Float for float the loop: zero the params' grads, backward(samples, seed), and rule's step on params,
        the loss of each step being the sum times seed (seed 1.0: the sum). The parameters' data (and, if every
        step was taken, params' grads) are written back; a traced parameter not in params keeps its data, and its
        grad adds up every step's, as backward's does for a grad nobody zeroes. The rule's state comes back in
        the Trained. None if the loop cannot take these steps: samples of several shapes, a param not traced.
        A step that raises or overflows stops the loop before its update: Trained.failed is its index.
        """
        self._forget_if_redefined()
        runs = self._runs(list(samples))
        if len(runs) != 1:
            return None
        replay, xs = runs[0]
        index = {id(q): i for i, q in enumerate(params)}
        order = [index.get(id(q), -1) for q in replay.params]  # the optimizer's index of each traced parameter
        trained = tuple(j for j, i in enumerate(order) if i >= 0)
        kept = [q for q, i in zip(replay.params, order) if i < 0]
        if len(trained) != len(params) or any(q.grad.__class__ is not float for q in kept):
            return None
        loop = replay.training_loop(rule, seed != 1.0, trained)
        m, n, slots = len(order), len(trained), len(rule.state)
        p = [q.data for q in replay.params]
        s = [slot[order[j]] for slot in rule.state for j in trained] + [float(rule.count)]
        grads = [q.grad for q in replay.params]
        losses: list[float] = []
        failed = None
        while len(losses) < steps and failed is None:
            count = loop.steps(steps - len(losses)) if isinstance(loop, native.Tiered) else steps - len(losses)
            accumulated = [g for g, i in zip(grads, order) if i < 0]
            done, state, failed = loop(count, xs, p, [*s, *accumulated], [*rule.settings, seed])
            losses += done
            p, s, grads = state[:m], state[m : m + n * slots + 1], state[m + n * slots + 1 :]
        for j, q in enumerate(replay.params):
            q.data = p[j]
            if failed is None or order[j] < 0:  # a failed step is taken again by its caller, from zeroed grads
                q.grad = grads[j]
        new_state = tuple([0.0] * len(params) for _ in range(slots))
        for k, j in enumerate(trained):
            for slot in range(slots):
                new_state[slot][order[j]] = s[slot * n + k]
        return Trained(losses, new_state, int(s[-1]), failed, getattr(loop, "is_native", False))

    @collector_paused()  # the graph is built and dropped inside
    def _dynamic(self, samples: Sequence[Sequence[Any]], seed: float) -> float:
        total = sum_values([t for sample in samples for t in self.terms(*sample)])
        total.backward(seed)
        return total.data


class _Replay:
    """One sample shape's traced graph, compiled to a loop over samples."""

    def __init__(self, terms: Terms, shapes: tuple[Shape, ...], example: Sequence[Any], mode: bool | str):
        def carried(total: Value, *args: Any) -> Value:
            made = terms(*args)
            if not isinstance(made, list | tuple) or not made:
                raise TypeError(f"trace_sum: terms must return a non-empty list of Values, got {made!r}")
            return sum_values([total, *made])

        _, nodes, params = record(carried, 0.0, *example)
        self.shapes = shapes
        flat = all(shape is not None and all(item is None for item in shape) for shape in shapes)
        self.lengths = [len(shape) for shape in shapes if shape is not None] if flat else None  # lists of numbers
        self.params = params
        self.source = source_of(nodes, 1 + size(shapes), per_sample=True)
        text = self.source.sample_loop()
        run = defined(text, f"<sample sum of {getattr(terms, '__name__', 'terms')}>")
        m = len(params)
        shape = lambda o: (o[0], o[1 : m + 1], o[-1])  # noqa: E731
        self._reading = (run, text, m + 2, shape)
        self._function: Callable[..., Any] | None = None
        self.mode = mode
        self.loops: dict[tuple[Any, ...], Callable[..., Any]] = {}  # training loops by their rule's key

    @property
    def function(self) -> Callable[..., Any]:
        """The loop over the samples, made (and with native=True built) when first wanted: nn.train's loop of
        steps never calls it."""
        if self._function is None:
            run, text, outputs, shape = self._reading
            self._function = native.Tiered(run, text, outputs, shape, self.mode) if self.mode else run
        return self._function

    def training_loop(self, rule: UpdateRule, scaled: bool, trained: tuple[int, ...]) -> Callable[..., Any]:
        """The generated loop of training steps for rule's key (see Source.training_loop), native when it pays."""
        key = (*code_shape(rule), scaled, trained)
        loop = self.loops.get(key)
        if loop is None:
            text = self.source.training_loop(rule, scaled, trained)
            run = defined(text, "<training loop>")
            m, slots = len(self.params), len(rule.state)
            size = 1 + m * 2 + len(trained) * slots + 1  # the stopping step, then parameters, state, t, grads

            def shaped(o: list[float]) -> tuple[list[float], list[float], int | None]:
                stop = int(o[0])
                return (o[size:] if stop < 0 else o[size : size + stop]), o[1:size], None if stop < 0 else stop

            mode = self.mode
            loop = native.Tiered(run, text, size, shaped, mode, compare=False) if mode else run
            self.loops[key] = loop
        return loop

    def numbers(self, sample: Sequence[Any]) -> list[float] | None:
        """The numbers in sample, depth first; None if it is not shaped like this replay's samples."""
        if self.lengths is not None and len(sample) == len(self.lengths):
            floats: list[float] = []
            for x, n in zip(sample, self.lengths):  # the usual sample: lists of floats, read in bulk
                if x.__class__ not in (list, tuple) or len(x) != n:
                    break
                floats += x
            else:
                if all_finite_floats(floats):  # else the careful reading below says which is not
                    return floats
        floats = []
        return floats if flatten(sample, self.shapes, floats) else None

    def run(self, xs: list[list[float]], total: float, seed: float, start: list[float]) -> tuple[float, list[float]]:
        """The sum after the samples xs, from total; each parameter's grad added up from start."""
        total, grads, check = self.function(xs, [q.data for q in self.params], start, total, seed)
        if check.__class__ is not float or check - check:  # a Value's .data, inf or nan: let the engine say where
            raise FloatingPointError("SampleSum: a number overflowed")
        return total, grads


class Trained(NamedTuple):
    """What SampleSum.train hands back: each step's loss, the rule's state and step count, the step that failed."""

    losses: list[float]
    state: tuple[list[float], ...]
    count: int
    failed: int | None
    native: bool  # whether the loop ran as C (at its last call)


def _accumulated(runs: list[tuple[_Replay, list[list[float]]]], seed: float) -> tuple[float, list[tuple[Value, float]]]:
    """The sum over the runs of samples, and each parameter with its grad, added up run after run."""
    if len(runs) == 1:
        replay, xs = runs[0]
        total, found = replay.run(xs, 0.0, seed, [0.0] * len(replay.params))
        return total, list(zip(replay.params, found))
    total = 0.0
    grads: dict[int, tuple[Value, float]] = {}  # each parameter (by id) and its grad so far
    for replay, xs in runs:
        start = [grads[id(q)][1] if id(q) in grads else 0.0 for q in replay.params]
        total, found = replay.run(xs, total, seed, start)
        grads.update((id(q), (q, g)) for q, g in zip(replay.params, found))
    return total, list(grads.values())


def _immutable(sample: Any) -> bool:
    """Whether sample is a tuple of floats and tuples of floats, which nothing can change."""
    return isinstance(sample, tuple) and all(
        x.__class__ is float or (x.__class__ is tuple and _FLOAT.issuperset(map(type, x))) for x in sample
    )


def _shapes(sample: Sequence[Any]) -> tuple[Shape, ...]:
    return tuple(shape_of(arg, f"trace_sum: args[{k}]") for k, arg in enumerate(sample))
