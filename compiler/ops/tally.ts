// `tally(x, what)`: x itself, counting one application of an operator, preconditioner or
// Jacobian into the report of the construct that runs it. The checker wraps the operators a
// method receives (`A`, `M`, `T` of the protocol) in it, so every method, written in iterlang
// or not, reports how often it applied them; no program can name it.
//
// It is not pure (two tallies are two applications, and one is never moved out of the
// iteration that makes it) and has no fold. Its tangent counts a Jacobian application: the jvp
// of a tallied operator is a tallied Jacobian-vector product; its adjoint passes the cotangent
// through untallied (adjoint constructs count their own applications).
import { arg, op } from "./common.js";

export const TALLIES = ["operator", "precond", "jacobian"] as const;
export type Tally = (typeof TALLIES)[number];

op({
  name: "tally",
  kind: "layout",
  internal: true,
  pure: false,
  doc: "x itself, counting one application of what made it (the compiler's own; no program can name it).",
  params: [
    { name: "x", kind: "tensor" },
    { name: "what", kind: "string", choices: TALLIES },
  ],
  shape: (q) => arg(q, 0),
  jvp: (b, a, [t]) => t && (a.statics.what === "operator" ? b.op("tally", [t], { what: "jacobian" }) : t),
  vjp: (_b, _a, c) => [c],
});
