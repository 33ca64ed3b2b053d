"""Stochastic gradient descent with the semantics of torch.optim.SGD (momentum, dampening, Nesterov)."""

from __future__ import annotations

from collections.abc import Iterable

from autograd import Value


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
        for what, x in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
            if not x >= 0.0:
                raise ValueError(f"SGD: {what} must not be negative, got {x!r}")
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        self.velocity: list[float] | None = None  # torch's momentum_buffer, made on the first step

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its current grad."""
        lr, mu, decay = self.lr, self.momentum, self.weight_decay
        if mu == 0.0 and decay == 0.0:  # plain gradient descent: the documents' update
            for p in self.params:
                p.data -= lr * p.grad
            return
        grads = [p.grad + decay * p.data if decay else p.grad for p in self.params]
        if mu:
            if self.velocity is None:
                self.velocity = list(grads)  # torch starts the buffer at the first gradient, undamped
            else:
                keep = 1.0 - self.dampening
                self.velocity = [mu * v + keep * g for v, g in zip(self.velocity, grads)]
            grads = [g + mu * v for g, v in zip(grads, self.velocity)] if self.nesterov else self.velocity
        for p, g in zip(self.params, grads):
            p.data -= lr * g
