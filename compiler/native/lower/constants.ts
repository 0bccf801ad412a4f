// Values the compiler knows: const ops' attributes flattened, and the contents of the ops
// that make a tensor from their statics and shape alone (zeros, eye, grid, parity, …). They
// are computed here in float64 and rounded to the run's precision, so an f64 run gets f64
// grid coordinates, not float32 ones widened.
import type { Attr } from "../../ir/ir.js";
import { parityValues } from "../../ops/multigrid.js";
import { elementCount } from "../kernel-ir.js";

/** A const op's value, row-major (numbers, booleans as 0/1). */
export function attrValues(value: Attr, shape: readonly number[]): Float64Array {
  const out = new Float64Array(elementCount(shape));
  let i = 0;
  const walk = (a: Attr): void => {
    if (Array.isArray(a)) for (const x of a) walk(x);
    else if (typeof a === "number") out[i++] = a;
    else if (typeof a === "boolean") out[i++] = a ? 1 : 0;
  };
  walk(value);
  // A scalar written for a whole tensor (a splat constant) fills it.
  if (i === 1 && out.length > 1) out.fill(out[0]);
  return out;
}

const num = (a: Attr | undefined, fallback: number): number => (typeof a === "number" ? a : fallback);

/** Points of a grid axis, in float64 (compiler/ops/create.ts's gridPoints, unrounded). */
function axisPoints(n: number, lo: number, hi: number, interior: boolean): Float64Array {
  if (interior) {
    const h = (hi - lo) / (n + 1);
    return Float64Array.from({ length: n }, (_, i) => lo + (i + 1) * h);
  }
  return linspace(lo, hi, n);
}

function linspace(start: number, stop: number, n: number): Float64Array {
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  return Float64Array.from({ length: n }, (_, i) => (i === n - 1 && n > 1 ? stop : start + i * step));
}

/** The ops whose value depends on their statics and shapes only. */
export const CREATE_OPS: ReadonlySet<string> = new Set(["zeros", "ones", "fill", "eye", "grid", "linspace", "arange", "parity"]);

/** The contents of a creation op's output of this shape. */
export function createValues(opcode: string, statics: Readonly<Record<string, Attr>>, shape: readonly number[]): Float64Array {
  const size = elementCount(shape);
  switch (opcode) {
    case "zeros":
      return new Float64Array(size);
    case "ones":
      return new Float64Array(size).fill(1);
    case "fill":
      return new Float64Array(size).fill(num(statics.value, 0));
    case "eye": {
      const [n, m] = [shape[0], shape[1] ?? shape[0]];
      const out = new Float64Array(size);
      for (let i = 0; i < Math.min(n, m); i++) out[i * m + i] = 1;
      return out;
    }
    case "grid": {
      const n = shape[0];
      const pts = axisPoints(n, num(statics.lo, 0), num(statics.hi, 1), statics.interior !== false);
      const out = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = statics.axis === 1 ? pts[j] : pts[i];
      return out;
    }
    case "linspace":
      return linspace(num(statics.start, 0), num(statics.stop, 1), shape[0]);
    case "arange":
      return Float64Array.from({ length: shape[0] }, (_, i) => i);
    case "parity":
      return Float64Array.from(parityValues(shape));
  }
  throw new Error(`internal error: \`${opcode}\` is not a creation op`);
}
