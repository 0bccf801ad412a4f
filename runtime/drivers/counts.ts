// How often a construct applied its operator, its preconditioner and its Jacobian: counted by
// the `tally` kernel (inside methods written in iterlang) and by the drivers' callbacks (the
// operator region they apply themselves), into the innermost construct running. When a
// construct ends, its counts go to the construct around it if either is a `loop`: a loop reports
// the work of the solves in its body, and a method's own inner loop (an inner Krylov solve
// written as a loop) counts for the method. A solve inside a preconditioner or a fixpoint's map
// keeps its work to itself: it is not an application of the outer operator.
import type { Tally } from "../../compiler/ops/tally.js";

export type Counts = Record<Tally, number>;

const frames: { counts: Counts; loop: boolean }[] = [];

export const noCounts = (): Counts => ({ operator: 0, precond: 0, jacobian: 0 });

/** One more application of `what` in the construct running now (none outside constructs). */
export function tick(what: Tally, n = 1): void {
  const top = frames[frames.length - 1];
  if (top) top.counts[what] += n;
}

/** Runs `body` as a construct (`loop` for a loop): what it applies is counted apart, then passed out as above. */
export function counting<T>(loop: boolean, body: () => T): { result: T; counts: Counts } {
  const mine = noCounts();
  frames.push({ counts: mine, loop });
  try {
    return { result: body(), counts: mine };
  } finally {
    frames.pop();
    const outer = frames[frames.length - 1];
    if (outer && (loop || outer.loop)) for (const k of Object.keys(mine) as Tally[]) outer.counts[k] += mine[k];
  }
}

/** `f` counting one `what` per call. */
export function counted<A extends unknown[], R>(what: Tally, f: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    tick(what);
    return f(...args);
  };
}
