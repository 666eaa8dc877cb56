/**
 * Sine and cosine of whole degrees from +, -, * and / only. `Math.sin` and `Math.cos` are
 * "implementation-approximated" in ECMAScript and do differ between engines in the last bit; basic
 * IEEE-754 arithmetic does not, so these give the same double in Node, Chromium and Firefox.
 */
const DEG = 3.141592653589793 / 180;

/** sin(x) for x in [0, pi/4] by its Taylor series (error below 1e-16). */
function sinSmall(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let k = 1; k <= 10; k++) {
    term = (-term * x2) / ((2 * k) * (2 * k + 1));
    sum += term;
  }
  return sum;
}

function cosSmall(x: number): number {
  const x2 = x * x;
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= 10; k++) {
    term = (-term * x2) / ((2 * k - 1) * (2 * k));
    sum += term;
  }
  return sum;
}

/** sin of an integer number of degrees. */
export function sinDeg(deg: number): number {
  let d = ((Math.round(deg) % 360) + 360) % 360;
  let sign = 1;
  if (d >= 180) {
    d -= 180;
    sign = -1;
  }
  if (d > 90) d = 180 - d;
  const v = d <= 45 ? sinSmall(d * DEG) : cosSmall((90 - d) * DEG);
  return sign * v + 0; // + 0 turns -0 into 0
}

/** cos of an integer number of degrees. */
export function cosDeg(deg: number): number {
  return sinDeg(Math.round(deg) + 90);
}
