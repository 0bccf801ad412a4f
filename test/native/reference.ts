// An independent plain-TS interpreter of the kernel IR, the oracle for the native backend's
// tests. It follows the semantics written in compiler/native/kernel-ir.ts lane by lane, with
// none of the code generator's machinery (no simd, no unrolling, no row splitting): reads at
// offsets test bounds for every lane, stages run in their skewed row order.
//
// f64 loops compute in float64. f32 loops round every operation's result to float32
// (Math.fround), which is exactly what IEEE-754 f32 arithmetic does for + - * / sqrt and the
// exact operations (min, max, abs, neg, floor, ...): rounding the float64 result of an
// operation on float32 values to float32 is correctly rounded (53 ≥ 2·24 + 2). So for
// elementwise work the native f32 results must equal this interpreter's bit for bit.
// Reductions accumulate in float64 in lane order (the backend's order differs: tests allow
// for that).
import type { DType, Expr, KernelSet, LoopStep, Step, UnaryOp } from "../../compiler/native/kernel-ir.js";
import { mulberry32 } from "../../base/mulberry32.js";

export interface RefState {
  buffers: Map<string, Float64Array>;
  scalars: Map<string, number>;
}

export function newState(set: KernelSet): RefState {
  const buffers = new Map<string, Float64Array>();
  for (const b of set.buffers) buffers.set(b.name, new Float64Array(b.shape.reduce((a, c) => a * c, 1)));
  const scalars = new Map<string, number>();
  for (const s of set.scalars) scalars.set(s.name, s.init ?? 0);
  return { buffers, scalars };
}

/** Round half to even, like Wasm's nearest and NumPy's rint. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

export function unaryRef(op: UnaryOp, x: number, r: (v: number) => number): number {
  switch (op) {
    case "neg":
      return -x;
    case "abs":
      return Math.abs(x);
    case "sqrt":
      return r(Math.sqrt(x));
    case "square":
      return r(x * x);
    case "reciprocal":
      return r(1 / x);
    case "floor":
      return Math.floor(x);
    case "ceil":
      return Math.ceil(x);
    case "trunc":
      return Math.trunc(x);
    case "round":
      return rint(x);
    case "relu":
      return Math.max(x, 0);
    case "sign":
      return x > 0 ? 1 : x < 0 ? -1 : x;
    case "exp":
      return r(Math.exp(x));
    case "log":
      return r(Math.log(x));
    case "tanh":
      return r(Math.tanh(x));
    case "sin":
      return r(Math.sin(x));
    case "cos":
      return r(Math.cos(x));
    case "sigmoid":
      return r(1 / r(1 + r(Math.exp(-x))));
  }
}

interface Lane {
  /** Value of buffer `name` at this lane + offset (0 outside the grid). */
  read(name: string, offset?: readonly [number, number]): number;
  temps: Map<string, number>;
  /** The lane's red–black colour. */
  parity: number;
}

function evalExpr(e: Expr, lane: Lane | undefined, state: RefState, r: (v: number) => number): number {
  const ev = (x: Expr) => evalExpr(x, lane, state, r);
  switch (e.kind) {
    case "read":
      if (!lane) throw new Error("read outside a loop");
      return lane.read(e.buffer, e.offset);
    case "scalar":
      return r(state.scalars.get(e.reg) ?? NaN);
    case "const":
      return r(e.value);
    case "parity":
      if (!lane) throw new Error("parity outside a loop");
      return lane.parity;
    case "temp":
      return lane?.temps.get(e.name) ?? NaN;
    case "unary":
      return unaryRef(e.op, ev(e.x), r);
    case "binary": {
      const [a, b] = [ev(e.a), ev(e.b)];
      switch (e.op) {
        case "add":
          return r(a + b);
        case "sub":
          return r(a - b);
        case "mul":
          return r(a * b);
        case "div":
          return r(a / b);
        case "min":
          return Math.min(a, b);
        case "max":
          return Math.max(a, b);
      }
      throw new Error("unreachable");
    }
    case "select": {
      const [a, b] = [ev(e.cond.a), ev(e.cond.b)];
      const c = { lt: a < b, le: a <= b, gt: a > b, ge: a >= b, eq: a === b, ne: a !== b }[e.cond.op];
      return c ? ev(e.then) : ev(e.else);
    }
  }
}

const rounding = (dtype: DType) => (dtype === "f32" ? Math.fround : (v: number) => v);

function runLoop(loop: LoopStep, state: RefState): void {
  const r = rounding(loop.dtype);
  const shape = loop.shape;
  const rows = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const cols = shape.length >= 1 ? shape[shape.length - 1] : 1;
  const batch = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const acc = new Map<string, number>();
  for (const st of loop.stages)
    for (const s of st.body)
      if (s.kind === "reduce") acc.set(s.reg, s.op === "max" ? -Infinity : s.op === "min" ? Infinity : 0);
  const maxLag = loop.stages[loop.stages.length - 1].rowLag;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < rows + maxLag; t++) {
      for (const stage of loop.stages) {
        const i = t - stage.rowLag;
        if (i < 0 || i >= rows) continue;
        for (let j = 0; j < cols; j++) {
          const lane: Lane = {
            temps: new Map(),
            parity: (i + j) % 2 === 0 ? 1 : 0,
            read(name, offset) {
              const [di, dj] = offset ?? [0, 0];
              const [ii, jj] = [i + di, j + dj];
              if (ii < 0 || ii >= rows || jj < 0 || jj >= cols) return 0;
              return state.buffers.get(name)![(b * rows + ii) * cols + jj];
            },
          };
          for (const s of stage.body) {
            if (s.kind === "let") lane.temps.set(s.name, evalExpr(s.expr, lane, state, r));
            else if (s.kind === "store")
              state.buffers.get(s.buffer)![(b * rows + i) * cols + j] = r(evalExpr(s.expr, lane, state, r));
            else {
              const prev = acc.get(s.reg)!;
              if (s.op === "dot") acc.set(s.reg, prev + evalExpr(s.a, lane, state, r) * evalExpr(s.b, lane, state, r));
              else {
                const x = evalExpr(s.x, lane, state, r);
                const next =
                  s.op === "sum"
                    ? prev + x
                    : s.op === "sumsq"
                      ? prev + x * x
                      : s.op === "max"
                        ? Math.max(prev, x)
                        : Math.min(prev, x);
                acc.set(s.reg, next);
              }
            }
          }
        }
      }
    }
  }
  for (const [reg, v] of acc) state.scalars.set(reg, v);
}

/** Runs one kernel of the set on the reference state (products in plain float64). */
export function runKernelRef(set: KernelSet, name: string, state: RefState): void {
  const kernel = set.kernels.find((k) => k.name === name);
  if (!kernel) throw new Error(`no kernel ${name}`);
  runStepsRef(set, kernel.steps, state);
}

function runStepsRef(set: KernelSet, steps: readonly Step[], state: RefState): void {
  const shapeOf = (b: string) => set.buffers.find((x) => x.name === b)!.shape;
  const dtypeOf = (b: string) => set.buffers.find((x) => x.name === b)!.dtype;
  for (const step of steps) {
    switch (step.kind) {
      case "loop":
        runLoop(step, state);
        break;
      case "scalar":
        for (const a of step.assigns)
          state.scalars.set(
            a.reg,
            evalExpr(a.expr, undefined, state, (v) => v),
          );
        break;
      case "matmul": {
        const sa = shapeOf(step.a);
        const [m, k] = sa.length === 1 ? [1, sa[0]] : sa;
        const n = shapeOf(step.b)[1];
        const [A, B, O] = [state.buffers.get(step.a)!, state.buffers.get(step.b)!, state.buffers.get(step.out)!];
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
            O[i * n + j] = s;
          }
        break;
      }
      case "matvec": {
        const [m, k] = shapeOf(step.a);
        const [A, x, O] = [state.buffers.get(step.a)!, state.buffers.get(step.x)!, state.buffers.get(step.out)!];
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += A[i * k + p] * x[p];
          O[i] = s;
        }
        break;
      }
      case "restrict":
      case "prolong": {
        const r = rounding(dtypeOf(step.out));
        const [input, out] = [state.buffers.get(step.input)!, state.buffers.get(step.out)!];
        const f = step.kind === "restrict" ? restrictRef : prolongRef;
        out.set(f(input, shapeOf(step.input)).map(r));
        break;
      }
      case "repeat":
        for (let t = 0; t < step.count; t++) runStepsRef(set, step.steps, state);
        break;
    }
  }
}

/** Full weighting, straight from its definition. */
export function restrictRef(u: ArrayLike<number>, [n, k]: readonly number[]): Float64Array {
  const [m, l] = [(n - 1) / 2, (k - 1) / 2];
  const w = [1, 2, 1];
  const out = new Float64Array(m * l);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < l; j++) {
      let s = 0;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += w[a] * w[b] * u[(2 * i + a) * k + 2 * j + b];
      out[i * l + j] = s / 16;
    }
  return out;
}

/** Bilinear interpolation as 4 × the transpose of full weighting (a scatter). */
export function prolongRef(v: ArrayLike<number>, [m, l]: readonly number[]): Float64Array {
  const [n, k] = [2 * m + 1, 2 * l + 1];
  const w = [1, 2, 1];
  const out = new Float64Array(n * k);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < l; j++)
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) out[(2 * i + a) * k + 2 * j + b] += (w[a] * w[b] * v[i * l + j]) / 4;
  return out;
}

/** mulberry32: a small seedable PRNG with uniforms in [0, 1). */
export const rng = mulberry32;

/** Same value, counting NaN as equal to NaN (and +0 as equal to -0). */
export const sameNumber = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** The first index where two arrays differ, or -1. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return 0;
  for (let i = 0; i < got.length; i++) if (!sameNumber(got[i], want[i])) return i;
  return -1;
}
