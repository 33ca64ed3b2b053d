// viz.page's step mode: the forward pass over the named values in the order a reader meets them, the backward
// pass from the root down (each value's chain-rule step from the gradients already known), then the update of
// each trained value. A number shows only once the walk has reached it. The order, and the step at which each
// number first shows, are the page's data (viz/steps.py); the numbers are the page's own, live.
"use strict";
const STEPS = function (page) {
  const { values, consumers, line, quoted } = page;
  const { forward, backward, seen, known } = page.walk;
  const stepped = new Set(forward);
  const root = values.length - 1;
  const g = JUDGE.g;
  let on = false;
  let k = 0; // the step shown, from 0: the forward steps, then the backward ones, then the updates
  let timer = null;

  const count = () => forward.length + backward.length + page.updates().length;
  const phase = (at) => (at < forward.length ? "forward" : at < forward.length + backward.length ? "backward" : "update");
  const ALWAYS = -1;

  function valueAt(at) {
    if (at < forward.length) return forward[at];
    if (at < forward.length + backward.length) return backward[at - forward.length];
    return page.updates()[at - forward.length - backward.length];
  }

  // Whether value i's data or gradient is not reached yet (in the update phase, every number is).
  function hides(i, which) {
    const at = (which === "grad" ? known : seen)[i];
    return on && at !== ALWAYS && at > k;
  }

  // The step at which value i's number first shows, as the side panel says it.
  function when(i, which) {
    const at = (which === "grad" ? known : seen)[i];
    const pass = which === "grad" ? "The backward pass" : "The forward pass";
    return pass + " reaches " + (which === "grad" ? "its gradient" : "it") + " at step " + (at + 1) + " of " + count() + ".";
  }

  const factor = (x) => (x < 0 ? "(" + g(x, 6) + ")" : g(x, 6));
  const d = (of, wrt) => "∂" + of + "/∂" + wrt;

  function add(map, key, x) {
    map.set(key, (map.get(key) || 0) + x);
  }

  // The stepped values whose formulas hold value i, each with ∂it/∂i through the values folded into it, in the
  // order the forward pass meets them; a value used twice adds up its paths (the chain rule's sum).
  function folded(i, local) {
    const above = []; // the folded values computed from i, through folded values only
    const stack = [i];
    const met = new Set();
    while (stack.length) {
      for (const c of consumers[stack.pop()]) {
        if (!stepped.has(c) && !met.has(c)) met.add(c), above.push(c), stack.push(c);
      }
    }
    const through = new Map();
    const reach = (u) => {
      const found = new Map();
      for (const c of new Set(consumers[u])) {
        values[c].parents.forEach((p, j) => {
          if (p !== u) return;
          const here = local ? local[c][j] : NaN;
          if (stepped.has(c)) add(found, c, here);
          else through.get(c).forEach((a, to) => add(found, to, here * a));
        });
      }
      return found;
    };
    above.sort((a, b) => b - a).forEach((u) => through.set(u, reach(u))); // the page lists consumers after operands
    return Array.from(reach(i)).sort((a, b) => seen[a[0]] - seen[b[0]]);
  }

  // The chain-rule step that gives value i's gradient from those already known (numbers unless practising).
  function chain(i) {
    const top = values[root].name;
    const mine = values[i].name;
    if (i === root) return d(top, top) + (page.practising() !== false ? "" : " = 1") + ": backward starts here";
    const local = page.locals();
    const terms = folded(i, local);
    const symbols = d(top, mine) + " = " + terms.map(([c]) => d(values[c].name, mine) + "·" + d(top, values[c].name)).join(" + ");
    if (page.practising() !== false) return symbols;
    const numbers = local ? terms.map(([c, a]) => factor(a) + "·" + factor(page.number(c, "grad"))).join(" + ") + " = " : "";
    return symbols + "\n= " + numbers + g(page.number(i, "grad"), 6);
  }

  // Gradient descent's step written out; another optimizer's (Adam's) named, with the gradient it takes.
  function update(i) {
    const name = values[i].name;
    const other = page.rule();
    const gradient = d(values[root].name, name);
    const rule = name + " ← " + (other ? other + "'s step from " + gradient : name + " − η·" + gradient);
    if (page.practising() !== false) return rule;
    const numbers = other
      ? " = " + g(page.number(i, "grad"), 6) + ": "
      : " = " + g(page.number(i, "data"), 6) + " − " + g(page.rate(), 6) + "·" + factor(page.number(i, "grad")) + " = ";
    return rule + numbers + g(page.stepped(i), 6);
  }

  // The text of step at: forward, a value's formula (its numbers unless practice hides computed values).
  function text(at) {
    const i = valueAt(at);
    const v = values[i];
    if (phase(at) === "backward") return chain(i);
    if (phase(at) === "update") return update(i);
    return page.practising() === "values" && v.parents.length ? v.name + " = " + v.symbols : v.forward;
  }

  // The step box: the counter (announced), the value, its formula or chain-rule step.
  function redraw() {
    const box = document.getElementById("step");
    const button = document.getElementById("walk");
    button.setAttribute("aria-pressed", String(on));
    document.body.classList.toggle("walking", on);
    if (!on) {
      delete box.dataset.step;
      box.replaceChildren(line("p", "counter", "Step through the passes (next ▶ or →), or pick a value."));
      return;
    }
    k = Math.min(k, count() - 1); // the learning rate may have left the page without an update phase
    const where = { forward: "forward pass", backward: "backward pass", update: "update" }[phase(k)];
    const name = values[valueAt(k)].name;
    Object.assign(box.dataset, { step: String(k + 1), name, phase: phase(k) });
    const counter = line("p", "counter", "Step " + (k + 1) + " of " + count() + " · " + where + ": " + name);
    box.replaceChildren(counter, line("pre", "", text(k)));
  }

  function go(to) {
    on = true;
    k = Math.max(0, Math.min(count() - 1, to));
    page.paint();
    redraw();
    page.select(valueAt(k), "step");
    if (k === count() - 1) pause();
    return position();
  }

  function position() {
    if (!on) return { k: 0, n: count(), name: null, phase: null };
    return { k: k + 1, n: count(), name: values[valueAt(k)].name, phase: phase(k) };
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    document.getElementById("play").textContent = "▶ play";
  }

  function play() {
    if (timer !== null) return pause();
    if (!on || k >= count() - 1) go(0);
    document.getElementById("play").textContent = "❚❚ pause";
    timer = setInterval(() => go(k + 1), 700);
  }

  function walk(turn) {
    if (turn === undefined) return on;
    if (turn !== true && turn !== false) throw new Error("walk: on must be true or false, got " + quoted(turn));
    if (turn === on) return on;
    if (turn) {
      go(0);
    } else {
      pause();
      on = false;
      page.paint();
      redraw();
      page.reshow();
    }
    return on;
  }

  document.getElementById("next").addEventListener("click", () => go(on ? k + 1 : 0));
  document.getElementById("back").addEventListener("click", () => go(on ? k - 1 : 0));
  document.getElementById("play").addEventListener("click", play);
  document.getElementById("walk").addEventListener("click", () => walk(!on));
  redraw();

  return {
    hides,
    when,
    redraw,
    // the keys the page hands over: → next, ← previous, P play or pause, Escape leaves the step mode
    key(name) {
      if (name === "ArrowRight") go(on ? k + 1 : 0);
      else if (name === "ArrowLeft") go(on ? k - 1 : 0);
      else if (name === "p" || name === "P") play();
      else if (name === "Escape" && on) walk(false);
      else return false;
      return true;
    },
    api: {
      walk,
      next: () => go(on ? k + 1 : 0),
      previous: () => go(on ? k - 1 : 0),
      position,
    },
  };
};
