"""The training loop: batches of samples, a loss, an optimiser step, a loss history and a progress bar."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import Program, TraceError, Value, collector_paused, sum_values, topological_order, trace, trace_sum
from autograd.callers import warn_at_caller
from autograd.compiler import Trained, UpdateRule
from nn import notebook
from nn.datasets import Sample
from nn.layers import MLP
from nn.losses import loss_named
from nn.optim import OPTIMIZERS, SGD, Adam

PROGRESS_FROM = 1000  # runs of at least this many steps show a progress bar unless told not to
# A loss function is traced over a whole batch, at about 0.1 ms and 3 kB a node: beyond this many nodes
# replaying cannot win back the trace (a named loss is traced one sample at a time, at any batch size).
TRACE_LIMIT = 20_000
DIVERGENCE_FACTOR = 10.0  # a loss this many times its first value means the steps overshoot
BAR_EVERY = 50  # with a progress bar, steps run in loops of this many, and the bar shows every one's loss


@dataclass
class History:
    """The loss of every step, in order (measured before that step's update), and notes on the run."""

    losses: list[float] = field(default_factory=list)
    diverged: int | None = None  # the first step whose loss rose DIVERGENCE_FACTOR times above the first
    notes: list[str] = field(default_factory=list)
    looped: str | None = None  # "C" or "Python": how the last loop of steps ran; None: every step by itself

    @property
    def final(self) -> float:
        """The last step's loss."""
        return self.losses[-1]

    def record(self, loss: float, lr: float) -> str | None:
        """Append loss; the divergence note, the first time the loss rises far above its start."""
        self.losses.append(loss)
        start = self.losses[0]
        if self.diverged is not None or not (loss > DIVERGENCE_FACTOR * start > 0 or not math.isfinite(loss)):
            return None
        self.diverged = len(self.losses) - 1
        note = (
            f"train: the loss rose from {start:.4g} to {loss:.4g} by step {self.diverged} with lr={lr:g}: "
            f"the steps overshoot; try lr={lr / 10:g}"
        )
        self.notes.append(note)
        return note

    def __len__(self) -> int:
        return len(self.losses)

    def __repr__(self) -> str:
        return notebook.history_summary(self)


def batch_loss(model: MLP, samples: Sequence[Sample], loss: str | Callable[..., Value]) -> Value:
    """The loss of model over samples: every output against its target, in one graph.

    A named loss is its terms for each sample in turn, then their reduction (cross_entropy has one
    term a sample; the others one an output); a function gets every output and target in order.
    """
    if isinstance(loss, str):
        named = loss_named(loss)  # an unknown name is refused with the known ones
        return named.total([t for s in samples for t in named.terms(model.forward(s.inputs), s.targets)])
    outputs = [o for s in samples for o in model.forward(s.inputs)]
    return loss(outputs, [t for s in samples for t in s.targets])


def train(
    model: MLP,
    samples: Sequence[Sample],
    *,
    steps: int,
    optimizer: SGD | Adam | str | None = None,
    lr: float | None = None,
    loss: str | Callable[..., Value] = "mse",
    batch_size: int | None = None,
    schedule: Callable[[int], float] | None = None,
    seed: int = 0,
    progress: bool | None = None,
    history: History | None = None,
    compiled: bool | str = "auto",
    native: bool | str = "auto",
) -> History:
    """Run steps of gradient descent on samples and return the loss history.

    optimizer: an optimizer over the model's parameters, or the name of one ("sgd", the default, "adam"
    or "adamw", as Keras takes them) for train to make with lr (default: 0.1 for SGD, the optimizer's
    own for the others; an optimizer given has its own lr). loss: a name in nn.losses.LOSSES or a function
    (outputs, targets) -> Value; the default, the mean squared error, keeps the step size independent
    of the number of samples. A loss that rises far above its start is noted in the history, with
    one warning that names a smaller learning rate. batch_size: None for every sample each step, else a random batch
    drawn with random.Random(seed). schedule: step index -> learning rate. progress: a tqdm bar on
    stderr; None shows one for runs of PROGRESS_FROM steps or more, on a terminal only.
    compiled: "auto" traces the loss once and replays it every step, float for float the same
    result (a named loss one sample at a time, autograd.trace_sum; a loss function over the whole
    batch, autograd.trace); if the loss cannot be traced, it notes why in the history and uses the
    dynamic engine. True also warns then; False always uses the dynamic engine. native: the replay also
    compiled to C (autograd.trace's native): with a named loss, the whole batch and no schedule, the steps
    (optimizer's update included) run in one loop, natively once it pays ("auto"), at once (True) or never.
    """
    _check_arguments(model, samples, steps, loss, batch_size, compiled, native)
    optimizer = _optimizer(model, optimizer, lr)
    samples = [_as_tuples(s) for s in samples]  # a NumPy array's numbers, read once, as every path reads them
    history = history if history is not None else History()
    bar = _progress_bar(steps, progress)
    program = None
    if compiled and steps:
        program = _compiled_loss(model, loss, samples, batch_size, history, warn=compiled is True, native=native)
    _Run(model, samples, loss, program, optimizer, history, schedule, batch_size, random.Random(seed), bar).take(steps)
    if bar is not None:
        bar.close()
    return history


@dataclass
class _Run:
    """What train's steps need, and how they are taken: in loops where they can be, else one by one."""

    model: MLP
    samples: list[Sample]
    loss: str | Callable[..., Value]
    program: Program | SampleLoss | None
    optimizer: SGD | Adam
    history: History
    schedule: Callable[[int], float] | None
    batch_size: int | None
    rng: random.Random
    bar: Any

    def take(self, steps: int) -> None:
        """Take steps steps, in loops while they can run so (a progress bar: loops of BAR_EVERY)."""
        looped = isinstance(self.program, SampleLoss) and self.batch_size is None and self.schedule is None
        step = 0
        while step < steps:
            wanted = steps - step if self.bar is None else min(steps - step, BAR_EVERY)
            taken = _looped_steps(self.program, self.samples, self.optimizer, self.history, wanted) if looped else None
            looped = taken is not None
            if taken:
                step += taken
                _show(self.bar, taken, self.history.final)
                if taken == wanted:
                    continue
            # by itself: every step when no loop can take them, else the one a loop stopped at (to raise or redo)
            value = self.one(step)
            _show(self.bar, 1, value, step % BAR_EVERY == 0)
            step += 1

    def one(self, step: int) -> float:
        """Take step number step by itself (its schedule's lr, a batch drawn); its loss."""
        if self.schedule is not None:
            self.optimizer.lr = _scheduled_lr(self.schedule, step)
        batch = self.samples if self.batch_size is None else self.rng.sample(list(self.samples), self.batch_size)
        return _step(self.model, batch, self.loss, self.program, self.optimizer, self.history, step)


def _looped_steps(program: Any, samples: list[Sample], optimizer: Any, history: History, steps: int) -> int | None:
    """Up to steps steps in one generated loop (native when it pays); how many it took, None if it cannot.

    It stops before a step that raises or overflows, which train then takes itself, raising as it does.
    """
    if type(optimizer).step not in (SGD.step, Adam.step):  # a subclass's own step is not the rule the loop runs
        return None
    trained = program.train(samples, steps, optimizer.update_rule(), optimizer.params)
    if trained is None:
        return None
    optimizer.restore(trained.state, trained.count)
    history.looped = "C" if trained.native else "Python"
    for value in trained.losses:
        overshoot = history.record(value, optimizer.lr)
        if overshoot is not None:
            warn_at_caller(overshoot, RuntimeWarning)
    return len(trained.losses)


def _show(bar: Any, steps: int, value: float, postfix: bool = True) -> None:
    """Advance the progress bar (if any) by steps, showing the loss value."""
    if bar is not None:
        bar.update(steps)
        if postfix:
            bar.set_postfix(loss=f"{value:.4g}", refresh=False)


def _check_arguments(
    model: MLP,
    samples: Sequence[Sample],
    steps: int,
    loss: str | Callable[..., Value],
    batch_size: int | None,
    compiled: bool | str,
    native: bool | str,
) -> None:
    """Refuse, before anything runs, arguments train cannot run with: a ValueError saying which and why."""
    for name, mode in (("compiled", compiled), ("native", native)):
        if mode not in (True, False, "auto") or not isinstance(mode, bool | str):
            raise ValueError(f"train: {name} must be True, False or 'auto', got {mode!r}")
    if isinstance(loss, str):
        problem = loss_named(loss).misfit(model.layers[-1].activation)  # an unknown name is an error too
        if problem:
            raise ValueError(f"train: {problem}")
    if steps < 0:
        raise ValueError(f"train: steps must not be negative, got {steps}")
    if not samples:
        raise ValueError("train: needs at least one sample")
    if batch_size is not None and not 1 <= batch_size <= len(samples):
        raise ValueError(f"train: batch_size must be between 1 and {len(samples)}, got {batch_size}")


def _optimizer(model: MLP, optimizer: Any, lr: float | None) -> SGD | Adam:
    """The optimizer given, or the one named made over model's parameters with lr; else an error saying why not."""
    if optimizer is None or isinstance(optimizer, str):
        made = OPTIMIZERS.get((optimizer or "sgd").lower())
        if made is None:
            raise ValueError(f"train: optimizer must be {_OPTIMIZER_CHOICES}, got {optimizer!r}")
        if lr is None:
            return made(model.parameters(), lr=0.1) if made is SGD else made(model.parameters())
        return made(model.parameters(), lr=lr)
    steps = all(callable(getattr(optimizer, m, None)) for m in ("zero_grad", "step")) and hasattr(optimizer, "lr")
    if isinstance(optimizer, type) or not steps:
        given = f"the class {optimizer.__name__}" if isinstance(optimizer, type) else type(optimizer).__name__
        raise TypeError(f"train: optimizer must be {_OPTIMIZER_CHOICES}, got {given}")
    if lr is not None:
        raise ValueError(
            f"train: lr={lr!r} is for an optimizer train makes by name; the {type(optimizer).__name__} given has "
            f"its own (lr={optimizer.lr!r}): set it there"
        )
    return optimizer


_OPTIMIZER_CHOICES = (
    f"one of {', '.join(map(repr, OPTIMIZERS))} or an optimizer with zero_grad(), step() and lr, "
    "e.g. nn.Adam(model.parameters(), lr=0.01)"
)


def _progress_bar(steps: int, progress: bool | None) -> Any:
    """A tqdm bar over steps, or None: asked for, always shown; not asked, shown for long runs on a terminal."""
    disable = (None if steps >= PROGRESS_FROM else True) if progress is None else not progress
    if disable is True:
        return None
    from tqdm.auto import tqdm  # type: ignore[import-untyped]  # a widget in Jupyter, text on a terminal

    return tqdm(total=steps, desc="training", unit="step", disable=disable, leave=False)  # disable None: tqdm's


def _compiled_loss(
    model: MLP,
    loss: str | Callable[..., Value],
    samples: Sequence[Sample],
    batch_size: int | None,
    history: History,
    *,
    warn: bool,
    native: bool | str,
) -> Program | SampleLoss | None:
    """The loss traced for replay, or None with the reason noted in history (and warned of, if warn)."""
    program, reason = replayed_loss(model, loss, samples, batch_size, native)
    if reason is not None:
        history.notes.append(reason)
        if warn:
            warn_at_caller(reason, UserWarning)
    return program


def _step(
    model: MLP,
    batch: Sequence[Sample],
    loss: str | Callable[..., Value],
    program: Program | SampleLoss | None,
    optimizer: SGD | Adam,
    history: History,
    step: int,
) -> float:
    """One step of gradient descent on batch; its loss, recorded in history (with a note if it runs away)."""
    optimizer.zero_grad()
    try:
        value = _loss_and_gradients(model, batch, loss, program)
    except ArithmeticError as error:  # the engine refuses an overflow: the loss has run away
        note = f"train: step {step} (lr={optimizer.lr:g}): {error}; try lr={optimizer.lr / 10:g}"
        history.notes.append(note)
        raise type(error)(note) from error
    optimizer.step()
    overshoot = history.record(value, optimizer.lr)
    if overshoot is not None:
        warn_at_caller(overshoot, RuntimeWarning)
    return value


def _as_tuples(sample: Sample) -> Sample:
    """sample with its inputs and targets as tuples (a NumPy array's as its Python numbers)."""
    inputs, targets = (x.tolist() if hasattr(x, "tolist") else x for x in (sample.inputs, sample.targets))
    return Sample(tuple(inputs), tuple(targets)) if isinstance(inputs, list) or isinstance(targets, list) else sample


def _scheduled_lr(schedule: Callable[[int], float], step: int) -> float:
    """The schedule's learning rate for step, refused unless it is a finite number >= 0."""
    lr = schedule(step)
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not (math.isfinite(lr) and lr >= 0):
        raise ValueError(f"train: the schedule gave lr={lr!r} for step {step}; a learning rate is a finite number >= 0")
    return lr


def _loss_and_gradients(
    model: MLP, batch: Sequence[Sample], loss: str | Callable[..., Value], program: Program | SampleLoss | None
) -> float:
    """The batch loss, with its gradients added to the parameters' grads."""
    if isinstance(program, SampleLoss):
        return program.backward(batch)
    if program is not None:
        return program.backward(*_columns(batch))
    with collector_paused():  # the step's graph is built and dropped inside
        total = batch_loss(model, batch, loss)
        total.backward()
        return total.data


def _columns(samples: Sequence[Sample]) -> tuple[list[list[float]], list[list[float]]]:
    return [list(s.inputs) for s in samples], [list(s.targets) for s in samples]


class SampleLoss:
    """A named loss over a batch, replayed one sample at a time: batch_loss's numbers, float for float."""

    def __init__(self, model: MLP, name: str, example: Sample, native: bool | str = "auto"):
        named = loss_named(name)
        self.reduction = named.reduction

        def terms(inputs: list[Value], targets: list[Value]) -> list[Value]:
            outputs = model.forward(inputs)
            if len(outputs) != len(targets):  # batch_loss's own error, then
                raise ValueError(f"{name}: {len(outputs)} outputs but {len(targets)} targets")
            found = named.terms(outputs, targets)
            self.per_sample = len(found)  # an output's term each, or one a sample (cross_entropy)
            return found

        self.per_sample = 0
        self.program = trace_sum(terms, list(example.inputs), list(example.targets), native=native)

    def backward(self, batch: Sequence[Sample]) -> float:
        """The loss over batch; adds its gradients to the parameters' grads."""
        scale = self.scale(batch)
        total = self.program.backward(batch, scale)  # a Sample is the tuple (inputs, targets)
        return total * scale if scale != 1.0 else total

    def train(self, batch: Sequence[Sample], steps: int, rule: UpdateRule, params: Sequence[Value]) -> Trained | None:
        """steps of zero_grad, backward(batch) and rule's update of params in one loop (SampleSum.train)."""
        return self.program.train(batch, steps, rule, params, self.scale(batch))

    def scale(self, batch: Sequence[Sample]) -> float:
        """What the sum over batch is multiplied by: 1 / n for a mean over n terms, else 1.0."""
        n = self.per_sample * len(batch)  # samples of one shape: replayed_loss checks
        return 1.0 / n if self.reduction == "mean" and n > 1 else 1.0  # d loss / d total is that number


def replayed_loss(
    model: MLP,
    loss: str | Callable[..., Value],
    samples: Sequence[Sample],
    batch_size: int | None,
    native: bool | str = "auto",
) -> tuple[Program | SampleLoss | None, str | None]:
    """The loss traced once for replay (native: as autograd.trace's), or None and the one-line reason it cannot be."""
    if isinstance(loss, str) and all(len(s.targets) == len(samples[0].targets) for s in samples):
        try:
            return SampleLoss(model, loss, samples[0], native), None
        except (TraceError, ValueError):
            pass  # the whole batch's trace below says what is wrong, or works

    def loss_of(inputs: list[list[Value]], targets: list[list[Value]]) -> Value:
        traced = [Sample(tuple(x), tuple(t)) for x, t in zip(inputs, targets)]  # type: ignore[arg-type]
        return batch_loss(model, traced, loss)

    batch = samples[: batch_size or len(samples)]
    order = topological_order(sum_values(model.forward(batch[0].inputs)))
    size = len(batch) * sum(1 for node in order if node.parents)  # one sample's ops; the parameters are shared
    if size > TRACE_LIMIT:  # the trace would cost more time and memory than the dynamic engine's steps
        return None, (
            f"train: the loss function over a batch of {len(batch)} samples would be traced as about {size:,} "
            f"nodes (more than {TRACE_LIMIT:,}), using the dynamic engine; a named loss (nn.LOSSES) or a smaller "
            "batch_size is replayed"
        )
    try:
        return trace(loss_of, *_columns(batch), native=native), None
    except TraceError as error:
        return None, f"train: cannot compile the loss, using the dynamic engine: {error}"


def accuracy(model: MLP, samples: Sequence[Sample]) -> float:
    """The fraction of samples classified right: a single output by the sign of its ±1 target,
    several (one per class) by the largest output against the largest target (one-hot)."""
    right = 0
    for s in samples:
        out = [o.data for o in model.forward(s.inputs)]
        if len(out) == 1:
            right += (out[0] > 0) == (s.targets[0] > 0)
        else:
            right += out.index(max(out)) == list(s.targets).index(max(s.targets))
    return right / len(samples)
