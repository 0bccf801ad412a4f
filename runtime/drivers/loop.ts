// The driver of a general carried `loop`: runs the body until its bound, its `until`
// condition, or a NaN/Inf in a carried value. One read-back per iteration carries both the
// finiteness flags and the condition.
import type { Report } from "../report.js";
import type { Tensor, TensorApi as Tf } from "./tensor-api.js";

export interface LoopOptions<T extends Tensor = Tensor> {
  init: T[];
  /** Computes the next carried values from iteration `k` (0-based) and the current ones. */
  step: (k: number, carried: T[]) => T[];
  /** The `until` condition, evaluated on the values after iteration `k` (a bool scalar). */
  done?: (k: number, carried: T[]) => T;
  maxIter: number;
  /** True for `loop k < n`: running all n iterations is the normal end. */
  counted: boolean;
  /** Names of the carried values, for messages. */
  names: string[];
  name: string;
  /** Asked before each iteration: true stops the loop with `aborted` (the caller asked). */
  interrupted?: () => boolean;
}

/** 1 where a float tensor holds a NaN or an infinity, as a flat f32 vector of flags. */
function badFlags<T extends Tensor>(tf: Tf<T>, xs: T[]): T {
  return tf.tidy(() =>
    tf.stack(xs.map((x) => (x.dtype === "bool" || x.dtype === "int32" ? tf.scalar(0) : tf.cast(tf.any(tf.logicalNot(tf.isFinite(x))), "float32")))),
  );
}

export function runLoop<T extends Tensor>(tf: Tf<NoInfer<T>>, o: LoopOptions<T>): { values: T[]; report: Report } {
  const start = performance.now();
  let carried = o.init;
  let k = 0;
  let reason: Report["reason"] = o.counted || !o.done ? "completed" : "max_iterations";
  let detail: string | undefined;
  const owned = new Set<T>();
  while (k < o.maxIter) {
    if (o.interrupted?.()) {
      reason = "aborted";
      break;
    }
    const next = o.step(k, carried);
    for (const t of carried) if (owned.has(t) && !next.includes(t)) (t.dispose(), owned.delete(t));
    for (const t of next) if (!o.init.includes(t)) owned.add(t);
    carried = next;
    k++;
    const flags = tf.tidy(() => {
      const bad = badFlags(tf, carried);
      return o.done ? tf.concat([bad, tf.reshape(tf.cast(o.done(k - 1, carried), "float32"), [1])]) : bad;
    });
    const read = flags.dataSync();
    flags.dispose();
    const badIndex = carried.findIndex((_, i) => read[i] !== 0);
    if (badIndex >= 0) {
      reason = "diverged_nan";
      detail = `NaN or Inf in \`${o.names[badIndex]}\` at iteration ${k}`;
      break;
    }
    if (o.done && read[carried.length] !== 0) {
      reason = "completed";
      break;
    }
  }
  if (!Number.isFinite(o.maxIter) && k === 0) reason = "completed";
  const report: Report = {
    name: o.name,
    kind: "loop",
    method: "loop",
    iterations: k,
    residual: NaN,
    relResidual: NaN,
    reason,
    converged: reason === "completed",
    history: [],
    seconds: (performance.now() - start) / 1000,
    ...(detail ? { detail } : {}),
  };
  // The returned tensors belong to the caller; the initial values were never ours.
  return { values: carried, report };
}
