// Creation: zeros, ones, fill, arange, linspace and coordinate grids. zeros/ones/fill take
// their sizes from `dims` (`zeros(N, N)`) or, written without sizes, from the type the context
// expects (`init zeros`); their dtype is the expected one, else f32.
import { dimValue } from "../shapes.js";
import { createdType, op, staticDim, staticInt, tensor } from "./common.js";
import type { ParamSpec } from "./registry.js";

const DIMS: ParamSpec = { name: "dims", kind: "dims", doc: "the sizes; absent: the expected type's" };

op({
  kind: "create",
  name: "zeros",
  doc: "A tensor of zeros, zeros(N, M) or shaped by context (`init zeros`).",
  params: [DIMS],
  shape: (q) => createdType("zeros", q),
});

op({
  kind: "create",
  name: "ones",
  doc: "A tensor of ones, ones(N, M) or shaped by context.",
  params: [DIMS],
  shape: (q) => createdType("ones", q),
});

op({
  kind: "create",
  name: "fill",
  doc: "A tensor with every entry `value`, fill(N, M, value: 0.5) or shaped by context.",
  params: [DIMS, { name: "value", kind: "float", doc: "the entry" }],
  shape: (q) => createdType("fill", q),
});

op({
  kind: "create",
  name: "arange",
  doc: "The integers 0, 1, …, n-1 (i32 by default, or dtype: \"f32\").",
  params: [
    { name: "n", kind: "int" },
    { name: "dtype", kind: "string", default: "i32", choices: ["i32", "f32"] },
  ],
  shape(q) {
    const n = staticDim(q.statics.n);
    if (n === undefined) return "`arange` needs a size: arange(n)";
    if ((dimValue(n) ?? 0) < 0) return "`arange` needs a non-negative size";
    return tensor(q.statics.dtype === "f32" ? "f32" : "i32", [n]);
  },
});

/** `num` points from start to stop inclusive, in f64 (each backend stores them in its float). */
export function linspaceValues(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) out[i] = i === num - 1 && num > 1 ? stop : start + i * step;
  return out;
}

op({
  kind: "create",
  name: "linspace",
  doc: "`num` evenly spaced points from start to stop inclusive, f32.",
  params: [
    { name: "start", kind: "float" },
    { name: "stop", kind: "float" },
    { name: "num", kind: "int" },
  ],
  shape(q) {
    const num = staticDim(q.statics.num);
    if (num === undefined) return "`linspace` needs a number of points: linspace(0, 1, n)";
    if ((dimValue(num) ?? 0) < 0) return "`linspace` needs a non-negative number of points";
    return tensor("f32", [num]);
  },
});

/** The coordinates of a grid of n points on [lo, hi]: interior (spacing (hi-lo)/(n+1)) or not. */
export function gridPoints(n: number, lo: number, hi: number, interior: boolean): Float64Array {
  if (!interior) return linspaceValues(lo, hi, n);
  const h = (hi - lo) / (n + 1);
  return Float64Array.from({ length: n }, (_, i) => lo + (i + 1) * h);
}

op({
  kind: "create",
  name: "grid",
  doc: "n×n coordinates of a uniform grid on [lo, hi]²: the x (axis 1) or y (axis 0) of each point.",
  params: [
    { name: "n", kind: "int" },
    { name: "axis", kind: "int", doc: "1: x, varying along columns; 0: y, varying along rows" },
    { name: "lo", kind: "float", default: 0 },
    { name: "hi", kind: "float", default: 1 },
    {
      name: "interior",
      kind: "bool",
      default: true,
      doc: "true: the n interior points lo+h … hi-h, h = (hi-lo)/(n+1); false: n points lo … hi",
    },
  ],
  shape(q) {
    const n = staticDim(q.statics.n);
    if (n === undefined) return "`grid` needs a size: grid(n, axis: 1)";
    const axis = staticInt(q.statics.axis);
    if (axis !== 0 && axis !== 1) {
      return "`grid` needs axis: 0 (y, varying down the rows) or axis: 1 (x, varying along the columns)";
    }
    return tensor("f32", [n, n]);
  },
});
