// Top-level declarations that are not statements: `use`, `dim`, `input`, `param`, `data`,
// `train`, `export` and `check`. (`op` and `model` are hoisted and checked at their calls.)
import { importModule, stdOps } from "../stdlib.js";
import type * as A from "../../grammar/ast.js";
import { type Dim, dimConst, dimSymbols, dimSym, dimToString, dimUnify } from "../shapes.js";
import { typeToString, typesEqual, type TensorT } from "../types.js";
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

export function checkDim(ctx: CheckContext, d: A.DimDecl, root: Scope, sizes?: ReadonlyMap<string, number>): void {
  for (const item of d.items) {
    const name = item.name.name;
    const prev = root.own(name);
    if (prev) {
      duplicate(ctx, item.name, prev);
      continue;
    }
    if (item.value) {
      const v = staticEval(item.value, root);
      const n = v.kind === "error" ? undefined : asNumber(v);
      if (n === undefined || !Number.isInteger(n) || n < 0)
        ctx.error(item.value.span, "bad-size", `The size \`${name}\` must be a whole number ≥ 0 known when compiling.`, { ...(n !== undefined ? { label: `this is ${n}` } : {}) });
    }
    const given = sizes?.get(name);
    root.define(name, { kind: "dim", name, value: given !== undefined ? dimConst(given) : dimSym(name), span: item.name.span });
  }
}

export function checkInput(ctx: CheckContext, d: A.InputDecl, root: Scope): void {
  const introduced = new Map<string, A.Span>();
  const t = typeFrom(ctx, d.type, root, { allowNew: true, introduced, respectLater: true });
  // Sizes first seen in an input's shape are bound by the data given for that input.
  for (const [n, span] of introduced) root.define(n, { kind: "dim", name: n, value: dimSym(n), span });
  if (!t || t.tag !== "tensor") {
    if (t) ctx.error(d.type.span, "bad-type", "An input must be a tensor, such as `f32[N, N]`.");
    root.define(d.name.name, { kind: "poisoned", name: d.name.name, span: d.name.span });
    return;
  }
  if (introduced.size && d.type.kind === "TensorType" && d.type.shape) checkBindable(ctx, d, d.type.shape, t, new Set(introduced.keys()));
  if (d.default && introduced.size) defaultCannotBind(ctx, d, introduced);
  else if (d.default) {
    const v = tensorOf(ctx, d.default, root, t);
    if (v && !typesEqual(v, t)) ctx.error(d.default.span, "shape-mismatch", `The default value is ${typeToString(v)}, but \`${d.name.name}\` is declared as ${typeToString(t)}.`, { label: `this is ${typeToString(v)}` });
  }
  defineValue(ctx, root, d.name, t, "input");
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

export function checkParam(ctx: CheckContext, d: A.ParamDecl, root: Scope): void {
  const t = typeFrom(ctx, d.type, root);
  if (!t || t.tag !== "tensor") {
    if (t) ctx.error(d.type.span, "bad-type", "A parameter must be a tensor, such as `f32[H, H]`.");
    root.define(d.name.name, { kind: "poisoned", name: d.name.name, span: d.name.span });
    return;
  }
  if (d.init) {
    const v = tensorOf(ctx, d.init, root, t);
    if (v && !typesEqual(v, t)) ctx.error(d.init.span, "shape-mismatch", `The initial value is ${typeToString(v)}, but \`${d.name.name}\` is declared as ${typeToString(t)}.`, { label: `this is ${typeToString(v)}` });
  }
  defineValue(ctx, root, d.name, t, "parameter");
}

export function checkData(ctx: CheckContext, d: A.DataDecl, root: Scope): void {
  ctx.warn(d.span, "planned", "`data` is checked for its names only: loading data sets comes with training (planned).");
  const prev = root.own(d.name.name);
  if (prev) duplicate(ctx, d.name, prev);
  else root.define(d.name.name, { kind: "data", decl: d });
}

const TRAIN_KEYS = ["loss", "optimizer", "epochs", "batch", "seed", "checkpoint", "shuffle", "log", "validate", "steps"];

export function checkTrain(ctx: CheckContext, d: A.TrainDecl, root: Scope): void {
  ctx.warn(d.span, "planned", "`train` is checked for its names only: training loops are planned and do not run yet.");
  const model = root.lookup(d.model.name);
  if (!model) unknownName(ctx, d.model.name, d.model.span, root);
  else if (model.kind !== "poisoned" && (model.kind !== "op" || model.decl.kind !== "Model"))
    ctx.error(d.model.span, "not-a-model", `\`${d.model.name}\` is not a model, so there is nothing to train.`, {
      notes: [ctx.origin(d.model.name, model) ?? ""].filter(Boolean),
      hint: model.kind === "op" ? `declare it with \`model ${d.model.name}(...)\`: \`train\` fits the \`param\`s a model uses.` : "`train` takes a model declared with `model NAME(...)`.",
    });
  const data = root.lookup(d.data.name);
  if (!data) unknownName(ctx, d.data.name, d.data.span, root);
  else if (data.kind !== "data" && data.kind !== "poisoned")
    ctx.error(d.data.span, "type-mismatch", `\`${d.data.name}\` is not a data set.`, { hint: `declare one with \`data ${d.data.name} = csv("file.csv", x: 0..8, y: 8)\`.` });
  for (const s of d.settings)
    if (!TRAIN_KEYS.includes(s.key.name))
      ctx.error(s.key.span, "unknown-setting", `\`${s.key.name}\` is not a training setting.`, {
        hint: suggestName(s.key.name, TRAIN_KEYS) ?? `the settings are ${TRAIN_KEYS.map((k) => `\`${k}\``).join(", ")}.`,
      });
}

export function checkExport(ctx: CheckContext, d: A.ExportDecl, root: Scope): void {
  const before = ctx.exported.get(d.name.name);
  if (before !== undefined && !d.value) {
    ctx.error(d.name.span, "duplicate-name", `\`${d.name.name}\` is already exported on line ${before}.`, { hint: "export each value once." });
    return;
  }
  ctx.exported.set(d.name.name, d.name.span.start.line);
  if (d.value) {
    const t = typeOf(ctx, d.value, root);
    if (t && t.tag !== "tensor") ctx.error(d.value.span, "type-mismatch", `Only tensors can be exported, but this is ${describeType(t)}.`);
    if (t?.tag === "tensor") defineValue(ctx, root, d.name, t, "export");
    else root.define(d.name.name, { kind: "poisoned", name: d.name.name, span: d.name.span });
    return;
  }
  const b = root.lookup(d.name.name);
  if (!b) return unknownName(ctx, d.name.name, d.name.span, root);
  if (b.kind === "poisoned" || (b.kind === "value" && b.type.tag === "tensor")) return;
  ctx.error(d.name.span, "type-mismatch", `Only tensors can be exported, but \`${d.name.name}\` is ${bindingNoun(b)}.`, { hint: exportHint(d.name.name, b) });
}

function bindingNoun(b: Binding): string {
  switch (b.kind) {
    case "value":
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
  if (b.kind === "value" && b.type.tag === "tuple") return `unpack it, \`let (a, b) = ${name}\`, and export each part.`;
  return `export a value it computes, as in \`export y = ${name}(x)\`.`;
}
