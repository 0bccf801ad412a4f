// autodiff: replaces every `diff` op (grad, jvp, vjp) by the ops of its derivative, innermost
// first, so a gradient of something that itself contains a gradient differentiates the ops the
// inner one became. Runs after `specialise` (every call inlined, every shape concrete) and
// before the simplifications, which then fold, hoist and merge what the derivative added.
import type { DiffOp, Module, Op, Region, Value, ValueFactory } from "../ir/ir.js";
import { mapRegions } from "../ir/ir.js";
import { freshValues, renameUses } from "../ir/substitute.js";
import type { Pass } from "../passes/pipeline.js";
import { Emitter } from "./emitter.js";
import { NotDifferentiable } from "./errors.js";
import { forward } from "./forward.js";
import { reverse } from "./reverse.js";

export const autodiff: Pass = {
  name: "autodiff",
  run(m: Module): Module {
    const values = freshValues(m);
    const rename = new Map<number, Value>();
    const funcs = new Map([...m.funcs].map(([name, f]) => [name, { ...f, body: expandIn(f.body, values, rename) }]));
    return { funcs, exports: m.exports.map((e) => ({ name: e.name, value: rename.get(e.value.id) ?? e.value })) };
  },
};

/** A region with its diff ops (in nested regions first) replaced by their derivatives. */
function expandIn(region: Region, values: ValueFactory, rename: Map<number, Value>): Region {
  const ops: Op[] = [];
  for (const original of region.ops) {
    const op = mapRegions(renameOp(original, rename), (r) => expandIn(r, values, rename));
    if (op.kind !== "diff") {
      ops.push(op);
      continue;
    }
    const e = new Emitter(values, op.span);
    const results = derivative(e, op);
    ops.push(...e.ops);
    op.outputs.forEach((o, i) => rename.set(o.id, results[i]));
  }
  return { params: region.params, ops, results: region.results.map((v) => rename.get(v.id) ?? v) };
}

function renameOp(op: Op, rename: ReadonlyMap<number, Value>): Op {
  if (rename.size === 0) return op;
  const withRegions = mapRegions(op, (r) => renameUses(r, rename));
  return { ...withRegions, inputs: op.inputs.map((v) => rename.get(v.id) ?? v) };
}

/** The ops of one derivative, emitted into `e`; returns its values (a gradient per point of a `grad`). */
function derivative(e: Emitter, op: DiffOp): Value[] {
  const fn = op.regions.fn;
  try {
    if (op.mode === "jvp") {
      const [x, dir] = op.inputs;
      const r = forward(e, fn, [x], [dir]);
      return [r.tangents[0] ?? e.zerosLike(r.results[0])];
    }
    const points = op.mode === "grad" ? op.inputs : [op.inputs[0]];
    const seed = op.mode === "grad" ? e.scalar(1) : op.inputs[1];
    const r = reverse(e, fn, points, [seed], points.map(() => true), new Set());
    return points.map((x, i) => r.params[i] ?? e.zerosLike(x));
  } catch (err) {
    if (err instanceof NotDifferentiable && !err.askedAt && op.span) err.askedAt = op.span;
    throw err;
  }
}
