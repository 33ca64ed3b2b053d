"""Stochastic gradient descent with the semantics of torch.optim.SGD (momentum, dampening, Nesterov)."""

from __future__ import annotations

from collections.abc import Iterable

from autograd import Value
from autograd.value import as_finite_float


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
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD: got an empty parameter list")
        if not all(isinstance(p, Value) for p in self.params):
            raise TypeError("SGD: every parameter must be a Value")
        for k, p in enumerate(self.params):
            if p.is_constant:  # one node per number, shared by every graph: a step would change them all
                raise ValueError(
                    f"SGD: parameter {k} is the constant {p.data!r} (a number in an operation, shared by "
                    "every graph that uses it), which never changes; leave out leaves with p.is_constant"
                )
        self.lr = lr
        self.momentum = _setting("momentum", momentum)
        self.dampening = _setting("dampening", dampening)
        self.weight_decay = _setting("weight_decay", weight_decay)
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
        self._lr = _setting("lr", lr)

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its current grad; FloatingPointError, and no change, if one overflows."""
        lr, mu, decay = self.lr, self.momentum, self.weight_decay
        params = self.params
        if mu == 0.0 and decay == 0.0:  # plain gradient descent: the documents' update
            _update(params, [p.data - lr * p.grad for p in params], lr)
            return
        grads = [p.grad + decay * p.data if decay else p.grad for p in params]
        velocity = self.velocity
        if mu:
            if velocity is None:
                velocity = list(grads)  # torch starts the buffer at the first gradient, undamped
            else:
                keep = 1.0 - self.dampening
                velocity = [mu * v + keep * g for v, g in zip(velocity, grads)]
            grads = [g + mu * v for g, v in zip(grads, velocity)] if self.nesterov else velocity
        _update(params, [p.data - lr * g for p, g in zip(params, grads)], lr)
        self.velocity = velocity


def _setting(what: str, x: float) -> float:
    """x as a finite float >= 0, or a ValueError naming the setting."""
    x = as_finite_float(x, f"SGD: {what}")
    if x < 0.0:
        raise ValueError(f"SGD: {what} must not be negative, got {x!r}")
    return x


def _update(params: list[Value], data: list[float], lr: float) -> None:
    """Set every parameter's data, or raise FloatingPointError, changing none, if one is not finite."""
    for k, (p, x) in enumerate(zip(params, data)):
        if x - x:  # inf or nan: a step too large for a float, or a grad set by hand
            name = repr(p.label) if p.label else f"parameter {k}"
            raise FloatingPointError(
                f"SGD: the step makes {name} {x!r} (data {p.data!r}, grad {p.grad!r}, lr {lr!r}); "
                "no parameter was changed"
            )
    for p, x in zip(params, data):
        p.data = x
