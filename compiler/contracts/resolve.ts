// From a `check` (or a structure tag) to the contract it states: its record, each argument
// resolved (operators with their domains, constructs, values, numbers), and what its `for`
// clauses say. Problems come back as data; the checker reports them, and the planner only ever
// sees contracts that resolved without one. Types are the checker's business (check/contracts.ts).
import type * as A from "../../grammar/ast.js";
import type { DiagnosticCode } from "../../base/diagnostics.js";
import type { Span } from "../../base/span.js";
import { closest } from "../../base/suggest.js";
import { exprText } from "./text.js";
import { staticNumber } from "./sizes.js";
import { getOp } from "../ops/index.js";
import { bindArgs } from "../check/args.js";
import { type ConstructDecl, type ProgramIndex, sizeNamesOf } from "./program-index.js";
import { condition, CONTRACTS } from "./registry.js";
import { type ContractRecord, SERIES } from "./record.js";
import { TAGS } from "./tags.js";
import { type Distribution, readDistribution } from "./distributions.js";

export interface Problem {
  span: Span;
  code: DiagnosticCode;
  message: string;
  hint?: string;
}

/** An operator a contract tests, with the parameter whose type is its domain. */
export type OperatorRef =
  | { kind: "op"; name: string; decl: A.OpDecl; point: string; domain: A.TypeExpr }
  | { kind: "lambda"; node: A.Lambda; point: string; domain: A.TypeExpr | null }
  /** A top-level fixpoint named by its result: its map, `target => body`. */
  | { kind: "fixpoint"; decl: A.Fixpoint; point: string; domain: A.TypeExpr };

export interface ResolvedContract {
  record: ContractRecord;
  /** The `check` declaration or the tag, for messages. */
  span: Span;
  /** The contract as written: `contractive(T, below: 1)`, `A is spd`. */
  text: string;
  origin: "check" | "tag";
  operators: Map<string, OperatorRef>;
  values: Map<string, A.Expr>;
  constructs: Map<string, { name: string; decl: ConstructDecl; span: Span }>;
  statics: Record<string, number | string>;
  given: readonly A.ForBinding[];
  /** What the `for` clauses draw inputs and points from, by name. */
  draws: Map<string, Distribution>;
  /** The sizes the `for` clauses give (`for n = 8`). */
  sizes: Map<string, number>;
}

/** How the caller evaluates a number known when compiling (the checker with its scope). */
export type NumberOf = (e: A.Expr) => number | undefined;

export interface Resolution {
  contract?: ResolvedContract;
  problems: Problem[];
}

const FORM = "A contract is a true/false condition, such as `check fro(W) < 1`, or a contract call, such as `check contractive(T, below: 1)`.";

/**
 * The contract call of a `check`: a call whose callee the program does not define, and which
 * is a contract's name or no builtin's (`check fro(W) < 1` calls the builtin; `check spd(A)`
 * the contract; `check sdp(A)` is a misspelt contract).
 */
function contractCallee(d: A.CheckDecl, lookup: (name: string) => "user" | "builtin" | undefined): A.Name | undefined {
  const e = d.contract;
  if (e.kind !== "Call" || e.callee.kind !== "Name") return undefined;
  const found = lookup(e.callee.name);
  return found === undefined || (found === "builtin" && CONTRACTS.has(e.callee.name)) ? e.callee : undefined;
}

export function resolveCheck(d: A.CheckDecl, index: ProgramIndex, lookup: (name: string) => "user" | "builtin" | undefined, numberOf: NumberOf): Resolution {
  const callee = contractCallee(d, lookup);
  const base = { span: d.span, text: contractText(d.contract), origin: "check" as const, given: d.given };
  if (!callee) return finish(newContract(condition, base, (c) => c.values.set("cond", d.contract)), index, numberOf, []);
  const record = CONTRACTS.get(callee.name);
  if (!record) {
    const near = closest(callee.name, [...CONTRACTS.keys()]);
    return { problems: [{ span: callee.span, code: "unknown-contract", message: `There is no contract \`${callee.name}\`.`, hint: near ? `did you mean \`${near}\`?` : `the contracts are ${[...CONTRACTS.keys()].map((k) => `\`${k}\``).join(", ")}; ${FORM}` }] };
  }
  const problems: Problem[] = [];
  const bound = bindArgs(record.params.map((p) => ({ name: p.name, optional: p.default !== undefined })), (d.contract as A.Call).args, d.contract.span, `\`${record.name}\``, "argument");
  for (const err of bound.errors) problems.push({ span: err.span, code: "bad-argument", message: err.message, ...(err.hint ? { hint: err.hint } : {}) });
  const contract = newContract(record, base, (c) => {
    for (const p of record.params) {
      const e = bound.byName.get(p.name)?.[0];
      if (e) bindParam(c, p.name, p.kind, e, index, numberOf, problems);
      else if (p.default !== undefined) c.statics[p.name] = p.default;
    }
  });
  return finish(contract, index, numberOf, problems);
}

/** `op A(u: f32[n, n]) is spd`: the contract `spd(A)`, verified like a `check`. */
export function resolveTag(op: A.OpDecl | A.ModelDecl, tag: A.Tag, index: ProgramIndex, numberOf: NumberOf): Resolution {
  const spec = TAGS.get(tag.name.name);
  if (!spec) {
    const near = closest(tag.name.name, [...TAGS.keys()]);
    return { problems: [{ span: tag.name.span, code: "unknown-contract", message: `There is no structure tag \`${tag.name.name}\`.`, hint: near ? `did you mean \`${near}\`?` : `the tags are ${[...TAGS.keys()].map((k) => `\`${k}\``).join(", ")}.` }] };
  }
  if (op.kind === "Model") return { problems: [{ span: tag.span, code: "bad-contract", message: "A model cannot carry a structure tag: tags describe the operators solvers apply.", hint: "tag an `op`, or state a `check` about the model." }] };
  const problems: Problem[] = [];
  const args = tag.args ?? [];
  if (args.length !== spec.args.length || args.some((a) => a.name !== null))
    problems.push({ span: tag.span, code: "bad-argument", message: `\`${spec.name}\` takes ${spec.args.length ? spec.args.map((a) => `its \`${a}\` as one number`).join(", ") : "no arguments"}.`, hint: spec.args.length ? `write \`is ${spec.name}(0.9)\`.` : `write \`is ${spec.name}\`.` });
  const text = `${op.name.name} is ${contractText({ kind: "Call", callee: { kind: "Name", name: tag.name.name, span: tag.span }, args, span: tag.span }).replace(/\(\)$/, "")}`;
  const contract = newContract(spec.record, { span: tag.span, text, origin: "tag", given: [] }, (c) => {
    const operator = opOperator(op, tag.span, problems);
    if (operator) c.operators.set(spec.record.params[0].name, operator);
    spec.args.forEach((name, i) => args[i] && bindParam(c, name, "number", args[i].value, index, numberOf, problems));
  });
  return finish(contract, index, numberOf, problems);
}

function newContract(record: ContractRecord, base: Pick<ResolvedContract, "span" | "text" | "origin" | "given">, fill: (c: ResolvedContract) => void): ResolvedContract {
  const c: ResolvedContract = { record, ...base, operators: new Map(), values: new Map(), constructs: new Map(), statics: {}, draws: new Map(), sizes: new Map() };
  fill(c);
  return c;
}

function finish(c: ResolvedContract, index: ProgramIndex, numberOf: NumberOf, problems: Problem[]): Resolution {
  resolveGiven(c, index, numberOf, problems);
  return problems.length ? { problems } : { contract: c, problems };
}

const contractText = exprText;

/** The contracts of a program's `check`s that resolve, from the program alone (no scope). */
export function resolvedChecks(index: ProgramIndex, sizes: ReadonlyMap<string, number> = new Map()): ResolvedContract[] {
  const lookup = (n: string) => (index.ops.has(n) || index.constructs.has(n) || index.inputs.has(n) || isTopLevelValue(index, n) ? ("user" as const) : getOp(n) ? ("builtin" as const) : undefined);
  return index.program.decls.flatMap((d) => (d.kind === "Check" ? (resolveCheck(d, index, lookup, (e) => staticNumber(e, sizes)).contract ?? []) : []));
}

function isTopLevelValue(index: ProgramIndex, name: string): boolean {
  return index.program.decls.some((d) => (d.kind === "Let" && d.names.some((n) => n.name === name)) || (d.kind === "Export" && d.value !== null && d.name.name === name) || (d.kind === "ParamDecl" && d.name.name === name));
}

function bindParam(c: ResolvedContract, name: string, kind: string, e: A.Expr, index: ProgramIndex, numberOf: NumberOf, problems: Problem[]): void {
  const problem = (message: string, hint?: string) => problems.push({ span: e.span, code: "bad-contract", message, ...(hint ? { hint } : {}) });
  const what = `\`${name}\` of \`${c.record.name}\``;
  switch (kind) {
    case "operator": {
      const op = operatorRef(e, index, what, problems);
      if (op) c.operators.set(name, op);
      return;
    }
    case "construct": {
      const decl = e.kind === "Name" ? index.constructs.get(e.name) : undefined;
      if (e.kind !== "Name" || !decl) return void problem(`${what} names a top-level \`fixpoint\`, \`solve\` or \`loop\` by the value it defines.`, "write the name after `fixpoint` or after `->`, e.g. `converges(u, within: 100)`.");
      if (decl.kind === "Minimize") return void problem("`minimize` does not run yet, so there is nothing to observe.");
      c.constructs.set(name, { name: e.name, decl, span: e.span });
      c.statics[name] = e.name;
      return;
    }
    case "number": {
      const v = numberOf(e);
      if (v === undefined || !Number.isFinite(v)) return void problem(`${what} must be a number known when compiling.`);
      c.statics[name] = v;
      return;
    }
    case "series":
      if (e.kind !== "Name" || !(SERIES as readonly string[]).includes(e.name)) return void problem(`${what} is one of ${SERIES.map((s) => `\`${s}\``).join(", ")}.`);
      c.statics[name] = e.name;
      return;
    default:
      c.values.set(name, e);
  }
}

function operatorRef(e: A.Expr, index: ProgramIndex, what: string, problems: Problem[]): OperatorRef | undefined {
  const problem = (message: string, hint?: string) => void problems.push({ span: e.span, code: "bad-contract", message, ...(hint ? { hint } : {}) });
  const inner = e.kind === "Paren" ? e.inner : e;
  if (inner.kind === "Lambda") {
    if (inner.params.length !== 1) return problem(`${what} takes one argument; this lambda takes ${inner.params.length}.`, "fix the other arguments inside it: `z => F(z, W)`.");
    return { kind: "lambda", node: inner, point: inner.params[0].name.name, domain: null };
  }
  if (inner.kind !== "Name") return problem(`${what} is an operator: an op's name, a lambda such as \`z => tanh(W @ z)\`, or the name of a fixpoint (its map).`);
  const op = index.ops.get(inner.name);
  if (op) return op.kind === "Model" ? problem(`${what} is an operator; \`${inner.name}\` is a model.`) : opOperator(op, e.span, problems);
  const construct = index.constructs.get(inner.name);
  if (construct?.kind === "Fixpoint") {
    if (!construct.type) return problem(`The fixpoint \`${inner.name}\` needs a declared type to be tested: its map's points are drawn from it.`, `write \`fixpoint ${inner.name}: f32[...] = ...\`.`);
    return { kind: "fixpoint", decl: construct, point: construct.target.name, domain: construct.type };
  }
  return problem(`${what} is an operator: an op's name, a lambda such as \`z => tanh(W @ z)\`, or the name of a fixpoint (its map).`, construct ? `\`${inner.name}\` is the result of a ${construct.kind.toLowerCase()}; only a fixpoint has a map.` : undefined);
}

/** An op tested as an operator: one tensor parameter with a declared type, its domain. */
function opOperator(op: A.OpDecl, span: Span, problems: Problem[]): OperatorRef | undefined {
  const [p, ...rest] = op.params;
  if (!p || rest.some((q) => q.default === null) || p.type?.kind !== "TensorType") {
    problems.push({
      span,
      code: "bad-contract",
      message: `A contract tests an op of one tensor argument with a declared type; \`${op.name.name}\` ${!p ? "takes none" : p.type?.kind !== "TensorType" ? `does not declare the type of \`${p.name.name}\`` : `takes ${op.params.length}`}.`,
      hint: p && p.type?.kind !== "TensorType" ? `declare it: \`op ${op.name.name}(${p.name.name}: f32[n]) ...\`.` : "test a lambda that fixes the other arguments, `z => F(z, W)`, and give `z` its type with `for z: f32[N]`.",
    });
    return undefined;
  }
  return { kind: "op", name: op.name.name, decl: op, point: p.name.name, domain: p.type };
}

/**
 * What each `for` names must be an input, a point of the contract, or a size; the draws and
 * sizes it gives are recorded. A lambda whose points are drawn needs `for z: type`.
 */
function resolveGiven(c: ResolvedContract, index: ProgramIndex, numberOf: NumberOf, problems: Problem[]): void {
  const points = new Map([...c.operators.values()].map((o) => [o.point, o]));
  const sizes = new Set([...index.dims.keys(), ...[...index.inputs.values()].flatMap((i) => sizeNamesOf(i.type)), ...[...points.values()].flatMap((o) => sizeNamesOf(o.domain))]);
  const seen = new Set<string>();
  for (const g of c.given) {
    const name = g.name.name;
    const problem = (message: string, hint?: string) => problems.push({ span: g.span, code: "bad-contract", message, ...(hint ? { hint } : {}) });
    if (seen.has(name)) problem(`\`${name}\` is given twice.`);
    seen.add(name);
    if (g.value) {
      const v = numberOf(g.value);
      if (!sizes.has(name)) problem(`\`for ${name} = ...\` gives a size its value, but \`${name}\` is not a size.`, sizes.size ? `the sizes here are ${[...sizes].map((s) => `\`${s}\``).join(", ")}.` : undefined);
      else if (v === undefined || !Number.isInteger(v) || v < 1) problem(`The size \`${name}\` must be a whole number ≥ 1 known when compiling.`);
      else c.sizes.set(name, v);
      continue;
    }
    if (g.draw) {
      const read = readDistribution(g.draw, numberOf);
      if (read.problem) problems.push({ code: "bad-contract", ...read.problem });
      else c.draws.set(name, read.dist!);
    }
    const point = points.get(name);
    const input = index.inputs.get(name);
    if (!point && !input) {
      const names = [...points.keys(), ...index.inputs.keys()];
      problem(`\`${name}\` is neither an input of the program nor a point of this contract.`, names.length ? `\`for\` draws ${names.map((n) => `\`${n}\``).join(", ")}${closest(name, names) ? `; did you mean \`${closest(name, names)}\`?` : "."}` : "this contract draws nothing: it has no inputs and no operator.");
    } else if (g.type && !(point?.kind === "lambda")) problem(`The type of \`${name}\` is declared where \`${name}\` is; \`for\` gives a type only to a lambda's parameter.`, `write \`for ${name} ~ ...\`.`);
  }
  const drawn = new Set(c.record.points.flatMap((p) => ("of" in p ? [p.of] : [])));
  for (const [param, op] of c.operators) {
    if (op.kind !== "lambda") continue;
    const typed = c.given.find((g) => g.name.name === op.point && g.type);
    if (typed) op.domain = typed.type;
    else if (drawn.has(param)) problems.push({ span: op.node.span, code: "bad-contract", message: `I need the type of \`${op.point}\` to draw points for this lambda.`, hint: `give it after the contract: \`for ${op.point}: f32[N]\`.` });
  }
}
