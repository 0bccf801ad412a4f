// `check(program)`: names, types and shapes of a whole program, all diagnostics collected.
// Ops and models are visible everywhere in the file (they are formulas); values must be
// defined before they are used.
import { stdModules } from "../stdlib.js";
import type * as A from "../../grammar/ast.js";
import type { Diagnostic } from "../../base/diagnostics.js";
import { dimSym } from "../shapes.js";
import { typeFrom } from "./annotations.js";
import { CheckContext } from "./context.js";
import { checkContract } from "./contracts.js";
import { checkData, checkDim, checkExport, checkInput, checkParam, checkTrain, checkUse } from "./decls.js";
import { definitions } from "./defs.js";
import { checkOpCall, checkParamNames } from "./ops.js";
import { Scope } from "./scope.js";
import { checkStmt } from "./stmt.js";

export interface CheckOptions {
  /** Values for sizes (`--set N=63`); sizes without one stay symbolic while checking. */
  sizes?: ReadonlyMap<string, number>;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
}

/** The names of the standard library's modules (`use std.NAME`). */
export function stdlibModules(): string[] {
  return [...stdModules().keys()];
}

export function check(program: A.Program, options: CheckOptions = {}): CheckResult {
  const ctx = new CheckContext(program.file);
  const root = new Scope();
  root.expect(definitions(program.decls));
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
    checkParamNames(ctx, d.params);
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
    checkOpCall(ctx, { kind: "op", decl: d, scope: root }, d.name.name, args, d.span, probe, "probe");
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
      return checkUse(ctx, d, stdlibModules(), root);
    case "Dim":
      return checkDim(ctx, d, root, options.sizes);
    case "Input":
      return checkInput(ctx, d, root);
    case "ParamDecl":
      return checkParam(ctx, d, root);
    case "Op":
    case "Model":
      return; // checked at their calls (and unused ones at the end)
    case "Data":
      return checkData(ctx, d, root);
    case "Train":
      return checkTrain(ctx, d, root);
    case "Export":
      return checkExport(ctx, d, root);
    case "Check":
      return checkContract(ctx, d, root);
    default:
      checkStmt(ctx, d, root, { kind: "top" });
  }
}

