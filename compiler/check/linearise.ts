// What a nonlinear solve driver (Newton–Krylov) applies besides F: the Jacobian-vector product
// J(x)v = jvp(F, x, v), exact by forward-mode autodiff through F's own ops, and the
// preconditioner — which, for a nonlinear solve, approximates J(x)⁻¹ at the current iterate x:
// a standard-library preconditioner gets `v => J(x)v` as its operator, not F (probing the
// diagonal of F itself would be meaningless). Both are regions of two parameters, the iterate x
// and the vector, checked here as calls with x a symbol of its own.
import type * as A from "../../grammar/ast.js";
import type { TensorT } from "../types.js";
import type { Operator, Sym } from "../typed/program.js";
import type { CheckContext } from "./context.js";
import { applyOperator, lambdaOf, precondOf, symBinding } from "./protocol.js";
import type { Binding, Scope } from "./scope.js";

const name = (n: string, span: A.Span): A.Name => ({ kind: "Name", name: n, span });
const arg = (value: A.Expr): A.Arg => ({ kind: "Arg", name: null, value, span: value.span });

/** An operator region that takes the Newton iterate `at` first. */
export interface AtIterate {
  at: Sym;
  op: Operator;
}

/** `v => jvp(F, x, v)` with x the symbol `at`, defined in a scope of its own. */
function jacobianBinding(F: Binding, at: Sym, scope: Scope, span: A.Span): { binding: Extract<Binding, { kind: "lambda" }>; inner: Scope } {
  const inner = scope.child();
  inner.define("%F", F);
  inner.define("%x", symBinding(at, span, "Newton iterate"));
  const v: A.Ident = { kind: "Ident", name: "%v", span };
  const body: A.Diff = { kind: "Diff", mode: "jvp", args: [arg(name("%F", span)), arg(name("%x", span)), arg(name("%v", span))], span };
  return { binding: lambdaOf(v, body, inner), inner };
}

/** The Jacobian-vector product region (x, v) ↦ J(x)v of the operator F. */
export function jacobianOf(ctx: CheckContext, F: Binding, unknown: TensorT, span: A.Span, scope: Scope): AtIterate | undefined {
  const at = ctx.sym("x", unknown);
  const op = applyOperator(ctx, jacobianBinding(F, at, scope, span).binding, unknown, "direction");
  return op && { at, op };
}

/**
 * The preconditioner region (x, r) ↦ z ≈ J(x)⁻¹ r: a standard-library one applied to the
 * Jacobian at x, the user's own applied to r as it is.
 */
export function jacobianPrecond(ctx: CheckContext, spec: A.MethodSpec, user: Binding | undefined, F: Binding, unknown: TensorT, rhs: TensorT, span: A.Span, scope: Scope): AtIterate | undefined {
  const at = ctx.sym("x", unknown);
  const J = jacobianBinding(F, at, scope, span);
  const M = precondOf(spec, J.binding, J.inner, span, user);
  if (M.kind !== "lambda") return undefined;
  const op = applyOperator(ctx, M, rhs, "residual");
  return op && { at, op };
}
