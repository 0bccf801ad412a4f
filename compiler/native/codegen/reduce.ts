// Reductions inside a loop: accumulators live in locals for the whole loop (one per unrolled
// simd chunk, so consecutive chunks do not wait on each other's adds, plus one scalar for
// tails and boundary lanes) and are folded into the register once the loop ends.
//
// Sums, squared norms and dots accumulate in f64 even for f32 data: each f32 lane is promoted
// exactly (f64x2.promote_low_f32x4 on the low pair, a shuffle brings the high pair down), and
// a product of two promoted f32 values is exact in f64. max and min need no wider type (the
// result is one of the inputs) and fold in the data's dtype; NaN propagates through Wasm's
// min/max, so one NaN lane makes the result NaN.
import type { DType, LaneStmt } from "../kernel-ir.js";
import type { FunctionCode, Local } from "../wasm/code.js";
import { Op, Simd, ValType } from "../wasm/opcodes.js";
import { emitExpr } from "./expr.js";
import type { LaneEnv } from "./lane-env.js";
import { HIGH_HALF, LANES, SIMD_BINARY } from "./opcode-tables.js";

export type ReduceStmt = Extract<LaneStmt, { kind: "reduce" }>;

export interface Accumulator {
  readonly stmt: ReduceStmt;
  /** One v128 per unrolled simd chunk: f64x2 for sums, the dtype's vector for max/min. */
  readonly simd: readonly Local[];
  /** f64, for scalar lanes. */
  readonly scalar: Local;
}

const isExtreme = (s: ReduceStmt): s is ReduceStmt & { op: "max" | "min" } => s.op === "max" || s.op === "min";

export function createAccumulator(f: FunctionCode, stmt: ReduceStmt, chunks: number): Accumulator {
  const simd = Array.from({ length: chunks }, () => f.local(ValType.v128));
  return { stmt, simd, scalar: f.local(ValType.f64) };
}

function identity(stmt: ReduceStmt): number {
  return stmt.op === "max" ? -Infinity : stmt.op === "min" ? Infinity : 0;
}

export function initAccumulator(f: FunctionCode, dtype: DType, acc: Accumulator): void {
  const v = identity(acc.stmt);
  for (const l of acc.simd) {
    if (isExtreme(acc.stmt) && dtype === "f32") f.f32(v).simd(Simd.f32x4Splat);
    else f.f64(v).simd(Simd.f64x2Splat);
    f.set(l);
  }
  f.f64(v).set(acc.scalar);
}

/** Promotes the f32x4 in `v` to two f64x2 on the stack: low pair, then high pair. */
function promoteHalves(f: FunctionCode, v: Local): void {
  f.get(v).simd(Simd.f64x2PromoteLowF32x4);
  f.get(v).get(v).shuffle(HIGH_HALF).simd(Simd.f64x2PromoteLowF32x4);
}

/** Folds this lane (mode of `env`) into the accumulator; `chunk` picks the simd accumulator. */
export function emitReduce(env: LaneEnv, acc: Accumulator, chunk: number): void {
  const { f, dtype, scratch } = env;
  const s = acc.stmt;
  if (env.mode === "scalar") {
    const widen = () => (dtype === "f32" ? f.op(Op.f64PromoteF32) : f);
    f.get(acc.scalar);
    if (s.op === "dot") {
      emitExpr(env, s.a);
      widen();
      emitExpr(env, s.b);
      widen();
      f.op(Op.f64Mul);
    } else {
      emitExpr(env, s.x);
      widen();
      if (s.op === "sumsq") scratch.with(ValType.f64, (t) => f.tee(t).get(t).op(Op.f64Mul));
    }
    f.op(s.op === "max" ? Op.f64Max : s.op === "min" ? Op.f64Min : Op.f64Add);
    f.set(acc.scalar);
    return;
  }

  const target = acc.simd[chunk];
  f.get(target);
  if (isExtreme(s)) {
    emitExpr(env, s.x);
    f.simd(SIMD_BINARY[dtype][s.op]);
  } else if (dtype === "f64") {
    if (s.op === "dot") {
      emitExpr(env, s.a);
      emitExpr(env, s.b);
      f.simd(Simd.f64x2Mul);
    } else {
      emitExpr(env, s.x);
      if (s.op === "sumsq") scratch.with(ValType.v128, (t) => f.tee(t).get(t).simd(Simd.f64x2Mul));
    }
    f.simd(Simd.f64x2Add);
  } else {
    // f32 data: the four lanes become two f64x2 pairs; products are formed in f64.
    if (s.op === "dot") {
      const [ta, tb] = [scratch.take(ValType.v128), scratch.take(ValType.v128)];
      emitExpr(env, s.a);
      f.set(ta);
      emitExpr(env, s.b);
      f.set(tb);
      f.get(ta).simd(Simd.f64x2PromoteLowF32x4).get(tb).simd(Simd.f64x2PromoteLowF32x4).simd(Simd.f64x2Mul);
      f.get(ta).get(ta).shuffle(HIGH_HALF).simd(Simd.f64x2PromoteLowF32x4);
      f.get(tb).get(tb).shuffle(HIGH_HALF).simd(Simd.f64x2PromoteLowF32x4).simd(Simd.f64x2Mul);
      scratch.give(ta);
      scratch.give(tb);
    } else {
      emitExpr(env, s.x);
      scratch.with(ValType.v128, (t) => {
        f.set(t);
        if (s.op === "sumsq") {
          scratch.with(ValType.v128, (h) => {
            f.get(t).simd(Simd.f64x2PromoteLowF32x4).tee(h).get(h).simd(Simd.f64x2Mul);
            f.get(t).get(t).shuffle(HIGH_HALF).simd(Simd.f64x2PromoteLowF32x4).tee(h).get(h).simd(Simd.f64x2Mul);
          });
        } else promoteHalves(f, t);
      });
    }
    f.simd(Simd.f64x2Add);
    f.simd(Simd.f64x2Add);
  }
  f.set(target);
}

/** Folds all accumulators and stores the result (an f64) at the register's address. */
export function finishAccumulator(f: FunctionCode, dtype: DType, acc: Accumulator, address: number): void {
  const s = acc.stmt;
  const extreme = isExtreme(s);
  const vecOp = extreme ? SIMD_BINARY[dtype][s.op] : Simd.f64x2Add;
  const laneDtype: DType = extreme ? dtype : "f64";
  const scalarOp = s.op === "max" ? Op.f64Max : s.op === "min" ? Op.f64Min : Op.f64Add;
  f.i32(address);
  f.get(acc.simd[0]);
  for (let c = 1; c < acc.simd.length; c++) f.get(acc.simd[c]).simd(vecOp);
  const v = f.local(ValType.v128);
  f.set(v);
  f.get(acc.scalar);
  for (let lane = 0; lane < LANES[laneDtype]; lane++) {
    f.get(v);
    if (laneDtype === "f32") f.lane(Simd.f32x4ExtractLane, lane).op(Op.f64PromoteF32);
    else f.lane(Simd.f64x2ExtractLane, lane);
    f.op(scalarOp);
  }
  f.store("f64", 0);
}
