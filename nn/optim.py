"""Optimisers with torch.optim's semantics (SGD, Adam, AdamW), their saved state, and learning-rate schedules."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from autograd import Program, Value
from autograd.compiler import UpdateRule
from autograd.compiler.updates import stepper
from autograd.functions import sqrt, where
from autograd.script import AdamUpdate, Unreadable, sgd
from nn.checkpoints import CheckpointError, finite_number_problem, same, shown_as_json


class SGD:
    """p ← p − lr·g on a chosen list of parameters, with torch.optim.SGD's momentum and weight decay."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        """params: the Values step() updates (e.g. only the weights); the rest as in torch.optim.SGD."""
        self.params = _parameter_list("SGD", params)
        self.lr = lr
        self.momentum = _checked_number("SGD", "momentum", momentum, positive=False)
        self.dampening = _checked_number("SGD", "dampening", dampening, positive=False)
        self.weight_decay = _checked_number("SGD", "weight_decay", weight_decay, positive=False)
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        self.nesterov = nesterov
        self.velocity: list[float] | None = None  # torch's momentum_buffer, made on the first step

    @property
    def lr(self) -> float:
        """The learning rate: finite and not negative, also when a schedule sets it."""
        return self._lr

    @lr.setter
    def lr(self, lr: float) -> None:
        self._lr = _checked_number("SGD", "lr", lr, positive=False)

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its current grad; FloatingPointError, and no change, if one overflows."""
        data, state = _stepped(self.update_rule(), self.params)
        _update(self.params, data, self.lr)
        if self.momentum:
            self.velocity = state[0]

    def update_rule(self) -> UpdateRule:
        """The update step() takes, with the velocity: what a loop of training steps runs (autograd's UpdateRule)."""
        mu, decay = self.momentum, self.weight_decay
        plain, nesterov = mu == 0.0 and decay == 0.0, self.nesterov  # plain: the documents' gradient descent

        def per_step(t: Any, settings: tuple[Any, ...]) -> tuple[Any, ...]:
            return (t > 1.0,) if mu else ()  # whether the velocity holds a gradient yet (torch starts it at the first)

        def update(p: Any, g: Any, state: tuple[Any, ...], settings: tuple[Any, ...], shared: tuple[Any, ...]) -> Any:
            lr, momentum, keep, weight_decay = settings
            if plain:
                return (p - lr * g,)
            g = g + weight_decay * p if decay else g
            if not mu:
                return (p - lr * g,)
            velocity = where(shared[0], momentum * state[0] + keep * g, g)  # torch starts it at g, undamped
            return (p - lr * (g + momentum * velocity if nesterov else velocity), velocity)

        velocity = ([0.0] * len(self.params) if self.velocity is None else self.velocity,) if mu else ()
        settings = (self.lr, mu, 1.0 - self.dampening, decay)
        count = 0 if self.velocity is None else 1  # only whether a step was taken matters
        return UpdateRule(("SGD", plain, bool(decay), bool(mu), nesterov), settings, count, velocity, per_step, update)

    def restore(self, state: tuple[list[float], ...], count: int) -> None:
        """Take back the state a loop of training steps ran update_rule() to: the velocity, once a step was taken."""
        if self.momentum and count:
            self.velocity = list(state[0])

    def descend(self, program: Program, steps: int, *args: Any) -> list[float]:
        """steps of step() on a traced program's loss at args, in one generated loop; each step's loss before it.

        Float for float the loop: loss = f(*args), zero_grad(), loss.backward(), step(); only the
        parameters' data change, not their grads. Momentum keeps a velocity per parameter: use step().
        """
        if self.momentum:
            raise ValueError("SGD.descend: momentum keeps a velocity per parameter, which descend does not; use step()")
        lr, decay = self.lr, self.weight_decay
        if decay:
            missing = [p for p in self.params if not any(p is q for q in program.params)]
            if missing:  # its gradient is 0, but weight decay would still shrink it
                name = repr(missing[0].label) if missing[0].label else "a parameter"
                raise ValueError(
                    f"SGD.descend: {name} is not a parameter of the program, so its decay cannot be replayed"
                )
            return program.iterate(steps, lambda p, g: p - lr * (g + decay * p), *args, params=self.params)
        return program.iterate(steps, lambda p, g: p - lr * g, *args, params=self.params)

    def script_update(self) -> Callable[..., Any]:
        """This SGD's step as autograd.script.program takes it (a page's): p, g, lr -> the new p."""
        if self.momentum:
            raise Unreadable("SGD with momentum keeps a velocity per parameter, which a page's step does not")
        decay = self.weight_decay
        return (lambda p, g, lr: p - lr * (g + decay * p)) if decay else sgd


def gradient(p: Value) -> float:
    """p's gradient as a number: a Value's after backward(create_graph=True), as torch.optim reads .grad's."""
    return p.grad if p.grad.__class__ is float else float(p.grad)


def _stepped(rule: UpdateRule, params: list[Value]) -> tuple[list[float], list[list[float]]]:
    """rule's next step on every parameter from its grad, on floats: the new data, the new state; nothing set."""
    grads = None
    if rule.state:  # kept in the state: numbers (a grad of create_graph is a Value: its number, as torch reads it)
        grads = [p.grad for p in params]
        if not _FLOAT.issuperset(map(type, grads)):
            grads = [gradient(p) for p in params]
    return stepper(rule)(float(rule.count + 1), params, grads, rule.state, rule.settings)


_FLOAT = {float}


def _update(params: list[Value], data: list[Any], lr: float) -> None:
    """Set every parameter's data, or raise FloatingPointError, changing none, if one is not finite."""
    for k, (p, x) in enumerate(zip(params, data)):
        if x.__class__ is not float:  # a Value (a step taken with a grad of create_graph): its number, as torch.optim's
            data[k] = x = float(x)
        if x - x:  # inf or nan
            name = repr(p.label) if p.label else f"parameter {k}"
            raise FloatingPointError(
                f"SGD: the step makes {name} {x!r} (data {p.data!r}, grad {p.grad!r}, lr {lr!r}); "
                "no parameter was changed"
            )
    for p, x in zip(params, data):
        p.data = x


class Adam:
    """torch.optim.Adam on a chosen list of parameters: bias-corrected moment estimates, L2 decay, AMSGrad."""

    decoupled = False  # AdamW sets this: decay shrinks the weights instead of joining the gradient

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ):
        """params: the Values step() updates, each once; the rest as in torch.optim.Adam."""
        self.params = _parameter_list(self.name, params)
        self.lr = lr
        self.betas, self.eps, self.weight_decay, self.amsgrad = _checked_settings(
            self.name, betas, eps, weight_decay, amsgrad
        )
        self.steps = 0  # torch's state["step"]: the bias corrections depend on it
        count = len(self.params)
        self.exp_avg, self.exp_avg_sq, self.max_exp_avg_sq = [0.0] * count, [0.0] * count, [0.0] * count

    @property
    def name(self) -> str:
        """The class name errors and state dicts use."""
        return type(self).__name__

    @property
    def lr(self) -> float:
        """The learning rate; setting it (as a schedule does) checks it again."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _checked_number(self.name, "lr", value, positive=False)

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its current grad, as torch's single-tensor Adam does in float64.

        A step that would make a parameter or moment inf or nan raises FloatingPointError and changes nothing.
        """
        rule = self.update_rule()
        new, state = _stepped(rule, self.params)
        for i, (p, data, m, v) in enumerate(zip(self.params, new, *state[:2])):
            if not all(map(math.isfinite, (data, m, v))):
                raise FloatingPointError(
                    f"{self.name}: step {rule.count + 1}: parameter {i} ({p.label}) with grad {p.grad!r} overflows"
                    f" (data {data!r}, exp_avg {m!r}, exp_avg_sq {v!r})"
                )
        for p, data in zip(self.params, new):
            p.data = data
        self.restore(tuple(state), rule.count + 1)

    def update_rule(self) -> UpdateRule:
        """The update step() takes, with the moments and step count: what a loop of training steps runs."""
        decay, decoupled, amsgrad = self.weight_decay, self.decoupled, self.amsgrad

        def per_step(t: Any, settings: tuple[Any, ...]) -> tuple[Any, ...]:
            lr, beta1, beta2 = settings[:3]
            return lr / (1.0 - beta1**t), sqrt(1.0 - beta2**t)  # the step size, the second moment's correction

        def update(p: Any, g: Any, state: tuple[Any, ...], settings: tuple[Any, ...], shared: tuple[Any, ...]) -> Any:
            lr, beta1, beta2, eps, weight_decay = settings
            if decay and decoupled:
                p = p * (1.0 - lr * weight_decay)
            elif decay:
                g = g + weight_decay * p
            m = state[0] + (1.0 - beta1) * (g - state[0])  # torch's lerp_ toward g by 1 - beta1 (< 0.5)
            v = state[1] * beta2 + (1.0 - beta2) * g * g
            v_max = where(v > state[2], v, state[2]) if amsgrad else v  # max(v_max, v), as torch
            new = p - shared[0] * (m / (sqrt(v_max) / shared[1] + eps))
            return (new, m, v, v_max) if amsgrad else (new, m, v)

        moments = (self.exp_avg, self.exp_avg_sq, self.max_exp_avg_sq) if amsgrad else (self.exp_avg, self.exp_avg_sq)
        settings = (self.lr, *self.betas, self.eps, decay)
        return UpdateRule((self.name, decoupled, bool(decay), amsgrad), settings, self.steps, moments, per_step, update)

    def restore(self, state: tuple[list[float], ...], count: int) -> None:
        """Take back the moments and step count a loop of training steps ran update_rule() to."""
        self.steps, self.exp_avg, self.exp_avg_sq = count, list(state[0]), list(state[1])
        if self.amsgrad:
            self.max_exp_avg_sq = list(state[2])

    def script_update(self) -> AdamUpdate:
        """This optimizer's step as autograd.script.program takes it (a page's): its settings and state now."""
        return AdamUpdate(
            self.betas,
            self.eps,
            self.weight_decay,
            self.decoupled,
            self.amsgrad,
            self.name,
            self.steps,
            tuple(self.exp_avg),
            tuple(self.exp_avg_sq),
            tuple(self.max_exp_avg_sq),
        )

    def state_dict(self) -> dict[str, Any]:
        """The settings, step count and moment estimates, keyed by parameter name and JSON-safe."""
        names = _parameter_names(self.name, self.params)
        keys = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if self.amsgrad else ("exp_avg", "exp_avg_sq")
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "optimizer": self.name,
            "settings": {
                "lr": self.lr,
                "betas": list(self.betas),
                "eps": self.eps,
                "weight_decay": self.weight_decay,
                "amsgrad": self.amsgrad,
            },
            "step": self.steps,
            "state": {name: {key: getattr(self, key)[i] for key in keys} for i, name in enumerate(names)},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what state_dict() returned; on a mismatch raise CheckpointError and change nothing."""
        where = f"{self.name}.load_state_dict"

        def fail(field: str, message: str) -> CheckpointError:
            return CheckpointError(f"{where}: {field}: {message}")

        if not isinstance(state, Mapping):
            raise fail("(top level)", f"expected a dict, got {shown_as_json(state)}")
        _known_keys(state, "", STATE_FIELDS, fail)
        for key, expected in (("format", STATE_FORMAT), ("version", STATE_VERSION), ("optimizer", self.name)):
            if not same(state.get(key), expected):
                raise fail(key, f"expected {expected!r}, got {shown_as_json(state.get(key))}")
        settings = state.get("settings")
        if not isinstance(settings, Mapping):
            raise fail("settings", f"expected a dict, got {shown_as_json(settings)}")
        _known_keys(settings, "settings.", SETTINGS, fail)
        try:
            lr = _checked_number(where, "settings.lr", settings.get("lr"), positive=False)
            betas = settings.get("betas")
            checked = _checked_settings(
                where,
                tuple(betas) if isinstance(betas, list | tuple) else betas,  # type: ignore[arg-type]
                settings.get("eps"),  # type: ignore[arg-type]
                settings.get("weight_decay"),  # type: ignore[arg-type]
                settings.get("amsgrad"),  # type: ignore[arg-type]
                prefix="settings.",
            )
        except (TypeError, ValueError) as error:
            raise CheckpointError(str(error)) from None
        steps = state.get("step")
        if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps < 2**63:
            raise fail("step", f"expected a whole number from 0 to 2**63 - 1, got {shown_as_json(steps)}")
        moments = _stored_moments(state.get("state"), _parameter_names(self.name, self.params), checked[3], fail)
        self.lr, self.steps = lr, steps
        self.betas, self.eps, self.weight_decay, self.amsgrad = checked
        for key, values in moments.items():
            setattr(self, key, values)


class AdamW(Adam):
    """torch.optim.AdamW: Adam whose weight decay shrinks each weight by lr·weight_decay per step."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ):
        """As Adam, with torch.optim.AdamW's default weight_decay of 0.01."""
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


OPTIMIZERS = {cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW)}  # by name, as nn.train takes them

STATE_FORMAT = "scalar-backprop optimizer state"
STATE_VERSION = 1
STATE_FIELDS = ("format", "version", "optimizer", "settings", "step", "state")  # what state_dict() returns
SETTINGS = ("lr", "betas", "eps", "weight_decay", "amsgrad")


def _known_keys(
    table: Mapping[str, Any], prefix: str, known: tuple[str, ...], fail: Callable[[str, str], Exception]
) -> None:
    """Refuse a key state_dict() never writes: a misspelt setting would otherwise be dropped unseen."""
    for key in table:
        if key not in known:
            raise fail(f"{prefix}{key}", f"unknown field; the fields are {', '.join(known)}")


def _parameter_list(owner: str, params: Iterable[Value]) -> list[Value]:
    """params as a list, refused if empty, not all Values, or listing one Value twice (it would step twice)."""
    params = list(params)
    if not params:
        raise ValueError(f"{owner}: got an empty parameter list")
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"{owner}: every parameter must be a Value, got {type(p).__name__} at {i}")
        if id(p) in seen:
            raise ValueError(f"{owner}: parameters {seen[id(p)]} and {i} are the same Value; list each once")
        if p.is_constant:  # one node per number, shared by every graph: a step would change them all
            raise ValueError(
                f"{owner}: parameter {i} is the constant {p.data!r} (a number in an operation, shared by "
                "every graph that uses it), which never changes; leave out leaves with p.is_constant"
            )
        seen[id(p)] = i
    return params


def _parameter_names(owner: str, params: list[Value]) -> list[str]:
    """The parameters' labels, which key the saved state: each must be a distinct non-empty string."""
    index: dict[str, int] = {}
    for i, p in enumerate(params):
        if not isinstance(p.label, str) or not p.label:
            raise ValueError(f"{owner}: parameters[{i}] has no name (the saved state keys by name)")
        if p.label in index:
            raise ValueError(f"{owner}: parameters[{index[p.label]}] and [{i}] share the name {p.label!r}")
        index[p.label] = i
    return list(index)


def _checked_number(owner: str, what: str, value: Any, *, positive: bool) -> float:
    """value as a float if it is a finite number >= 0 (> 0 if positive), else an error naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{owner}: {what} must be a number, got {shown_as_json(value)}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{owner}: {what} must be a finite number {'>' if positive else '>='} 0, got {value!r}")
    return float(value)


def _checked_settings(
    owner: str, betas: tuple[float, float], eps: float, weight_decay: float, amsgrad: bool, prefix: str = ""
) -> tuple[tuple[float, float], float, float, bool]:
    """Adam's betas (each in [0, 1)), eps (> 0), weight_decay (>= 0) and amsgrad, checked."""
    if not isinstance(betas, tuple) or len(betas) != 2:
        raise TypeError(f"{owner}: {prefix}betas must be a pair of numbers, got {shown_as_json(betas)}")
    for i, beta in enumerate(betas):
        if _checked_number(owner, f"{prefix}betas[{i}]", beta, positive=False) >= 1.0:
            raise ValueError(f"{owner}: {prefix}betas[{i}] must be in [0, 1), got {beta!r}")
    if not isinstance(amsgrad, bool):
        raise TypeError(f"{owner}: {prefix}amsgrad must be True or False, got {shown_as_json(amsgrad)}")
    return (
        (float(betas[0]), float(betas[1])),
        _checked_number(owner, f"{prefix}eps", eps, positive=True),
        _checked_number(owner, f"{prefix}weight_decay", weight_decay, positive=False),
        amsgrad,
    )


def _stored_moments(
    stored: Any, names: list[str], amsgrad: bool, fail: Callable[[str, str], CheckpointError]
) -> dict[str, list[float]]:
    """The moment lists from a state dict's "state", one entry per parameter name, each checked."""
    if not isinstance(stored, Mapping):
        raise fail("state", f"expected a dict of parameter name: moments, got {shown_as_json(stored)}")
    for name in stored:
        if name not in names:
            raise fail(f"state.{name}", "no parameter of this optimizer has this name")
    missing = [name for name in names if name not in stored]
    if missing:
        raise fail("state", f"missing {', '.join(missing)}")
    keys = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if amsgrad else ("exp_avg", "exp_avg_sq")
    moments: dict[str, list[float]] = {key: [] for key in keys}
    for name in names:
        entry = stored[name]
        if not isinstance(entry, Mapping) or set(entry) != set(keys):
            raise fail(f"state.{name}", f"expected a dict of {', '.join(keys)}, got {shown_as_json(entry)}")
        for key in keys:
            problem = finite_number_problem(entry[key])
            if problem is None and key != "exp_avg" and entry[key] < 0:
                problem = f"a second moment cannot be negative, got {entry[key]!r}"
            if problem:
                raise fail(f"state.{name}.{key}", problem)
            moments[key].append(float(entry[key]))
    if not amsgrad:
        moments["max_exp_avg_sq"] = [0.0] * len(names)
    return moments


def step_schedule(lr: float, step_size: int, gamma: float = 0.1) -> Callable[[int], float]:
    """torch's StepLR for nn.train: lr·gamma^(k // step_size) at step k."""
    lr = _checked_number("step_schedule", "lr", lr, positive=False)
    gamma = _checked_number("step_schedule", "gamma", gamma, positive=False)
    _check_count("step_schedule", "step_size", step_size)
    return lambda k: lr * gamma ** (k // step_size)


def cosine_schedule(lr: float, steps: int, min_lr: float = 0.0) -> Callable[[int], float]:
    """torch's CosineAnnealingLR for nn.train: from lr at step 0 down to min_lr at step ``steps``."""
    lr = _checked_number("cosine_schedule", "lr", lr, positive=False)
    min_lr = _checked_number("cosine_schedule", "min_lr", min_lr, positive=False)
    _check_count("cosine_schedule", "steps", steps)
    return lambda k: min_lr + (lr - min_lr) * (1.0 + math.cos(math.pi * k / steps)) / 2.0


def _check_count(owner: str, what: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: {what} must be a whole number >= 1, got {shown_as_json(value)}")
