// The audit's rules for a printed number, read into the page (backprop.recomputation, backprop.claims,
// backprop.diagnosis; tests/test_practice.py holds each function to its Python on the same cases): how many
// decimals a number shows, when it agrees with a value, and which of the audit's slips gives it.
"use strict";
const JUDGE = (function () {
  const EXACT_PLACES = 9; // claims.EXACT_PLACES: an integer typed without decimals is taken as exact
  const MATCHED_DIGITS = 4; // diagnosis.MATCHED_DIGITS: below it, a match with another value may be chance
  const NUMBER = /^[+-]?(\d+)?([.,](\d*))?([eE][+-]?\d+)?$/;
  const unit = (decimals) => Number("1e" + -decimals); // 10.0**-decimals, correctly rounded as Python's is

  // x as Python's "%.{p}g" writes it.
  function g(x, p) {
    x += 0; // -0 is 0
    if (x !== x || x === Infinity || x === -Infinity) return x !== x ? "nan" : x > 0 ? "inf" : "-inf";
    if (x === 0) return "0";
    const strip = (t) => (t.includes(".") ? t.replace(/\.?0+$/, "") : t);
    const [mantissa, exponent] = x.toExponential(p - 1).split("e");
    const e = Number(exponent);
    if (e < -4 || e >= p) return strip(mantissa) + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
    return strip(x.toFixed(p - 1 - e));
  }

  // claims.number_decimals: the decimal places a number shows ("0.05304" → 5, "2" → 0, "1.5e-3" → 4).
  function decimals(text) {
    const match = NUMBER.exec(text.trim());
    if (!match || !(match[1] || match[3])) throw new Error(JSON.stringify(text) + " is not a number");
    const places = (match[3] || "").length;
    const exponent = match[4] ? Number(match[4].slice(1)) : 0;
    return Math.max(places - exponent, 0);
  }

  // Claim.places: the decimals a typed number is compared at (an integer: exact).
  const places = (text) => (/^[+-]?\d+$/.test(text.trim()) ? EXACT_PLACES : decimals(text));

  // recomputation.matches: value rounded to decimals places gives printed (half a unit either way).
  const matches = (printed, value, d) => Math.abs(printed - value) <= 0.5 * unit(d) * (1 + 1e-9) + 0.0 + 1e-15;

  // recomputation.truncates: printed is value cut (not rounded) to d places.
  function truncates(printed, value, d) {
    const scale = Number("1e" + d);
    const cut = Math.trunc(value * scale * (1 + 1e-12)) / scale;
    return Math.abs(printed - cut) <= 1e-9 / scale;
  }

  // recomputation.number_text: x with places decimals (1 to 12), "0" if that is zero, in short if huge.
  function numberText(x, p) {
    if (Math.abs(x) >= 1e15) return g(x, 6);
    const text = x.toFixed(Math.min(Math.max(p, 1), 12));
    return Number(text) === 0 ? "0" : text;
  }

  // diagnosis.hedged: a coincidence's text, saying it may be chance when printed has few significant digits.
  function hedged(text, printed) {
    const digits = printed.trim().replace(/^[+-]+/, "").split(/e/i)[0].replace(",", ".").replace(".", "");
    const n = digits.replace(/^0+/, "").length;
    const hedge = n < MATCHED_DIGITS ? " (at " + n + " significant digit" + (n !== 1 ? "s" : "") + " this may be chance)" : "";
    return "inferred" + hedge + ": " + text;
  }

  // Diagnosis.cause: the first slip (backprop.practice's table: [number, text, chance]) that gives printed.
  function cause(text, slips) {
    const x = Number(text.trim().replace(",", "."));
    const d = places(text);
    for (const [value, why, chance] of slips) {
      if (matches(x, value, d)) return chance ? hedged(why, text) : why;
    }
    return null;
  }

  // A learner's typed number against the engine's value: the audit's verdict, and why (slips: null when the
  // table is not about the numbers on screen; then the slip is not named, and why says so).
  function judge(text, value, slips) {
    const x = Number(text.trim().replace(",", "."));
    const d = places(text);
    const at = d === EXACT_PLACES ? "exactly" : "to " + d + " decimal" + (d === 1 ? "" : "s");
    if (matches(x, value, d)) return { verdict: "agree", why: "right " + at };
    if (d < EXACT_PLACES && truncates(x, value, d)) {
      return { verdict: "agree with rounding", why: "rounding: the number cut (not rounded) to " + d + " decimals" };
    }
    if (slips === null) {
      return { verdict: "disagree", why: "not right " + at + " (slips are named at the document's numbers: reset)" };
    }
    const slip = cause(text, slips);
    return { verdict: "disagree", why: slip ? "wrong: " + slip : "not right " + at + ": not one of the usual slips" };
  }

  return { g, decimals, places, matches, truncates, numberText, hedged, cause, judge };
})();
