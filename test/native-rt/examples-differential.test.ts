// Every example on the native backend (float32; the regions the default fuser compiles run as
// WebAssembly kernels, the rest op by op on plain-TS kernels) against tfjs's cpu backend: the
// same reports and the same exports within float32 tolerance.
//
// The tolerance. Both runs compute in float32; they differ only in rounding (a native kernel
// rounds once per op, a fused kernel keeps values in registers across ops and accumulates its
// reductions in float64, a tfjs kernel may round inside an op and sums in another order): about
// 1e-7 relative per op. A converged iteration does not amplify that beyond what its stopping
// rule admits: every example stops at rtol or atol ≥ 1e-6, and its answers are within
// tolerance × conditioning of the solution — 7e-4 for the least well-conditioned one (Anderson
// with L ≈ 0.99 and atol 1e-5, whose error bound r/(1 − L) the report states). So values agree
// to 1e-3 of their largest entry, and exports that measure an error or a defect (entries below
// 1e-2: their size IS the tolerance) agree to 1e-3 absolutely. Iteration counts agree to within
// two, or a tenth of the count when that is more: a rounding moves the crossing of the
// tolerance by as many steps as the residual takes to shrink by the difference the roundings
// made. Anderson(5) is the one that needs more than two: near its atol 1e-5 its least-squares
// problem is ill-conditioned, the residual shrinks by only about 0.8 per step (iterations 23 to
// 39), and the runs' residuals there differ by up to 30% (float64 on native itself: 37
// iterations; tfjs cpu 36, native op by op 37, native fused 39).
// Measured: the largest relative difference of a value is 2e-4 (anderson's x), of a defect
// 2.4e-4 absolute (anderson's gap); most exports agree exactly.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";
import { expectExportAgrees } from "../reference/agree.js";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
// neural-operator.iter trains for 1600 steps: over a minute on op-by-op native and 37 s on tfjs
// cpu, for a comparison its own test (test/train/neural-operator.test.ts) already makes against
// float64 references.
const SLOW = new Set(["neural-operator.iter"]);
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".iter") && !SLOW.has(f))
  .sort();

describe("every example on native agrees with tfjs cpu", () => {
  it.each(files)("%s", async (name) => {
    const file = join(EXAMPLES, name);
    const source = readFileSync(file, "utf8");
    const tfjs = await runSource(source, { file, backend: "cpu" });
    const native = await runSource(source, { file, backend: "native" });
    expect(native.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(native.backend?.name).toBe("native");
    expect(native.reports.map((r) => [r.name, r.kind, r.method, r.reason])).toEqual(tfjs.reports.map((r) => [r.name, r.kind, r.method, r.reason]));
    native.reports.forEach((r, i) => {
      const slack = Math.max(2, Math.floor(tfjs.reports[i].iterations / 10));
      expect(Math.abs(r.iterations - tfjs.reports[i].iterations), `${r.name}: ${r.iterations} vs ${tfjs.reports[i].iterations} iterations`).toBeLessThanOrEqual(slack);
      expect(r.engine).toMatch(/^native f32/);
      expect(tfjs.reports[i].engine).toBe("tfjs-cpu");
    });
    expect(native.exports.map((e) => [e.name, e.dtype])).toEqual(tfjs.exports.map((e) => [e.name, e.dtype]));
    native.exports.forEach((e, i) => expectExportAgrees(e, tfjs.exports[i], "native"));
  });
});
