// examples/deq.iter against an independent float64 computation of the same gradient.
//
// The program's own random tensors (X, Y, W0, U0, V) are exported by appending `export`s to the
// example, then the reference solves the DEQ in float64 with plain TS: z* by fixed-point
// iteration to 1e-14, the adjoint w = Jᵀw + ḡ likewise, and ∂L/∂W = z*ᵀ (w ⊙ (1 − z*²)),
// ∂L/∂U = Xᵀ (w ⊙ (1 − z*²)). Tolerance: the float32 run stops at rel_residual 1e-6 (forward
// and adjoint) and a contraction of at most 0.9 turns that into an error of ~1e-5 relative;
// float32 rounding of the 64-term products adds ~1e-6. 1e-3 of the gradient's largest entry
// is a bound those keep and a wrong transpose, sign or missing factor cannot.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";

const FILE = fileURLToPath(new URL("../../examples/deq.iter", import.meta.url));
const [B, D, H] = [32, 8, 64];

type M = Float64Array; // row-major
const matmul = (a: M, b: M, n: number, k: number, m: number): M => {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) c[i * m + j] += a[i * k + p] * b[p * m + j];
  return c;
};
const transpose = (a: M, n: number, m: number): M => {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j];
  return t;
};
const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

/** The fixed point of x ↦ f(x) from zeros, to a max-norm change of 1e-14. */
function fixedPoint(f: (x: M) => M, size: number): M {
  let x: M = new Float64Array(size);
  for (let k = 0; k < 2000; k++) {
    const next = f(x);
    const change = maxAbs(next.map((v, i) => v - x[i]));
    x = next;
    if (change < 1e-14) return x;
  }
  throw new Error("the float64 reference did not converge");
}

function reference(v: Record<string, M>) {
  const XU = matmul(v.X, v.U0, B, D, H);
  const z = fixedPoint((z) => matmul(z, v.W0, B, H, H).map((s, i) => Math.tanh(s + XU[i])), B * H);
  const y = matmul(z, v.V, B, H, 1);
  const loss = y.reduce((s, yi, i) => s + (yi - v.Y[i]) ** 2, 0) / B;
  // ḡ = ∂L/∂z = (2/B)(y − Y) Vᵀ; with s = 1 − z², Jᵀw = ((w ⊙ s) Wᵀ).
  const gbar = matmul(y.map((yi, i) => (2 / B) * (yi - v.Y[i])), transpose(v.V, H, 1), B, 1, H);
  const s = z.map((zi) => 1 - zi * zi);
  const Wt = transpose(v.W0, H, H);
  const w = fixedPoint((w) => matmul(w.map((wi, i) => wi * s[i]), Wt, B, H, H).map((x, i) => x + gbar[i]), B * H);
  const ws = w.map((wi, i) => wi * s[i]);
  return { loss, dW: matmul(transpose(z, B, H), ws, H, B, H), dU: matmul(transpose(v.X, B, D), ws, D, B, H) };
}

describe("examples/deq.iter", () => {
  it("L, ∂L/∂W and ∂L/∂U match a float64 DEQ; every backward fixpoint converged and is reported under its forward one", async () => {
    const source = `${readFileSync(FILE, "utf8")}\nexport X\nexport Y\nexport W0\nexport U0\nexport V\n`;
    const out = await runSource(source, { file: FILE, backend: "cpu" });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const get = (name: string) => Float64Array.from(out.exports.find((e) => e.name === name)!.data as Float32Array);
    const ref = reference({ X: get("X"), Y: get("Y"), W0: get("W0"), U0: get("U0"), V: get("V") });
    expect(Math.abs(get("L")[0] - ref.loss)).toBeLessThan(1e-5 * ref.loss);
    for (const [name, want] of [["dW", ref.dW], ["dU", ref.dU]] as const) {
      const got = get(name);
      const scale = maxAbs(want);
      expect(maxAbs(got.map((g, i) => g - want[i]))).toBeLessThan(1e-3 * scale);
    }
    expect(out.reports.every((r) => r.converged)).toBe(true);
    const adjoints = out.reports.filter((r) => r.adjointOf === "z");
    // Both gradients need the same adjoint (same forward point, same cotangent): cse runs it once.
    expect(adjoints.length).toBe(1);
    expect(adjoints.every((r) => r.kind === "fixpoint" && r.iterations > 0)).toBe(true);
    // The example's own check: the gradient's slope against a central difference of the loss.
    const [a, b] = [get("slope_from_grad")[0], get("slope_from_difference")[0]];
    expect(Math.abs(a - b)).toBeLessThan(1e-3 * Math.abs(a));
  });
});
