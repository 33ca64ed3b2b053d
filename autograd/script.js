// autograd.script's runtime: Python's float semantics where JavaScript's differ, for the ops' rules read as
// JavaScript. An error is an Error whose name is the Python exception's (ValueError, OverflowError, ...).

function fail(type, message) {
  const error = new Error(message);
  error.name = type;
  throw error;
}

// Python's repr of a float: the shortest digits that read back, fixed from 1e-4 up to 1e16, else 1e-05, 1e+16.
function repr(x) {
  if (x !== x) return "nan";
  if (x === Infinity || x === -Infinity) return x > 0 ? "inf" : "-inf";
  if (x === 0) return 1 / x < 0 ? "-0.0" : "0.0";
  const [mantissa, exponent] = x.toExponential().split("e");
  const e = Number(exponent);
  const sign = mantissa[0] === "-" ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (e < -4 || e >= 16) {
    const rest = digits.length > 1 ? "." + digits.slice(1) : "";
    return sign + digits[0] + rest + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }
  if (e < 0) return sign + "0." + "0".repeat(-e - 1) + digits;
  return sign + digits.slice(0, e + 1).padEnd(e + 1, "0") + "." + (digits.slice(e + 1) || "0");
}

// Python's truth of a number: nan is true.
function truth(x) {
  return x !== 0;
}

// Python's float division: a ZeroDivisionError instead of an infinity.
function div(a, b) {
  if (b === 0) fail("ZeroDivisionError", "float division by zero");
  return a / b;
}

// Python's float ** with a whole exponent: an OverflowError instead of an infinity.
function floatpow(a, b) {
  const r = Math.pow(a, b);
  if (r - r !== 0 && a - a === 0) fail("OverflowError", "(34, 'Numerical result out of range')");
  return r;
}

// Python's math.log.
function log(x) {
  if (!(x > 0)) fail("ValueError", "math domain error");
  return Math.log(x);
}

// Python's sum(xs, 0.0) of floats: left to right before Python 3.12, compensated (Neumaier) from 3.12.
function sumInOrder(xs) {
  let total = 0.0;
  for (const x of xs) total += x;
  return total;
}

function sumCompensated(xs) {
  let total = 0.0;
  let c = 0.0;
  for (const x of xs) {
    const t = total + x;
    c += Math.abs(total) >= Math.abs(x) ? total - t + x : x - t + total;
    total = t;
  }
  return c !== 0 && c - c === 0 ? total + c : total;
}

// The engine's errors where a value or a gradient is not finite (autograd.value's words).
function overflow(op, operands) {
  const values = operands.map(repr).join(", ");
  const k = operands.findIndex((x) => x - x !== 0);
  if (k >= 0) fail("ValueError", op + ": operand " + k + " of " + op + "(" + values + ") is not finite; " +
    "was its .data set by hand?");
  fail("OverflowError", op + ": the result of " + op + "(" + values + ") overflows a float");
}
