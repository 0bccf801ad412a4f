// Emits a kernel-IR expression for one lane mode: its value ends on the Wasm stack (a v128
// of lanes in simd mode, one f32/f64 in scalar mode). Both modes follow the same expression
// tree, operation for operation, so simd lanes, tails and boundary lanes round identically.
import type { BinaryOp, Compare, Expr, UnaryOp } from "../kernel-ir.js";
import { Op, Simd } from "../wasm/opcodes.js";
import { laneType, type LaneEnv } from "./lane-env.js";
import { emitHostCall } from "./host-math.js";
import {
  type DirectUnary,
  SCALAR_BINARY,
  SCALAR_COMPARE,
  SCALAR_UNARY,
  SIMD_BINARY,
  SIMD_COMPARE,
  SIMD_UNARY,
  SPLAT,
} from "./opcode-tables.js";

const DIRECT = new Set<UnaryOp>(["neg", "abs", "sqrt", "floor", "ceil", "trunc", "round"]);

export function emitExpr(env: LaneEnv, e: Expr): void {
  const { f } = env;
  switch (e.kind) {
    case "read":
      env.read(e);
      return;
    case "scalar":
      env.register(e.reg);
      return;
    case "parity":
      env.parity();
      return;
    case "const":
      emitConst(env, e.value);
      return;
    case "temp": {
      const l = env.temps.get(e.name);
      if (!l) throw new Error(`internal error: temporary \`${e.name}\` has no local`);
      f.get(l);
      return;
    }
    case "binary":
      emitExpr(env, e.a);
      emitExpr(env, e.b);
      if (env.mode === "simd") f.simd(SIMD_BINARY[env.dtype][e.op]);
      else f.op(SCALAR_BINARY[env.dtype][e.op]);
      return;
    case "unary":
      emitUnary(env, e.op, e.x);
      return;
    case "select":
      emitExpr(env, e.then);
      emitExpr(env, e.else);
      emitCompare(env, e.cond);
      if (env.mode === "simd") f.simd(Simd.v128Bitselect);
      else f.op(Op.select);
      return;
  }
}

export function emitConst(env: LaneEnv, value: number): void {
  if (env.dtype === "f32") env.f.f32(value);
  else env.f.f64(value);
  if (env.mode === "simd") env.f.simd(SPLAT[env.dtype]);
}

/** Pushes a lane mask (simd) or an i32 0/1 (scalar). */
function emitCompare(env: LaneEnv, c: Compare): void {
  emitExpr(env, c.a);
  emitExpr(env, c.b);
  if (env.mode === "simd") env.f.simd(SIMD_COMPARE[env.dtype][c.op]);
  else env.f.op(SCALAR_COMPARE[env.dtype][c.op]);
}

function binaryOp(env: LaneEnv, op: BinaryOp): void {
  if (env.mode === "simd") env.f.simd(SIMD_BINARY[env.dtype][op]);
  else env.f.op(SCALAR_BINARY[env.dtype][op]);
}

function emitUnary(env: LaneEnv, op: UnaryOp, x: Expr): void {
  const { f } = env;
  if (DIRECT.has(op)) {
    emitExpr(env, x);
    const direct = op as DirectUnary;
    if (env.mode === "simd") f.simd(SIMD_UNARY[env.dtype][direct]);
    else f.op(SCALAR_UNARY[env.dtype][direct]);
    return;
  }
  switch (op) {
    case "square":
      emitExpr(env, x);
      env.scratch.with(laneType(env.mode, env.dtype), (t) => f.tee(t).get(t));
      binaryOp(env, "mul");
      return;
    case "reciprocal":
      emitConst(env, 1);
      emitExpr(env, x);
      binaryOp(env, "div");
      return;
    case "relu":
      // max(x, 0): NaN stays NaN (Wasm's max propagates it), like tfjs's relu on NaN.
      emitExpr(env, x);
      emitConst(env, 0);
      binaryOp(env, "max");
      return;
    case "sign":
      emitSign(env, x);
      return;
    case "sigmoid":
      // 1 / (1 + exp(-x)): exp(-x) overflows to +inf for x < -709 (f64), giving exactly 0.
      emitConst(env, 1);
      emitConst(env, 1);
      emitHostCall(env, "exp", () => emitUnary(env, "neg", x));
      binaryOp(env, "add");
      binaryOp(env, "div");
      return;
    case "exp":
    case "log":
    case "tanh":
    case "sin":
    case "cos":
      emitHostCall(env, op, () => emitExpr(env, x));
      return;
    default:
      throw new Error(`internal error: unary op ${op} has no emission rule`);
  }
}

/** sign(x) = x > 0 ? 1 : x < 0 ? -1 : x (so ±0 and NaN pass through, like NumPy). */
function emitSign(env: LaneEnv, x: Expr): void {
  const { f } = env;
  emitExpr(env, x);
  env.scratch.with(laneType(env.mode, env.dtype), (t) => {
    f.set(t);
    const cmp = (op: "gt" | "lt") => {
      f.get(t);
      emitConst(env, 0);
      if (env.mode === "simd") f.simd(SIMD_COMPARE[env.dtype][op]);
      else f.op(SCALAR_COMPARE[env.dtype][op]);
    };
    const pick = () => (env.mode === "simd" ? f.simd(Simd.v128Bitselect) : f.op(Op.select));
    emitConst(env, 1);
    emitConst(env, -1);
    f.get(t);
    cmp("lt");
    pick();
    cmp("gt");
    pick();
  });
}
