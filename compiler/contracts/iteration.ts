// converges(u, within: K) and decreasing(u, residual | energy | error): promises about how an
// iterative construct runs, on the inputs drawn for it.
//
// The series of `decreasing`: `residual` is the report's residual history; `energy` is
// ½⟨u_k, A u_k⟩ − ⟨f, u_k⟩ of each iterate of a solve A(u) = f (what CG minimises); `error` is
// ‖u_k − u‖ against the construct's final result u. The runtime's observer of iterates
// (runtime/contracts/observe.ts) computes the last two.
import { atMost, type ContractRecord, type Measure, type Observation, type Series } from "./record.js";

export const converges: ContractRecord = {
  name: "converges",
  summary: "the construct reaches its tolerance within K iterations",
  params: [
    { name: "u", kind: "construct", doc: "a top-level fixpoint, solve or loop, by the name it defines" },
    { name: "within", kind: "number", doc: "the most iterations K" },
  ],
  points: [],
  quantities: {},
  reads: "u",
  verdict(o, args) {
    const r = o.report!;
    const m = atMost("iterations", r.iterations, args.within as number, 0);
    if (r.converged) return [m];
    return [{ ...m, holds: false, detail: `it stopped with \`${r.reason}\` after ${r.iterations} iterations` }];
  },
};

/** An entry rising by more than this, relative to the largest magnitude of the series. */
const RISE_TOLERANCE = 1e-4;

/** The largest rise s[k+1] − s[k] of a series, relative to its largest magnitude, and where. */
export function largestRise(s: readonly number[]): { rise: number; at: number } {
  const scale = Math.max(...s.map(Math.abs));
  let worst = { rise: -Infinity, at: 0 };
  for (let k = 0; k + 1 < s.length; k++) {
    const rise = scale > 0 ? (s[k + 1] - s[k]) / scale : 0;
    if (!(rise <= worst.rise)) worst = { rise, at: k + 1 };
  }
  return worst.rise === -Infinity ? { rise: 0, at: 0 } : worst;
}

function decreasingMeasure(o: Observation, series: Series): Measure {
  const s = o.series ?? [];
  const { rise, at } = largestRise(s);
  const m = atMost(`largest rise of the ${series} between iterations, relative to its largest value`, rise, RISE_TOLERANCE, 0);
  return { ...m, ...(m.holds ? {} : { detail: `the ${series} rose from ${s[at - 1].toPrecision(6)} to ${s[at].toPrecision(6)} at iteration ${at}` }) };
}

export const decreasing: ContractRecord = {
  name: "decreasing",
  summary: "the residual, energy or error of the construct never rises from one iteration to the next",
  params: [
    { name: "u", kind: "construct", doc: "a top-level fixpoint or solve, by the name it defines" },
    { name: "series", kind: "series", doc: "`residual`, `energy` (solves) or `error`" },
  ],
  points: [],
  quantities: {},
  reads: "u",
  verdict: (o, args) => [decreasingMeasure(o, args.series as Series)],
};
