// dce: dead-code elimination. An op none of whose outputs is used (transitively) is removed,
// in every region. A function's results (and so `main`'s exports) are the roots, and so is
// every op of a kind in KEPT_KINDS, whether its outputs are used or not:
// - `loop`, `fixpoint`, `solve`, `minimize`, `train`: each one's convergence report is program
//   output (`iterc run` prints it, and a non-converged one sets the exit code), so running it
//   is an effect; `train` also writes its checkpoints;
// - `input`, `param`: the program's interface — the inputs a caller binds and the trainable
//   parameters a checkpoint holds do not depend on which of them the code happens to read;
// - `call`: the callee may hold any of the above (calls are gone after `specialise`).
// Everything else (constants and builtins) is removed when unused.
// Functions themselves and their params are kept.
import { mapRegions, type Module, type Op, type OpKind, type Region } from "../ir/ir.js";
import type { Pass } from "./pipeline.js";

export const KEPT_KINDS: ReadonlySet<OpKind> = new Set<OpKind>(["loop", "fixpoint", "solve", "minimize", "train", "input", "param", "call"]);

/** Removes dead ops of `r`, marking in `live` every value the kept ops and results use. */
function sweep(r: Region, live: Set<number>): Region {
  for (const v of r.results) live.add(v.id);
  const kept: Op[] = [];
  // Backwards: an op's uses (in ops after it, and in nested regions of ops after it) are all
  // marked by the time it is reached.
  for (let i = r.ops.length - 1; i >= 0; i--) {
    const op = r.ops[i];
    if (!KEPT_KINDS.has(op.kind) && !op.outputs.some((o) => live.has(o.id))) continue;
    const swept = mapRegions(op, (inner) => sweep(inner, live));
    for (const v of op.inputs) live.add(v.id);
    kept.push(swept);
  }
  return { params: r.params, ops: kept.reverse(), results: r.results };
}

export const dce: Pass = {
  name: "dce",
  run(m: Module): Module {
    const funcs = new Map([...m.funcs].map(([name, f]) => {
      const live = new Set<number>(name === "main" ? m.exports.map((e) => e.value.id) : []);
      return [name, { ...f, body: sweep(f.body, live) }];
    }));
    return { funcs, exports: m.exports };
  },
};
