// Transcendental functions have no WebAssembly instruction. exp and tanh (and sigmoid, through
// exp) are computed in the module in f64 (codegen/inline-math.ts); log, sin and cos are imported
// from the host's Math (module "math"), which computes in f64. Either way one lane at a time:
// the lanes of a vector taken apart and put back.
import { INLINE_MATH } from "../analysis.js";
import type { UnaryOp } from "../kernel-ir.js";
import { Op, ValType } from "../wasm/opcodes.js";
import { emitExp, emitTanh } from "./inline-math.js";
import type { LaneEnv } from "./lane-env.js";
import { EXTRACT, LANES, REPLACE } from "./opcode-tables.js";

export function emitHostCall(env: LaneEnv, fn: UnaryOp, emitArg: () => void): void {
  const { f } = env;
  const inline = INLINE_MATH.has(fn);
  const index = env.host.get(fn);
  if (!inline && index === undefined) throw new Error(`internal error: host function ${fn} was not imported`);
  const narrow = env.dtype === "f32";
  const callOne = () => {
    if (narrow) f.op(Op.f64PromoteF32);
    if (fn === "exp") emitExp(f, env.scratch);
    else if (fn === "tanh") emitTanh(f, env.scratch);
    else f.call(index!);
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
