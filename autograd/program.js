// autograd.script's program, after its generated forward and backward: nothing here is written per op.

// backward's error where a gradient is inf or nan (autograd.value's words): which local derivative made it.
function gradientError(k, v, d, g) {
  const name = GRAPH.labels[k] || "a " + (GRAPH.op[k] || "leaf") + " node with data " + repr(v[k]);
  const reaching = "backward: the gradient reaching " + name + " is " + repr(g[k]) + ": ";
  for (let u = GRAPH.op.length - 1; u >= 0; u--) {
    const parents = GRAPH.parents[u];
    for (let j = 0; j < parents.length; j++) {
      if (parents[j] === k && d[u][j] - d[u][j] !== 0) {
        const operands = parents.map((p) => repr(v[p])).join(", ");
        fail("FloatingPointError", reaching + "the local derivative of " + GRAPH.op[u] + "(" + operands +
          ") with respect to it is " + repr(d[u][j]));
      }
    }
  }
  fail("FloatingPointError", reaching + "a product of finite local derivatives overflowed a float");
}

// One step on the trainable values; nothing changes if one would become inf or nan (SGD's words).
function update(v, g, lr) {
  const next = GRAPH.trainable.map((k) => stepOf(v[k], g[k], lr));
  next.forEach((x, j) => {
    if (x - x !== 0) {
      const k = GRAPH.trainable[j];
      const name = GRAPH.labels[k] ? "'" + GRAPH.labels[k] + "'" : "parameter " + j;
      fail("FloatingPointError", "SGD: the step makes " + name + " " + repr(x) + " (data " + repr(v[k]) +
        ", grad " + repr(g[k]) + ", lr " + repr(lr) + "); no parameter was changed");
    }
  });
  GRAPH.trainable.forEach((k, j) => {
    v[k] = next[j];
  });
}

const d = new Array(GRAPH.op.length);

return {
  size: GRAPH.op.length,
  initial: () => GRAPH.initial.slice(),
  trainable: GRAPH.trainable,
  locals: () => d, // each value's local derivatives at the last forward pass
  forward(v) {
    forward(v, d);
    return v;
  },
  backward(v) {
    const g = new Array(v.length);
    backward(v, d, g);
    return g;
  },
  update(v, g, lr) {
    update(v, g, lr);
  },
  // what one step from v with gradients g would make trainable value k (v unchanged)
  stepped(k, v, g, lr) {
    return stepOf(v[k], g[k], lr);
  },
  // steps of forward, backward and update; each step's loss, taken before its update
  train(v, lr, steps) {
    const losses = [];
    for (let s = 0; s < steps; s++) {
      forward(v, d);
      const g = new Array(v.length);
      backward(v, d, g);
      update(v, g, lr);
      losses.push(v[v.length - 1]);
    }
    return losses;
  },
};
