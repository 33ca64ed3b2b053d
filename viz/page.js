// viz.page's script: select a value (click, focus, #name, an audit row, a step) and show its story.
// Elements name their value by its index (data-value); a name is only shown, and read from the address.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const values = data.values;
  const byName = new Map(values.map((v, i) => [v.name, i])); // the page makes names unique
  const index = (el) => (el.dataset.value === undefined ? undefined : Number(el.dataset.value));
  const consumers = values.map(() => []);
  values.forEach((v, i) => v.parents.forEach((p) => consumers[p].push(i)));
  const total = values.length;
  let selected;
  // the step mode (viz/steps.js): what it reads of the page, and what it asks the page to do
  const steps = STEPS({
    values,
    consumers,
    walk: data.walk,
    line,
    quoted,
    number: (i, which) => (engine ? (which === "grad" ? grads : live)[i] : Number(values[i][which])),
    locals: () => engine && engine.locals(),
    practising: () => practising,
    rate: () => rate,
    rule: () => engine && engine.rule,
    updates: () => (engine && rate !== null ? engine.trainable : []),
    stepped: (i) => engine.stepped(i, live, grads, rate),
    paint: () => paint(),
    select: (i, why) => select(i, why),
    reshow: () => selected !== undefined && show(selected),
  });

  // The values on some path from the root down to i: i and everything computed from it.
  function onPath(i) {
    const reached = new Set([i]);
    const stack = [i];
    while (stack.length) {
      for (const c of consumers[stack.pop()]) {
        if (!reached.has(c)) {
          reached.add(c);
          stack.push(c);
        }
      }
    }
    return reached;
  }

  // Each drawn node (and edge) and the values it shows.
  const shown = new Map();
  document.querySelectorAll("svg g.node, svg g.edge").forEach((g) => {
    shown.set(g, new Set(Array.from(g.querySelectorAll("a[data-value]"), index)));
  });
  const nodeValues = new Map(); // Graphviz node id (its <title>) -> the values it shows
  shown.forEach((shows, g) => {
    if (g.classList.contains("node")) {
      nodeValues.set(g.querySelector("title").textContent, shows);
    }
  });

  function edgeOnPath(g, shows, path) {
    for (const i of shows) {
      if (path.has(i)) return true;
    }
    const ends = g.querySelector("title").textContent.split("->");
    const touches = (id) => Array.from(nodeValues.get(id) || []).some((i) => path.has(i));
    return ends.length === 2 && touches(ends[0]) && touches(ends[1]);
  }

  function mark(i) {
    const path = onPath(i);
    document.querySelectorAll("a[data-value]").forEach((a) => {
      a.classList.toggle("selected", index(a) === i);
      a.classList.toggle("on-path", path.has(index(a)));
    });
    shown.forEach((shows, g) => {
      const on = g.classList.contains("edge")
        ? edgeOnPath(g, shows, path)
        : Array.from(shows).some((k) => path.has(k));
      g.classList.toggle("on-path", on);
      g.classList.toggle("selected", shows.has(i) && g.classList.contains("node") && shows.size === 1);
    });
    document.querySelectorAll("tr[data-row]").forEach((tr) => {
      tr.classList.toggle("selected", index(tr) === i);
    });
  }

  // An argument as an error message shows it: a string in quotes ("0.5" is not the number 0.5), else as written.
  function quoted(x) {
    return typeof x === "string" ? JSON.stringify(x) : String(x);
  }

  function line(tag, cls, text) {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = text;
    return el;
  }

  function show(i) {
    const v = values[i];
    const detail = document.getElementById("detail");
    if (steps.hides(i, "data")) {  // the step mode has not reached it: nothing about it yet
      return detail.replaceChildren(line("h2", "name", v.name), line("p", "role", v.role), line("p", "hint", steps.when(i, "data")));
    }
    if (practising !== false) return practise(i, detail);
    const unknown = steps.hides(i, "grad"); // the step mode has not reached its gradient: nor the document's numbers
    detail.replaceChildren(
      line("h2", "name", v.name),
      line("p", "role", v.role),
      numbers(i),
      line("h3", "", "forward: how it was made"),
      line("pre", "formula", v.forward),
      line("h3", "", "backward: its gradient, path by path"),
      unknown ? line("p", "hint", steps.when(i, "grad")) : line("pre", "chain", v.backward.join("\n"))
    );
    if (v.audit.length && !unknown) {
      detail.appendChild(line("h3", "", "the document's numbers"));
      const list = document.createElement("ul");
      list.className = "claims";
      for (const k of v.audit) {
        const a = data.audit[k];
        const item = line("li", "v-" + a.verdict.split(/\W/)[0], a.quantity + ": printed " + a.printed +
          ", engine " + a.engine + " (" + a.verdict + ")");
        list.appendChild(item);
      }
      detail.appendChild(list);
    }
  }

  function select(i, why) {
    if (i === undefined || i < 0 || i >= total) return;
    selected = i;
    mark(i);
    show(i);
    if (why !== "hash" && addressed() !== values[i].name) {
      history.replaceState(null, "", "#" + encodeURIComponent(values[i].name));
    }
    if (why !== "click") reveal(i, why === "focus"); // what was clicked is in view already
  }

  // Bring value i to the middle of each drawing's own pane (never scrolling the page); hidden: only where it is not
  // wholly in view already.
  function reveal(i, hidden) {
    document.querySelectorAll(".pane").forEach((pane) => {
      const el = pane.querySelector('a[data-value="' + i + '"]');
      if (!el) return;
      const box = el.getBoundingClientRect();
      const view = pane.getBoundingClientRect();
      const inside = box.left >= view.left && box.right <= view.right && box.top >= view.top && box.bottom <= view.bottom;
      if (hidden && inside) return;
      if (pane === zoomPane) return centre(box);
      pane.scrollLeft += box.left + box.width / 2 - (view.left + pane.clientWidth / 2);
      pane.scrollTop += box.top + box.height / 2 - (view.top + pane.clientHeight / 2);
    });
  }

  document.querySelectorAll("button.fit").forEach((button) => {
    button.addEventListener("click", () => {
      const fit = button.closest("section").querySelector(".pane").classList.toggle("fit");
      button.setAttribute("aria-pressed", String(fit));
      button.textContent = fit ? "actual size" : "fit to width";
    });
  });
  const editable = () => document.querySelector("#detail input.number"); // the selected number's field
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || (e.target.closest && e.target.closest("input"))) return;
    if (steps.key(e.key)) return e.preventDefault(); // → ← P Escape: the step mode's
    if ((e.key === "e" || e.key === "E") && editable()) editable().focus();
    else if (zoomPane && (e.key === "+" || e.key === "=")) zoomBy(1.25);
    else if (zoomPane && (e.key === "-" || e.key === "_")) zoomBy(0.8);
    else if (zoomPane && e.key === "0") whole();
    else return;
    e.preventDefault();
  });
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a[data-value]");
    if (a) {
      e.preventDefault();
      select(index(a), "click");
    }
  });
  document.addEventListener("focusin", (e) => {
    const a = e.target.closest && e.target.closest("a[data-value]");
    if (a) select(index(a), "focus");
  });
  document.querySelectorAll("tr[data-row]").forEach((tr) => {
    const pick = () => select(index(tr), "audit"); // a row without a value selects nothing
    tr.addEventListener("click", pick);
    tr.addEventListener("focus", pick);
  });
  // The name in the address ("" for none, or for one that is not valid percent-encoded UTF-8).
  function addressed() {
    try {
      return decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      return "";
    }
  }

  // ---- room to look: the computation graph's pane pans (drag) and zooms (wheel, + - 0) by its SVG's viewBox ----
  // The view is the user-space point at the pane's top left and the pixels per unit; the viewBox always has the
  // pane's own proportions, so that a unit is as wide as it is tall and the mapping to the screen is exact.
  const zoomPane = document.querySelector(".pane.zoom");
  const zoomSvg = zoomPane && zoomPane.querySelector("svg");
  const drawing = zoomSvg && zoomSvg.viewBox.baseVal;
  const all = drawing && { x: drawing.x, y: drawing.y, w: drawing.width, h: drawing.height };
  const ACTUAL = 4 / 3; // pixels per unit at the drawing's actual size (Graphviz's unit is the point)
  let view = all && { x: all.x, y: all.y, s: ACTUAL };

  function look(x, y, s) {
    const fit = Math.min(zoomPane.clientWidth / all.w, zoomPane.clientHeight / all.h);
    view = { x, y, s: Math.max(Math.min(fit, ACTUAL) / 2, Math.min(4 * ACTUAL, s)) };
    const box = [view.x, view.y, zoomPane.clientWidth / view.s, zoomPane.clientHeight / view.s];
    zoomSvg.setAttribute("viewBox", box.map((n) => n.toFixed(2)).join(" "));
  }

  // Zoom by factor about the point (px, py) of the screen (the pane's middle by default), which stays put.
  function zoomBy(factor, px, py) {
    const r = zoomPane.getBoundingClientRect();
    const [dx, dy] = px === undefined ? [zoomPane.clientWidth / 2, zoomPane.clientHeight / 2] : [px - r.left, py - r.top];
    const [ux, uy] = [view.x + dx / view.s, view.y + dy / view.s];
    look(view.x, view.y, view.s * factor);
    look(ux - dx / view.s, uy - dy / view.s, view.s);
  }

  function whole(most = Infinity) {
    const s = Math.min(zoomPane.clientWidth / all.w, zoomPane.clientHeight / all.h, most);
    look(all.x - (zoomPane.clientWidth / s - all.w) / 2, all.y - (zoomPane.clientHeight / s - all.h) / 2, s);
  }

  function centre(box) {
    const r = zoomPane.getBoundingClientRect();
    const dx = box.left + box.width / 2 - (r.left + zoomPane.clientWidth / 2);
    const dy = box.top + box.height / 2 - (r.top + zoomPane.clientHeight / 2);
    look(view.x + dx / view.s, view.y + dy / view.s, view.s);
  }

  // A press that moves more than a few pixels drags the view, and the click it ends in selects nothing.
  function draggable() {
    let from = null;
    let dragged = false;
    zoomPane.addEventListener("pointerdown", (e) => {
      if (e.button === 0) [from, dragged] = [{ x: e.clientX, y: e.clientY, view }, false];
    });
    zoomPane.addEventListener("pointermove", (e) => {
      if (!from || (!dragged && Math.hypot(e.clientX - from.x, e.clientY - from.y) < 4)) return;
      if (!dragged) zoomPane.setPointerCapture(e.pointerId);
      dragged = true;
      zoomPane.classList.add("dragging");
      look(from.view.x - (e.clientX - from.x) / view.s, from.view.y - (e.clientY - from.y) / view.s, view.s);
    });
    const end = () => {
      from = null;
      zoomPane.classList.remove("dragging");
    };
    zoomPane.addEventListener("dragstart", (e) => e.preventDefault()); // a link dragged is the view dragged
    zoomPane.addEventListener("pointerup", end);
    zoomPane.addEventListener("pointercancel", end);
    zoomPane.addEventListener("click", (e) => dragged && (e.stopPropagation(), e.preventDefault(), (dragged = false)), true);
    zoomPane.addEventListener("wheel", (e) => {
      e.preventDefault();
      zoomBy(Math.exp(-Math.max(-100, Math.min(100, e.deltaY)) * 0.002), e.clientX, e.clientY);
    }, { passive: false });
    new ResizeObserver(() => look(view.x, view.y, view.s)).observe(zoomPane);
    document.querySelectorAll("button.zoom").forEach((b) => b.addEventListener("click", () => {
      ({ in: () => zoomBy(1.25), out: () => zoomBy(0.8), fit: () => whole() })[b.dataset.zoom]();
    }));
  }

  // The split between the drawings and the side panel: drag it, or move it with the arrow keys.
  function splittable() {
    const split = document.getElementById("split");
    const side = (w) => split.parentElement.style.setProperty("--side", Math.max(280, Math.min(innerWidth - 360, w)) + "px");
    const now = () => document.getElementById("side").getBoundingClientRect().width;
    let from = null; // where the drag began, and the panel's width then
    split.addEventListener("pointerdown", (e) => {
      split.setPointerCapture(e.pointerId);
      from = { x: e.clientX, width: now() };
    });
    split.addEventListener("pointermove", (e) => from && split.hasPointerCapture(e.pointerId) && side(from.width + from.x - e.clientX));
    split.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      e.stopPropagation(); // the arrows step the passes everywhere else
      e.preventDefault();
      side(now() + (e.key === "ArrowLeft" ? 40 : -40));
    });
  }

  // A graph opens at its actual size: the whole of it, in a pane no taller than it, when it fits.
  if (zoomPane) {
    zoomPane.style.height = "min(70vh, 640px, " + Math.ceil(all.h * ACTUAL + 2) + "px)";
    whole(ACTUAL);
    if (view.s < ACTUAL) look(all.x, all.y, ACTUAL); // too large: its first input is brought to the middle below
    draggable();
  }
  splittable();

  // ---- live: the page's own engine (ENGINE, written by autograd.script from the op table) ----
  const engine = typeof ENGINE === "undefined" ? null : ENGINE;
  const printed = values.map((v) => ({ data: v.data, grad: v.grad, forward: v.forward, backward: v.backward }));
  // each number drawn, its text as drawn and the width the drawing laid out for it (0: not laid out, hidden)
  const drawn = Array.from(document.querySelectorAll("[data-show]"), (el) => [el, el.textContent, width(el)]);
  const factors = Array.from(document.querySelectorAll('g.edge[id^="local_"] text'), (el) => [el, el.textContent]);
  let live = engine && engine.forward(engine.initial());
  let grads = engine && engine.backward(live);
  let rate = data.lr;
  let edited = false;
  let practising = false; // true: the gradients hidden; "values": the computed values too
  // the boundary between the classes redrawn as the numbers change (viz/boundary.js), for a model of two inputs
  const predictor = typeof PREDICT === "undefined" ? null : PREDICT;
  const figure = document.getElementById("boundary"); // there when the page has a boundary to draw
  const boundary = engine && predictor && figure ? BOUNDARY(data.boundary, predictor, figure.querySelector("canvas")) : null;
  const BOUNDARY_WAIT = 150; // ms between drawings while training: the steps, not the pictures, take the time
  // What a step trains when it is not the graph drawn (one sample's): the document's batch, or its samples in turn
  // (OBJECTIVE, written by autograd.script), its parameters the page's; its numbers and optimizer state kept here.
  const objective = engine && typeof OBJECTIVE !== "undefined" ? OBJECTIVE : null;
  let trainee = objective && objective.initial();

  const g = JUDGE.g; // x as Python's "%.{p}g" writes it (the page's numbers come from Python that way)
  const operand = (x) => (x < 0 ? "(" + g(x, 6) + ")" : g(x, 6));

  // The texts of value i at the live numbers: its formula filled in, its gradient as the backward loop's sum.
  function forwardText(i) {
    const v = values[i];
    if (!v.parents.length) return v.name + " = " + g(live[i], 6);
    const filled = v.symbols.replace(/[A-Za-z_][\w~]*/g, (t) => (byName.has(t) ? operand(live[byName.get(t)]) : t));
    return v.name + " = " + v.symbols + " = " + filled + " = " + g(live[i], 6);
  }

  function backwardText(i) {
    const root = values[total - 1].name;
    const mine = values[i].name;
    if (i === total - 1) return printed[i].backward;
    if (!values[i].leaf && !values[i].parents.length) return printed[i].backward; // a constant
    const local = engine.locals();
    const symbols = [];
    const numbers = [];
    for (const c of new Set(consumers[i])) {
      values[c].parents.forEach((p, j) => {
        if (p !== i) return;
        symbols.push("∂" + values[c].name + "/∂" + mine + "·∂" + root + "/∂" + values[c].name);
        numbers.push(g(local[c][j], 6) + "·" + g(grads[c], 6));
      });
    }
    return ["∂" + root + "/∂" + mine + " = " + symbols.join(" + "), "= " + numbers.join(" + ") + " = " + g(grads[i], 6)];
  }

  function render() {
    values.forEach((v, i) => {
      Object.assign(v, edited ? { data: g(live[i], 6), grad: g(grads[i], 6) } : printed[i]);
      if (edited) Object.assign(v, { forward: forwardText(i), backward: backwardText(i) });
    });
    paint();
    if (boundary) boundary.draw(() => live, BOUNDARY_WAIT);
    document.getElementById("edited").hidden = !edited;
    document.body.classList.toggle("edited", edited);
    steps.redraw();
    if (selected !== undefined) show(selected);
  }

  // The numbers the drawings show: the live ones once edited, else the document's; "?" where the step mode has
  // not reached them yet (a local derivative shows with the gradient it goes into).
  function paint() {
    for (const [el, text, room] of drawn) {
      const i = index(el.closest("a[data-value]"));
      const grad = el.dataset.show === "grad";
      const prefix = grad ? "grad " : text.startsWith("data ") ? "data " : "";
      const number = edited ? prefix + g(grad ? grads[i] : live[i], 4) : text;
      el.textContent = steps.hides(i, grad ? "grad" : "data") ? prefix + "?" : number;
      fit(el, el.textContent.length > text.length ? room : 0);
    }
    const local = engine && engine.locals();
    for (const [el, text] of factors) {
      const [c, j] = el.closest("g.edge").id.split("_").slice(1).map(Number);
      el.textContent = steps.hides(values[c].parents[j], "grad") ? "" : edited ? g(local[c][j], 4) : text;
    }
  }

  // A number longer than the one the drawing was laid out for is squeezed into that width (0: its own), so that it
  // does not run into its neighbour ("data 4.449grad -6.088e-06" after training).
  function fit(el, room) {
    if (room > 0) el.setAttribute("textLength", String(room));
    else el.removeAttribute("textLength");
    el.setAttribute("lengthAdjust", "spacingAndGlyphs");
  }

  function width(el) {
    return typeof el.getComputedTextLength === "function" ? el.getComputedTextLength() : 0;
  }

  // Run f on a copy of the live numbers; keep them only if every value and gradient could be computed.
  // quiet: the numbers on screen are left as they were (training redraws them now and then, not every frame).
  function attempt(f, quiet = false) {
    const v = live.slice();
    let result;
    let gradients;
    try {
      result = f(v);
      engine.forward(v);
      gradients = engine.backward(v);
    } catch (e) {
      grads = engine.backward(engine.forward(live)); // the engine's own state back at the live numbers
      throw e;
    }
    live = v;
    grads = gradients;
    edited = true;
    if (!quiet) render();
    return result;
  }

  function lookup(name) {
    if (!byName.has(name)) throw new Error("no value named " + JSON.stringify(name) + "; see backprop.names()");
    return byName.get(name);
  }

  function needsEngine() {
    if (!engine) throw new Error("this page cannot recompute its numbers (its notes say why)");
  }

  function finite(what, x) {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(what + " must be a finite number, got " + quoted(x));
    return x;
  }

  // Text typed into a field as a number: JavaScript's own reading of a decimal, and nothing else.
  function parse(what, text) {
    const t = text.trim();
    if (/^[+-]?(nan|inf|infinity)$/i.test(t)) throw new Error(what + " must be a finite number, got " + t);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) throw new Error(what + ": not a number: " + JSON.stringify(t));
    if (!Number.isFinite(Number(t))) throw new Error(what + ": " + t + " is too large for a float");
    return Number(t);
  }

  const MOST_STEPS = 100000; // at a call: the page answers nothing until they are done (backprop page's --train's)
  // n steps of the page's optimizer; each step's loss, before it. quiet: the caller redraws the screen (see run).
  function train(n, quiet) {
    needsEngine();
    if (!Number.isInteger(n) || n < 0) throw new Error("step: n must be a whole number >= 0, got " + quoted(n));
    if (n > MOST_STEPS) throw new Error("step: n must be at most " + MOST_STEPS + " (▶ train trains on until paused), got " + n);
    if (rate === null) throw new Error("step: this page has no learning rate");
    const [losses, after] = attempt((v) => (objective ? trainObjective(v, n) : [engine.train(v, rate, n), null]), quiet);
    if (objective) trainee = after;
    losses.forEach(curve.add);
    if (!quiet) drawCurve();
    return losses;
  }

  // n steps of the objective from the page's parameters in v, which take the trained ones; its numbers after them.
  // The sample drawn trains with its numbers in v (edited or the document's); a leaf no step takes stops it if edited.
  function trainObjective(v, n) {
    const { shared, edits, turn, untrained } = data.objective;
    const start = engine.initial();
    const stale = untrained.find((i) => v[i] !== start[i]);
    if (stale !== undefined) {
      throw new Error("step: " + values[stale].name + " is edited, but a step trains the document's samples, which " +
        "do not take it: set it back, or reset");
    }
    if (edits.length) {
      const numbers = objective.turn(turn);
      edits.forEach(([page, k]) => {
        numbers[k] = v[page];
      });
      objective.turn(turn, numbers);
    }
    const w = trainee.slice();
    shared.forEach(([mine, page]) => {
      w[mine] = v[page];
    });
    const losses = objective.train(w, rate, n);
    shared.forEach(([mine, page]) => {
      v[page] = w[mine];
    });
    return [losses, w];
  }

  const api = {
    names: () => values.map((v) => v.name),
    get(name) {
      const i = lookup(name);
      return engine ? { data: live[i], grad: grads[i] } : { data: Number(values[i].data), grad: Number(values[i].grad) };
    },
    set(name, x) {
      const i = lookup(name);
      needsEngine();
      if (!values[i].leaf) throw new Error(name + " is computed from other values: set an input, weight, bias or target");
      finite(name, x);
      attempt((v) => {
        v[i] = x;
      });
    },
    step(n = 1) {
      return train(n, false);
    },
    lr(x) {
      if (x !== undefined) {
        finite("the learning rate", x);
        if (x < 0) throw new Error("the learning rate must not be negative, got " + x);
        rate = x;
        document.getElementById("lr").value = g(x, 6);
        render();
      }
      return rate;
    },
    practice(on) {
      needsEngine();
      if (on !== undefined) {
        if (![true, false, "values"].includes(on)) {
          throw new Error('practice: on must be true, false or "values" (the computed values hidden too), got ' + quoted(on));
        }
        practising = on;
        document.body.classList.toggle("practice", on !== false);
        document.body.classList.toggle("practice-values", on === "values");
        document.getElementById("practise").setAttribute("aria-pressed", String(on !== false));
        document.getElementById("hide-values").checked = on === "values";
        render();
      }
      return practising;
    },
    answer(name, number, which = "grad") {
      const i = lookup(name);
      needsEngine();
      const text = typeof number === "string" ? number.trim() : String(number);
      parse(name, text);
      return JUDGE.judge(text, expected(i, which), slipsOf(name, which));
    },
    boundary() {
      if (!boundary) {
        throw new Error("boundary: this page draws no boundary (a model of two inputs, with samples of two classes or more)");
      }
      const [x0, x1, y0, y1] = data.boundary.extent;
      return { grid: data.boundary.grid, x: [x0, x1], y: [y0, y1], classes: boundary.cells(live).map((c) => c[0]) };
    },
    reset() {
      needsEngine();
      live = engine.forward(engine.initial());
      grads = engine.backward(live);
      trainee = objective && objective.initial();
      edited = false;
      curve.clear();
      drawCurve();
      render();
    },
  };
  Object.assign(api, steps.api);
  window.backprop = api;

  // ---- practice: the learner's number against the engine's, by the audit's rule (viz/judge.js) ----
  // The slips' numbers (backprop.practice) were computed by the audit's diagnosis at the document's numbers;
  // after an edit, a step or another learning rate they are not redone here (that would be a second
  // diagnosis, in JavaScript): the answer is still judged against the live engine, the slip is not named.
  const fresh = () => !edited && rate === data.lr;
  const ASKED = { data: "its value", grad: "its gradient", step: "its value after one step" };

  function expected(i, which) {
    if (which === "data") return live[i];
    if (which === "grad") return grads[i];
    if (which !== "step") throw new Error('answer: which must be "data", "grad" or "step", got ' + JSON.stringify(which));
    if (rate === null || !engine.trainable.includes(i)) throw new Error(values[i].name + " is not trained: it takes no step");
    return engine.stepped(i, live, grads, rate);
  }

  function slipsOf(name, which) {
    return fresh() ? ((data.practice || {})[name] || {})[which] || [] : null;
  }

  // The side panel in practice: the value's formula, and a field for each number hidden.
  function practise(i, detail) {
    const v = values[i];
    const hide = practising === "values" && !v.leaf && v.parents.length;
    const made = hide ? v.name + " = " + v.symbols : v.forward;
    detail.replaceChildren(line("h2", "name", v.name), line("p", "role", v.role), line("pre", "formula", made));
    detail.append(line("h3", "", "practise: type the number, then Enter"));
    const trained = rate !== null && engine.trainable.includes(i);
    for (const which of [...(hide ? ["data"] : []), "grad", ...(trained ? ["step"] : [])]) {
      detail.append(question(i, which));
    }
    if (!fresh()) detail.append(line("p", "hint", "The numbers are edited: answers are judged, slips are named only at the document's numbers (reset)."));
  }

  function question(i, which) {
    const root = values[total - 1].name;
    const asked = which === "grad" ? "∂" + root + "/∂" + values[i].name : ASKED[which];
    const p = line("p", "question", asked + " = ");
    const field = document.createElement("input");
    Object.assign(field, { className: "number answer", size: 12, spellcheck: false });
    field.setAttribute("aria-label", values[i].name + ": " + ASKED[which]);
    field.dataset.asked = which;
    const verdict = line("span", "verdict", "");
    verdict.setAttribute("role", "status");
    field.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      try {
        const result = api.answer(values[i].name, field.value, which);
        const mark = { agree: "✓ ", disagree: "✗ " }[result.verdict] || "≈ ";
        verdict.textContent = mark + result.why;
        verdict.className = "verdict v-" + result.verdict.split(/\W/)[0];
      } catch (err) {
        verdict.textContent = err.message;
        verdict.className = "verdict error";
      }
    });
    p.append(field, verdict);
    return p;
  }

  // ---- training live: the loss before each step, drawn as it grows; steps per second while it runs ----
  // The curve keeps at most 2·CURVE losses, every stride-th step's, the stride doubling as it fills: training
  // left running makes millions of steps, which neither memory nor a drawing (nor Math.min's arguments) would hold.
  const CURVE = 1000;
  const curve = {
    steps: 0,
    stride: 1,
    kept: [], // [step, loss before it]
    last: null, // the last step's loss before it, kept or not
    add(loss) {
      curve.last = loss;
      if (curve.steps % curve.stride === 0) curve.kept.push([curve.steps, loss]);
      curve.steps += 1;
      if (curve.kept.length <= 2 * CURVE) return;
      curve.kept = curve.kept.filter(([step]) => step % (2 * curve.stride) === 0);
      curve.stride *= 2;
    },
    clear() {
      Object.assign(curve, { steps: 0, stride: 1, kept: [], last: null });
    },
  };
  let running = null; // the animation frame's id while training runs
  let perSecond = "";

  // The loss curve. Its caption's last loss is the graph's now (after the last step), or the objective's before it
  // (the graph drawn is one sample's, not what training trains).
  function drawCurve() {
    const figure = document.getElementById("curve");
    const n = curve.steps;
    figure.hidden = !n;
    if (!n) return;
    const losses = curve.kept.map(([, loss]) => loss);
    const scale = losses.every((loss) => loss > 0) ? Math.log10 : (loss) => loss; // a loss that falls far: its logarithm
    const heights = losses.map(scale);
    const top = heights.reduce((a, b) => Math.max(a, b));
    const low = heights.reduce((a, b) => Math.min(a, b));
    const x = (k) => (n > 1 ? (k * 236) / (n - 1) + 2 : 120);
    const y = (h) => (top > low ? 60 - ((h - low) * 56) / (top - low) : 32);
    const points = heights.map((h, j) => x(curve.kept[j][0]).toFixed(1) + "," + y(h).toFixed(1));
    figure.querySelector("polyline").setAttribute("points", points.join(" "));
    const caption = document.getElementById("trained");
    const axis = scale === Math.log10 ? " (log scale)" : "";
    caption.textContent = n + " step" + (n > 1 ? "s" : "") + ", loss " +
      g(losses[0], 4) + " → " + g(objective ? curve.last : live[total - 1], 4) + axis + perSecond;
    caption.dataset.steps = String(n);
  }

  // Steps until paused: as many a frame as take about 10 ms, so that small graphs train fast; the numbers on screen,
  // the curve and the boundary are redrawn every SHOWN ms, as drawing them can take longer than many steps.
  const SHOWN = 100;
  function run() {
    const button = document.getElementById("run");
    if (running !== null) return stop();
    button.textContent = "❚❚ pause";
    let batch = 1;
    let counted = 0;
    let since = performance.now();
    let shown = -Infinity;
    const frame = () => {
      const start = performance.now();
      try {
        train(batch, true);
      } catch (e) {
        stop();
        document.getElementById("lr-error").textContent = e.message;
        return;
      }
      const took = performance.now() - start;
      counted += batch;
      batch = Math.max(1, Math.min(1000, Math.round((batch * 10) / Math.max(took, 0.1))));
      if (start - since >= 1000) {
        perSecond = ", " + Math.round((counted * 1000) / (start - since)) + " steps/s";
        counted = 0;
        since = start;
      }
      if (start - shown >= SHOWN) {
        render();
        drawCurve();
        shown = performance.now();
      }
      running = requestAnimationFrame(frame);
    };
    document.getElementById("lr-error").textContent = "";
    running = requestAnimationFrame(frame);
  }

  function stop() {
    if (running !== null) cancelAnimationFrame(running);
    running = null;
    perSecond = "";
    document.getElementById("run").textContent = "▶ train";
    render();
    drawCurve();
  }

  // A value's numbers in the side panel: a leaf's data is a field (Enter sets it, arrow keys nudge it).
  function numbers(i) {
    const v = values[i];
    const grad = steps.hides(i, "grad") ? "?" : v.grad;
    if (!engine || !v.leaf) return line("p", "numbers", "data " + v.data + "   grad " + grad);
    const p = line("p", "numbers", "data ");
    const field = document.createElement("input");
    Object.assign(field, { className: "number", value: String(live[i]), size: 12, spellcheck: false });
    field.setAttribute("aria-label", v.name);
    const error = line("span", "error", "");
    error.setAttribute("role", "alert");
    field.addEventListener("keydown", (e) => edit(e, field, error, (x) => api.set(v.name, x), live[i], v.name));
    p.append(field, "   grad " + grad, error);
    if (rate === null || !engine.trainable.includes(i) || steps.hides(i, "grad")) return p;
    const next = nextOf(i);
    if (next === null) return p;
    const update = line("p", "update", "after one step at learning rate " + g(rate, 6) + ": " + g(next, 6));
    const both = document.createElement("div");
    both.append(p, update);
    return both;
  }

  // What the next step makes value i: the objective's step when there is one (null: that step fails here).
  function nextOf(i) {
    if (!objective) return engine.stepped(i, live, grads, rate);
    const v = live.slice();
    try {
      trainObjective(v, 1);
    } catch (e) {
      return null;
    }
    return v[i];
  }

  function edit(e, field, error, apply, now, what) {
    let x;
    if (e.key === "Enter") x = () => parse(what, field.value);
    else if (e.key === "ArrowUp" || e.key === "ArrowDown") x = () => nudged(now, e.key === "ArrowUp", e.shiftKey);
    else if (e.key === "Escape") field.value = g(now, 6);
    if (!x) return;
    e.preventDefault();
    try {
      apply(x());
      error.textContent = "";
      const again = document.querySelector("#detail input.number");
      if (again && field.getAttribute("aria-label") === again.getAttribute("aria-label")) again.focus();
    } catch (err) {
      error.textContent = err.message;
    }
  }

  // One step of the arrow keys: a hundredth of the number's order of magnitude (shift: a tenth).
  function nudged(x, up, big) {
    const size = x === 0 ? 0.01 : Math.pow(10, Math.floor(Math.log10(Math.abs(x))) - (big ? 1 : 2));
    return Number((x + (up ? size : -size)).toPrecision(12));
  }

  if (engine && rate === null) {
    document.getElementById("lr").parentElement.hidden = true;
    document.getElementById("train").hidden = true;
    document.getElementById("run").hidden = true;
  }
  if (engine) {
    const field = document.getElementById("lr");
    const error = document.getElementById("lr-error");
    field.value = rate === null ? "" : g(rate, 6);
    field.addEventListener("keydown", (e) => edit(e, field, error, api.lr, rate, "the learning rate"));
    const report = (f) => () => {
      try {
        f();
        error.textContent = "";
      } catch (err) {
        error.textContent = err.message;
      }
    };
    document.getElementById("train").addEventListener("click", report(() => api.step(1)));
    document.getElementById("reset").addEventListener("click", report(() => (stop(), api.reset())));
    document.getElementById("run").addEventListener("click", run);
    const hideValues = document.getElementById("hide-values");
    document.getElementById("practise").addEventListener("click", report(() => {
      api.practice(practising === false ? (hideValues.checked ? "values" : true) : false);
    }));
    hideValues.addEventListener("change", report(() => practising !== false && api.practice(hideValues.checked ? "values" : true)));
    document.querySelectorAll("a[data-value]").forEach((a) => a.classList.toggle("leaf", values[index(a)].leaf));
  }
  if (boundary) {
    figure.hidden = false;
    boundary.draw(() => live, 0);
  }

  window.addEventListener("hashchange", () => select(byName.get(addressed()), "hash"));
  if (byName.has(addressed())) select(byName.get(addressed()), "hash");
  else if (total) reveal(data.start, true); // the first input, not a corner of empty space
})();
