// Top-level declarations that are not statements: `use`, `dim`, `input`, `param`, `data`,
// `train`, `export` and `check`. (`op` and `model` are hoisted and checked at their calls.)
import { importModule, stdOps } from "../stdlib.js";
import type * as A from "../../grammar/ast.js";
import { type Dim, dimConst, dimSubst, dimSymbols, dimSym, dimToString, dimUnify, dimValue } from "../shapes.js";
import { tensor, typeToString, typesEqual, type TensorT } from "../types.js";
import type { TDecl, TTensor } from "../typed/program.js";
import { typeFrom } from "./annotations.js";
import type { CheckContext } from "./context.js";
import { describeType, tensorOf, typeOf, unknownName } from "./expr.js";
import { bindingLine, type Binding, type Scope } from "./scope.js";
import { asNumber, staticEval } from "./static.js";
import { defineValue } from "./stmt.js";
import { suggestName } from "../../base/suggest.js";

export function duplicate(ctx: CheckContext, id: A.Ident, prev: Binding): void {
  const line = bindingLine(prev);
  ctx.error(id.span, "duplicate-name", `\`${id.name}\` is already defined${line !== undefined ? ` on line ${line}` : ""}.`, { hint: "give each name one definition." });
}

export function checkUse(ctx: CheckContext, d: A.Use, modules: readonly string[], root: Scope): void {
  const [head, mod] = d.path;
  if (head?.name !== "std" || d.path.length !== 2) {
    ctx.error(d.span, "unknown-module", "Modules are imported from the standard library as `use std.NAME`.");
    return;
  }
  if (!modules.includes(mod.name)) {
    ctx.error(mod.span, "unknown-module", `There is no module \`std.${mod.name}\`.`, {
      hint: suggestName(mod.name, modules) ?? (modules.length ? `the modules are ${modules.map((m) => `\`std.${m}\``).join(", ")}.` : "the standard library has no modules yet."),
    });
    return;
  }
  const missing = importModule(d, root);
  const offered = [...stdOps(mod.name).keys()];
  for (const name of missing) {
    const id = d.names?.find((n) => n.name === name);
    ctx.error(id?.span ?? d.span, "unknown-name", `\`std.${mod.name}\` has no \`${name}\`.`, { hint: suggestName(name, offered) ?? `it offers ${offered.map((o) => `\`${o}\``).join(", ")}.` });
  }
}

/**
 * Sizes: `--set` gives a value; a generic check keeps a declared `dim N = 63` symbolic (so
 * messages say `N`), the concrete elaboration takes its value.
 */
export function checkDim(ctx: CheckContext, d: A.DimDecl, root: Scope, sizes?: ReadonlyMap<string, number>): void {
  for (const item of d.items) {
    const name = item.name.name;
    const prev = root.own(name);
    if (prev) {
      duplicate(ctx, item.name, prev);
      continue;
    }
    let declared: number | undefined;
    if (item.value) {
      const v = staticEval(item.value, root);
      const n = v.kind === "error" ? undefined : asNumber(v);
      if (n === undefined || !Number.isInteger(n) || n < 0)
        ctx.error(item.value.span, "bad-size", `The size \`${name}\` must be a whole number ≥ 0 known when compiling.`, { ...(n !== undefined ? { label: `this is ${n}` } : {}) });
      else declared = n;
    }
    const value = sizes?.get(name) ?? (ctx.mode === "concrete" ? declared : undefined);
    root.define(name, { kind: "dim", name, value: value !== undefined ? dimConst(value) : dimSym(name), span: item.name.span });
  }
}

/** What the concrete elaboration knows of the data given to run: its shapes, and whether all must be given. */
export interface GivenData {
  shapes: ReadonlyMap<string, readonly number[]>;
  /** False for `iterc check`, which lowers without data. */
  required: boolean;
}

export function checkInput(ctx: CheckContext, d: A.InputDecl, root: Scope, data?: GivenData): TDecl | undefined {
  const introduced = new Map<string, A.Span>();
  const t0 = typeFrom(ctx, d.type, root, { allowNew: true, introduced, respectLater: true });
  // Sizes first seen in an input's shape are bound by the data given for that input.
  for (const [n, span] of introduced) root.define(n, { kind: "dim", name: n, value: dimSym(n), span });
  if (!t0 || t0.tag !== "tensor") {
    if (t0) ctx.error(d.type.span, "bad-type", "An input must be a tensor, such as `f32[N, N]`.");
    root.define(d.name.name, { kind: "poisoned", name: d.name.name, span: d.name.span });
    return undefined;
  }
  if (introduced.size && d.type.kind === "TensorType" && d.type.shape) checkBindable(ctx, d, d.type.shape, t0, new Set(introduced.keys()));
  const given = data?.shapes.get(d.name.name);
  const t = given ? bindFromData(ctx, d, t0, given, root) : t0;
  if (!t) {
    root.define(d.name.name, { kind: "poisoned", name: d.name.name, span: d.name.span });
    return undefined;
  }
  let dflt: TTensor | undefined;
  if (d.default && introduced.size) defaultCannotBind(ctx, d, introduced);
  else if (d.default) {
    dflt = tensorOf(ctx, d.default, root, t);
    if (dflt && !typesEqual(dflt.type, t)) {
      ctx.error(d.default.span, "shape-mismatch", `The default value is ${typeToString(dflt.type)}, but \`${d.name.name}\` is declared as ${typeToString(t)}.`, { label: `this is ${typeToString(dflt.type)}` });
      dflt = undefined;
    }
  }
  if (data?.required && !given && !d.default)
    ctx.error(d.name.span, "bad-input", `The input \`${d.name.name}\` needs a value.`, {
      hint: `give it with \`--input ${d.name.name}=file.npy\` (or .json), or declare a default: \`input ${d.name.name}: ... = value\`.`,
    });
  const sym = defineValue(ctx, root, d.name, t, "input");
  return { k: "input", sym, fromData: given !== undefined || !dflt, ...(dflt ? { default: dflt } : {}), span: d.span };
}

/** The sizes an input's shape names, bound from the shape of the data given for it. */
function bindFromData(ctx: CheckContext, d: A.InputDecl, declared: TensorT, given: readonly number[], root: Scope): TensorT | undefined {
  const mismatch = () => {
    ctx.error(d.type.span, "bad-input", `The data given for \`${d.name.name}\` has shape [${given.join(", ")}], but it is declared as ${typeToString(declared)}.`);
    return undefined;
  };
  if (given.length !== declared.shape.length) return mismatch();
  const bound = new Map<string, Dim>();
  for (let i = 0; i < given.length; i++) {
    const r = dimUnify(declared.shape[i], dimConst(given[i]), bound);
    if (r === false) return mismatch();
    if (!Array.isArray(r)) continue;
    const v = dimValue(r[1]);
    if (v === undefined || !Number.isInteger(v) || v < 0) {
      ctx.error(d.type.span, "bad-input", `The shape of the data given for \`${d.name.name}\`, [${given.join(", ")}], gives ${r[0]} = ${v ?? dimToString(r[1])}, which is not a size.`);
      return undefined;
    }
    bound.set(r[0], dimConst(v));
    root.define(r[0], { kind: "dim", name: r[0], value: dimConst(v), span: d.type.span });
  }
  return tensor(declared.dtype, declared.shape.map((dim) => dimSubst(dim, bound)));
}

/**
 * The data given for an input binds the sizes its shape names first, one dimension at a time
 * from the left (as lowering does): each must appear in a dimension alone or affinely
 * (`n`, `2 * n + 1`), with at most one new size per dimension.
 */
function checkBindable(ctx: CheckContext, d: A.InputDecl, written: readonly A.Expr[], t: TensorT, fresh: Set<string>): void {
  const bound = new Map<string, Dim>();
  t.shape.forEach((dim, i) => {
    const news = [...dimSymbols(dim)].filter((s) => fresh.has(s) && !bound.has(s));
    if (news.length === 0) return;
    const r = news.length === 1 ? dimUnify(dim, dimSym("\u0000data"), bound) : false;
    if (Array.isArray(r)) return void bound.set(r[0], r[1]);
    const what = news.length === 1 ? `the size \`${news[0]}\`` : `both ${news.map((n) => `\`${n}\``).join(" and ")}`;
    ctx.error(written[i].span, "unbindable-size", `I can't read ${what} from the data given for \`${d.name.name}\`.`, {
      label: `\`${dimToString(dim)}\` is not a size I can solve for`,
      notes: ["a size first named in an input's shape is read from its data, so it must stand alone (`n`) or in a simple form such as `2 * n + 1`, one new size per dimension."],
      hint: `name the dimension itself (\`input ${d.name.name}: ${d.type.kind === "TensorType" ? d.type.dtype : "f32"}[m]\`) and work with \`m\`, or declare the size first with \`dim ${news[0]} = ...\`.`,
    });
    news.forEach((n) => bound.set(n, dimSym(n)));
  });
}

/** `input f: f32[m] = zeros(8)`: `m` is read from given data, which a default does not replace. */
function defaultCannotBind(ctx: CheckContext, d: A.InputDecl, introduced: ReadonlyMap<string, A.Span>): void {
  const [name, span] = [...introduced][0];
  ctx.error(span, "unbindable-size", `The size \`${name}\` is read from the data given for \`${d.name.name}\`, so a default value cannot set it.`, {
    hint: `declare the size first, \`dim ${name} = ...\`, and the default can use it.`,
  });
}

export function checkParam(ctx: CheckContext, d: A.ParamDecl, root: Scope): TDecl | undefined {
  const t = typeFrom(ctx, d.type, root);
  if (!t || t.tag !== "tensor") {
    if (t) ctx.error(d.type.span, "bad-type", "A parameter must be a tensor, such as `f32[H, H]`.");
    root.define(d.name.name, { kind: "poisoned", name: d.name.name, span: d.name.span });
    return undefined;
  }
  let init: TTensor | undefined;
  if (d.init) {
    init = tensorOf(ctx, d.init, root, t);
    if (init && !typesEqual(init.type, t)) {
      ctx.error(d.init.span, "shape-mismatch", `The initial value is ${typeToString(init.type)}, but \`${d.name.name}\` is declared as ${typeToString(t)}.`, { label: `this is ${typeToString(init.type)}` });
      init = undefined;
    }
  }
  const sym = defineValue(ctx, root, d.name, t, "parameter");
  ctx.params.push(sym);
  // Without an initialiser a parameter starts at zeros.
  const value: TTensor = init ?? { k: "op", op: "zeros", args: [], statics: { dims: t.shape }, type: t, span: d.span };
  return d.init && !init ? undefined : { k: "param", sym, init: value, span: d.span };
}

export function checkExport(ctx: CheckContext, d: A.ExportDecl, root: Scope): TDecl | undefined {
  const before = ctx.exported.get(d.name.name);
  if (before !== undefined && !d.value) {
    ctx.error(d.name.span, "duplicate-name", `\`${d.name.name}\` is already exported on line ${before}.`, { hint: "export each value once." });
    return undefined;
  }
  ctx.exported.set(d.name.name, d.name.span.start.line);
  if (d.value) {
    const v = typeOf(ctx, d.value, root);
    if (v && v.type.tag !== "tensor") ctx.error(d.value.span, "type-mismatch", `Only tensors can be exported, but this is ${describeType(v.type)}.`);
    if (v?.type.tag !== "tensor") {
      root.define(d.name.name, { kind: "poisoned", name: d.name.name, span: d.name.span });
      return undefined;
    }
    const sym = defineValue(ctx, root, d.name, v.type, "export");
    return { k: "export", name: d.name.name, value: v as TTensor, sym, span: d.span };
  }
  const b = root.lookup(d.name.name);
  if (!b) return void unknownName(ctx, d.name.name, d.name.span, root);
  if (b.kind === "value") return { k: "export", name: d.name.name, value: { k: "sym", sym: b.sym, type: b.type, span: d.name.span }, span: d.span };
  if (b.kind === "poisoned") return undefined;
  ctx.error(d.name.span, "type-mismatch", `Only tensors can be exported, but \`${d.name.name}\` is ${bindingNoun(b)}.`, { hint: exportHint(d.name.name, b) });
  return undefined;
}

function bindingNoun(b: Binding): string {
  switch (b.kind) {
    case "value":
    case "tuple":
      return describeType(b.type);
    case "dim":
      return "a size";
    case "op":
      return b.decl.kind === "Model" ? "a model" : "an op";
    case "data":
      return "a data set";
    default:
      return "an operator";
  }
}

function exportHint(name: string, b: Binding): string {
  if (b.kind === "dim") return `to export its value, write \`export ${name.toLowerCase()}_value = ${name}\`.`;
  if (b.kind === "tuple") return `unpack it, \`let (a, b) = ${name}\`, and export each part.`;
  return `export a value it computes, as in \`export y = ${name}(x)\`.`;
}
