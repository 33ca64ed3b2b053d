"""The baseline: a hand-written MLP training step on plain Python floats, no graph at all."""

from __future__ import annotations

import random


class PlainMLP:
    """ReLU hidden layers, a linear output, weights as nested lists of floats."""

    def __init__(self, sizes: list[int], seed: int = 1):
        rng = random.Random(seed)
        # the same draws, in the same order, as the benchmark's graph MLPs: [bias, *weights]
        self.layers = [
            [[rng.uniform(-1, 1) for _ in range(nin + 1)] for _ in range(nout)] for nin, nout in zip(sizes, sizes[1:])
        ]

    def hinge_step(self, xs: list[list[float]], ys: list[float], lr: float) -> float:
        """One SGD step on the mean hinge loss; returns the loss before the step."""
        grads = [[[0.0] * len(n) for n in layer] for layer in self.layers]
        total = 0.0
        scale = 1.0 / len(xs)
        last = len(self.layers) - 1
        for x, y in zip(xs, ys):
            acts = [x]
            for depth, layer in enumerate(self.layers):
                inp = acts[-1]
                out = []
                for n in layer:
                    s = n[0]
                    for w, a in zip(n[1:], inp):
                        s += w * a
                    out.append(s if depth == last or s > 0 else 0.0)
                acts.append(out)
            margin = 1.0 - y * acts[-1][0]
            if margin <= 0:
                continue
            total += margin
            delta = [-y * scale]
            for depth in range(last, -1, -1):
                layer, inp, g_layer = self.layers[depth], acts[depth], grads[depth]
                back = [0.0] * len(inp)
                for n, g_n, d in zip(layer, g_layer, delta):
                    if d == 0.0:
                        continue
                    g_n[0] += d
                    for i, a in enumerate(inp):
                        g_n[i + 1] += d * a
                        back[i] += d * n[i + 1]
                if depth:
                    delta = [b if a > 0 else 0.0 for b, a in zip(back, inp)]
        for layer, g_layer in zip(self.layers, grads):
            for n, g_n in zip(layer, g_layer):
                for i, g in enumerate(g_n):
                    n[i] -= lr * g
        return total * scale
