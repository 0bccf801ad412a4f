// `data NAME = tensors(x: X, y: Y)`: training on values the program computes. Linear regression
// on data generated in the program, trained with full-batch gd, against a float64 plain-TS gd
// on the same numbers (read back from the run's exports) and against the closed-form least
// squares; the validation loss of a computed held-out set against its value recomputed in
// float64; exact resume; and the mistakes, located.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/compile.js";
import { runSource, type RunOptions } from "../../runtime/run.js";

const dir = mkdtempSync(join(tmpdir(), "iterlang-tensors-"));
const file = join(dir, "reg.iter");

/** y = X w* + 0.3 + noise, R rows of N features; a model x·w + c. */
const regression = (settings: string, extra = "", data = "data pairs = tensors(x: X, y: Y)") => `dim B, N = 5, R = 128, T = 32
let X = normal(R, N, seed: 1)
let w_true = normal(N, seed: 2)
let Y = X @ w_true + 0.3 + 0.1 * normal(R, seed: 3)
let Xt = normal(T, N, seed: 4)
let Yt = Xt @ w_true + 0.3 + 0.1 * normal(T, seed: 5)
param w: f32[N] init zeros
param c: f32[1] init zeros
model lin(x: f32[B, N]) -> f32[B] = x @ w + c
${data}
${extra}
train lin on pairs {
  loss mean((lin(x) - y[:, 0])^2)
${settings}
}
export X
export Y
export Xt
export Yt
export w
export c`;

async function run(source: string, options: RunOptions = {}) {
  const out = await runSource(source, { file, backend: "cpu", ...options });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.span.start.line}: ${d.message}`).join("\n"));
  const get = (n: string) => Float64Array.from(out.exports.find((e) => e.name === n)!.data as Float32Array);
  return { out, report: out.reports.find((r) => r.kind === "train")!, get };
}

/** The gradient step of mean((X w + c − y)²) in float64: k steps of gd with rate lr from zeros. */
function gd64(X: Float64Array, y: Float64Array, n: number, lr: number, steps: number): { w: number[]; c: number } {
  const rows = y.length;
  const w = new Array<number>(n).fill(0);
  let c = 0;
  for (let k = 0; k < steps; k++) {
    const gw = new Array<number>(n).fill(0);
    let gc = 0;
    for (let r = 0; r < rows; r++) {
      let e = c - y[r];
      for (let j = 0; j < n; j++) e += X[r * n + j] * w[j];
      for (let j = 0; j < n; j++) gw[j] += (2 / rows) * e * X[r * n + j];
      gc += (2 / rows) * e;
    }
    for (let j = 0; j < n; j++) w[j] -= lr * gw[j];
    c -= lr * gc;
  }
  return { w, c };
}

/** The least-squares fit of y by [X, 1] in float64 (normal equations, Gaussian elimination with pivoting). */
function leastSquares(X: Float64Array, y: Float64Array, n: number): { w: number[]; c: number } {
  const m = n + 1;
  const A = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  for (let r = 0; r < y.length; r++) {
    const row = [...X.subarray(r * n, r * n + n), 1];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) A[i][j] += row[i] * row[j];
      A[i][m] += row[i] * y[r];
    }
  }
  for (let i = 0; i < m; i++) {
    const p = A.slice(i).reduce((best, row, k) => (Math.abs(row[i]) > Math.abs(A[best][i]) ? i + k : best), i);
    [A[i], A[p]] = [A[p], A[i]];
    for (let k = i + 1; k < m; k++) {
      const f = A[k][i] / A[i][i];
      for (let j = i; j <= m; j++) A[k][j] -= f * A[i][j];
    }
  }
  const x = new Array<number>(m).fill(0);
  for (let i = m - 1; i >= 0; i--) x[i] = (A[i][m] - A[i].slice(i + 1, m).reduce((s, a, k) => s + a * x[i + 1 + k], 0)) / A[i][i];
  return { w: x.slice(0, n), c: x[n] };
}

const meanLoss = (X: Float64Array, y: Float64Array, n: number, w: ArrayLike<number>, c: number) => {
  let s = 0;
  for (let r = 0; r < y.length; r++) {
    let e = c - y[r];
    for (let j = 0; j < n; j++) e += X[r * n + j] * w[j];
    s += e * e;
  }
  return s / y.length;
};

describe("data computed by the program: tensors(x: X, y: Y)", () => {
  it("full-batch gd follows a float64 gd on the same data, step for step, and ends at the least-squares fit", async () => {
    // One batch of all 128 rows per epoch: the steps are exactly gd's, whatever the order.
    const few = await run(regression("  optimizer gd(lr: 0.1)\n  epochs 7 batch 128 shuffle false"));
    expect(few.report.reason).toBe("completed");
    expect(few.report.iterations).toBe(7);
    const [X, Y] = [few.get("X"), few.get("Y")];
    const ref = gd64(X, Y, 5, 0.1, 7);
    expect(few.report.history[0]).toBeCloseTo(meanLoss(X, Y, 5, [0, 0, 0, 0, 0], 0), 4);
    [...few.get("w")].forEach((v, j) => expect(Math.abs(v - ref.w[j]), `w[${j}]`).toBeLessThan(2e-5 * (1 + Math.abs(ref.w[j]))));
    expect(Math.abs(few.get("c")[0] - ref.c)).toBeLessThan(2e-5);

    const many = await run(regression("  optimizer gd(lr: 0.2)\n  epochs 300 batch 128 shuffle false"));
    const ls = leastSquares(many.get("X"), many.get("Y"), 5);
    [...many.get("w")].forEach((v, j) => expect(Math.abs(v - ls.w[j]), `w[${j}]`).toBeLessThan(1e-4));
    expect(Math.abs(many.get("c")[0] - ls.c)).toBeLessThan(1e-4);
  });

  it("a computed validation set: its loss after the last epoch is the float64 loss of the final params on it", async () => {
    const { report, get } = await run(regression("  optimizer adam(lr: 0.05)\n  epochs 40 batch 32 seed 2\n  validate held", "data held = tensors(x: Xt, y: Yt)"));
    const v = report.validationHistory!;
    expect(v).toHaveLength(40);
    const expected = meanLoss(get("Xt"), get("Yt"), 5, get("w"), get("c")[0]);
    expect(Math.abs(v[v.length - 1] - expected)).toBeLessThan(1e-5 * (1 + expected));
    expect(v[v.length - 1]).toBeLessThan(0.05 * v[0]);
  });

  it("the training set may validate itself: its values are taken twice", async () => {
    const { report } = await run(regression("  optimizer adam(lr: 0.05)\n  epochs 2 batch 32\n  validate pairs"));
    expect(report.validationHistory).toHaveLength(2);
  });

  it("a checkpointed run resumed gives the bits of an uninterrupted one (shuffled mini-batches)", async () => {
    const settings = (ck: string) => `  optimizer adam(lr: 0.05)\n  steps 20 batch 16 seed 9\n  checkpoint "${ck}" every 6 steps`;
    const whole = await run(regression(settings(join(dir, "ck-whole"))));
    const ck = join(dir, "ck-cut");
    const stop = new Error("interrupted");
    await expect(run(regression(settings(ck)), { onTrainStep: (_l, step) => { if (step === 13) throw stop; } })).rejects.toBe(stop);
    const resumed = await run(regression(settings(ck)), { resume: ck });
    expect(resumed.report.detail).toMatch(/resumed at step 12/);
    expect([...resumed.get("w")]).toEqual([...whole.get("w")]);
    expect([...resumed.get("c")]).toEqual([...whole.get("c")]);
  });

  it("an input given at run time is a field like a computed value: its rows are the records", async () => {
    // y = 2·x₀ − x₁ exactly: full-batch gd from zeros converges to w = [2, −1, 0, 0, 0], c = 0.
    const rows = 64;
    let seed = 7;
    const x = Float32Array.from({ length: rows * 5 }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
    const source = regression("  optimizer gd(lr: 0.3)\n  epochs 400 batch 64 shuffle false", "", "data pairs = tensors(x: Xin, y: 2 * Xin[:, 0] - Xin[:, 1])")
      .replace("dim B, N = 5, R = 128, T = 32", "dim B, N = 5, R = 128, T = 32, M = 64\ninput Xin: f32[M, N]");
    const { get } = await run(source, { inputs: new Map([["Xin", { dtype: "float32", shape: [rows, 5], data: x }]]) });
    [...get("w")].forEach((v, j) => expect(v, `w[${j}]`).toBeCloseTo([2, -1, 0, 0, 0][j], 4));
    expect(get("c")[0]).toBeCloseTo(0, 4);
  });

  it("values that are not finite are refused when the run reaches them, at the declaration's line", async () => {
    const source = regression("  epochs 1 batch 32", "", "data pairs = tensors(x: X, y: log(Y))");
    await expect(run(source)).rejects.toThrow(/The field `y` of the data set `pairs` is NaN in row \d+[^]*reg\.iter:10/);
  });

  it("the example in docs/language.md's `data` section trains: its loss falls to the noise", async () => {
    const md = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "language.md"), "utf8");
    const block = [...md.matchAll(/```iter\n([^]*?)```/g)].map((m) => m[1]).find((b) => b.includes("tensors("));
    expect(block).toBeDefined();
    const { report } = await run(block!);
    expect(report.reason).toBe("completed");
    expect(report.history[report.history.length - 1]).toBeLessThan(0.01 * report.history[0]);
  });
});

describe("the checker: mistakes in a tensors(...) data set are located errors", () => {
  const errors = (data: string) =>
    checkSource(regression("  batch 32", "", data), { file })
      .diagnostics.filter((d) => d.severity === "error")
      .map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code}: ${d.message}`)
      .join("\n");

  it.each([
    ["different row counts", "data pairs = tensors(x: X, y: Yt)", /^10:\d+ bad-data: The field `y` has T rows, but `x` has R/],
    ["an operator", "data pairs = tensors(x: lin, y: Y)", /^10:\d+ type-mismatch: I expected a tensor here, but this is an operator/],
    ["a scalar", "data pairs = tensors(x: X, y: sum(Y))", /^10:\d+ bad-data: The field `y` of `pairs` is f32, which has no rows/],
    ["rank 3", "data pairs = tensors(x: normal(R, 2, 2, seed: 1), y: Y)", /^10:\d+ bad-data: .*not of rank 3/],
    ["integers", "data pairs = tensors(x: X, y: arange(R))", /^10:\d+ bad-data: The field `y` of `pairs` is i32\[R\], but a data set's values are f32/],
    ["an unnamed field", "data pairs = tensors(X)", /^10:\d+ bad-data: Each argument of `tensors` names a field/],
    ["a field named twice", "data pairs = tensors(x: X, x: X)", /duplicate-name: The field `x` is named twice/],
    ["an unknown name", "data pairs = tensors(x: X, y: Z)", /^10:\d+ unknown-name/],
  ])("%s", (_what, data, pattern) => {
    expect(errors(data)).toMatch(pattern);
  });

  it("a data set is not a tensor", () => {
    expect(checkSource(regression("  batch 32", "data other = tensors(x: X, y: pairs)"), { file }).diagnostics.map((d) => d.message).join("\n")).toMatch(/`pairs`/);
  });

  it("the widths are sizes: a field of f32[R, N] is f32[B, N] in the block, and a validation set must agree", () => {
    expect(errors("data pairs = tensors(x: X, y: Y)")).toBe("");
    const other = checkSource(regression("  batch 32\n  validate held", "data held = tensors(x: Xt[:, 0:4], y: Yt)"), { file }).diagnostics.map((d) => d.message).join("\n");
    expect(other).toMatch(/does not have the fields of `pairs`: x \(4\), y \(1\) vs x \(N\), y \(1\)/);
  });
});
