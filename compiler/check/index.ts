// `check(program)`: names, types and shapes of a whole program, all diagnostics collected.
// Ops and models are visible everywhere in the file (they are formulas); values must be
// defined before they are used.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as A from "../../grammar/ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { dimConst, dimSym } from "../shapes.js";
import { didYouMean } from "../suggest.js";
import { typeToString, typesEqual } from "../types.js";
import { typeFrom } from "./annotations.js";
import { CheckContext } from "./context.js";
import { tensorOf, typeOf, unknownName } from "./expr.js";
import { checkOpCall } from "./ops.js";
import { Scope } from "./scope.js";
import { asNumber, staticEval } from "./static.js";
import { checkStmt, defineValue } from "./stmt.js";

export interface CheckOptions {
  /** Values for sizes (`--set N=63`); sizes without one stay symbolic while checking. */
  sizes?: ReadonlyMap<string, number>;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
}

/** The folder of `.iter` modules that `use std.NAME` imports. */
export function stdlibDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "stdlib")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "stdlib");
}

export function stdlibModules(): string[] {
  const dir = stdlibDir();
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".iter")).map((f) => f.slice(0, -5)) : [];
}

export function check(program: A.Program, options: CheckOptions = {}): CheckResult {
  const ctx = new CheckContext(program.file);
  const root = new Scope();
  hoistOps(ctx, program, root);
  for (const d of program.decls) checkDecl(ctx, d, root, options);
  checkUnusedOps(ctx, program, root);
  return { diagnostics: [...ctx.diags.items].sort((a, b) => a.span.start.offset - b.span.start.offset) };
}

function hoistOps(ctx: CheckContext, program: A.Program, root: Scope): void {
  for (const d of program.decls) {
    if (d.kind !== "Op" && d.kind !== "Model") continue;
    const prev = root.own(d.name.name);
    if (prev?.kind === "op")
      ctx.error(d.name.span, "duplicate-name", `\`${d.name.name}\` is already defined on line ${prev.decl.span.start.line}.`, { hint: "give each op a name of its own." });
    else root.define(d.name.name, { kind: "op", decl: d, scope: root });
  }
}

/** An op that is never called is still checked, with its sizes kept symbolic. */
function checkUnusedOps(ctx: CheckContext, program: A.Program, root: Scope): void {
  for (const d of program.decls) {
    if ((d.kind !== "Op" && d.kind !== "Model") || ctx.used.has(d.name.name)) continue;
    if (!d.params.every((p) => p.type?.kind === "TensorType")) continue;
    const probe = root.child();
    const args: A.Arg[] = d.params.map((p) => {
      const t = typeFrom(ctx, p.type!, root, { allowNew: true, introduced: new Map() });
      const name = `${p.name.name}\u0000probe`;
      if (t) probe.define(name, { kind: "value", name, type: t, span: p.span, what: "parameter" });
      return { kind: "Arg", name: null, value: { kind: "Name", name, span: p.span }, span: p.span };
    });
    // Size parameters appear as symbols of their own name in the probe's argument types.
    for (const p of d.params)
      for (const n of sizeNamesOf(p.type!)) if (!root.lookup(n)) probe.define(n, { kind: "dim", name: n, value: dimSym(n), span: p.span });
    checkOpCall(ctx, { kind: "op", decl: d, scope: root }, d.name.name, args, d.span, probe);
  }
}

function sizeNamesOf(t: A.TypeExpr): string[] {
  if (t.kind !== "TensorType" || !t.shape) return [];
  const out: string[] = [];
  const walk = (e: A.Expr): void => {
    if (e.kind === "Name") out.push(e.name);
    else if (e.kind === "Binary") (walk(e.left), walk(e.right));
    else if (e.kind === "Paren") walk(e.inner);
  };
  t.shape.forEach(walk);
  return out;
}

function checkDecl(ctx: CheckContext, d: A.Decl, root: Scope, options: CheckOptions): void {
  switch (d.kind) {
    case "Use":
      return checkUse(ctx, d);
    case "Dim":
      return checkDim(ctx, d, root, options);
    case "Input":
      return checkInput(ctx, d, root);
    case "ParamDecl":
      return checkParam(ctx, d, root);
    case "Op":
    case "Model":
      return; // checked at their calls (and unused ones at the end)
    case "Data":
      ctx.warn(d.span, "planned", "`data` is checked for its names only: loading data sets comes with training (planned).");
      if (root.own(d.name.name)) ctx.error(d.name.span, "duplicate-name", `\`${d.name.name}\` is already defined.`);
      else root.define(d.name.name, { kind: "data", decl: d });
      return;
    case "Train":
      return checkTrain(ctx, d, root);
    case "Export":
      return checkExport(ctx, d, root);
    case "Check":
      ctx.warn(d.span, "planned", "`check` contracts are parsed but not yet turned into property tests (planned).");
      return;
    default:
      checkStmt(ctx, d, root, { kind: "top" });
  }
}

function checkUse(ctx: CheckContext, d: A.Use): void {
  const [head, mod] = d.path;
  const modules = stdlibModules();
  if (head?.name !== "std" || d.path.length !== 2) {
    ctx.error(d.span, "unknown-module", "Modules are imported from the standard library as `use std.NAME`.");
    return;
  }
  if (!modules.includes(mod.name))
    ctx.error(mod.span, "unknown-module", `There is no module \`std.${mod.name}\`.`, {
      hint: didYouMean(mod.name, modules) ?? (modules.length ? `the modules are ${modules.map((m) => `\`std.${m}\``).join(", ")}.` : "the standard library has no modules yet."),
    });
}

function checkDim(ctx: CheckContext, d: A.DimDecl, root: Scope, options: CheckOptions): void {
  for (const item of d.items) {
    const name = item.name.name;
    if (root.own(name)) {
      ctx.error(item.name.span, "duplicate-name", `\`${name}\` is already defined.`);
      continue;
    }
    if (item.value) {
      const v = staticEval(item.value, root);
      const n = v.kind === "error" ? undefined : asNumber(v);
      if (n === undefined || !Number.isInteger(n) || n < 0) ctx.error(item.value.span, "bad-size", `The size \`${name}\` must be a whole number ≥ 0 known when compiling.`);
    }
    const given = options.sizes?.get(name);
    root.define(name, { kind: "dim", name, value: given !== undefined ? dimConst(given) : dimSym(name), span: item.name.span });
  }
}

function checkInput(ctx: CheckContext, d: A.InputDecl, root: Scope): void {
  const introduced = new Map<string, A.Span>();
  const t = typeFrom(ctx, d.type, root, { allowNew: true, introduced });
  // Sizes first seen in an input's shape are bound by the data given for that input.
  for (const [n, span] of introduced) root.define(n, { kind: "dim", name: n, value: dimSym(n), span });
  if (!t) return;
  if (t.tag !== "tensor") {
    ctx.error(d.type.span, "bad-type", "An input must be a tensor, such as `f32[N, N]`.");
    return;
  }
  if (d.default) {
    const v = tensorOf(ctx, d.default, root, t);
    if (v && !typesEqual(v, t)) ctx.error(d.default.span, "shape-mismatch", `The default value is ${typeToString(v)}, but \`${d.name.name}\` is declared as ${typeToString(t)}.`);
  }
  defineValue(ctx, root, d.name, t, "input");
}

function checkParam(ctx: CheckContext, d: A.ParamDecl, root: Scope): void {
  const t = typeFrom(ctx, d.type, root);
  if (!t) return;
  if (t.tag !== "tensor") {
    ctx.error(d.type.span, "bad-type", "A parameter must be a tensor, such as `f32[H, H]`.");
    return;
  }
  if (d.init) {
    const v = tensorOf(ctx, d.init, root, t);
    if (v && !typesEqual(v, t)) ctx.error(d.init.span, "shape-mismatch", `The initial value is ${typeToString(v)}, but \`${d.name.name}\` is declared as ${typeToString(t)}.`);
  }
  defineValue(ctx, root, d.name, t, "parameter");
}

const TRAIN_KEYS = ["loss", "optimizer", "epochs", "batch", "seed", "checkpoint", "shuffle", "log", "validate", "steps"];

function checkTrain(ctx: CheckContext, d: A.TrainDecl, root: Scope): void {
  ctx.warn(d.span, "planned", "`train` is checked for its names only: training loops are planned and do not run yet.");
  const model = root.lookup(d.model.name);
  if (!model) unknownName(ctx, d.model.name, d.model.span, root);
  else if (model.kind !== "op" || model.decl.kind !== "Model") ctx.error(d.model.span, "type-mismatch", `\`${d.model.name}\` is not a model.`);
  const data = root.lookup(d.data.name);
  if (!data) unknownName(ctx, d.data.name, d.data.span, root);
  else if (data.kind !== "data") ctx.error(d.data.span, "type-mismatch", `\`${d.data.name}\` is not a data set.`);
  for (const s of d.settings)
    if (!TRAIN_KEYS.includes(s.key.name))
      ctx.error(s.key.span, "unknown-setting", `\`${s.key.name}\` is not a training setting.`, { hint: didYouMean(s.key.name, TRAIN_KEYS) ?? `the settings are ${TRAIN_KEYS.join(", ")}.` });
}

function checkExport(ctx: CheckContext, d: A.ExportDecl, root: Scope): void {
  if (d.value) {
    const t = typeOf(ctx, d.value, root);
    if (t && t.tag !== "tensor") ctx.error(d.value.span, "type-mismatch", "Only tensors can be exported.");
    if (t) defineValue(ctx, root, d.name, t, "export");
    return;
  }
  const b = root.lookup(d.name.name);
  if (!b) unknownName(ctx, d.name.name, d.name.span, root);
  else if (b.kind !== "value") ctx.error(d.name.span, "type-mismatch", `Only values can be exported; \`${d.name.name}\` is ${b.kind === "dim" ? "a size" : `an ${b.kind}`}.`);
}
