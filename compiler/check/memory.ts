// The memory a program will need, estimated when compiling with concrete sizes: every tensor's
// size is known then, so what cannot fit is refused with its size and its line before anything
// runs, instead of dying in an allocation halfway through a run. Two estimates: each tensor,
// where the checker makes it, and the peak of all the tensors alive at once, from liveness on
// the specialised IR (compiler/ir/liveness.ts), at the op where the peak occurs.
import type * as A from "../../grammar/ast.js";
import type { DType } from "../../base/dtype.js";
import { dimValue } from "../shapes.js";
import { type TensorT, typeToString } from "../types.js";
import type { CheckContext } from "./context.js";

const BYTES: Record<DType, number> = { f32: 4, f64: 8, i32: 4, bool: 1 };

/** The bytes a tensor of this concrete type takes (undefined while a size is symbolic). */
export function tensorBytes(t: TensorT): number | undefined {
  let n = BYTES[t.dtype];
  for (const d of t.shape) {
    const v = dimValue(d);
    if (v === undefined) return undefined;
    n *= v;
  }
  return n;
}

/** `1.50 GB`, `64.0 MB`, `12.3 kB`, `980 B`: three significant digits. */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  if (n >= 1000) return `${n.toExponential(2).replace("e+", "e")} ${units[u]}`;
  return u === 0 ? `${Math.round(n)} B` : `${n.toPrecision(3)} ${units[u]}`;
}

/** How much memory a program may plan for, and why that much (said in the message). */
export interface MemoryLimit {
  bytes: number;
  /** `half of this machine's memory`, `what the wasm backend can hold`. */
  why: string;
  hint: string;
}

export const limitText = (l: MemoryLimit) => `${formatBytes(l.bytes)} (${l.why})`;

/** A tensor larger than the limit is refused where it is made. */
export function checkTensorFits(ctx: CheckContext, t: TensorT, span: A.Span): boolean {
  const bytes = tensorBytes(t);
  const limit = ctx.memory;
  if (ctx.mode !== "concrete" || !limit || bytes === undefined || bytes <= limit.bytes) return true;
  ctx.error(span, "too-large", `This tensor, ${typeToString(t)}, takes ${formatBytes(bytes)}, more than the ${limitText(limit)}.`, { hint: limit.hint });
  return false;
}
