// The builtins users coming from NumPy expected: the other common elementwise functions (values,
// and their jvp/vjp rules through `jvp`/`vjp` in a program), `diag` of a matrix, `concat` of
// any number of tensors, a loop counter as an index (`U[k]`, `put`), and the located error for a
// carried value whose shape would change. References are float64 closed forms.
//
// Tolerances: inputs are float32 values; a function computed in float32 is within a few ulps
// (tfjs's kernels; log2/log10/exp2/cbrt go through log/exp/pow, ~4 ulps), so 2e-5 relative +
// 1e-6 absolute; derivatives compose two or three float32 ops, 5e-5 relative.
import { beforeAll, describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { expectClose, rand, run as runOp } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

async function run(src: string) {
  const out = await runSource(src, { file: "t.iter", backend: "cpu" });
  return { out, value: (name: string) => Array.from(out.exports.find((e) => e.name === name)?.data ?? []) };
}

/** name, f, f', input range */
const UNARY: [string, (x: number) => number, (x: number) => number, [number, number]][] = [
  ["tan", Math.tan, (x) => 1 / Math.cos(x) ** 2, [-1.2, 1.2]],
  ["sinh", Math.sinh, Math.cosh, [-3, 3]],
  ["cosh", Math.cosh, Math.sinh, [-3, 3]],
  ["arcsin", Math.asin, (x) => 1 / Math.sqrt(1 - x * x), [-0.9, 0.9]],
  ["arccos", Math.acos, (x) => -1 / Math.sqrt(1 - x * x), [-0.9, 0.9]],
  ["arctan", Math.atan, (x) => 1 / (1 + x * x), [-4, 4]],
  ["arcsinh", Math.asinh, (x) => 1 / Math.sqrt(x * x + 1), [-4, 4]],
  ["arccosh", Math.acosh, (x) => 1 / Math.sqrt(x * x - 1), [1.1, 5]],
  ["arctanh", Math.atanh, (x) => 1 / (1 - x * x), [-0.9, 0.9]],
  ["log1p", Math.log1p, (x) => 1 / (1 + x), [-0.5, 3]],
  ["expm1", Math.expm1, Math.exp, [-2, 2]],
  ["log2", Math.log2, (x) => 1 / (x * Math.LN2), [0.1, 8]],
  ["log10", Math.log10, (x) => 1 / (x * Math.LN10), [0.1, 8]],
  ["exp2", (x) => 2 ** x, (x) => 2 ** x * Math.LN2, [-3, 3]],
  ["cbrt", Math.cbrt, (x) => 1 / (3 * Math.cbrt(x) ** 2), [0.2, 8]],
  ["rsqrt", (x) => 1 / Math.sqrt(x), (x) => -0.5 * x ** -1.5, [0.2, 8]],
  ["softplus", (x) => Math.log1p(Math.exp(x)), (x) => 1 / (1 + Math.exp(-x)), [-5, 5]],
];

const lit = (v: readonly number[]) => `[${v.map((x) => x.toPrecision(9)).join(", ")}]`;

describe("NumPy's common elementwise functions", () => {
  it("values match float64 Math on random float32 inputs (kernels, through the op table)", () => {
    UNARY.forEach(([name, f, , [lo, hi]], k) => {
      const x = rand(300 + k, [3, 4], lo, hi);
      const r = runOp(tf, name, [x]);
      expectClose(r.data, Array.from(x.data, f), 2e-5, 1e-6);
    });
    expectClose(runOp(tf, "cbrt", [{ shape: [3], data: [-8, -0.125, 27] }]).data, [-2, -0.5, 3], 2e-6);
    expect(runOp(tf, "trunc", [{ shape: [4], data: [-2.7, -0.5, 0.5, 2.7] }]).data.map((v) => v + 0)).toEqual([-2, 0, 0, 2]);
    const a = rand(41, [6], -3, 3);
    const b = rand(42, [6], -3, 3);
    expectClose(runOp(tf, "arctan2", [a, b]).data, Array.from(a.data, (y, i) => Math.atan2(y, b.data[i])), 2e-6, 1e-6);
    expectClose(runOp(tf, "hypot", [a, b]).data, Array.from(a.data, (y, i) => Math.hypot(y, b.data[i])), 2e-6);
    // no overflow where x² would: 3e30² is beyond float32
    expectClose(runOp(tf, "hypot", [{ shape: [1], data: [3e30] }, { shape: [1], data: [4e30] }]).data, [5e30], 1e-6);
  });

  it("jvp and vjp of each equal f'(x) times the direction (the rules in their records)", async () => {
    const x = rand(7, [5], 0, 1).data as number[];
    const v = rand(8, [5], -1, 1).data as number[];
    const at = (lo: number, hi: number) => x.map((t) => Math.fround(lo + (hi - lo) * t));
    const src = UNARY.map(([name, , , [lo, hi]]) => {
      const xs = lit(at(lo, hi));
      return `export j_${name} = jvp(z => ${name}(z), ${xs}, ${lit(v)})\nexport g_${name} = vjp(z => ${name}(z), ${xs}, ${lit(v)})`;
    }).join("\n");
    const { out, value } = await run(src);
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    for (const [name, , df, [lo, hi]] of UNARY) {
      const want = at(lo, hi).map((t, i) => df(t) * v[i]);
      expectClose(value(`j_${name}`), want, 5e-5, 1e-6);
      expectClose(value(`g_${name}`), want, 5e-5, 1e-6);
    }
  });

  it("arctan2 and hypot differentiate in both arguments", async () => {
    const src = `
let y = [0.3, -1.2, 2.0]
let x = [1.5, 0.4, -0.7]
export gy = grad(a => sum(arctan2(a, x) + hypot(a, x)), y)
export gx = grad(b => sum(arctan2(y, b) + hypot(y, b)), x)`;
    const { value } = await run(src);
    const y = [0.3, -1.2, 2.0].map(Math.fround);
    const x = [1.5, 0.4, -0.7].map(Math.fround);
    const r2 = y.map((t, i) => t * t + x[i] * x[i]);
    expectClose(value("gy"), y.map((t, i) => x[i] / r2[i] + t / Math.sqrt(r2[i])), 5e-5);
    expectClose(value("gx"), x.map((t, i) => -y[i] / r2[i] + t / Math.sqrt(r2[i])), 5e-5);
  });
});

describe("diag, concat, indices known only when running", () => {
  it("diag of a matrix is its diagonal (NumPy); of a vector, the diagonal matrix; each is the other's adjoint", async () => {
    const { value } = await run(`
let M = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
export d = diag(M)
export D = diag([1, 2])
export g = grad(A => sum(diag(A) * [1, 10, 100]), M)`);
    expect(value("d")).toEqual([1, 5, 9]);
    expect(value("D")).toEqual([1, 0, 0, 2]);
    expect(value("g")).toEqual([1, 0, 0, 0, 10, 0, 0, 0, 100]);
  });

  it("concat takes any number of tensors, along any axis, and differentiates into each", async () => {
    const { out, value } = await run(`
let a = [[1, 2]]
let b = [[3, 4], [5, 6]]
export r = concat(a, b, a, [[7, 8]], axis: 0)
export c = concat([[1], [2]], [[3], [4]], [[5], [6]], axis: 1)
export g = grad(x => sum(concat(x, 2 * x, 3 * x) ^ 2), [1.0, -1.0])`);
    expect(out.exports.find((e) => e.name === "r")!.shape).toEqual([5, 2]);
    expect(value("r")).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 7, 8]);
    expect(value("c")).toEqual([1, 3, 5, 2, 4, 6]);
    // d/dx Σ (x² + 4x² + 9x²) = 28 x
    expect(value("g")).toEqual([28, -28]);
  });

  it("a loop counter indexes (`U[k]`, `A[k, :]`, `A[:, k]`) and `put` writes one entry per iteration", async () => {
    const { value } = await run(`
let A = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
loop k < 3 carry (U = zeros(3, 2), rows = 0, cols = 0, last = 0) {
  U = put(U, k, [k, k * k])
  rows = rows + sum(A[k, :])
  cols = cols + A[0, k] * A[k][2]
  last = A[-1 - k, -1]
} -> (U, rows, cols, last)
export U
export rows
export cols
export last`);
    expect(value("U")).toEqual([0, 0, 1, 1, 2, 4]);
    expect(value("rows")).toEqual([45]);
    expect(value("cols")).toEqual([1 * 3 + 2 * 6 + 3 * 9]);
    expect(value("last")).toEqual([3]);
  });

  it("gradients flow through `U[k]` and `put` to the tensors they move", async () => {
    const { value } = await run(`
op f(w: f32[3]) {
  loop k < 3 carry (U = zeros(3, 2), s = 0) {
    U = put(U, k, [w[0] * k, w[1]])
    s = s + U[k][0] * w[2]
  } -> s
  return s
}
export g = grad(f, [1.0, 2.0, 3.0])`);
    // s = Σ_k w0·k·w2 = 3 w0 w2: ∂/∂w0 = 3 w2 = 9, ∂/∂w1 = 0, ∂/∂w2 = 3 w0 = 3
    expect(value("g")).toEqual([9, 0, 3]);
  });

  it("a carried value whose shape would change is a located error that says what to write instead", async () => {
    const { out } = await run(`
loop k < 4 carry (xs = zeros(1)) {
  xs = concat(xs, [k])
} -> xs`);
    const e = out.diagnostics.find((d) => d.severity === "error")!;
    expect(e.message).toBe("`xs` is carried as f32[1], but the new value is f32[2].");
    expect(e.span.start.line).toBe(3);
    expect(e.hint).toContain("`carry (xs = zeros(K))`");
    expect(e.hint).toContain("`xs = put(xs, k, value)`");
    expect(e.hint).toContain("`xs[k]`");
  });
});
