// Which symbols a typed expression reads, looking through the bodies of the instances it calls
// (each instance walked once): what `train` uses to find the parameters a loss depends on.
import type { Instance, TExpr, TStmt } from "./program.js";

export function symsRead(e: TExpr, out = new Set<number>(), seen = new Set<Instance>()): Set<number> {
  const expr = (x: TExpr | undefined) => x && symsRead(x, out, seen);
  switch (e.k) {
    case "sym":
      out.add(e.sym.id);
      break;
    case "op":
    case "stack":
    case "tuple":
      (e.k === "op" ? e.args : e.items).forEach(expr);
      break;
    case "if":
      expr(e.then);
      expr(e.else);
      break;
    case "diff":
      [e.body, e.x, e.direction].forEach(expr);
      break;
    case "call":
      e.args.forEach(expr);
      if (!seen.has(e.inst)) {
        seen.add(e.inst);
        e.inst.defaults.forEach((d) => expr(d.value));
        stmtsRead(e.inst.body, out, seen);
        expr(e.inst.result);
      }
      break;
    case "const":
    case "size":
    case "opaque":
      break;
  }
  return out;
}

function stmtsRead(stmts: readonly TStmt[], out: Set<number>, seen: Set<Instance>): void {
  const expr = (x: TExpr | undefined) => x && symsRead(x, out, seen);
  for (const s of stmts)
    switch (s.k) {
      case "let":
      case "assign":
        expr(s.value);
        break;
      case "fixpoint":
        [s.init, s.map.body, s.protocol?.start.call, s.protocol?.step.call].forEach(expr);
        break;
      case "solve":
        [s.rhs, s.init, s.nullspace?.z === "constant" ? undefined : s.nullspace?.z, s.operator.body, s.precond?.op.body, s.protocol?.start.call, s.protocol?.step.call].forEach(expr);
        break;
      case "minimize":
        [s.init, s.objective.body, s.gradient.body, s.protocol?.start.call, s.protocol?.step.call].forEach(expr);
        break;
      case "loop":
        s.inits.forEach(expr);
        stmtsRead(s.body, out, seen);
        expr(s.until?.cond);
        break;
    }
}
