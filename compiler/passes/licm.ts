// licm: loop-invariant code motion for every region of `loop`, `fixpoint` and `solve`. An op in
// a region whose inputs are all defined outside it computes the same value every time the
// region runs, so it moves out, before the construct: a preconditioner's probed diagonal, a
// mask, a coarse-grid constant are then computed once per solve instead of once per iteration.
// Regions are processed innermost first, so an invariant op can leave several levels at once.
// Only pure ops move (constants and builtins whose record says they are pure: not the random
// initialisers, not structural ops).
import { mapRegions, type Module, namedRegions, type Op, type Region } from "../ir/ir.js";
import { isPureBuiltin } from "./cse.js";

/** Pure builtins and constants move; structural ops and random initialisers stay. */
function movable(op: Op): boolean {
  return op.kind === "const" || (op.kind === "builtin" && isPureBuiltin(op.opcode));
}

/** Splits a region's ops into those that depend on its parameters (kept) and those that do not. */
function split(region: Region): { kept: Op[]; hoisted: Op[] } {
  const local = new Set(region.params.map((p) => p.id));
  const kept: Op[] = [];
  const hoisted: Op[] = [];
  for (const op of region.ops) {
    if (movable(op) && op.inputs.every((v) => !local.has(v.id))) hoisted.push(op);
    else {
      kept.push(op);
      for (const o of op.outputs) local.add(o.id);
    }
  }
  return { kept, hoisted };
}

/** Hoists out of the regions of every construct in `region`, innermost first. */
function hoistIn(region: Region): Region {
  const ops: Op[] = [];
  for (const op of region.ops) {
    if (namedRegions(op).length === 0) {
      ops.push(op);
      continue;
    }
    ops.push(
      mapRegions(op, (r) => {
        const inner = hoistIn(r);
        const { kept, hoisted } = split(inner);
        ops.push(...hoisted);
        return { ...inner, ops: kept };
      }),
    );
  }
  return { ...region, ops };
}

export const licm = {
  name: "licm",
  run(m: Module): Module {
    const funcs = new Map([...m.funcs].map(([name, f]) => [name, { ...f, body: hoistIn(f.body) }]));
    return { funcs, exports: m.exports };
  },
};
