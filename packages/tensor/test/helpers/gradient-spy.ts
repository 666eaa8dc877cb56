/**
 * Counts the gradient computations TF.js runs (every tf.grad / tf.grads / variableGrads goes through
 * engine.gradients), so that a test can check "no new gradient" without trusting the code under test.
 * Pass the test's own `tf`; restore() puts the engine back.
 */
export function countGradients(tf: { engine: () => unknown }): { count: () => number; restore: () => void } {
  const engine = tf.engine() as { gradients: (...a: unknown[]) => unknown };
  const orig = engine.gradients;
  let n = 0;
  engine.gradients = function (this: unknown, ...a: unknown[]) {
    n++;
    return orig.apply(this, a);
  };
  return { count: () => n, restore: () => (engine.gradients = orig) };
}
