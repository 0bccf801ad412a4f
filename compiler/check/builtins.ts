// Calls of builtins: arguments matched to the op record's parameters, static ones evaluated
// when compiling (`center: 4`, `zeros(N, N)`), then the record's own shape rule — the same
// rule the IR verifier uses — whose message becomes a located diagnostic. The typed call
// carries the evaluated statics, so lowering re-evaluates nothing.
import type * as A from "../../grammar/ast.js";
import type { OpRecord, ParamSpec, StaticValue } from "../ops/index.js";
import { type Dim, dimValue } from "../shapes.js";
import { type TensorT, typeToString } from "../types.js";
import type { TTensor } from "../typed/program.js";
import { bindArgs } from "./args.js";
import { checkTensorFits } from "./memory.js";
import type { CheckContext } from "./context.js";
import { originNote, tensorOf } from "./expr.js";
import type { Scope } from "./scope.js";
import { asDim, asNumber, type StaticResult, staticEval } from "./static.js";
import { suggestName } from "../../base/suggest.js";

/** Runs a builtin's shape rule; its message becomes a located diagnostic. */
export function builtinShape(
  ctx: CheckContext,
  spec: OpRecord | undefined,
  tensors: (TensorT | undefined)[],
  statics: Record<string, StaticValue>,
  span: A.Span,
  what: string,
  expected?: TensorT,
  notes: string[] = [],
): TensorT | undefined {
  if (!spec) return undefined;
  const out = spec.shape(expected ? { tensors, statics, expected } : { tensors, statics });
  if (typeof out !== "string") return wholeSizes(ctx, out, span) && checkTensorFits(ctx, out, span) ? out : undefined;
  const types = tensors.filter((t) => t !== undefined).map((t) => typeToString(t));
  const label = types.every((t) => out.includes(t)) ? {} : { label: types.join(", ") };
  ctx.error(span, "shape-mismatch", ruleSentence(out, what), { ...label, ...(notes.length ? { notes } : {}) });
  return undefined;
}

/**
 * Every size of a concrete shape is a whole number ≥ 0: `N / 2` with N odd is not, and only
 * concrete sizes reveal it (a generic check keeps `N/2` symbolic).
 */
export function wholeSizes(ctx: CheckContext, t: TensorT, span: A.Span): boolean {
  if (ctx.mode !== "concrete") return true;
  const symbolic = t.shape.find((d) => dimValue(d) === undefined);
  if (symbolic) {
    ctx.noValue(symbolic, span);
    return false;
  }
  const bad = t.shape.map(dimValue).find((v) => v !== undefined && (!Number.isInteger(v) || v < 0));
  if (bad === undefined) return true;
  ctx.error(span, "bad-size", `This size works out to ${bad}, which is not a whole number ≥ 0.`, {
    hint: "choose sizes that divide exactly (e.g. an odd N for N / 2 + 1/2 shapes).",
  });
  return false;
}

/** A shape rule's message as a sentence: "`@` needs ...", "Index 9 is out of range ...". */
function ruleSentence(out: string, what: string): string {
  const text = out.startsWith("`") || what === "" ? out : `${what}: ${out}`;
  const sentence = text[0].toUpperCase() + text.slice(1);
  return /[.?!]$/.test(sentence) ? sentence : `${sentence}.`;
}

export function builtinCall(ctx: CheckContext, spec: OpRecord, args: readonly A.Arg[], span: A.Span, scope: Scope, expected?: TensorT): TTensor | undefined {
  const tensorParams = spec.params.filter((p) => p.kind === "tensor").length;
  const positional = args.filter((a) => a.name === null);
  if (spec.variadic && positional.length > tensorParams) return variadicCall(ctx, spec, args, positional.slice(tensorParams), span, scope);
  const params = spec.params.map((p) => ({ name: p.name, optional: p.default !== undefined || p.kind === "dims", rest: p.kind === "dims" }));
  const bound = bindArgs(params, args, span, `\`${spec.name}\``, "argument");
  for (const err of bound.errors) ctx.error(err.span, "bad-argument", err.message, err.hint ? { hint: err.hint } : {});
  if (bound.errors.length) return undefined;
  const tensors: (TTensor | undefined)[] = [];
  const statics: Record<string, StaticValue> = {};
  let ok = true;
  for (const p of spec.params) {
    const given = bound.byName.get(p.name);
    if (p.kind === "tensor") {
      const t = given ? tensorOf(ctx, given[0], scope) : undefined;
      if (given && !t) ok = false;
      tensors.push(t);
    } else if (p.kind === "dims") {
      const dims = (given ?? []).map((g) => staticArg(ctx, spec, p, g, scope) as Dim | undefined);
      if (dims.every((d) => d !== undefined)) statics[p.name] = dims as Dim[];
      else ok = false;
    } else if (!given) statics[p.name] = p.default ?? null;
    else {
      const v = staticArg(ctx, spec, p, given[0], scope);
      if (v === undefined) ok = false;
      else statics[p.name] = v;
    }
  }
  if (!ok) return undefined;
  const type = builtinShape(ctx, spec, tensors.map((t) => t?.type), statics, span, `\`${spec.name}\``, expected);
  if (!type) return undefined;
  // A creator given no sizes takes the expected shape (`init zeros`): its statics say so.
  const dims = spec.params.find((p) => p.kind === "dims");
  const creator = spec.params.every((p) => p.kind !== "tensor");
  if (creator && dims && (statics[dims.name] as Dim[]).length === 0) statics[dims.name] = type.shape;
  return { k: "op", op: spec.name, args: tensors.filter((t): t is TTensor => t !== undefined), statics, type, span };
}

/**
 * `concat(a, b, c, axis: 1)`: the first call on the first tensors, then one more call per extra
 * tensor on the result so far, with the same static arguments (the op itself stays binary, so
 * its shape rule and its autodiff rules serve every arity).
 */
function variadicCall(ctx: CheckContext, spec: OpRecord, args: readonly A.Arg[], extra: readonly A.Arg[], span: A.Span, scope: Scope): TTensor | undefined {
  const first = builtinCall(ctx, spec, args.filter((a) => !extra.includes(a)), span, scope);
  const rest = extra.map((a) => tensorOf(ctx, a.value, scope));
  if (!first || first.k !== "op" || rest.some((t) => t === undefined)) return undefined;
  const statics = first.statics;
  let acc: TTensor = first;
  for (const t of rest as TTensor[]) {
    const type = builtinShape(ctx, spec, [acc.type, t.type], statics, span, `\`${spec.name}\``);
    if (!type) return undefined;
    acc = { k: "op", op: spec.name, args: [acc, t], statics, type, span };
  }
  return acc;
}

const WANTS: Record<string, string> = {
  int: "a whole number or a size",
  dims: "a whole number or a size",
  float: "a number",
  string: "a string",
  bool: "`true` or `false`",
};

/** A static argument's value, or undefined after saying why it has none. */
function staticArg(ctx: CheckContext, spec: OpRecord, p: ParamSpec, e: A.Expr, scope: Scope): StaticValue | undefined {
  const s = staticEval(e, scope);
  const v = staticValue(p.kind, s);
  if (v !== undefined) return p.kind === "string" ? choice(ctx, spec, p, e, v as string) : v;
  const runtime = s.kind === "error" || s.kind === "symbolic";
  const subject = p.kind === "dims" ? `The sizes given to \`${spec.name}\`` : `\`${p.name}\` of \`${spec.name}\``;
  const label = runtime ? (e.kind === "Name" ? `\`${e.name}\` is computed at run time` : "this is computed at run time") : s.kind === "number" ? `this is ${s.value}` : undefined;
  ctx.error(e.span, runtime ? "not-static" : "bad-argument", `${subject} must be ${WANTS[p.kind]} known when compiling.`, {
    ...(label ? { label } : {}),
    ...(runtime ? { notes: originNote(ctx, e, scope) } : {}),
    ...(runtime && p.kind !== "string" && p.kind !== "bool" ? { hint: `a tensor's entries are known only when running: write the value itself, as in \`${p.kind === "dims" ? `${spec.name}(N, N)` : `${p.name}: 4`}\`.` } : {}),
  });
  return undefined;
}

function staticValue(kind: ParamSpec["kind"], s: StaticResult): StaticValue | undefined {
  switch (kind) {
    case "int":
    case "dims":
      return asDim(s);
    case "float":
      return asNumber(s);
    case "string":
      return s.kind === "string" ? s.value : undefined;
    case "bool":
      return s.kind === "bool" ? s.value : undefined;
    default:
      return undefined;
  }
}

function choice(ctx: CheckContext, spec: OpRecord, p: ParamSpec, e: A.Expr, v: string): string | undefined {
  if (!p.choices || p.choices.includes(v)) return v;
  ctx.error(e.span, "bad-argument", `\`${v}\` is not a choice for \`${p.name}\` of \`${spec.name}\`.`, {
    hint: suggestName(v, p.choices) ?? `the choices are ${p.choices.map((c) => `"${c}"`).join(", ")}.`,
  });
  return undefined;
}
