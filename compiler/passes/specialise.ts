// specialise: inlines every `call` of an op instance, so each region holds the operator's body
// itself (what autodiff's implicit rules and fusion need to see), then drops the functions.
// Lowering already made one closed instance per distinct (op, argument types, operator
// arguments), so inlining is a plain substitution of parameters by call inputs.
import { InternalError } from "../../base/diagnostics.js";
import type { Span } from "../../base/span.js";
import { type Func, mapRegions, type Module, type Op, type Region, type Value, type ValueFactory } from "../ir/ir.js";
import { cloneRegion, freshValues, renameUses } from "../ir/substitute.js";

export const specialise = {
  name: "specialise",
  run(m: Module): Module {
    const main = m.funcs.get("main");
    if (!main) throw new InternalError("specialise: the module has no main function");
    const { region, rename } = inlineCalls(main.body, m, freshValues(m), []);
    const func: Func = { ...main, body: region };
    const exports = m.exports.map((e) => ({ name: e.name, value: rename.get(e.value.id) ?? e.value }));
    return { funcs: new Map([["main", func]]), exports };
  },
};

/**
 * Inlines the calls of a region and of its nested regions. Returns the new region and how the
 * outputs of inlined calls were renamed (uses after a call refer to the inlined results).
 */
function inlineCalls(region: Region, m: Module, values: ValueFactory, stack: readonly string[]): { region: Region; rename: Map<number, Value> } {
  const ops: Op[] = [];
  const rename = new Map<number, Value>();
  const use = (v: Value) => rename.get(v.id) ?? v;
  for (const op of region.ops) {
    const inputs = op.inputs.map(use);
    if (op.kind !== "call") {
      ops.push({ ...mapRegions(op, (r) => inlineCalls(renameUses(r, rename), m, values, stack).region), inputs });
      continue;
    }
    const callee = op.callee;
    const fn = m.funcs.get(callee);
    if (!fn) throw new InternalError(`specialise: call of unknown function \`${callee}\``);
    if (stack.includes(callee)) throw new InternalError(`specialise: \`${callee}\` calls itself`);
    if (fn.body.params.length !== inputs.length) throw new InternalError(`specialise: \`${callee}\` takes ${fn.body.params.length} values, the call gives ${inputs.length}`);
    const bind = new Map(fn.body.params.map((p, i) => [p.id, inputs[i]]));
    const copy = cloneRegion({ params: [], ops: fn.body.ops, results: fn.body.results }, bind, values);
    const inlined = inlineCalls(copy, m, values, [...stack, callee]).region;
    ops.push(...(fn.std && op.span ? inlined.ops.map((o) => placedAt(o, op.span!)) : inlined.ops));
    op.outputs.forEach((o, i) => rename.set(o.id, inlined.results[i]));
  }
  return { region: { params: region.params, ops, results: region.results.map(use) }, rename };
}

/** An op of a standard-library instance, and the ops of its regions, placed at the user's call. */
function placedAt(op: Op, span: Span): Op {
  return { ...mapRegions(op, (r) => ({ ...r, ops: r.ops.map((o) => placedAt(o, span)) })), span };
}
