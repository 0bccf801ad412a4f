// The standard library: the `.iter` files in stdlib/, parsed once. Their ops live in one scope
// of their own (so a multigrid cycle can call a smoother from another module); `use std.NAME`
// brings a module's ops into a program, and methods are found here by name.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as A from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { Scope } from "./check/scope.js";
import { InternalError } from "../base/diagnostics.js";

export interface StdModule {
  name: string;
  file: string;
  source: string;
  program: A.Program;
}

/** The folder of `.iter` modules, found from this file whether run from src or dist. */
export function stdlibDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "stdlib")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "stdlib");
}

let modules: Map<string, StdModule> | undefined;
let scope: Scope | undefined;

export function stdModules(): Map<string, StdModule> {
  if (modules) return modules;
  modules = new Map();
  const dir = stdlibDir();
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".iter")).sort() : [];
  for (const f of files) {
    const file = join(dir, f);
    const source = readFileSync(file, "utf8");
    const parsed = parse(source, `stdlib/${f}`);
    const errors = parsed.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) throw new InternalError(`stdlib/${f} does not parse: ${errors[0].message} (line ${errors[0].span.start.line})`);
    modules.set(f.slice(0, -5), { name: f.slice(0, -5), file: `stdlib/${f}`, source, program: parsed.program });
  }
  return modules;
}

/** The ops of a module (or of all modules), by name. */
export function stdOps(module?: string): Map<string, A.OpDecl | A.ModelDecl> {
  const out = new Map<string, A.OpDecl | A.ModelDecl>();
  for (const m of stdModules().values())
    if (module === undefined || m.name === module)
      for (const d of m.program.decls) if (d.kind === "Op" || d.kind === "Model") out.set(d.name.name, d);
  return out;
}

/** The module a declaration comes from, when it is the standard library's. */
export function stdModuleOf(decl: A.OpDecl | A.ModelDecl): StdModule | undefined {
  for (const m of stdModules().values()) if (m.program.decls.includes(decl)) return m;
  return undefined;
}

/** One scope holding every stdlib op; each op's own scope is this one. */
export function stdScope(): Scope {
  if (scope) return scope;
  const s = new Scope(undefined, true);
  for (const [name, decl] of stdOps()) s.define(name, { kind: "op", decl, scope: s });
  scope = s;
  return s;
}

/** The op `name` of the standard library, as a binding usable from any scope. */
export function stdOp(name: string): { kind: "op"; decl: A.OpDecl | A.ModelDecl; scope: Scope } | undefined {
  const b = stdScope().own(name);
  return b?.kind === "op" ? b : undefined;
}

/**
 * Defines the ops a `use` imports in `into`; returns the names asked for that the module does
 * not have (the caller reports them).
 */
export function importModule(use: A.Use, into: Scope): string[] {
  const mod = use.path[1]?.name ?? "";
  const ops = stdOps(mod);
  const wanted = use.names ? use.names.map((n) => n.name) : [...ops.keys()];
  const missing: string[] = [];
  for (const n of wanted) {
    const b = stdOp(n);
    if (b && ops.has(n)) into.define(n, b);
    else missing.push(n);
  }
  return missing;
}
