// Forward mode on a region: its primal ops, then each op's tangent from its record's `jvp`
// rule (constructs: compiler/autodiff/constructs.ts), in program order.
import { freeValues } from "../ir/free.js";
import type { Op, Region, Value } from "../ir/ir.js";
import { cloneRegion } from "../ir/substitute.js";
import { getOp } from "../ops/registry.js";
import { NoRule } from "../ops/rules.js";
import { forwardConstruct } from "./constructs.js";
import type { Emitter } from "./emitter.js";
import { NotDifferentiable } from "./errors.js";

export interface ForwardResult {
  results: Value[];
  /** The tangent of each result (undefined: zero). */
  tangents: (Value | undefined)[];
}

/**
 * Emits into `e` the primal ops of `region` with its parameters bound to `at`, then the
 * tangents given the parameters' `dirs` and the free values' `freeTangents` (by id).
 */
export function forward(e: Emitter, region: Region, at: Value[], dirs: (Value | undefined)[], freeTangents: ReadonlyMap<number, Value> = new Map()): ForwardResult {
  const map = new Map(region.params.map((p, i) => [p.id, at[i]]));
  const primal = cloneRegion({ params: [], ops: region.ops, results: region.results }, map, e.values);
  for (const op of primal.ops) e.emit(op);
  const tangents = new Map<number, Value>(freeTangents);
  at.forEach((v, i) => {
    const d = dirs[i];
    if (d) tangents.set(v.id, d);
  });
  for (const op of primal.ops) tangent(e, op, tangents);
  return { results: primal.results, tangents: primal.results.map((r) => tangents.get(r.id)) };
}

function tangent(e: Emitter, op: Op, tangents: Map<number, Value>): void {
  const ins = op.inputs.map((v) => tangents.get(v.id));
  switch (op.kind) {
    case "const":
    case "input":
      return;
    case "builtin": {
      if (ins.every((t) => t === undefined)) return;
      const record = getOp(op.opcode);
      if (!record?.jvp) throw new NotDifferentiable(op.opcode, op.span, "it has no forward-mode rule");
      try {
        const t = record.jvp(e, { op: op.opcode, inputs: op.inputs, output: op.outputs[0], statics: op.statics as never, active: ins.map((x) => x !== undefined) }, ins);
        if (t) tangents.set(op.outputs[0].id, t);
      } catch (err) {
        if (err instanceof NoRule) throw new NotDifferentiable(op.opcode, op.span, err.why);
        throw err;
      }
      return;
    }
    case "unroll":
    case "minimize":
    case "train":
      if (!op.inputs.some((_, i) => ins[i] !== undefined) && ![...freeValues(op)].some((id) => tangents.has(id))) return;
      throw new NotDifferentiable(op.kind, op.span, op.kind === "unroll" ? "a derivative of a gradient through a loop is not written yet" : `differentiating through a \`${op.kind}\` is not written yet`);
    case "solve":
    case "fixpoint":
    case "loop": {
      const free = new Map([...freeValues(op)].flatMap((id) => (tangents.has(id) ? [[id, tangents.get(id)!] as [number, Value]] : [])));
      if (ins.every((t) => t === undefined) && free.size === 0) return;
      forwardConstruct(e, op, ins, free).forEach((t, i) => {
        if (t) tangents.set(op.outputs[i].id, t);
      });
      return;
    }
    case "param":
    case "call":
    case "diff":
      throw new NotDifferentiable(op.kind, op.span, `a \`${op.kind}\` op should not remain when derivatives are built`);
  }
}
