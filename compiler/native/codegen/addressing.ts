// How a lane's reads and stores find their element. One i32 `ptr` walks the lanes and every
// buffer's address is a constant memarg offset, `base + delta + bias + extra`, where delta is
// the read's offset in bytes ((di·cols + dj)·size), `extra` places an unrolled chunk, a tail
// lane or an edge column, and `bias` is subtracted from ptr so that ptr stays ≥ 0 while the
// offsets stay ≥ 0 (Wasm offsets are unsigned; a stencil reading one row up would otherwise
// need a negative one).
//
// Boundaries cost nothing at run time: the grid emitter knows, for each piece of code it
// emits (a boundary row, an edge column), which offset reads fall outside the grid, and
// those reads are the constant 0 (the zero boundary) instead of a load.
import type { DType } from "../kernel-ir.js";
import { BYTES } from "../kernel-ir.js";
import type { MemoryPlan } from "../plan.js";
import type { FunctionCode, Local, MemType } from "../wasm/code.js";
import { Op } from "../wasm/opcodes.js";
import type { ReadExpr } from "./lane-env.js";
import { type Mode, SPLAT } from "./opcode-tables.js";

export interface Addressing {
  readonly mode: Mode;
  read(e: ReadExpr): void;
  /** Pushes the store address; then the caller pushes the value and calls `storeTo`. */
  storeAddress(): void;
  storeTo(buffer: string): void;
  /** Pushes the lane's red–black colour: 1 where row + column is even (see `parityCode`). */
  parity(): void;
}

function baseOf(plan: MemoryPlan, buffer: string): number {
  const b = plan.buffers.get(buffer);
  if (!b) throw new Error(`internal error: buffer \`${buffer}\` has no placement`);
  return b.offset;
}

export function addressing(
  f: FunctionCode,
  plan: MemoryPlan,
  o: {
    mode: Mode;
    dtype: DType;
    ptr: Local;
    bias: number;
    extra: number;
    cols: number;
    /** Whether a read at this offset falls outside the grid for every lane emitted here. */
    outside?: (di: number, dj: number) => boolean;
    /** The row index (grids; absent for a rank-1 loop) and the first lane's column, for `parity`. */
    row?: Local;
    column?: number;
  },
): Addressing {
  const type: MemType = o.mode === "simd" ? "v128" : o.dtype;
  const size = BYTES[o.dtype];
  return {
    mode: o.mode,
    read(e) {
      const [di, dj] = e.offset ?? [0, 0];
      if (o.outside?.(di, dj)) {
        if (o.dtype === "f32") f.f32(0);
        else f.f64(0);
        if (o.mode === "simd") f.simd(SPLAT[o.dtype]);
        return;
      }
      const offset = baseOf(plan, e.buffer) + (di * o.cols + dj) * size + o.bias + o.extra;
      if (offset < 0) throw new Error(`internal error: negative memarg offset reading \`${e.buffer}\``);
      f.get(o.ptr).load(type, offset);
    },
    storeAddress: () => f.get(o.ptr),
    storeTo: (buffer) => f.store(type, baseOf(plan, buffer) + o.bias + o.extra),
    parity: () => parityCode(f, o.mode, o.dtype, o.row, o.column ?? 0),
  };
}

/** The lanes' colours as one vector: [1, 0, 1, 0] when the first lane's row + column is even. */
function makePattern(dtype: DType, firstEven: boolean): number[] {
  const one = dtype === "f32" ? [0, 0, 0x80, 0x3f] : [0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
  const zero = one.map(() => 0);
  const lanes = 16 / one.length;
  return Array.from({ length: lanes }, (_, l) => ((l % 2 === 0) === firstEven ? one : zero)).flat();
}

const PATTERNS = {
  f32: [makePattern("f32", false), makePattern("f32", true)],
  f64: [makePattern("f64", false), makePattern("f64", true)],
} as const;

const pattern = (dtype: DType, firstEven: boolean): readonly number[] => PATTERNS[dtype][firstEven ? 1 : 0];

/**
 * The colour 1 − ((row + column) mod 2). The column is known when the code is generated (every
 * vector of a run starts on a column of the same parity: vectors are 2 or 4 lanes); the row
 * is a local, absent in a rank-1 loop (one row, row 0).
 */
function parityCode(f: FunctionCode, mode: Mode, dtype: DType, row: Local | undefined, column: number): void {
  const evenColumn = column % 2 === 0;
  if (mode === "simd") {
    if (!row) {
      f.v128(pattern(dtype, evenColumn));
      return;
    }
    // select(val1, val2, c) = c ≠ 0 ? val1 : val2, c = (row + column) & 1: the first lane is odd.
    f.v128(pattern(dtype, !evenColumn)).v128(pattern(dtype, evenColumn));
    f.get(row).i32(1).op(Op.i32And);
    f.op(Op.select);
    return;
  }
  if (!row) {
    if (dtype === "f32") f.f32(evenColumn ? 1 : 0);
    else f.f64(evenColumn ? 1 : 0);
    return;
  }
  f.get(row).i32(column).op(Op.i32Add).i32(1).op(Op.i32And).op(Op.i32Eqz);
  f.op(dtype === "f32" ? Op.f32ConvertI32U : Op.f64ConvertI32U);
}
