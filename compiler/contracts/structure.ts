// What the program declares about its operators, and what the left side of a solve is built
// from: `A(u)` of an op tagged `is spd` is SPD, a sum of symmetric operators is symmetric,
// `P(v) - 100 * v` is symmetric (P is) but not known to be positive definite. Opaque when an
// operator parameter or anything else the program does not declare is involved: no claim.
import type * as A from "../../grammar/ast.js";
import type { ProgramIndex } from "./program-index.js";
import { resolvedChecks } from "./resolve.js";
import { closure, type Structure, TAGS } from "./tags.js";

/** The structures each top-level op declares: its tags, and the contracts that name it. */
export function declaredStructures(index: ProgramIndex): Map<string, Set<Structure>> {
  const out = new Map<string, Set<Structure>>();
  for (const [name, op] of index.ops) out.set(name, closure(op.tags.map((t) => t.name.name)));
  for (const c of resolvedChecks(index)) {
    const op = [...c.operators.values()][0];
    if (op?.kind === "op" && TAGS.has(c.record.name)) closure([...(out.get(op.name) ?? []), c.record.name]).forEach((s) => out.get(op.name)?.add(s));
  }
  return out;
}

export type Shape =
  | { kind: "known"; has: Set<Structure>; culprit?: string }
  /** An operator parameter, a builtin, a coefficient of unknown sign: nothing can be said. */
  | { kind: "opaque" };

const ALL: Structure[] = ["spd", "symmetric", "linear"];
const OPAQUE: Shape = { kind: "opaque" };

const known = (has: Iterable<Structure>, culprit?: string): Shape => ({ kind: "known", has: new Set(has), ...(culprit ? { culprit } : {}) });

function meet(a: Shape, b: Shape): Shape {
  if (a.kind === "opaque" || b.kind === "opaque") return OPAQUE;
  return known([...a.has].filter((s) => b.has.has(s)), a.culprit ?? b.culprit);
}

function withoutSpd(a: Shape): Shape {
  return a.kind === "opaque" ? a : known([...a.has].filter((s) => s !== "spd"), a.culprit);
}

/** A number literal's value (`0.1`, `-2`), else undefined. */
function literal(e: A.Expr): number | undefined {
  if (e.kind === "Number") return e.value;
  if (e.kind === "Paren") return literal(e.inner);
  if (e.kind === "Unary" && e.op === "-") {
    const v = literal(e.operand);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

/** The structure of `e` as an operator of the unknown `u`; `ops` are the declared structures. */
export function operatorShape(e: A.Expr, u: string, ops: ReadonlyMap<string, Set<Structure>>): Shape {
  const rec = (x: A.Expr) => operatorShape(x, u, ops);
  switch (e.kind) {
    case "Name":
      return e.name === u ? known(ALL) : OPAQUE;
    case "Paren":
      return rec(e.inner);
    case "Unary":
      return e.op === "-" ? withoutSpd(rec(e.operand)) : e.op === "+" ? rec(e.operand) : OPAQUE;
    case "Call": {
      const arg = e.args[0]?.value;
      if (e.callee.kind !== "Name" || e.args.length !== 1 || arg?.kind !== "Name" || arg.name !== u) return OPAQUE;
      const declared = ops.get(e.callee.name);
      if (!declared) return OPAQUE;
      return known(declared, declared.has("spd") ? undefined : e.callee.name);
    }
    case "Binary":
      return binaryShape(e, rec);
    default:
      return OPAQUE;
  }
}

function binaryShape(e: A.Binary, rec: (x: A.Expr) => Shape): Shape {
  if (e.op === "+") return meet(rec(e.left), rec(e.right));
  if (e.op === "-") return withoutSpd(meet(rec(e.left), rec(e.right)));
  if (e.op !== "*") return OPAQUE;
  const [c, x] = literal(e.left) !== undefined ? [literal(e.left)!, e.right] : [literal(e.right), e.left];
  if (c === undefined) return OPAQUE;
  return c > 0 ? rec(x) : withoutSpd(rec(x));
}
