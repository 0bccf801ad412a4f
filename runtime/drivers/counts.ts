// How often a construct applied its operator, its preconditioner and its Jacobian: counted by
// the `tally` kernel (inside methods written in iterlang) and by the drivers' callbacks (the
// operator region they apply themselves), into the innermost construct running. A construct's
// counts are added to the construct around it when it ends, so a loop reports the work of the
// solves in its body.
import type { Tally } from "../../compiler/ops/tally.js";

export type Counts = Record<Tally, number>;

const frames: Counts[] = [];

export const noCounts = (): Counts => ({ operator: 0, precond: 0, jacobian: 0 });

/** One more application of `what` in the construct running now (none outside constructs). */
export function tick(what: Tally, n = 1): void {
  const top = frames[frames.length - 1];
  if (top) top[what] += n;
}

/** Runs `body` as a construct: what it applies is counted apart, then added to the one around it. */
export function counting<T>(body: () => T): { result: T; counts: Counts } {
  const mine = noCounts();
  frames.push(mine);
  try {
    return { result: body(), counts: mine };
  } finally {
    frames.pop();
    const outer = frames[frames.length - 1];
    if (outer) for (const k of Object.keys(mine) as Tally[]) outer[k] += mine[k];
  }
}

/** `f` counting one `what` per call. */
export function counted<A extends unknown[], R>(what: Tally, f: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    tick(what);
    return f(...args);
  };
}
