// `minimize f(x) -> x`: the objective as an operator of the unknown, its gradient (a `grad` the
// autodiff pass expands), the stopping rule on the gradient's norm (`gnorm`, `rel_gnorm`), and
// for an optimiser written in iterlang its protocol (stdlib/optim.iter), checked like user code
// on the matrix view of the unknown that the optimisers see.
import type * as A from "../../grammar/ast.js";
import { findMethod } from "../methods.js";
import { numel } from "../ops/common.js";
import { dimConst } from "../shapes.js";
import { scalar, tensor, type TensorT, typeToString } from "../types.js";
import type { Operator, Protocol, TMinimize } from "../typed/program.js";
import { checkMethod, refuse, settleTolerances } from "./clauses.js";
import type { CheckContext } from "./context.js";
import { stopOf, unknownType } from "./iterative.js";
import { applyOperator, checkProtocol, lambdaOf, symBinding } from "./protocol.js";
import type { Scope } from "./scope.js";
import { defineValue, poison } from "./stmt.js";
import { GRADIENT_NAMES } from "./stop.js";

/** How optimisers see a parameter of any shape: [d0, d1·d2·…]; a vector [n] as [n, 1], a scalar as [1, 1]. */
export function matrixView(t: TensorT): TensorT {
  const [first, ...rest] = t.shape;
  return tensor(t.dtype, [first ?? dimConst(1), numel(rest)]);
}

export function checkMinimize(ctx: CheckContext, s: A.Minimize, scope: Scope): TMinimize | undefined {
  const fine = ctx.fineTolerances.length;
  const method = checkMethod(ctx, s.method, "minimize", scope);
  refuse(ctx, s.precond, "precond", "minimize", "an optimiser has no preconditioner clause; its options are in `method`.");
  refuse(ctx, s.grad, "grad", "minimize", "a minimize is not differentiated through.");
  refuse(ctx, s.nullspace, "nullspace", "minimize", "a null space belongs to a `solve`'s operator.");
  refuse(ctx, s.onBackwardFail, "on backward_fail", "minimize", "a minimize is not differentiated through.");
  const stop = stopOf(ctx, s, method, scope, GRADIENT_NAMES);
  const u = unknownType(ctx, s.unknownType, s.init, scope);
  settleTolerances(ctx, fine, u?.type.dtype);
  if (!u) {
    if (u === null) ctx.error(s.unknown.span, "cannot-infer", `I can't tell the shape of \`${s.unknown.name}\`.`, { hint: `give it a type (\`-> ${s.unknown.name}: f32[n]\`) or an \`init\` value.` });
    poison(scope, [s.unknown]);
    return undefined;
  }
  const f = lambdaOf(s.unknown, s.objective, scope);
  const objective = applyOperator(ctx, f, u.type, "unknown");
  const scalarObjective = objective !== undefined && objective.body.type.shape.length === 0;
  if (objective && !scalarObjective)
    ctx.error(s.objective.span, "shape-mismatch", `\`minimize\` needs a scalar objective, but this is ${typeToString(objective.body.type)}.`, { hint: "reduce it, e.g. `sum(...)` or `mean(...)`." });
  const out = defineValue(ctx, scope, s.unknown, u.type, "minimizer");
  if (!objective || !scalarObjective || !method || !stop) return undefined;
  const gradient = gradientOf(ctx, f, u.type, s.objective.span);
  if (!gradient) return undefined;
  const iter = findMethod("minimize", method.name)?.implementation.kind === "iter";
  const protocol = iter ? optimiserProtocol(ctx, method, s.method, matrixView(u.type), scope, s.span) : undefined;
  if (iter && !protocol) return undefined;
  return { k: "minimize", out, ...(u.init ? { init: u.init } : {}), objective, gradient, method, stop, ...(protocol ? { protocol } : {}), label: s.unknown.name, span: s.span };
}

/** x ↦ grad(f, x): the objective applied again to a fresh parameter, differentiated. */
function gradientOf(ctx: CheckContext, f: ReturnType<typeof lambdaOf>, type: TensorT, span: A.Span): Operator | undefined {
  const inner = applyOperator(ctx, f, type, "unknown");
  if (!inner) return undefined;
  const x = ctx.sym("x", type);
  return { param: x, body: { k: "diff", mode: "grad", param: inner.param, body: inner.body, x: { k: "sym", sym: x, type, span }, type, span } };
}

/**
 * `NAME_start(x, <options>)` and `NAME_step(g, k, lr, x, s…, <options>)` on the matrix view
 * `view`: the gradient, the step number and the learning rate are the step region's leading
 * parameters, supplied by the driver.
 */
export function optimiserProtocol(ctx: CheckContext, method: NonNullable<ReturnType<typeof checkMethod>>, spec: A.MethodSpec | null, view: TensorT, scope: Scope, span: A.Span): Protocol | undefined {
  const lead = [ctx.sym("g", view), ctx.sym("k", scalar("f32")), ctx.sym("lr", scalar("f32"))];
  const bindings = lead.map((sym, i) => ({ name: ["%g", "%k", "%lr"][i], binding: symBinding(sym, span, ["gradient", "step number", "learning rate"][i]) }));
  const p = checkProtocol(ctx, method, spec, bindings, view, scope, span, []);
  return p && { start: p.start, step: { params: [...lead, ...p.step.params], call: p.step.call } };
}
