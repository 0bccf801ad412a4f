// `check(program)`: names, types and shapes of a whole program, all diagnostics collected, and
// the typed program lowering consumes. Ops and models are visible everywhere in the file (they
// are formulas); values must be defined before they are used.
//
// A generic check keeps sizes without a value symbolic; a concrete one (`concrete` given) makes
// every size a number, from `--set`, `dim N = …` and the shapes of the data given, and
// elaborates every instance — what only concrete sizes reveal (a size that is not whole, a
// standard-library method that does not fit) is found here, never in lowering.
import type { FloatDType } from "../../base/dtype.js";
import { stdModules } from "../stdlib.js";
import type * as A from "../../grammar/ast.js";
import type { Diagnostic } from "../../base/diagnostics.js";
import { type Dim, dimSym } from "../shapes.js";
import type { MemoryLimit } from "./memory.js";
import type { TDecl, TProgram } from "../typed/program.js";
import { typeFrom } from "./annotations.js";
import { CheckContext } from "./context.js";
import { checkContract, checkTags } from "./contracts.js";
import { indexProgram, type ProgramIndex } from "../contracts/program-index.js";
import { structureWarnings } from "../contracts/requirements.js";
import { checkData } from "./data.js";
import { checkDim, checkExport, checkInput, checkParam, checkUse, type GivenData } from "./decls.js";
import { checkTrain } from "./train.js";
import { definitions } from "./defs.js";
import { checkOpCall, checkParamNames } from "./ops.js";
import { Scope } from "./scope.js";
import { checkStmt } from "./stmt.js";

export interface CheckOptions {
  /** Values for sizes (`--set N=63`); sizes without one stay symbolic in a generic check. */
  sizes?: ReadonlyMap<string, number>;
  /** Elaborate concretely, with the shapes of the data given to run (none for `iterc check`). */
  concrete?: GivenData;
  /** The memory a concrete elaboration may plan for; what cannot fit is a located error. */
  memory?: MemoryLimit;
  /** How `f32` values are computed; the tolerance floor follows it. */
  precision?: FloatDType;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** The typed program, when there are no errors. */
  typed?: TProgram;
  /** A concrete elaboration stopped at a size no value was given for: nothing is decided yet. */
  undecided?: boolean;
}

export type { GivenData } from "./decls.js";

/** The names of the standard library's modules (`use std.NAME`). */
export function stdlibModules(): string[] {
  return [...stdModules().keys()];
}

export function check(program: A.Program, options: CheckOptions = {}): CheckResult {
  const ctx = new CheckContext(program.file, options.concrete ? "concrete" : "generic");
  ctx.memory = options.memory;
  ctx.precision = options.precision ?? "f32";
  const root = new Scope();
  root.expect(definitions(program.decls));
  hoistOps(ctx, program, root);
  const index = indexProgram(program);
  const decls: TDecl[] = [];
  for (const d of program.decls) {
    const t = checkDecl(ctx, d, root, options, index);
    if (t) decls.push(t);
  }
  if (ctx.mode === "generic") {
    for (const d of program.decls) if (d.kind === "Op" || d.kind === "Model") checkTags(ctx, d, root, index);
    for (const w of structureWarnings(index)) ctx.warn(w.span, "undeclared-structure", w.message, { hint: w.hint });
    checkUnusedOps(ctx, program, root);
  }
  const diagnostics = [...ctx.diags.items].sort((a, b) => a.span.start.offset - b.span.start.offset);
  const failed = diagnostics.some((d) => d.severity === "error");
  return { diagnostics, ...(failed ? {} : { typed: { decls, sizes: sizesOf(program, root) } }), ...(ctx.undecided ? { undecided: true } : {}) };
}

/** Every size the program names (declared, or first named in an input's shape) and its value. */
function sizesOf(program: A.Program, root: Scope): Map<string, Dim> {
  const names = program.decls.flatMap((d) => (d.kind === "Dim" ? d.items.map((i) => i.name.name) : d.kind === "Input" ? sizeNamesOf(d.type) : []));
  const out = new Map<string, Dim>();
  for (const n of names) {
    const b = root.lookup(n);
    if (b?.kind === "dim" && !out.has(n)) out.set(n, b.value);
  }
  return out;
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
      if (t?.tag === "tensor") probe.define(name, { kind: "value", name, type: t, span: p.span, what: "parameter", sym: ctx.sym(name, t) });
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

function checkDecl(ctx: CheckContext, d: A.Decl, root: Scope, options: CheckOptions, index: ProgramIndex): TDecl | undefined {
  switch (d.kind) {
    case "Use":
      return void checkUse(ctx, d, stdlibModules(), root);
    case "Dim":
      return void checkDim(ctx, d, root, options.sizes);
    case "Input":
      return checkInput(ctx, d, root, options.concrete);
    case "ParamDecl":
      return checkParam(ctx, d, root);
    case "Op":
    case "Model":
      return undefined; // checked at their calls (and unused ones at the end)
    case "Data":
      return checkData(ctx, d, root);
    case "Train":
      return checkTrain(ctx, d, root);
    case "Export":
      return checkExport(ctx, d, root);
    case "Check":
      return void checkContract(ctx, d, root, index);
    default: {
      const c = checkStmt(ctx, d, root, { kind: "top" });
      return c && "stmt" in c ? { k: "stmt", stmt: c.stmt } : undefined;
    }
  }
}

