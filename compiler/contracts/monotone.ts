// monotone(F): ⟨F(a) − F(b), a − b⟩ ≥ 0 for all a, b — the property that makes F(x) = 0
// well posed for splitting methods. Tested on random pairs and, locally, as ⟨v, J_F(a) v⟩ ≥ 0
// (the symmetric part of the Jacobian is positive semidefinite), by one jvp.
import { atLeast, type ContractRecord } from "./record.js";

/** Rounding of float32 inner products, relative to ‖F(a) − F(b)‖‖a − b‖. */
const TOLERANCE = 1e-5;

export const monotone: ContractRecord = {
  name: "monotone",
  summary: "⟨F(a) − F(b), a − b⟩ ≥ 0 for all a, b",
  params: [{ name: "F", kind: "operator", doc: "the operator, from its domain to itself" }],
  points: [
    { name: "a", of: "F" },
    { name: "b", of: "F" },
    { name: "v", of: "F" },
  ],
  quantities: {
    pair: "sum((F(a) - F(b)) * (a - b))",
    pairScale: "norm(F(a) - F(b)) * norm(a - b)",
    local: "sum(v * jvp(F, a, v))",
    localScale: "norm(jvp(F, a, v)) * norm(v)",
  },
  endomorphisms: ["F"],
  verdict: (o) => [
    atLeast("⟨F(a) − F(b), a − b⟩ / (‖F(a) − F(b)‖‖a − b‖)", o.q.pairScale === 0 ? 0 : o.q.pair / o.q.pairScale, 0, TOLERANCE),
    atLeast("⟨v, J_F(a) v⟩ / (‖J_F(a) v‖‖v‖)", o.q.localScale === 0 ? 0 : o.q.local / o.q.localScale, 0, TOLERANCE),
  ],
};
