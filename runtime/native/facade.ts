// The drivers' tensor API (runtime/drivers/tensor-api.ts) over native tensors: what the
// drivers compute between region calls (inner products, the CG update of an adjoint solve,
// Anderson's history) runs on the same plain-TS loops as the kernels. Floats a driver asks for
// by name ("float32") are the run's float: float64 in an f64 run.
import type { RequestedDType, TensorApi, TensorContainer } from "../drivers/tensor-api.js";
import type { NativeArray, NativeDType } from "./array.js";
import type { Precision } from "./fused.js";
import { expanded } from "./kernels/common.js";
import { mapBinary, mapUnary } from "./kernels/elementwise.js";
import { convertInto, isFloat, sizeOf } from "./storage.js";
import { collect, type NativeMemory, NativeTensor } from "./tensor.js";

type Operand = NativeTensor | number;

/** The dtype of a binary op's result: the wider of the two, a plain number taking the other's float. */
function promote(a: NativeDType, b: NativeDType): NativeDType {
  const order: NativeDType[] = ["bool", "i32", "f32", "f64"];
  return order[Math.max(order.indexOf(a), order.indexOf(b))];
}

/** NumPy's broadcast of two shapes (they are known to fit: the drivers make them so). */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    return da === 1 ? db : da;
  });
}

export class NativeTensorApi implements TensorApi<NativeTensor> {
  /** The storage of the run's floats. */
  readonly float: NativeDType;

  constructor(
    readonly memory: NativeMemory,
    readonly precision: Precision,
  ) {
    this.float = precision;
  }

  // ---- lifetime -------------------------------------------------------------------------

  tidy<C extends TensorContainer<NativeTensor>>(fn: () => C): C {
    return this.memory.tidy(fn);
  }

  dispose(container: TensorContainer<NativeTensor>): void {
    const all = new Set<NativeTensor>();
    collect(container, all);
    for (const t of all) t.dispose();
  }

  // ---- making tensors --------------------------------------------------------------------

  /** A tensor holding a kernel's result. */
  wrap(a: NativeArray): NativeTensor {
    return this.memory.fromArray(a);
  }

  private fresh(dtype: NativeDType, shape: readonly number[], zeroed = false): NativeTensor {
    return this.memory.tensor(dtype, shape, this.memory.alloc(dtype, sizeOf(shape), zeroed));
  }

  private dtypeOf(requested: RequestedDType): NativeDType {
    return requested === "float32" ? this.float : requested === "int32" ? "i32" : "bool";
  }

  clone(x: NativeTensor): NativeTensor {
    const t = this.fresh(x.nativeDType, x.shape);
    t.data.set(x.data);
    return t;
  }

  scalar(value: number): NativeTensor {
    const t = this.fresh(this.float, []);
    t.data[0] = value;
    return t;
  }

  tensor(values: Float32Array | Float64Array, shape: number[]): NativeTensor {
    const t = this.fresh(this.float, shape);
    t.data.set(values);
    return t;
  }

  zeros(shape: number[], dtype: RequestedDType = "float32"): NativeTensor {
    return this.fresh(this.dtypeOf(dtype), shape, true);
  }

  zerosLike(x: NativeTensor): NativeTensor {
    return this.fresh(x.nativeDType, x.shape, true);
  }

  reshape(x: NativeTensor, shape: number[]): NativeTensor {
    const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    const full = shape.map((d) => (d === -1 ? x.size / known : d));
    if (sizeOf(full) !== x.size) throw new Error(`internal error: cannot reshape [${x.shape}] to [${shape}]`);
    return this.memory.tensor(x.nativeDType, full, x.storage);
  }

  cast(x: NativeTensor, dtype: RequestedDType): NativeTensor {
    const to = this.dtypeOf(dtype);
    if (to === x.nativeDType || (isFloat(to) && isFloat(x.nativeDType))) return this.memory.tensor(x.nativeDType, x.shape, x.storage);
    const t = this.fresh(to, x.shape);
    convertInto(x.data, t.data);
    return t;
  }

  stack(xs: NativeTensor[], axis = 0): NativeTensor {
    const shape = xs[0].shape;
    const grown = [...shape.slice(0, axis), 1, ...shape.slice(axis)];
    const views = xs.map((x) => this.reshape(x, grown));
    const out = this.concat(views, axis);
    for (const v of views) v.dispose();
    return out;
  }

  concat(xs: NativeTensor[], axis = 0): NativeTensor {
    const dtype = xs.map((x) => x.nativeDType).reduce(promote);
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
    const out = this.fresh(dtype, shape);
    const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
    let offset = 0;
    for (const x of xs) {
      const run = x.shape[axis] * inner;
      for (let o = 0; o < outer; o++) out.data.set(x.data.subarray(o * run, (o + 1) * run), o * shape[axis] * inner + offset);
      offset += run;
    }
    return out;
  }

  // ---- arithmetic ------------------------------------------------------------------------

  /** A plain number as a single-entry operand of the other operand's float (or the run's). */
  private operand(x: Operand, other: Operand): NativeArray {
    if (x instanceof NativeTensor) return x.array;
    const dtype = other instanceof NativeTensor && isFloat(other.nativeDType) ? other.nativeDType : this.float;
    return { dtype, shape: [], data: dtype === "f32" ? Float32Array.of(x) : Float64Array.of(x) };
  }

  private binary(name: string, f: (a: number, b: number) => number, a: Operand, b: Operand, result?: NativeDType): NativeTensor {
    const [x, y] = [this.operand(a, b), this.operand(b, a)];
    const dtype = result ?? promote(x.dtype, y.dtype);
    const shape = broadcastShape(x.shape, y.shape);
    return this.wrap(mapBinary(this.memory, name, f, x, y, { shape, dtype }));
  }

  private floatOf(a: Operand, b: Operand): NativeDType {
    const d = promote(this.operand(a, b).dtype, this.operand(b, a).dtype);
    return isFloat(d) ? d : this.float;
  }

  add(a: Operand, b: Operand): NativeTensor {
    return this.binary("add", (x, y) => x + y, a, b);
  }

  sub(a: Operand, b: Operand): NativeTensor {
    return this.binary("sub", (x, y) => x - y, a, b);
  }

  mul(a: Operand, b: Operand): NativeTensor {
    return this.binary("mul", (x, y) => x * y, a, b);
  }

  div(a: Operand, b: Operand): NativeTensor {
    return this.binary("div", (x, y) => x / y, a, b, this.floatOf(a, b));
  }

  minimum(a: Operand, b: Operand): NativeTensor {
    return this.binary("minimum", (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y)), a, b);
  }

  greater(a: Operand, b: Operand): NativeTensor {
    return this.binary("gt", (x, y) => (x > y ? 1 : 0), a, b, "bool");
  }

  where(condition: NativeTensor, a: NativeTensor, b: NativeTensor): NativeTensor {
    const shape = broadcastShape(condition.shape, broadcastShape(a.shape, b.shape));
    const out = this.fresh(promote(a.nativeDType, b.nativeDType), shape);
    const [c, x, y] = [condition, a, b].map((t) => expanded(t.array, shape));
    for (let i = 0; i < out.data.length; i++) out.data[i] = c[i] !== 0 ? x[i] : y[i];
    return out;
  }

  sqrt(x: NativeTensor): NativeTensor {
    return this.wrap(mapUnary(this.memory, Math.sqrt, x.array, { shape: x.shape, dtype: isFloat(x.nativeDType) ? x.nativeDType : this.float }));
  }

  logicalNot(x: NativeTensor): NativeTensor {
    return this.wrap(mapUnary(this.memory, (v) => (v === 0 ? 1 : 0), x.array, { shape: x.shape, dtype: "bool" }));
  }

  isFinite(x: NativeTensor): NativeTensor {
    return this.wrap(mapUnary(this.memory, (v) => (Number.isFinite(v) ? 1 : 0), x.array, { shape: x.shape, dtype: "bool" }));
  }

  any(x: NativeTensor): NativeTensor {
    const t = this.fresh("bool", []);
    t.data[0] = x.data.some((v) => v !== 0) ? 1 : 0;
    return t;
  }

  /** The sum of every entry, rank 0, accumulated in float64. */
  sum(x: NativeTensor): NativeTensor {
    const t = this.fresh(isFloat(x.nativeDType) ? x.nativeDType : this.float, []);
    let s = 0;
    for (let i = 0; i < x.data.length; i++) s += x.data[i];
    t.data[0] = s;
    return t;
  }

  /** [n, k] @ [k, m], accumulated in float64. */
  matMul(a: NativeTensor, b: NativeTensor): NativeTensor {
    const [n, k] = a.shape;
    const m = b.shape[1];
    const out = this.fresh(promote(a.nativeDType, b.nativeDType), [n, m]);
    const [x, y] = [a.data, b.data];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += x[i * k + p] * y[p * m + j];
        out.data[i * m + j] = acc;
      }
    return out;
  }
}
