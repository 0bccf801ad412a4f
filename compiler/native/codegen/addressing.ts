// How a lane's reads and stores find their element, in the two kinds of loop region.
//
// Unchecked (every read in bounds): one i32 `ptr` walks the lanes and every buffer's address
// is a constant memarg offset, `base + delta + bias + extra`, where delta is the read's
// offset in bytes ((di·cols + dj)·size), `extra` places an unrolled chunk or tail lane, and
// `bias` is subtracted from ptr so that ptr stays ≥ 0 while offsets stay ≥ 0 (Wasm offsets
// are unsigned; a stencil reading one row up would otherwise need a negative one).
//
// Checked (boundary lanes, scalar only): ptr is the lane's byte index, and a read at an
// offset tests its row and column against the grid, reading 0 outside.
import type { DType } from "../kernel-ir.js";
import { BYTES } from "../kernel-ir.js";
import type { MemoryPlan } from "../plan.js";
import type { FunctionCode, Local, MemType } from "../wasm/code.js";
import { Op } from "../wasm/opcodes.js";
import type { ReadExpr } from "./lane-env.js";
import { type Mode, VALTYPE } from "./opcode-tables.js";

export interface Addressing {
  readonly mode: Mode;
  read(e: ReadExpr): void;
  /** Pushes the store address; then the caller pushes the value and calls `storeTo`. */
  storeAddress(): void;
  storeTo(buffer: string): void;
}

function baseOf(plan: MemoryPlan, buffer: string): number {
  const b = plan.buffers.get(buffer);
  if (!b) throw new Error(`internal error: buffer \`${buffer}\` has no placement`);
  return b.offset;
}

export function unchecked(
  f: FunctionCode,
  plan: MemoryPlan,
  o: { mode: Mode; dtype: DType; ptr: Local; bias: number; extra: number; cols: number },
): Addressing {
  const type: MemType = o.mode === "simd" ? "v128" : o.dtype;
  const size = BYTES[o.dtype];
  return {
    mode: o.mode,
    read(e) {
      const [di, dj] = e.offset ?? [0, 0];
      const offset = baseOf(plan, e.buffer) + (di * o.cols + dj) * size + o.bias + o.extra;
      if (offset < 0) throw new Error(`internal error: negative memarg offset reading \`${e.buffer}\``);
      f.get(o.ptr).load(type, offset);
    },
    storeAddress: () => f.get(o.ptr),
    storeTo: (buffer) => f.store(type, baseOf(plan, buffer) + o.bias + o.extra),
  };
}

export function checked(
  f: FunctionCode,
  plan: MemoryPlan,
  o: { dtype: DType; ptr: Local; row: Local; col: Local; rows: number; cols: number },
): Addressing {
  const size = BYTES[o.dtype];
  const inRange = (index: Local, delta: number, limit: number) => {
    f.get(index).i32(delta).op(Op.i32Add).i32(limit).op(Op.i32LtU);
  };
  return {
    mode: "scalar",
    read(e) {
      const base = baseOf(plan, e.buffer);
      const [di, dj] = e.offset ?? [0, 0];
      if (di === 0 && dj === 0) {
        f.get(o.ptr).load(o.dtype, base);
        return;
      }
      if (di !== 0) inRange(o.row, di, o.rows);
      if (dj !== 0) inRange(o.col, dj, o.cols);
      if (di !== 0 && dj !== 0) f.op(Op.i32And);
      f.begin("if", VALTYPE[o.dtype]);
      f.get(o.ptr)
        .i32((di * o.cols + dj) * size)
        .op(Op.i32Add)
        .load(o.dtype, base);
      f.else();
      if (o.dtype === "f32") f.f32(0);
      else f.f64(0);
      f.end();
    },
    storeAddress: () => f.get(o.ptr),
    storeTo: (buffer) => f.store(o.dtype, baseOf(plan, buffer)),
  };
}
