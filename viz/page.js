// viz.page's script: select a value (click, focus, #name, an audit row, a step) and show its story.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const values = data.values;
  const byName = new Map(values.map((v, i) => [v.name, i]));
  const consumers = values.map(() => []);
  values.forEach((v, i) => v.parents.forEach((p) => consumers[p].push(i)));
  const total = values.length;
  let step = -1; // 0 .. total-1: forward, value step; total .. 2*total-1: backward, value 2*total-1-step
  let timer = null;

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

  // Each drawn node (and edge) and the names of the values it shows.
  const shown = new Map();
  document.querySelectorAll("svg g.node, svg g.edge").forEach((g) => {
    const names = new Set(Array.from(g.querySelectorAll("a[data-name]"), (a) => a.dataset.name));
    shown.set(g, names);
  });
  const nodeNames = new Map(); // Graphviz node id (its <title>) -> the names it shows
  shown.forEach((names, g) => {
    if (g.classList.contains("node")) {
      nodeNames.set(g.querySelector("title").textContent, names);
    }
  });

  function edgeOnPath(g, names, path) {
    for (const n of names) {
      if (path.has(byName.get(n))) return true;
    }
    const ends = g.querySelector("title").textContent.split("->");
    const touches = (id) => Array.from(nodeNames.get(id) || [], (n) => byName.get(n)).some((i) => path.has(i));
    return ends.length === 2 && touches(ends[0]) && touches(ends[1]);
  }

  function mark(i) {
    const path = onPath(i);
    const name = values[i].name;
    document.querySelectorAll("a[data-name]").forEach((a) => {
      a.classList.toggle("selected", a.dataset.name === name);
      a.classList.toggle("on-path", path.has(byName.get(a.dataset.name)));
    });
    shown.forEach((names, g) => {
      const on = g.classList.contains("edge")
        ? edgeOnPath(g, names, path)
        : Array.from(names).some((n) => path.has(byName.get(n)));
      g.classList.toggle("on-path", on);
      g.classList.toggle("selected", names.has(name) && g.classList.contains("node") && names.size === 1);
    });
    document.querySelectorAll("tr[data-row]").forEach((tr) => {
      tr.classList.toggle("selected", tr.dataset.select === name);
    });
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
    detail.replaceChildren(
      line("h2", "name", v.name),
      line("p", "role", v.role),
      line("p", "numbers", "data " + v.data + "   grad " + v.grad),
      line("h3", "", "forward: how it was made"),
      line("pre", "formula", v.forward),
      line("h3", "", "backward: its gradient, path by path"),
      line("pre", "chain", v.backward.join("\n"))
    );
    if (v.audit.length) {
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
    mark(i);
    show(i);
    if (why !== "hash" && addressed() !== values[i].name) {
      history.replaceState(null, "", "#" + encodeURIComponent(values[i].name));
    }
    if (why !== "click" && why !== "focus") reveal(values[i].name); // what was clicked is in view already
  }

  // Scroll each drawing's own pane (never the page) so that the value named name sits in its middle.
  function reveal(name) {
    document.querySelectorAll(".pane").forEach((pane) => {
      const el = pane.querySelector('a[data-name="' + CSS.escape(name) + '"]');
      if (!el) return;
      const box = el.getBoundingClientRect();
      const view = pane.getBoundingClientRect();
      pane.scrollLeft += box.left + box.width / 2 - (view.left + pane.clientWidth / 2);
      pane.scrollTop += box.top + box.height / 2 - (view.top + pane.clientHeight / 2);
    });
  }

  function go(to) {
    step = Math.max(0, Math.min(2 * total - 1, to));
    const forward = step < total;
    const i = forward ? step : 2 * total - 1 - step;
    const where = forward ? "forward pass, step " + (step + 1) : "backward pass, step " + (step - total + 1);
    const text = forward ? values[i].forward : values[i].backward.join("\n");
    const box = document.getElementById("step");
    box.replaceChildren(line("strong", "", where + " of " + total + ": " + values[i].name), line("pre", "", text));
    box.dataset.step = String(step);
    box.dataset.name = values[i].name;
    select(i, "step");
    if (step === 2 * total - 1) pause();
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    document.getElementById("play").textContent = "▶ play";
  }

  function play() {
    if (timer !== null) return pause();
    if (step >= 2 * total - 1) step = -1;
    document.getElementById("play").textContent = "❚❚ pause";
    timer = setInterval(() => go(step + 1), 700);
  }

  document.querySelectorAll("button.fit").forEach((button) => {
    button.addEventListener("click", () => {
      const fit = button.closest("section").querySelector(".pane").classList.toggle("fit");
      button.setAttribute("aria-pressed", String(fit));
      button.textContent = fit ? "actual size" : "fit to width";
    });
  });
  document.getElementById("next").addEventListener("click", () => go(step + 1));
  document.getElementById("back").addEventListener("click", () => go(step - 1));
  document.getElementById("play").addEventListener("click", play);
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowRight") go(step + 1);
    else if (e.key === "ArrowLeft") go(step - 1);
    else if (e.key === "p" || e.key === "P") play();
    else return;
    e.preventDefault();
  });
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a[data-name]");
    if (a) {
      e.preventDefault();
      select(byName.get(a.dataset.name), "click");
    }
  });
  document.addEventListener("focusin", (e) => {
    const a = e.target.closest && e.target.closest("a[data-name]");
    if (a) select(byName.get(a.dataset.name), "focus");
  });
  document.querySelectorAll("tr[data-row]").forEach((tr) => {
    const pick = () => {
      if (byName.has(tr.dataset.select)) select(byName.get(tr.dataset.select), "audit");
    };
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

  window.addEventListener("hashchange", () => select(byName.get(addressed()), "hash"));
  if (byName.has(addressed())) select(byName.get(addressed()), "hash");
  else if (total) reveal(values[data.start].name); // the first input, not a corner of empty space
})();
