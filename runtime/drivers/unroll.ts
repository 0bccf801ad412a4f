// Reverse mode through the iterations of a loop: run the body forward keeping every
// `checkpoint`-th state, then step back through the iterations, recomputing each segment of
// states from its checkpoint. Memory: ⌈N/c⌉ checkpoints and c states of one segment, for N
// iterations and checkpoint c (c = 1 keeps every state; c = N keeps only the first).
import type { Report } from "../report.js";
import { secondsSince, type Tensor, type Tf } from "./stopping.js";

export interface UnrollOptions<T extends Tensor = Tensor> {
  /** The initial carried values (never disposed here). */
  init: T[];
  /** The cotangents of the loop's results (never disposed here). */
  cts: T[];
  /** The forward step k: carried_k ↦ carried_{k+1}. */
  step: (k: number, carried: T[]) => T[];
  /** The `until` condition on carried_{k+1}, when the loop has one. */
  done?: (k: number, carried: T[]) => T;
  /** The backward step k: (carried_k, ct_{k+1}) ↦ (ct_k…, ct_captured…). */
  back: (k: number, carried: T[], cts: T[]) => T[];
  /** How many cotangents of captured values `back` gives after the carried ones. */
  captured: number;
  maxIter: number;
  checkpoint: number;
  name: string;
}

/** The cotangents of the initial values, then of the captured values (summed over iterations), and a report. */
export function runUnroll<T extends Tensor>(tf: Tf<NoInfer<T>>, o: UnrollOptions<T>): { values: T[]; report: Report } {
  const t0 = performance.now();
  const owned = new Set<T>();
  const keep = (ts: T[]) => (ts.forEach((t) => owned.add(t)), ts);
  // A region may return one of its arguments as is (a cotangent passed straight through);
  // each result gets its own tensor so that dropping an argument never frees a result.
  const fresh = (outs: T[], args: readonly T[]) => outs.map((t) => (args.includes(t) ? tf.clone(t) : t));
  const step = (k: number, xs: T[]) => keep(fresh(o.step(k, xs), xs));
  const back = (k: number, xs: T[], cts: T[]) => keep(fresh(o.back(k, xs, cts), [...xs, ...cts]));
  const drop = (ts: readonly T[]) => {
    for (const t of ts) if (owned.delete(t) && !o.init.includes(t) && !o.cts.includes(t)) t.dispose();
  };
  // Forward: every checkpoint-th state is kept; the count is the loop's own.
  const checkpoints = new Map<number, T[]>([[0, o.init]]);
  let carried = o.init;
  let n = 0;
  while (n < o.maxIter) {
    const next = step(n, carried);
    if (!checkpoints.has(n)) drop(carried);
    carried = next;
    n++;
    if (n % o.checkpoint === 0) checkpoints.set(n, carried);
    if (o.done && stops(o.done(n - 1, carried))) break;
  }
  // The final state is the loop's result, which the backward sweep does not need.
  if (n > 0) checkpoints.delete(n);
  drop(carried);
  // Backward: segment by segment, from the last.
  let cts = o.cts;
  let captured: T[] | undefined;
  for (let start = Math.floor((n - 1) / o.checkpoint) * o.checkpoint; start >= 0 && n > 0; start -= o.checkpoint) {
    const states = [checkpoints.get(start)!];
    const end = Math.min(start + o.checkpoint, n);
    for (let k = start; k < end - 1; k++) states.push(step(k, states[states.length - 1]));
    for (let k = end - 1; k >= start; k--) {
      const out = back(k, states[k - start], cts);
      drop(cts);
      cts = out.slice(0, o.init.length);
      const parts = out.slice(o.init.length);
      captured = captured ? sumInto(tf, captured, parts, drop, keep) : parts;
    }
    for (const s of states.slice(1)) drop(s);
    if (start > 0) drop(checkpoints.get(start)!);
  }
  const values = [...cts.map((t) => (o.cts.includes(t) ? tf.clone(t) : t)), ...(captured ?? [])];
  const report: Report = {
    name: o.name,
    kind: "loop",
    method: "unrolled",
    iterations: n,
    residual: NaN,
    relResidual: NaN,
    reason: "completed",
    converged: true,
    history: [],
    seconds: secondsSince(t0),
    detail: `reverse mode through ${n} iteration${n === 1 ? "" : "s"}, ${Math.ceil(n / o.checkpoint)} checkpoint${Math.ceil(n / o.checkpoint) === 1 ? "" : "s"} (every ${o.checkpoint})`,
  };
  return { values, report };
}

function stops(cond: Tensor): boolean {
  const v = cond.dataSync()[0];
  cond.dispose();
  return v !== 0;
}

function sumInto<T extends Tensor>(tf: Tf<T>, acc: T[], parts: T[], drop: (ts: readonly T[]) => void, keep: (ts: T[]) => T[]): T[] {
  const sums = keep(acc.map((a, i) => tf.add(a, parts[i])));
  drop(acc);
  drop(parts);
  return sums;
}
