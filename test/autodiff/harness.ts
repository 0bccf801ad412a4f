// Running derivative programs for the autodiff tests: every datum goes in as a float32 `input`
// (so nothing is folded at compile time and the kernels and rules really run), and the checks
// compare what comes out with the float64 references of ./reference.ts. Also the register of
// rules found wrong, whose tests are kept and marked `it.fails` (at the end).
import { expect, it } from "vitest";
import type { NpyArray } from "../../runtime/npy.js";
import { type ExportedValue, runSource, type RunOutput } from "../../runtime/run.js";
import { absApply, directional, expectWithin, inner, innerAbs, jacobian, RTOL, type T, transposeApply } from "./reference.js";

/** The iterlang type of a float32 tensor of this shape: `f32`, `f32[3, 4]`. */
export const typeOf = (shape: readonly number[]): string => (shape.length === 0 ? "f32" : `f32[${shape.join(", ")}]`);

const npy = (t: T): NpyArray => ({ dtype: "float32", shape: [...t.shape], data: Float32Array.from(t.data) });

/** Declares each value as an input line; returns the lines and the data to pass. */
export function inputs(values: Record<string, T>): { lines: string[]; data: Map<string, NpyArray> } {
  const entries = Object.entries(values);
  return {
    lines: entries.map(([name, t]) => `input ${name}: ${typeOf(t.shape)}`),
    data: new Map(entries.map(([name, t]) => [name, npy(t)])),
  };
}

export async function run(lines: readonly string[], data: Map<string, NpyArray>): Promise<RunOutput> {
  return runSource(lines.join("\n") + "\n", { file: "t.iter", backend: "cpu", inputs: data });
}

/** The program ran without a diagnostic; its exports by name. */
export function exportsOf(out: RunOutput, source: readonly string[]): Map<string, ExportedValue> {
  const errors = out.diagnostics.map((d) => `${d.code} (line ${d.span.start.line}): ${d.message}`);
  expect(errors, `diagnostics of\n${source.join("\n")}`).toEqual([]);
  expect(out.stopped).toBeUndefined();
  return new Map(out.exports.map((e) => [e.name, e]));
}

export function get(exports: Map<string, ExportedValue>, name: string, shape: readonly number[]): Float32Array {
  const e = exports.get(name);
  expect(e, `export ${name}`).toBeDefined();
  expect(e!.dtype, `dtype of ${name}`).toBe("float32");
  expect(e!.shape, `shape of ${name}`).toEqual([...shape]);
  return e!.data as Float32Array;
}

/** What the rule tests and the program tests both check of one differentiated function. */
export interface Derivatives {
  /** jvp(f, x, t) as the program computed it. */
  jvp: ArrayLike<number>;
  /** vjp(f, x, c), when reverse mode was asked for. */
  vjp?: ArrayLike<number>;
  /** grad(f, x), for a scalar f. */
  grad?: ArrayLike<number>;
}

/**
 * Checks float32 derivatives against float64 central differences of `f` at x (the full
 * Jacobian is cheap at these sizes, and gives the per-entry error scales):
 *   jvp ≈ J·t entrywise;  vjp ≈ Jᵀ·c entrywise;  ⟨c, J·t⟩ (differences) ≈ ⟨vjp, t⟩;
 *   grad ≈ Jᵀ·1 for a scalar f.
 * Each within `rtol` of the absolute-value sum the compared quantity is made of (reference.ts);
 * `normwise`: of the largest such sum over the entries of the result (for deep compositions,
 * whose rounding errors need not shrink with a small entry).
 */
export function checkDerivatives(f: (x: T) => T, x: T, t: T, c: T | undefined, got: Derivatives, rtol = RTOL, normwise = false): void {
  const Jt = directional(f, x, t);
  const J = jacobian(f, x);
  const rows = Jt.data.length;
  const scaleJt = absApply(J, t.data, rows);
  const widen = (s: number[]): number[] => (normwise ? s.map(() => Math.max(...s)) : s);
  expectWithin("jvp vs central differences", got.jvp, Jt.data, widen(scaleJt), rtol);
  if (c && got.vjp) {
    const JTc = transposeApply(J, c.data);
    expectWithin("vjp vs Jᵀc by central differences", got.vjp, JTc.value, widen(JTc.scale), rtol);
    // The dot-product test: reverse mode against forward differences, one number.
    const lhs = inner(c.data, Jt.data);
    const rhs = inner(got.vjp, t.data);
    const tol = rtol * Math.max(innerAbs(c.data, scaleJt), 1e-6);
    if (!(Math.abs(lhs - rhs) <= tol)) expect.fail(`dot-product test: <c, J t> = ${lhs} by differences, <vjp(c), t> = ${rhs} (error ${Math.abs(lhs - rhs).toExponential(2)} > ${tol.toExponential(2)})`);
  }
  if (got.grad) {
    const JT1 = transposeApply(J, [1]);
    expect(rows).toBe(1);
    expectWithin("grad vs central differences", got.grad, JT1.value, widen(JT1.scale), rtol);
  }
}

// ---- rules known to be wrong -----------------------------------------------------------------

/**
 * A rule found wrong (the lead fixes rules; these tests stay as they are and are marked
 * `it.fails` until then, so a fix shows up as a failure telling to remove the mark).
 */
export interface Wrong {
  short: string;
  what: string;
  /** The failure it gives today; any other failure (or none) fails the `it.fails` test. */
  symptom: RegExp;
}


/**
 * `it`, or for a case whose rule is known to be wrong `it.fails`, which passes only while the
 * case fails with the known symptom: once the rule is fixed (or fails differently) it fails.
 */
export function test(name: string, wrong: Wrong | undefined, body: () => Promise<void>): void {
  if (!wrong) {
    it(name, body);
    return;
  }
  it.fails(`${name} — KNOWN WRONG (${wrong.short}; see the case's \`wrong\`)`, async () => {
    try {
      await body();
    } catch (err) {
      if (wrong.symptom.test(String(err))) throw err;
      console.error(`${name}: failed, but not with the known symptom ${wrong.symptom}:`, err);
    }
  });
}
