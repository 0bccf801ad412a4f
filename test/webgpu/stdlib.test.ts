// The standard library's methods on the webgpu backend at small sizes, on random problems
// (fast-check, fixed seed): each solve reaches its tolerance as on cpu, and the two solutions
// agree within what the tolerance allows. Skipped (reported as skipped) without the optional
// packages or an adapter (.ci/webgpu-setup installs a software one).
//
// The bound: both runs stop with ‖b − A u‖ ≤ rtol·‖b‖, so ‖u_gpu − u_cpu‖ ≤ 2·rtol·‖b‖/λ_min(A),
// λ_min ≥ 8 (n + 1)² sin²(π / (2(n + 1))) ≈ 2π² for the scaled 5-point Laplacian (a Neumann
// problem, projected: λ_min = (2n sin(π/2n))² on the complement of the constants); a fixed point
// of a contraction with constant L and atol τ is within τ/(1 − L) of x*, so two runs within
// 2τ/(1 − L). Float32 rounding of u adds 1e-6·‖u‖.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";
import { releaseBackends, selectBackend } from "../../runtime/tfjs/backend.js";

async function probe(): Promise<boolean> {
  try {
    await selectBackend("webgpu");
    return true;
  } catch (e) {
    console.log(`webgpu: skipping: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}
const available = await probe();
afterAll(() => releaseBackends());

const N = 15;
const RTOL = 1e-5;
const POISSON = `op A(u: f32[n, n]) is spd = stencil5(u, center: 4, side: -1) * (n + 1)^2
op Nm(u: f32[n, n]) is spd = (stencil5(ones(n, n), center: 0, side: 1) * u + stencil5(u, center: 0, side: -1)) * n^2
`;

/** The solves: each line's unknown is `u`, on the right side `f` of size N × N (16 × 16 for the cell-centred one). */
const SOLVES: { label: string; line: string; size: number; lambdaMin: (n: number) => number }[] = [
  { label: "cg", line: `solve A(u) = f method cg(rtol: ${RTOL}) -> u`, size: N, lambdaMin: laplacianMin },
  { label: "cg + multigrid", line: `solve A(u) = f method cg(rtol: ${RTOL}) precond multigrid -> u`, size: N, lambdaMin: laplacianMin },
  { label: "gmres + jacobi", line: `solve A(u) = f method gmres(rtol: ${RTOL}) precond jacobi -> u`, size: N, lambdaMin: laplacianMin },
  { label: "minres", line: `solve A(u) = f method minres(rtol: ${RTOL}) -> u`, size: N, lambdaMin: laplacianMin },
  { label: "bicgstab", line: `solve A(u) = f method bicgstab(rtol: ${RTOL}) -> u`, size: N, lambdaMin: laplacianMin },
  {
    label: "cell-centred Neumann, cg + multigrid, nullspace",
    line: `solve Nm(u) = f method cg(rtol: ${RTOL}) precond multigrid(grid: cell, boundary: reflect) nullspace constant -> u`,
    size: 16,
    lambdaMin: (n) => (2 * n * Math.sin(Math.PI / (2 * n))) ** 2,
  },
];

function laplacianMin(n: number): number {
  return 8 * (n + 1) ** 2 * Math.sin(Math.PI / (2 * (n + 1))) ** 2;
}

async function solveOn(backend: "cpu" | "webgpu", source: string, f: Float32Array, n: number) {
  const out = await runSource(source, { file: "stdlib-webgpu.iter", backend, inputs: new Map([["f", { dtype: "float32" as const, shape: [n, n], data: f }]]) });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { report: out.reports[0], u: out.exports.find((e) => e.name === "u")!.data };
}

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

describe.skipIf(!available)("the standard library on webgpu agrees with cpu", () => {
  it.each(SOLVES)(
    "$label",
    async ({ line, size, lambdaMin }) => {
      const source = `${POISSON}dim N = ${size}\ninput f: f32[N, N]\n${line}\nexport u\n`;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.float({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true }), { minLength: size * size, maxLength: size * size }), async (values) => {
          const f = Float32Array.from(values);
          fc.pre(norm(f) > 1e-3);
          const cpu = await solveOn("cpu", source, f, size);
          const gpu = await solveOn("webgpu", source, f, size);
          expect(gpu.report.reason).toBe(cpu.report.reason);
          expect(gpu.report.converged).toBe(true);
          const diff = norm(Float64Array.from(gpu.u, (v, i) => v - cpu.u[i]));
          const bound = (2 * RTOL * norm(f)) / lambdaMin(size) + 1e-6 * norm(cpu.u);
          expect(diff, `‖u_gpu − u_cpu‖ = ${diff}, bound ${bound}`).toBeLessThanOrEqual(bound);
        }),
        { seed: 22, numRuns: 3 },
      );
    },
    300_000,
  );

  it("anderson on a random contraction: both within 2·atol/(1 − L) of each other", async () => {
    const L = 0.9;
    const source = `dim n = 32
input W: f32[n, n]
input b: f32[n]
fixpoint x: f32[n] = ${L} * tanh(W @ x) + b init zeros method anderson(m: 5) until residual < 1e-5 max 500
export x
`;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1 << 30 }), async (seed) => {
        // W with spectral norm ≤ 1 (entries ±1/n), so x ↦ L tanh(W x) + b contracts with constant L.
        let s = seed;
        const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
        const W = Float32Array.from({ length: 32 * 32 }, () => (next() < 0.5 ? -1 : 1) / 32);
        const b = Float32Array.from({ length: 32 }, () => next() - 0.5);
        const run = (backend: "cpu" | "webgpu") =>
          runSource(source, { file: "anderson-webgpu.iter", backend, inputs: new Map([["W", { dtype: "float32" as const, shape: [32, 32], data: W }], ["b", { dtype: "float32" as const, shape: [32], data: b }]]) });
        const [cpu, gpu] = [await run("cpu"), await run("webgpu")];
        expect(gpu.reports[0].converged).toBe(true);
        const [xc, xg] = [cpu.exports[0].data, gpu.exports[0].data];
        expect(norm(Float64Array.from(xg, (v, i) => v - xc[i]))).toBeLessThanOrEqual((2 * 1e-5) / (1 - L) + 1e-6 * norm(xc));
      }),
      { seed: 22, numRuns: 3 },
    );
  }, 300_000);
});
