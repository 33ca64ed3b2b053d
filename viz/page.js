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
    if (why !== "click" && why !== "focus") reveal(i); // what was clicked is in view already
  }

  // Scroll each drawing's own pane (never the page) so that value i sits in its middle.
  function reveal(i) {
    document.querySelectorAll(".pane").forEach((pane) => {
      const el = pane.querySelector('a[data-value="' + i + '"]');
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

  window.addEventListener("hashchange", () => select(byName.get(addressed()), "hash"));
  if (byName.has(addressed())) select(byName.get(addressed()), "hash");
  else if (total) reveal(data.start); // the first input, not a corner of empty space
})();
