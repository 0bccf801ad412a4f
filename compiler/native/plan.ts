// The memory planner: every buffer and scalar register gets a fixed address in one linear
// memory before any code is generated, so addresses are constants in the code (memarg
// offsets), nothing is allocated while iterating, and the memory is sized once. It is never
// grown: Memory.grow detaches every typed-array view of the old buffer, which both breaks
// views the driver holds and slows typed-array code in V8 measurably.
//
// Layout: the scalar register file first (one f64 per register), then each buffer, each
// starting on a 64-byte boundary (a cache line, and a multiple of the 16-byte v128).
import { BYTES, type DType, elementCount, type KernelSet } from "./kernel-ir.js";

export const PAGE_BYTES = 65536;
export const ALIGN = 64;
/** Addresses stay below 2 GiB so that every address is a non-negative i32. */
export const MAX_BYTES = 2 ** 31;

export interface BufferPlacement {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Byte address of element 0. */
  readonly offset: number;
  readonly length: number;
  readonly bytes: number;
}

export interface MemoryPlan {
  /** Byte address of each scalar register (an f64). */
  readonly scalars: ReadonlyMap<string, number>;
  readonly scalarInit: ReadonlyMap<string, number>;
  readonly buffers: ReadonlyMap<string, BufferPlacement>;
  /** Bytes in use (the end of the last buffer). */
  readonly usedBytes: number;
  /** The memory's size in 64 KiB pages, fixed for the program's life. */
  readonly pages: number;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export function planMemory(set: KernelSet): MemoryPlan {
  const scalars = new Map<string, number>();
  const scalarInit = new Map<string, number>();
  let cursor = 0;
  for (const s of set.scalars) {
    scalars.set(s.name, cursor);
    scalarInit.set(s.name, s.init ?? 0);
    cursor += 8;
  }
  const buffers = new Map<string, BufferPlacement>();
  for (const b of set.buffers) {
    cursor = alignUp(cursor, ALIGN);
    const length = elementCount(b.shape);
    const bytes = length * BYTES[b.dtype];
    buffers.set(b.name, { name: b.name, dtype: b.dtype, shape: b.shape, offset: cursor, length, bytes });
    cursor += bytes;
  }
  // A v128 load in a scalar tail never happens, but keep one vector of slack after the last
  // buffer anyway so a future full-vector tail cannot read past the memory's end.
  const usedBytes = cursor;
  const total = alignUp(cursor + 16, ALIGN);
  if (total > MAX_BYTES) throw new Error(`the native backend's memory plan needs ${total} bytes, over its 2 GiB limit`);
  return { scalars, scalarInit, buffers, usedBytes, pages: Math.max(1, Math.ceil(total / PAGE_BYTES)) };
}
