// The live decision boundary (viz.page's Training.live): the model's own program (PREDICT, written by
// autograd.script from the op table) at the centre of each cell of a grid over the samples, with the page's live
// parameters, drawn as viz.plots.boundary_plot draws it; the samples as dots on top.
"use strict";
const BOUNDARY = function (spec, model, canvas) {
  const [x0, x1, y0, y1] = spec.extent;
  const grid = spec.grid;
  const v = model.initial();

  // The class at v's inputs (-1: the model cannot be computed there) and how sure: a score's distance from the
  // targets' midpoint (the first of the largest class scores: 1).
  function classify() {
    try {
      model.forward(v);
    } catch (e) {
      return [-1, 0];
    }
    const scores = spec.outputs.map((k) => v[k]);
    if (spec.middle !== null) return [scores[0] > spec.middle ? 1 : 0, Math.abs(scores[0] - spec.middle)];
    let best = 0;
    scores.forEach((s, k) => {
      if (s > scores[best]) best = k;
    });
    return [best, 1];
  }

  // Every cell's [class, sureness], row by row from the top, at the live numbers (the points as boundary_plot's).
  function cells(live) {
    spec.shared.forEach(([mine, page]) => {
      v[mine] = live[page];
    });
    const found = [];
    for (let row = 0; row < grid; row++) {
      const y = y1 - ((y1 - y0) * (row + 0.5)) / grid;
      for (let col = 0; col < grid; col++) {
        v[spec.inputs[0]] = x0 + ((x1 - x0) * (col + 0.5)) / grid;
        v[spec.inputs[1]] = y;
        found.push(classify());
      }
    }
    return found;
  }

  // A class's colour mixed with white (strength 1: the colour itself), as viz.plots pales it.
  function pale(k, strength) {
    if (k < 0) return "#dddddd";
    const rgb = [1, 3, 5].map((i) => parseInt(spec.colours[k].slice(i, i + 2), 16));
    return "rgb(" + rgb.map((c) => Math.round(255 - (255 - c) * strength)).join(",") + ")";
  }

  function draw(live) {
    const side = canvas.clientWidth || canvas.width;
    const scale = window.devicePixelRatio || 1;
    canvas.width = canvas.height = Math.round(side * scale);
    const c = canvas.getContext("2d");
    c.setTransform(scale, 0, 0, scale, 0, 0);
    const cell = side / grid;
    cells(live).forEach(([k, sure], n) => {
      const strength = spec.middle === null ? 0.4 : Math.min(sure, 1) * 0.45 + 0.12;
      c.fillStyle = pale(k, strength);
      c.fillRect((n % grid) * cell, Math.floor(n / grid) * cell, cell + 0.5, cell + 0.5);
    });
    for (const [x, y, t] of spec.points) {
      c.beginPath();
      c.arc((side * (x - x0)) / (x1 - x0), (side * (y1 - y)) / (y1 - y0), 3.5, 0, 2 * Math.PI);
      c.fillStyle = spec.colours[spec.middle === null ? t : t > spec.middle ? 1 : 0];
      c.fill();
      c.lineWidth = 1;
      c.strokeStyle = "white";
      c.stroke();
    }
  }

  // Draws now, or (within wait ms of the last drawing) once the wait is over, at the numbers then: training
  // takes many steps a frame, and redrawing the grid after each would slow it down.
  let last = -Infinity;
  let pending = null;
  function request(now, wait) {
    if (pending !== null) return;
    const due = last + wait - performance.now();
    const run = () => {
      pending = null;
      last = performance.now();
      draw(now());
    };
    if (due <= 0) run();
    else pending = setTimeout(run, due);
  }

  return { cells, draw: request };
};
