// A scalar step runs inline in its kernel's function: each assignment computes in f64 and
// stores its register before the next one starts, so `beta = rr / rz; rz = rr` means what it
// says. Registers are read from memory each time (a few loads per kernel call).
import type { ScalarStep } from "../kernel-ir.js";
import type { FunctionCode } from "../wasm/code.js";
import { type CodegenContext, registerAddress } from "./context.js";
import { emitExpr } from "./expr.js";
import { ScratchLocals } from "./lane-env.js";

export function emitScalarStep(f: FunctionCode, step: ScalarStep, ctx: CodegenContext, scratch: ScratchLocals): void {
  const env = {
    f,
    mode: "scalar" as const,
    dtype: "f64" as const,
    read: () => {
      throw new Error("internal error: a scalar step cannot read a buffer");
    },
    temps: new Map(),
    register: (name: string) => f.i32(0).load("f64", registerAddress(ctx, name)),
    host: ctx.host,
    scratch,
    parity: () => {
      throw new Error("internal error: a scalar step has no lane colour");
    },
  };
  for (const { reg, expr } of step.assigns) {
    f.i32(registerAddress(ctx, reg));
    emitExpr(env, expr);
    f.store("f64", 0);
  }
}
