// contractive(T, below: L) and nonexpansive(T): ‖T(a) − T(b)‖ ≤ L ‖a − b‖.
//
// Random pairs alone rarely find a violation in many dimensions (a random direction sees an
// average singular value of the Jacobian, not the largest), so each run also estimates the
// local Lipschitz constant ‖J_T(a)‖₂ by power iteration on JᵀJ, through jvp and vjp
// (std.contracts' probe_lipschitz). Both must stay below L; both are reported.
import { atMost, type ContractRecord, type Measure, type Observation } from "./record.js";

const QUANTITIES = {
  gap: "norm(T(a) - T(b))",
  distance: "norm(a - b)",
  jacobian: "probe_lipschitz(T, a, v)",
};

function lipschitzMeasures(o: Observation, bound: number): Measure[] {
  const estimate = atMost("‖J_T(a)‖₂ (power iteration on JᵀJ, by jvp and vjp)", o.q.jacobian, bound);
  // A pair drawn (or shrunk) onto one point says nothing about the ratio.
  if (o.q.distance === 0 && o.q.gap === 0) return [estimate];
  return [atMost("‖T(a) − T(b)‖ / ‖a − b‖", o.q.gap / o.q.distance, bound), estimate];
}

export const contractive: ContractRecord = {
  name: "contractive",
  summary: "‖T(a) − T(b)‖ ≤ L ‖a − b‖ for all a, b: T is Lipschitz with constant L (a contraction when L < 1)",
  params: [
    { name: "T", kind: "operator", doc: "the map, from its domain to itself" },
    { name: "below", kind: "number", doc: "the Lipschitz bound L" },
  ],
  points: [
    { name: "a", of: "T" },
    { name: "b", of: "T" },
    { name: "v", of: "T" },
  ],
  quantities: QUANTITIES,
  endomorphisms: ["T"],
  uses: ["probe_lipschitz"],
  verdict: (o, args) => lipschitzMeasures(o, args.below as number),
};

export const nonexpansive: ContractRecord = {
  ...contractive,
  name: "nonexpansive",
  summary: "‖T(a) − T(b)‖ ≤ ‖a − b‖ for all a, b: contractive with L = 1",
  params: [contractive.params[0]],
  verdict: (o) => lipschitzMeasures(o, 1),
};
