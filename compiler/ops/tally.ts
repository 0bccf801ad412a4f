// `tally(x, what)`: x itself, counting one application of an operator, preconditioner or
// Jacobian into the report of the construct that runs it. The checker wraps the operators a
// method receives (`A`, `M`, `T` of the protocol) in it, so every method, written in iterlang
// or not, reports how often it applied them; no program can name it.
//
// It is pure: it counts the applications that actually run, so when cse merges two equal
// applications or licm hoists one that does not change between iterations (a probed diagonal),
// its tally goes with it and is counted as often as the application is made. It has no fold.
// Its tangent counts a Jacobian application: the jvp
// of a tallied operator is a tallied Jacobian-vector product; its adjoint passes the cotangent
// through untallied (adjoint constructs count their own applications).
import { arg, op } from "./common.js";

export const TALLIES = ["operator", "precond", "jacobian"] as const;
export type Tally = (typeof TALLIES)[number];

op({
  name: "tally",
  kind: "layout",
  internal: true,
  doc: "x itself, counting one application of what made it (the compiler's own; no program can name it).",
  params: [
    { name: "x", kind: "tensor" },
    { name: "what", kind: "string", choices: TALLIES },
  ],
  shape: (q) => arg(q, 0),
  jvp: (b, a, [t]) => t && (a.statics.what === "operator" ? b.op("tally", [t], { what: "jacobian" }) : t),
  vjp: (_b, _a, c) => [c],
});
