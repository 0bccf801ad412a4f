// `solve A(u) = f nullspace z -> u`: a singular A whose null space z is known (the constants of
// a pure Neumann or periodic problem). The solve is made well posed by projecting z out, as
// PETSc's MatNullSpace does: the right side becomes f − (⟨z, f⟩/⟨z, z⟩) z, consistent when z
// also spans the null space of Aᵀ (a symmetric A), and the solution u − (⟨z, u⟩/⟨z, z⟩) z, the
// one orthogonal to z (the minimum-norm solution). Both are ops of the IR, so every backend
// runs them and reverse mode differentiates through them (a cotangent reaching the adjoint
// solve has passed the solution's projection, so it is consistent too). The solve op gets one
// more input, [|⟨z, f⟩|/‖z‖, ‖z‖]: the size of the component removed from f, which its report
// states (runtime/constructs.ts), and ‖z‖, which must not be zero. The preconditioner projects
// its output too (compiler/check/protocol.ts, `projectedPrecond`), reading z from its symbol.
import type { Value } from "../ir/ir.js";
import type { TSolve } from "../typed/program.js";
import { concreteType, emitBuiltin, expand, lowerExpr, single } from "./expr.js";
import type { Lowering } from "./lowering.js";

export interface Nullspace {
  z: Value;
  /** ⟨z, z⟩, a scalar. */
  zz: Value;
}

/** The vector spanning the null space: `constant` is ones of the unknown's type. */
export function nullVector(L: Lowering, s: TSolve): Nullspace | undefined {
  if (!s.nullspace) return undefined;
  const type = concreteType(s.out.type);
  const given = s.nullspace.z;
  const z = given === "constant" ? emitBuiltin(L, "ones", [], { dims: type.shape }, type, s.span) : single(lowerExpr(L, given), "a null space vector");
  L.bind(s.nullspace.sym, z);
  return { z, zz: inner(L, z, z, s) };
}

/** v − (⟨z, v⟩/⟨z, z⟩) z, and ⟨z, v⟩. */
export function projectOut(L: Lowering, v: Value, { z, zz }: Nullspace, s: TSolve): { value: Value; zv: Value } {
  const zv = inner(L, z, v, s);
  const c = expand(L, "div", [zv, zz], {}, s.span);
  return { value: expand(L, "sub", [v, expand(L, "mul", [c, z], {}, s.span)], {}, s.span), zv };
}

/** [|⟨z, f⟩|/‖z‖, ‖z‖]: what the report says was removed, and the check that z is not zero. */
export function removedStats(L: Lowering, zf: Value, { zz }: Nullspace, s: TSolve): Value {
  const znorm = expand(L, "sqrt", [zz], {}, s.span);
  const removed = expand(L, "div", [expand(L, "abs", [zf], {}, s.span), znorm], {}, s.span);
  return expand(L, "stack", [removed, znorm], { axis: 0 }, s.span);
}

function inner(L: Lowering, a: Value, b: Value, s: TSolve): Value {
  return expand(L, "sum", [expand(L, "mul", [a, b], {}, s.span)], { axis: null, keepdims: false }, s.span);
}
