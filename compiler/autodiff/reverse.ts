// Reverse mode on a region: its primal ops, then the backward sweep over them, each builtin's
// cotangents from its record's `vjp` rule (accumulated where a value is used twice), each
// construct's from its implicit or unrolled rule (compiler/autodiff/constructs.ts).
import type { Op, Region, Value } from "../ir/ir.js";
import { cloneRegion } from "../ir/substitute.js";
import { getOp } from "../ops/registry.js";
import { NoRule } from "../ops/rules.js";
import { freeValues } from "../ir/free.js";
import { activeOutputs } from "./activity.js";
import { reverseConstruct } from "./constructs.js";
import type { Emitter } from "./emitter.js";
import { NotDifferentiable } from "./errors.js";

/** Cotangents by value id, summed as they arrive. */
export class Cotangents {
  private readonly map = new Map<number, Value>();

  constructor(private readonly e: Emitter) {}

  get(id: number): Value | undefined {
    return this.map.get(id);
  }

  add(id: number, ct: Value | undefined): void {
    if (!ct) return;
    this.map.set(id, this.e.add(this.map.get(id), ct)!);
  }
}

export interface ReverseResult {
  /** The cotangent of each parameter asked for (undefined: zero). */
  params: (Value | undefined)[];
  /** The cotangents of the active free values of the region, by id. */
  free: Map<number, Value>;
  /** The region's results, as computed by the primal ops emitted. */
  results: Value[];
}

/**
 * Emits into `e` the primal ops of `region` with its parameters bound to `at`, then the
 * backward ops for the results' cotangents `seeds`. Active are the parameters `wrt` marks and
 * the free values `activeFree` names; the cotangents of those come back.
 */
export function reverse(e: Emitter, region: Region, at: Value[], seeds: (Value | undefined)[], wrt: boolean[], activeFree: ReadonlySet<number>): ReverseResult {
  const map = new Map(region.params.map((p, i) => [p.id, at[i]]));
  const primal = cloneRegion({ params: [], ops: region.ops, results: region.results }, map, e.values);
  for (const op of primal.ops) e.emit(op);
  const active = activeOutputs(primal.ops, new Set([...at.filter((_, i) => wrt[i]).map((v) => v.id), ...activeFree]));
  const cts = new Cotangents(e);
  primal.results.forEach((r, i) => cts.add(r.id, seeds[i]));
  for (let i = primal.ops.length - 1; i >= 0; i--) backward(e, primal.ops[i], cts, active);
  const free = new Map<number, Value>();
  for (const id of activeFree) {
    const ct = cts.get(id);
    if (ct) free.set(id, ct);
  }
  return { params: at.map((v, i) => (wrt[i] ? cts.get(v.id) : undefined)), free, results: primal.results };
}

/** One op's contribution to the cotangents of its active inputs (and captured values). */
function backward(e: Emitter, op: Op, cts: Cotangents, active: ReadonlySet<number>): void {
  const outCts = op.outputs.map((o) => cts.get(o.id));
  if (outCts.every((c) => c === undefined)) return;
  const activeIn = op.inputs.map((v) => active.has(v.id));
  switch (op.kind) {
    case "const":
    case "input":
      return;
    case "builtin": {
      if (!activeIn.some(Boolean)) return;
      const record = getOp(op.opcode);
      if (!record?.vjp) throw new NotDifferentiable(op.opcode, op.span, "it has no reverse-mode rule");
      let inCts: (Value | undefined)[];
      try {
        inCts = record.vjp(e, { op: op.opcode, inputs: op.inputs, output: op.outputs[0], statics: op.statics as never, active: activeIn }, outCts[0]!);
      } catch (err) {
        if (err instanceof NoRule) throw new NotDifferentiable(op.opcode, op.span, err.why);
        throw err;
      }
      op.inputs.forEach((v, i) => {
        if (activeIn[i]) cts.add(v.id, inCts[i]);
      });
      return;
    }
    case "unroll":
    case "minimize":
    case "train":
      if (!op.inputs.some((_, i) => activeIn[i]) && ![...freeValues(op)].some((id) => active.has(id))) return;
      throw new NotDifferentiable(op.kind, op.span, op.kind === "unroll" ? "a derivative of a gradient through a loop is not written yet" : `differentiating through a \`${op.kind}\` is not written yet`);
    case "solve":
    case "fixpoint":
    case "loop": {
      const free = [...freeValues(op)].filter((id) => active.has(id));
      if (!activeIn.some(Boolean) && free.length === 0) return;
      const r = reverseConstruct(e, op, outCts, activeIn, new Set(free));
      op.inputs.forEach((v, i) => cts.add(v.id, r.inputs[i]));
      for (const [id, ct] of r.free) cts.add(id, ct);
      return;
    }
    case "param":
    case "call":
    case "diff":
      throw new NotDifferentiable(op.kind, op.span, `a \`${op.kind}\` op should not remain when derivatives are built`);
  }
}
