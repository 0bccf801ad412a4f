// Transcendental functions (exp, log, tanh, sin, cos) have no WebAssembly instruction. They
// are imported from the host's Math (module "math"), which computes in f64: one call per lane,
// the lanes of a vector taken apart and put back. This is correct and, for the fixed-point
// maps it serves (tanh(Wx + b), where the matvec dominates), cheap enough; an in-module
// polynomial (range reduction + minimax) is the faster path when a map is dominated by them.
import type { UnaryOp } from "../kernel-ir.js";
import { Op, ValType } from "../wasm/opcodes.js";
import type { LaneEnv } from "./lane-env.js";
import { EXTRACT, LANES, REPLACE } from "./opcode-tables.js";

export function emitHostCall(env: LaneEnv, fn: UnaryOp, emitArg: () => void): void {
  const { f } = env;
  const index = env.host.get(fn);
  if (index === undefined) throw new Error(`internal error: host function ${fn} was not imported`);
  const narrow = env.dtype === "f32";
  const callOne = () => {
    if (narrow) f.op(Op.f64PromoteF32);
    f.call(index);
    if (narrow) f.op(Op.f32DemoteF64);
  };
  emitArg();
  if (env.mode === "scalar") {
    callOne();
    return;
  }
  env.scratch.with(ValType.v128, (v) => {
    f.tee(v);
    for (let lane = 0; lane < LANES[env.dtype]; lane++) {
      f.get(v).lane(EXTRACT[env.dtype], lane);
      callOne();
      f.lane(REPLACE[env.dtype], lane);
    }
  });
}
