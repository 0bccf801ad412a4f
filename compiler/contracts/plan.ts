// A contract, planned: the program that measures it (the part of the user's program it needs,
// its operators as ops, its points as inputs, its quantities as exports), the sizes it runs at
// and what is drawn at random for each run. The program is compiled by the usual pipeline and
// run by the usual executor; nothing about a contract's meaning is decided here that its record
// does not say.
import type * as A from "../../grammar/ast.js";
import type { DType } from "../../base/dtype.js";
import type { Span } from "../../base/span.js";
import { DEFAULT_DISTRIBUTION, type Distribution } from "./distributions.js";
import type { ProgramIndex } from "./program-index.js";
import { sizeNamesOf } from "./program-index.js";
import type { Series } from "./record.js";
import type { ResolvedContract } from "./resolve.js";
import { DEFAULT_SIZE, staticNumber } from "./sizes.js";
import { sliceProgram } from "./slice.js";
import { instantiate, namesIn, templateExpr } from "./template.js";

/** One value drawn at random for every run: an input of the program or a point of the contract. */
export interface Draw {
  name: string;
  role: "input" | "point";
  dtype: DType;
  shape: number[];
  dist: Distribution;
}

export interface ContractPlan {
  contract: ResolvedContract;
  program: A.Program;
  /** Every size the contract's runs use, with its value (for messages). */
  sizes: Map<string, number>;
  /** The values of the program's `dim`s, given to the compiler as `--set` would. */
  set: Map<string, number>;
  draws: Draw[];
  /** Each quantity of the record, by the export that computes it. */
  exports: Record<string, string>;
  /** The construct whose report the verdict reads (`converges`, `decreasing`), and the export of its result. */
  construct?: { name: string; kind: "fixpoint" | "solve" | "loop"; export: string };
  series?: Series;
}

export class PlanError extends Error {
  constructor(
    readonly span: Span,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "PlanError";
  }
}

export function planContract(index: ProgramIndex, c: ResolvedContract, set: ReadonlyMap<string, number> = new Map()): ContractPlan {
  const sizes = programSizes(index, c, set);
  const fresh = freshNames(index.program);
  const ops = operatorOps(c, fresh);
  const points = pointDraws(c, sizes, fresh);
  const by = bindings(c, ops.names, points);
  const exports: Record<string, string> = {};
  const out: A.Decl[] = [];
  for (const [q, text] of Object.entries(c.record.quantities)) {
    exports[q] = fresh(`q_${q}`);
    out.push({ kind: "Export", name: ident(exports[q], c.span), value: instantiate(templateExpr(text), by, c.span), span: c.span });
  }
  const construct = c.record.reads ? c.constructs.get(c.record.reads) : undefined;
  const observed = construct && fresh(`observed_${construct.name}`);
  if (construct) out.push({ kind: "Export", name: ident(observed!, c.span), value: { kind: "Name", name: construct.name, span: c.span }, span: c.span });
  const named = [...[...c.constructs.values()].map((k) => k.name), ...[...c.operators.values()].flatMap((o) => (o.kind === "op" ? [o.name] : []))];
  const lambdas = [...c.operators.values()].flatMap((o) => (o.kind === "lambda" ? [o.node] : o.kind === "fixpoint" ? [o.decl.body] : []));
  const roots = new Set([...namesIn([...c.values.values(), ...lambdas]), ...named]);
  for (const o of c.operators.values()) if (o.kind !== "op") roots.delete(o.point);
  const kept = sliceProgram(index.program.decls, roots);
  const inputs = inputDraws(kept, c, sizes);
  const decls = [...introducedSizes(index, kept, sizes, c.span), ...uses(c), ...kept.map((d) => (d.kind === "Input" && inputs.some((i) => i.name === d.name.name) ? { ...d, default: null } : d)), ...points.decls, ...ops.decls, ...out];
  return {
    contract: c,
    program: { ...index.program, decls, comments: [] },
    sizes,
    set: new Map([...sizes].filter(([n]) => index.dims.has(n))),
    draws: [...inputs, ...points.draws],
    exports,
    ...(construct ? { construct: { name: construct.name, kind: construct.decl.kind.toLowerCase() as "fixpoint" | "solve" | "loop", export: observed! } } : {}),
    ...(typeof c.statics.series === "string" ? { series: c.statics.series as Series } : {}),
  };
}

const ident = (name: string, span: Span): A.Ident => ({ kind: "Ident", name, span });

/** A name the program does not use, from `base` (`a`, else `a_point`, `a_point_2`, ...). */
function freshNames(program: A.Program): (base: string) => string {
  const taken = namesIn(program.decls);
  return (base) => {
    let name = base;
    if (taken.has(name)) name = `${base}_point`;
    for (let i = 2; taken.has(name); i++) name = `${base}_point_${i}`;
    taken.add(name);
    return name;
  };
}

/**
 * Sizes: a contract's `for n = 8`, then `--set`, then the `dim`'s own value, then DEFAULT_SIZE;
 * sizes first named in an input's type or an operator's domain too.
 */
function programSizes(index: ProgramIndex, c: ResolvedContract, set: ReadonlyMap<string, number>): Map<string, number> {
  const sizes = new Map<string, number>();
  const value = (name: string, declared?: A.Expr | null) => c.sizes.get(name) ?? set.get(name) ?? (declared ? staticNumber(declared, sizes) : undefined) ?? DEFAULT_SIZE;
  for (const [name, item] of index.dims) sizes.set(name, value(name, item.value));
  const more = [...[...index.inputs.values()].flatMap((i) => sizeNamesOf(i.type)), ...[...c.operators.values()].flatMap((o) => sizeNamesOf(o.domain))];
  for (const name of more) if (!sizes.has(name)) sizes.set(name, value(name));
  return sizes;
}

/** `dim n = 8` for each size an input's type introduces, so the probe program has it. */
function introducedSizes(index: ProgramIndex, kept: readonly A.Decl[], sizes: ReadonlyMap<string, number>, span: Span): A.Decl[] {
  const names = kept.flatMap((d) => (d.kind === "Input" ? sizeNamesOf(d.type) : [])).filter((n) => !index.dims.has(n));
  return [...new Set(names)].map((n) => ({ kind: "Dim", items: [{ kind: "DimItem", name: ident(n, span), value: number(sizes.get(n)!, span), span }], span }));
}

const number = (v: number, span: Span): A.NumberLit => ({ kind: "Number", text: String(v), value: v, isInt: Number.isInteger(v), span });

function uses(c: ResolvedContract): A.Decl[] {
  if (!c.record.uses?.length) return [];
  return [{ kind: "Use", path: [ident("std", c.span), ident("contracts", c.span)], names: c.record.uses.map((n) => ident(n, c.span)), span: c.span }];
}

/** Each operator as an op the quantities can call: a user op by its name, a lambda or a fixpoint's map as a new op. */
function operatorOps(c: ResolvedContract, fresh: (base: string) => string): { names: Map<string, string>; decls: A.Decl[] } {
  const names = new Map<string, string>();
  const decls: A.Decl[] = [];
  for (const [param, o] of c.operators) {
    if (o.kind === "op") {
      names.set(param, o.name);
      continue;
    }
    const name = fresh(`contract_${param}`);
    const body = o.kind === "lambda" ? o.node.body : o.decl.body;
    const p: A.Param = { kind: "Param", name: ident(o.point, c.span), type: null, default: null, span: c.span };
    decls.push({ kind: "Op", name: ident(name, c.span), params: [p], result: null, tags: [], body: { kind: "ExprBody", expr: body, span: body.span }, span: c.span });
    names.set(param, name);
  }
  return { names, decls };
}

/** What each name of the record's quantities stands for. */
function bindings(c: ResolvedContract, ops: ReadonlyMap<string, string>, points: { names: Map<string, string> }): Map<string, A.Expr> {
  const by = new Map<string, A.Expr>();
  const name = (n: string): A.Name => ({ kind: "Name", name: n, span: c.span });
  for (const [param, op] of ops) by.set(param, name(op));
  for (const [param, e] of c.values) by.set(param, e);
  for (const [param, k] of c.constructs) by.set(param, name(k.name));
  for (const [point, input] of points.names) by.set(point, name(input));
  return by;
}

/** The concrete shape of a type at these sizes. */
function shapeOf(t: A.TypeExpr, sizes: ReadonlyMap<string, number>, span: Span): { dtype: DType; shape: number[] } {
  if (t.kind !== "TensorType") throw new PlanError(span, "The points of a contract are tensors: give a type such as `f32[N]`.");
  const shape = (t.shape ?? []).map((d) => staticNumber(d, sizes));
  if (shape.some((n) => n === undefined || !Number.isInteger(n) || n < 0)) throw new PlanError(t.span, "I can't compute this shape from the sizes of the contract.", "give the sizes it uses values with `for n = 8` or `--set`.");
  return { dtype: t.dtype, shape: shape as number[] };
}

/** The record's points as inputs of the probe program, each with its draw. */
function pointDraws(c: ResolvedContract, sizes: ReadonlyMap<string, number>, fresh: (base: string) => string): { names: Map<string, string>; draws: Draw[]; decls: A.Decl[] } {
  const names = new Map<string, string>();
  const draws: Draw[] = [];
  const decls: A.Decl[] = [];
  for (const p of c.record.points) {
    const op = "of" in p ? c.operators.get(p.of) : undefined;
    const t: A.TypeExpr = op?.domain ?? { kind: "TensorType", dtype: "f32", shape: null, span: c.span };
    const { dtype, shape } = shapeOf(t, sizes, c.span);
    const name = fresh(p.name);
    names.set(p.name, name);
    draws.push({ name, role: "point", dtype, shape, dist: (op && c.draws.get(op.point)) ?? DEFAULT_DISTRIBUTION });
    decls.push({ kind: "Input", name: ident(name, c.span), type: { kind: "TensorType", dtype, shape: shape.map((n) => number(n, c.span)), span: c.span }, default: null, span: c.span });
  }
  return { names, draws, decls };
}

/** The program's inputs the contract needs that are drawn: those without a value, and those a `for` names. */
function inputDraws(kept: readonly A.Decl[], c: ResolvedContract, sizes: ReadonlyMap<string, number>): Draw[] {
  return kept.flatMap((d): Draw[] => {
    if (d.kind !== "Input" || (d.default && !c.draws.has(d.name.name))) return [];
    const { dtype, shape } = shapeOf(d.type, sizes, d.span);
    return [{ name: d.name.name, role: "input", dtype, shape, dist: c.draws.get(d.name.name) ?? DEFAULT_DISTRIBUTION }];
  });
}
