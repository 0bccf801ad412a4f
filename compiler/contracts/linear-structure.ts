// spd(A), symmetric(A) and linear(A): the structure Krylov methods rely on.
//
// Symmetry is ⟨A x, y⟩ = ⟨x, A y⟩ on random pairs, relative to the size of either side.
// Positivity is ⟨v, A v⟩ > 0 at a random v and at the vector that power iteration on
// λ_max·I − A finds (std.contracts' probe_lowest): that Rayleigh quotient is an upper bound of
// the smallest eigenvalue of a symmetric A, so a negative one proves A is not positive definite.
import { atLeast, atMost, type ContractRecord, type Measure, type Observation } from "./record.js";

/** Rounding of two float32 inner products, relative to their size. */
const SYMMETRY_TOLERANCE = 1e-4;
const LINEARITY_TOLERANCE = 1e-4;

const SYMMETRY = {
  asymmetry: "abs(sum(A(x) * y) - sum(x * A(y)))",
  scale: "norm(A(x)) * norm(y) + norm(x) * norm(A(y))",
};

function symmetryMeasure(o: Observation): Measure {
  const relative = o.q.scale === 0 ? o.q.asymmetry : o.q.asymmetry / o.q.scale;
  return atMost("|⟨A x, y⟩ − ⟨x, A y⟩| / (‖A x‖‖y‖ + ‖x‖‖A y‖)", relative, SYMMETRY_TOLERANCE, 0);
}

export const symmetric: ContractRecord = {
  name: "symmetric",
  summary: "⟨A x, y⟩ = ⟨x, A y⟩ for all x, y",
  params: [{ name: "A", kind: "operator", doc: "a linear operator from its domain to itself" }],
  points: [
    { name: "x", of: "A" },
    { name: "y", of: "A" },
  ],
  quantities: SYMMETRY,
  endomorphisms: ["A"],
  verdict: (o) => [symmetryMeasure(o)],
};

export const spd: ContractRecord = {
  name: "spd",
  summary: "A is symmetric and positive definite: ⟨A x, y⟩ = ⟨x, A y⟩ and ⟨x, A x⟩ > 0 for x ≠ 0",
  params: symmetric.params,
  points: [...symmetric.points, { name: "v", of: "A" }],
  quantities: {
    ...SYMMETRY,
    rayleigh: "probe_rayleigh(A, x)",
    lowest: "probe_lowest(A, v, probe_highest(A, v))",
    highest: "probe_highest(A, v)",
  },
  endomorphisms: ["A"],
  uses: ["probe_rayleigh", "probe_lowest", "probe_highest"],
  verdict(o) {
    // Positive within float32 rounding at the scale of the largest eigenvalue: a singular,
    // positive semidefinite A is not told apart from a positive definite one.
    const slack = 1e-6 * Math.abs(o.q.highest);
    const positive = Math.min(o.q.rayleigh, o.q.lowest);
    return [symmetryMeasure(o), atLeast("min ⟨v, A v⟩ / ⟨v, v⟩ over a random v and the lowest vector of power iteration", positive, 0, slack)];
  },
};

export const linear: ContractRecord = {
  name: "linear",
  summary: "A(α x + β y) = α A(x) + β A(y) for all x, y and numbers α, β",
  params: [{ name: "A", kind: "operator", doc: "the operator" }],
  points: [
    { name: "x", of: "A" },
    { name: "y", of: "A" },
    { name: "alpha", scalar: true },
    { name: "beta", scalar: true },
  ],
  quantities: {
    defect: "norm(A(alpha * x + beta * y) - alpha * A(x) - beta * A(y))",
    scale: "abs(alpha) * norm(A(x)) + abs(beta) * norm(A(y)) + norm(A(alpha * x + beta * y))",
  },
  verdict: (o) => [atMost("‖A(αx + βy) − αA(x) − βA(y)‖ / (|α|‖A x‖ + |β|‖A y‖ + ‖A(αx + βy)‖)", o.q.scale === 0 ? o.q.defect : o.q.defect / o.q.scale, LINEARITY_TOLERANCE, 0)],
};
