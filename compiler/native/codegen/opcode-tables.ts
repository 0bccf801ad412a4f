// Which Wasm instruction computes each kernel-IR operation, per dtype and per lane mode
// (a whole v128 of lanes, or one scalar lane).
import type { BinaryOp, CompareOp, DType } from "../kernel-ir.js";
import { Op, Simd, type SimdOp, ValType } from "../wasm/opcodes.js";

export type Mode = "simd" | "scalar";

/** Unary ops with a single instruction. */
export type DirectUnary = "neg" | "abs" | "sqrt" | "floor" | "ceil" | "trunc" | "round";

export const SIMD_BINARY: Record<DType, Record<BinaryOp, SimdOp>> = {
  f32: {
    add: Simd.f32x4Add,
    sub: Simd.f32x4Sub,
    mul: Simd.f32x4Mul,
    div: Simd.f32x4Div,
    min: Simd.f32x4Min,
    max: Simd.f32x4Max,
  },
  f64: {
    add: Simd.f64x2Add,
    sub: Simd.f64x2Sub,
    mul: Simd.f64x2Mul,
    div: Simd.f64x2Div,
    min: Simd.f64x2Min,
    max: Simd.f64x2Max,
  },
};

export const SCALAR_BINARY: Record<DType, Record<BinaryOp, number>> = {
  f32: { add: Op.f32Add, sub: Op.f32Sub, mul: Op.f32Mul, div: Op.f32Div, min: Op.f32Min, max: Op.f32Max },
  f64: { add: Op.f64Add, sub: Op.f64Sub, mul: Op.f64Mul, div: Op.f64Div, min: Op.f64Min, max: Op.f64Max },
};

export const SIMD_UNARY: Record<DType, Record<DirectUnary, SimdOp>> = {
  f32: {
    neg: Simd.f32x4Neg,
    abs: Simd.f32x4Abs,
    sqrt: Simd.f32x4Sqrt,
    floor: Simd.f32x4Floor,
    ceil: Simd.f32x4Ceil,
    trunc: Simd.f32x4Trunc,
    round: Simd.f32x4Nearest,
  },
  f64: {
    neg: Simd.f64x2Neg,
    abs: Simd.f64x2Abs,
    sqrt: Simd.f64x2Sqrt,
    floor: Simd.f64x2Floor,
    ceil: Simd.f64x2Ceil,
    trunc: Simd.f64x2Trunc,
    round: Simd.f64x2Nearest,
  },
};

export const SCALAR_UNARY: Record<DType, Record<DirectUnary, number>> = {
  f32: {
    neg: Op.f32Neg,
    abs: Op.f32Abs,
    sqrt: Op.f32Sqrt,
    floor: Op.f32Floor,
    ceil: Op.f32Ceil,
    trunc: Op.f32Trunc,
    round: Op.f32Nearest,
  },
  f64: {
    neg: Op.f64Neg,
    abs: Op.f64Abs,
    sqrt: Op.f64Sqrt,
    floor: Op.f64Floor,
    ceil: Op.f64Ceil,
    trunc: Op.f64Trunc,
    round: Op.f64Nearest,
  },
};

export const SIMD_COMPARE: Record<DType, Record<CompareOp, SimdOp>> = {
  f32: { lt: Simd.f32x4Lt, le: Simd.f32x4Le, gt: Simd.f32x4Gt, ge: Simd.f32x4Ge, eq: Simd.f32x4Eq, ne: Simd.f32x4Ne },
  f64: { lt: Simd.f64x2Lt, le: Simd.f64x2Le, gt: Simd.f64x2Gt, ge: Simd.f64x2Ge, eq: Simd.f64x2Eq, ne: Simd.f64x2Ne },
};

export const SCALAR_COMPARE: Record<DType, Record<CompareOp, number>> = {
  f32: { lt: Op.f32Lt, le: Op.f32Le, gt: Op.f32Gt, ge: Op.f32Ge, eq: Op.f32Eq, ne: Op.f32Ne },
  f64: { lt: Op.f64Lt, le: Op.f64Le, gt: Op.f64Gt, ge: Op.f64Ge, eq: Op.f64Eq, ne: Op.f64Ne },
};

export const SPLAT: Record<DType, SimdOp> = { f32: Simd.f32x4Splat, f64: Simd.f64x2Splat };
export const EXTRACT: Record<DType, SimdOp> = { f32: Simd.f32x4ExtractLane, f64: Simd.f64x2ExtractLane };
export const REPLACE: Record<DType, SimdOp> = { f32: Simd.f32x4ReplaceLane, f64: Simd.f64x2ReplaceLane };
export const VALTYPE: Record<DType, ValType> = { f32: ValType.f32, f64: ValType.f64 };
/** Lanes per v128. */
export const LANES: Record<DType, number> = { f32: 4, f64: 2 };

/** Shuffle lanes 2 and 3 of an f32x4 down to 0 and 1 (then f64x2.promote_low_f32x4). */
export const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15] as const;
