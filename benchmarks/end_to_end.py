"""100 SGD steps of the moons MLP, each way in a new process of its own: what a user's first run waits for.

A process's whole time: Python's start, the imports, a trace or a compile (this project's native build,
jax.jit's, gcc's for C by hand), the steps. This project runs with an empty cache of native programs, as on
a first run, and again with the cache its first run left. Every process prints its last step's loss; they
must agree before any time is shown.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import peers
import workloads

STEPS = 100
HERE = str(Path(__file__).parent)
SETUP = "import json, sys\nsys.path.insert(0, sys.argv[1])\nproblem = json.load(open(sys.argv[2]))\n"
LOSS = "print(repr(loss))\n"

OURS = """
import sys
import nn
model = nn.MLP(2, [16, 16, 1], seed=0)
loss = nn.train(model, nn.moons(int(sys.argv[3])), steps=int(sys.argv[4]), lr=float(sys.argv[5]), progress=False).final
"""

NUMPY = """
import numpy as np
import peer_code
layers = [(np.array(w), np.array(b)) for w, b in problem["layers"]]
x, t, lr = np.array(problem["xs"]), np.array(problem["ts"]), problem["lr"]
for _ in range(problem["steps"]):
    loss, grads = peer_code.numpy_mlp(layers, x, t)
    for (w, b), (gw, gb) in zip(layers, grads):
        w -= lr * gw
        b -= lr * gb
"""

FLOATS = """
import peer_code
for _ in range(problem["steps"]):
    loss = peer_code.floats_step(problem["layers"], problem["xs"], problem["ts"], problem["lr"])
"""

C = """
import peer_code
lib = peer_code.compiled_c()
flat = [v for w, b in problem["layers"] for row, bias in zip(w, b) for v in [*row, bias]]
p, g = peer_code.doubles(flat), peer_code.doubles([0.0] * len(flat))
x, t = peer_code.doubles([v for point in problem["xs"] for v in point]), peer_code.doubles(problem["ts"])
for _ in range(problem["steps"]):
    loss = lib.mlp_step(x, t, len(problem["ts"]), p, g, problem["lr"])
"""

JAX = """
import jax
jax.config.update("jax_enable_x64", True)
import peer_code
step, params, _ = peer_code.jax_moons(jax, problem["layers"], problem["xs"], problem["ts"], problem["lr"])
for _ in range(problem["steps"]):
    loss, params = step(params)
loss = float(loss)
"""

TORCH = """
import torch
import peer_code
step, _, _ = peer_code.torch_moons(torch, problem["layers"], problem["xs"], problem["ts"], problem["lr"])
for _ in range(problem["steps"]):
    loss = step()
"""

PEERS = {"jax.jit": ("jax", JAX), "torch eager": ("torch", TORCH), "numpy by hand": ("numpy", NUMPY)}
PEERS |= {"floats by hand": (None, FLOATS), "C by hand": (None, C)}


def run(script: str, problem: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """A new process running script: its wall time in seconds and the loss it printed."""
    start = time.perf_counter()
    args = [HERE, problem, str(peers.MOONS), str(STEPS), str(peers.MOONS_LR)]
    done = subprocess.run(
        [sys.executable, "-c", SETUP + script + LOSS, *args], capture_output=True, text=True, env=env, check=True
    )
    return time.perf_counter() - start, float(done.stdout)


def ours(problem: str, repeats: int) -> tuple[float, float, float]:
    """This project's first run (an empty cache each time), its run after that (the cache left), and its loss."""
    firsts, thens, losses = [], [], set()
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "AUTOGRAD_CACHE": cache}
            first, then = run(OURS, problem, env), run(OURS, problem, env)
        firsts.append(first[0])
        thens.append(then[0])
        losses |= {first[1], then[1]}
    if len(losses) != 1:
        raise AssertionError(f"this project's first and later runs differ: {sorted(losses)}")
    return statistics.median(firsts), statistics.median(thens), losses.pop()


def rows(repeats: int) -> list[workloads.Row]:
    """The row: this project's first run against every peer's whole process."""
    repeats = max(3, repeats // 4)
    _, _, layers, xs, ts = peers.moons_problem()
    with tempfile.TemporaryDirectory() as work:
        problem = f"{work}/problem.json"
        numbers = {"layers": layers, "xs": xs, "ts": ts, "lr": peers.MOONS_LR, "steps": STEPS}
        Path(problem).write_text(json.dumps(numbers))
        first, then, loss = ours(problem, repeats)
        cells = [f"this project's next run (the cache its first run left) {then * 1e3:.0f} (x{then / first:.2g})"]
        for name, (module, script) in PEERS.items():
            if module and not peers.optional(module):
                cells.append(f"{name}: {module} is not installed")
                continue
            timed = [run(script, problem) for _ in range(repeats)]
            peer_loss = timed[0][1]
            if abs(peer_loss - loss) > 1e-9 * abs(loss):
                raise AssertionError(f"100 moons steps: {name} ends at loss {peer_loss!r}, this project at {loss!r}")
            t = statistics.median(seconds for seconds, _ in timed)
            cells.append(f"{name} {t * 1e3:.0f} (x{t / first:.2g})")
    what = f"moons({peers.MOONS}) MLP(2,[16,16,1]): {STEPS} SGD steps end to end, a new process, an empty cache"
    return [(what, "ms", first * 1e3, "; ".join(cells))]


if __name__ == "__main__":
    workloads.main(rows)
