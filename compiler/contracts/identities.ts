// fixed(x, T), idempotent(f), equal(a, b) and a plain condition: equalities up to a relative
// tolerance, and `check cond` for a true/false expression.
import { atMost, type ContractRecord, type Measure } from "./record.js";

function relative(what: string, gap: number, size: number, rtol: number): Measure {
  return atMost(what, size > 0 ? gap / size : gap, rtol, 0);
}

const rtol = (dflt: number) => ({ name: "rtol", kind: "number" as const, default: dflt, doc: "the relative tolerance" });

export const fixed: ContractRecord = {
  name: "fixed",
  summary: "T(x) = x: x is a fixed point of T, within rtol",
  params: [
    { name: "x", kind: "value", doc: "the point" },
    { name: "T", kind: "operator", doc: "the map" },
    rtol(1e-4),
  ],
  points: [],
  quantities: { gap: "norm(T(x) - x)", size: "norm(x)" },
  applies: { T: "x" },
  verdict: (o, args) => [relative("‖T(x) − x‖ / ‖x‖", o.q.gap, o.q.size, args.rtol as number)],
};

export const idempotent: ContractRecord = {
  name: "idempotent",
  summary: "f(f(z)) = f(z) for all z, within rtol: f is a projection",
  params: [{ name: "f", kind: "operator", doc: "the map, from its domain to itself" }, rtol(1e-4)],
  points: [{ name: "z", of: "f" }],
  quantities: { gap: "norm(f(f(z)) - f(z))", size: "norm(f(z))" },
  endomorphisms: ["f"],
  verdict: (o, args) => [relative("‖f(f(z)) − f(z)‖ / ‖f(z)‖", o.q.gap, o.q.size, args.rtol as number)],
};

export const equal: ContractRecord = {
  name: "equal",
  summary: "a = b within rtol: ‖a − b‖ ≤ rtol · max(‖a‖, ‖b‖), e.g. one method against another",
  params: [{ name: "a", kind: "value", doc: "one value" }, { name: "b", kind: "value", doc: "the other, of the same shape" }, rtol(1e-5)],
  points: [],
  quantities: { gap: "norm(a - b)", size: "maximum(norm(a), norm(b))" },
  verdict: (o, args) => [relative("‖a − b‖ / max(‖a‖, ‖b‖)", o.q.gap, o.q.size, args.rtol as number)],
};

/** `check fro(W) < 1`: the condition must be true on every input drawn. */
export const condition: ContractRecord = {
  name: "condition",
  summary: "a true/false expression that must be true",
  params: [{ name: "cond", kind: "condition", doc: "a bool scalar" }],
  points: [],
  quantities: { truth: "cast(cond, \"f32\")" },
  verdict: (o) => [{ what: "the condition", value: o.q.truth, relation: "≥", bound: 1, holds: o.q.truth === 1 }],
};
