// Methods written in TypeScript over callbacks, for the constructs autodiff adds (an adjoint
// solve's operator is the transpose AD derived, a region of its own, not a standard-library
// call): conjugate gradients and plain iteration, as start/step pairs, so the generic drivers
// (runtime/drivers/method.ts) own their stopping, true-residual confirmation and report like
// every other method's. The arithmetic is stdlib/krylov.iter's cg and stdlib/fixed-point.iter's
// picard, step for step.
import { flatDot, type Tensor, type Tf } from "./stopping.js";

/** Preconditioned CG: state (x, r, p, rz); each step also gives ‖r‖ and its health (pᵀAp). */
export function cgProtocol<T extends Tensor>(tf: Tf<NoInfer<T>>, b: T, A: (u: T) => T, M: (r: T) => T = (r) => r) {
  const start = (x: T): T[] =>
    tf.tidy(() => {
      const r = tf.sub(b, A(x));
      const z = M(r);
      return [tf.clone(x), r, z, flatDot(tf, r, z)];
    });
  const step = ([x, r, p, rz]: T[]): T[] =>
    tf.tidy(() => {
      const q = A(p);
      const pq = flatDot(tf, p, q);
      const alpha = tf.where(tf.greater(pq, 0), tf.div(rz, pq), tf.zerosLike(pq));
      const x1 = tf.add(x, tf.mul(alpha, p));
      const r1 = tf.sub(r, tf.mul(alpha, q));
      const z1 = M(r1);
      const rz1 = flatDot(tf, r1, z1);
      const beta = tf.where(tf.greater(rz, 0), tf.div(rz1, rz), tf.zerosLike(rz));
      const p1 = tf.add(z1, tf.mul(beta, p));
      const worst = tf.minimum(rz, rz1);
      const health = tf.where(tf.greater(worst, 0), pq, worst);
      return [x1, r1, p1, rz1, tf.sqrt(flatDot(tf, r1, r1)), health];
    });
  return { start, step };
}

/** Plain iteration x ← T(x): state (x); each step also gives ‖T(x) − x‖ at the incoming x. */
export function picardProtocol<X extends Tensor>(tf: Tf<NoInfer<X>>, T: (x: X) => X) {
  const start = (x: X): X[] => [tf.clone(x)];
  const step = ([x]: X[]): X[] =>
    tf.tidy(() => {
      const tx = T(x);
      const d = tf.sub(tx, x);
      return [tx, tf.sqrt(flatDot(tf, d, d))];
    });
  return { start, step };
}
