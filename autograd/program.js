// autograd.script's program, after its generated forward and backward: nothing here is written per op.

const SIZE = GRAPH.op.length; // v holds the values, then the optimizer's state (Adam's; SGD keeps none)
const TRAINED = GRAPH.trainable.length;
const TURN = GRAPH.initial.length - 1; // with turns (autograd.script.Turns): the count of steps taken, last in v

// The leaves of turn t's sample take its numbers.
function takeTurn(v, t) {
  const { positions, numbers } = GRAPH.turns;
  positions.forEach((k, n) => {
    v[k] = numbers[t % numbers.length][n];
  });
}

// One step of forward, backward and update; its loss, taken before the update. With turns: on this turn's sample,
// or on the batch of them all (GRAPH.turns.batch times the sums of their losses and gradients, one sample at a time).
function step(v, lr) {
  if (!GRAPH.turns || GRAPH.turns.batch === null) {
    if (GRAPH.turns) takeTurn(v, v[TURN]++);
    forward(v, d);
    const g = new Array(SIZE);
    backward(v, d, g);
    update(v, g, lr);
    return v[SIZE - 1];
  }
  const sums = new Array(SIZE).fill(0.0);
  let total = 0.0;
  const g = new Array(SIZE);
  GRAPH.turns.numbers.forEach((_, t) => {
    takeTurn(v, t);
    forward(v, d);
    backward(v, d, g);
    GRAPH.trainable.forEach((k) => {
      sums[k] += g[k];
    });
    total += v[SIZE - 1];
  });
  const loss = total * GRAPH.turns.batch;
  if (loss - loss !== 0) fail("OverflowError", "the batch's loss overflows a float: " + repr(loss));
  update(v, sums.map((x) => x * GRAPH.turns.batch), lr);
  return loss;
}

// backward's error where a gradient is inf or nan (autograd.value's words): which local derivative made it.
function gradientError(k, v, d, g) {
  const name = GRAPH.labels[k] || "a " + (GRAPH.op[k] || "leaf") + " node with data " + repr(v[k]);
  const reaching = "backward: the gradient reaching " + name + " is " + repr(g[k]) + ": ";
  for (let u = SIZE - 1; u >= 0; u--) {
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

// SGD's step of the j-th trainable value: [its new number]; inf or nan is SGD's error.
function sgd(v, g, lr, j) {
  const k = GRAPH.trainable[j];
  const x = stepOf(v[k], g[k], lr);
  if (x - x !== 0) {
    const name = GRAPH.labels[k] ? "'" + GRAPH.labels[k] + "'" : "parameter " + j;
    fail("FloatingPointError", "SGD: the step makes " + name + " " + repr(x) + " (data " + repr(v[k]) +
      ", grad " + repr(g[k]) + ", lr " + repr(lr) + "); no parameter was changed");
  }
  return [x];
}

// torch.optim.Adam's step of the j-th trainable value, as nn.optim.Adam takes it (float for float, in its order):
// [its new number, first moment, second moment, their maximum]; inf or nan is Adam's error.
function adam(v, g, lr, j) {
  const A = GRAPH.adam;
  const [beta1, beta2] = A.betas;
  const k = GRAPH.trainable[j];
  const step = v[SIZE + 3 * TRAINED] + 1;
  const size = lr / (1.0 - Math.pow(beta1, step));
  const correction2 = Math.sqrt(1.0 - Math.pow(beta2, step));
  let [grad, data, m, s, top] = [g[k], v[k], v[SIZE + j], v[SIZE + TRAINED + j], v[SIZE + 2 * TRAINED + j]];
  if (A.weight_decay && A.decoupled) data *= 1.0 - lr * A.weight_decay;
  else if (A.weight_decay) grad += A.weight_decay * data;
  m += (1.0 - beta1) * (grad - m); // torch's lerp_ toward grad by 1 - beta1
  s = s * beta2 + (1.0 - beta2) * grad * grad;
  if (A.amsgrad) top = Math.max(top, s);
  const x = data - size * (m / (Math.sqrt(A.amsgrad ? top : s) / correction2 + A.eps));
  if (x - x !== 0 || m - m !== 0 || s - s !== 0) {
    fail("FloatingPointError", A.name + ": step " + step + ": parameter " + j + " (" + (GRAPH.labels[k] || "None") +
      ") with grad " + repr(g[k]) + " overflows (data " + repr(x) + ", exp_avg " + repr(m) + ", exp_avg_sq " +
      repr(s) + ")");
  }
  return [x, m, s, top];
}

const optimizer = GRAPH.adam ? adam : sgd;

// One step on the trainable values (and the optimizer's state); nothing changes if one would become inf or nan.
function update(v, g, lr) {
  const next = GRAPH.trainable.map((k, j) => optimizer(v, g, lr, j));
  next.forEach(([x, ...state], j) => {
    v[GRAPH.trainable[j]] = x;
    state.forEach((number, n) => {
      v[SIZE + n * TRAINED + j] = number;
    });
  });
  if (GRAPH.adam) v[SIZE + 3 * TRAINED] += 1;
}

const d = new Array(SIZE);

return {
  size: SIZE,
  initial: () => GRAPH.initial.slice(),
  trainable: GRAPH.trainable,
  rule: GRAPH.rule, // null: gradient descent's p − lr·g; else whose step update takes (Adam's, ...)
  locals: () => d, // each value's local derivatives at the last forward pass
  forward(v) {
    forward(v, d);
    return v;
  },
  backward(v) {
    const g = new Array(SIZE);
    backward(v, d, g);
    return g;
  },
  update(v, g, lr) {
    update(v, g, lr);
  },
  // what one step from v with gradients g would make trainable value k (v unchanged)
  stepped(k, v, g, lr) {
    return optimizer(v, g, lr, GRAPH.trainable.indexOf(k))[0];
  },
  // turn t's numbers for its leaves (in GRAPH.turns.positions' order), or with numbers, its new ones (an edited
  // sample: every later step on turn t takes them)
  turn(t, numbers) {
    const all = GRAPH.turns ? GRAPH.turns.numbers : [];
    if (!Number.isInteger(t) || t < 0 || t >= all.length) {
      fail("IndexError", "turn: no turn " + t + "; the program has " + all.length);
    }
    if (numbers === undefined) return all[t].slice();
    const count = GRAPH.turns.positions.length;
    if (!Array.isArray(numbers) || numbers.length !== count || numbers.some((x) => typeof x !== "number" || x - x !== 0)) {
      fail("ValueError", "turn " + t + ": its new numbers must be " + count + " finite numbers, got " + String(numbers));
    }
    all[t] = numbers.slice();
  },
  // steps of forward, backward and update (see step); each step's loss, before its update
  train(v, lr, steps) {
    const losses = [];
    for (let s = 0; s < steps; s++) losses.push(step(v, lr));
    return losses;
  },
};
