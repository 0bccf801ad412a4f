// A plain-TS evaluator of IR regions, the oracle for the region fuser's tests: op by op, from
// the definitions (the op records' scalar folds with NumPy broadcasting, stencils with bounds
// tested per point, reductions in float64, transfers from their formulas), in float64 or with
// every op's result rounded to float32. None of the fuser's machinery (no fusion, no stages,
// no buffers) is used.
import type { Attr, Op, Region } from "../../compiler/ir/ir.js";
import { getOp } from "../../compiler/ops/index.js";
import { parityValues } from "../../compiler/ops/multigrid.js";
import { dimValue } from "../../compiler/shapes.js";
import type { TensorT } from "../../compiler/types.js";
import { prolongRef, restrictRef } from "./reference.js";

export interface Arr {
  shape: number[];
  data: Float64Array;
}

export type Round = (x: number) => number;

const shapeOf = (t: TensorT): number[] => t.shape.map((d) => dimValue(d)!);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function flatten(value: Attr, shape: number[]): Float64Array {
  const out: number[] = [];
  const walk = (a: Attr): void => {
    if (Array.isArray(a)) a.forEach(walk);
    else if (typeof a === "number") out.push(a);
    else if (typeof a === "boolean") out.push(a ? 1 : 0);
  };
  walk(value);
  const n = size(shape);
  return out.length === 1 && n > 1 ? new Float64Array(n).fill(out[0]) : Float64Array.from(out);
}

/** Runs a region on its arguments; `env` holds the values it captures (by value id). */
export function evalRegion(region: Region, args: readonly Arr[], env: Map<number, Arr>, round: Round): Arr[] {
  const local = new Map(env);
  region.params.forEach((p, i) => local.set(p.id, args[i]));
  for (const op of region.ops) evalOp(op, local, round);
  return region.results.map((v) => get(local, v.id));
}

function get(env: Map<number, Arr>, id: number): Arr {
  const a = env.get(id);
  if (!a) throw new Error(`ir-eval: no value for %${id}`);
  return a;
}

function evalOp(op: Op, env: Map<number, Arr>, round: Round): void {
  const out = op.outputs[0];
  if (op.kind === "const") {
    const shape = shapeOf(out.type);
    env.set(out.id, { shape, data: flatten(op.value, shape).map(round) });
    return;
  }
  if (op.kind === "loop") {
    const counted = op.counter !== null;
    let carried = op.inputs.map((v) => get(env, v.id));
    for (let k = 0; k < op.maxIter; k++) {
      const args = counted ? [{ shape: [], data: Float64Array.of(k) }, ...carried] : carried;
      carried = evalRegion(op.regions.body, args, env, round);
    }
    op.outputs.forEach((o, i) => env.set(o.id, carried[i]));
    return;
  }
  if (op.kind !== "builtin") throw new Error(`ir-eval: \`${op.kind}\` is not evaluated here`);
  const inputs = op.inputs.map((v) => get(env, v.id));
  const shape = shapeOf(out.type);
  const dtype = out.type.dtype;
  const store = (x: number) => (dtype === "bool" ? (x !== 0 ? 1 : 0) : dtype === "i32" ? Math.trunc(x) : round(x));
  env.set(out.id, { shape, data: builtin(op.opcode, op.statics, inputs, shape, round).map(store) });
}

function builtin(name: string, s: Record<string, Attr>, inputs: Arr[], shape: number[], round: Round): Float64Array {
  const record = getOp(name);
  if (record?.kind === "elementwise" && record.fold) return broadcast(record.fold, inputs, shape);
  switch (name) {
    case "tally":
      return Float64Array.from(inputs[0].data);
    case "stencil5":
      return stencil(inputs[0], taps5(s.center as number, s.side as number));
    case "laplacian": {
      const h = (s.h as number) ?? 1;
      return stencil(inputs[0], taps5(-4 / (h * h), 1 / (h * h)));
    }
    case "stencil": {
      const [kr, kc] = inputs[1].shape;
      const taps: [number, number, number][] = [];
      for (let a = 0; a < kr; a++) for (let b = 0; b < kc; b++) taps.push([a - (kr >> 1), b - (kc >> 1), inputs[1].data[a * kc + b]]);
      return stencil(inputs[0], taps);
    }
    case "restrict_fw":
      return restrictRef(inputs[0].data, inputs[0].shape);
    case "prolong_bilinear":
      return prolongRef(inputs[0].data, inputs[0].shape);
    case "prolong_to": {
      // Onto 2m + 1 it is prolong_bilinear; onto 2m, that with its last row and column dropped.
      const full = prolongRef(inputs[0].data, inputs[0].shape);
      const [m, l] = inputs[0].shape.slice(-2);
      const [n, k] = shape.slice(-2);
      const [N, K] = [2 * m + 1, 2 * l + 1];
      const out = new Float64Array(shape.reduce((p, d) => p * d, 1));
      for (let g = 0; g < out.length / (n * k); g++) for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[g * n * k + i * k + j] = full[g * N * K + i * K + j];
      return out;
    }
    case "parity":
      return Float64Array.from(parityValues(shape));
    case "matmul":
      return matmul(inputs[0], inputs[1]);
  }
  return Float64Array.of(reduce(name, inputs, round));
}

/** NumPy broadcasting of the inputs to `shape`, the fold applied per element. */
function broadcast(fold: (...x: number[]) => number, inputs: Arr[], shape: number[]): Float64Array {
  const n = size(shape);
  const out = new Float64Array(n);
  const strides = inputs.map((a) => {
    const st: number[] = [];
    let acc = 1;
    for (let k = a.shape.length - 1; k >= 0; k--) {
      st[k] = a.shape[k] === 1 ? 0 : acc;
      acc *= a.shape[k];
    }
    return st;
  });
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let rest = i;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = rest % shape[k];
      rest = Math.floor(rest / shape[k]);
    }
    const args = inputs.map((a, j) => {
      let off = 0;
      const lead = shape.length - a.shape.length;
      for (let k = 0; k < a.shape.length; k++) off += idx[lead + k] * strides[j][k];
      return a.data[off];
    });
    out[i] = fold(...args);
  }
  return out;
}

const taps5 = (c: number, s: number): [number, number, number][] => [
  [0, 0, c],
  [-1, 0, s],
  [1, 0, s],
  [0, -1, s],
  [0, 1, s],
];

function stencil(u: Arr, taps: [number, number, number][]): Float64Array {
  const [n, m] = u.shape;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let acc = 0;
      for (const [di, dj, w] of taps) {
        const [a, b] = [i + di, j + dj];
        if (a >= 0 && a < n && b >= 0 && b < m) acc += w * u.data[a * m + b];
      }
      out[i * m + j] = acc;
    }
  return out;
}

function matmul(a: Arr, b: Arr): Float64Array {
  if (a.shape.length === 1 && b.shape.length === 1) return Float64Array.of(dotOf(a.data, b.data));
  const [m, k] = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const n = b.shape.length === 2 ? b.shape[1] : 1;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a.data[i * k + p] * b.data[p * n + j];
      out[i * n + j] = acc;
    }
  return out;
}

function dotOf(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function reduce(name: string, [x, y]: Arr[], round: Round): number {
  const d = x.data;
  switch (name) {
    case "sum":
      return d.reduce((a, b) => a + b, 0);
    case "mean":
      return d.reduce((a, b) => a + b, 0) / d.length;
    case "max":
      return d.reduce((a, b) => Math.max(a, b), -Infinity);
    case "min":
      return d.reduce((a, b) => Math.min(a, b), Infinity);
    case "norm":
    case "fro":
      return Math.sqrt(dotOf(d, d));
    case "norm_inf":
      return d.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    case "dot":
      return round(dotOf(d, y.data));
  }
  throw new Error(`ir-eval: \`${name}\` is not evaluated here`);
}
