// Memory: running a program leaves tfjs holding exactly the tensors it held before, and the
// number of iterations makes no difference (each region runs in a tf.tidy; drivers dispose what
// they replace). Measured with tf.memory().numTensors of the backend's own tf object, on the cpu
// backend (small problems, many iterations: wasm's per-kernel overhead would only slow it down).
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { type SelectedBackend, selectBackend } from "../../runtime/tfjs/backend.js";
import { TfjsInterpreter } from "../../runtime/tfjs/interpreter.js";
import type { NpyArray } from "../../runtime/npy.js";
import type { Report } from "../../runtime/report.js";
import { runSource } from "../../runtime/run.js";

let backend: SelectedBackend;
const live = () => backend.tf.memory().numTensors;

beforeAll(async () => {
  backend = await selectBackend("cpu");
});

/** Runs through runSource (which reads and disposes the exports); returns the report and the
 * live tensor count before and after. */
async function measure(source: string, inputs: Record<string, NpyArray> = {}): Promise<{ before: number; after: number; report: Report }> {
  const before = live();
  const out = await runSource(source, { file: "<leak test>", inputs: new Map(Object.entries(inputs)), backend: "cpu" });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(out.backend?.name).toBe("cpu");
  expect(out.reports).toHaveLength(1);
  return { before, after: live(), report: out.reports[0] };
}

describe("no tensor leaks, however many iterations", () => {
  const loop = (count: number) => `
dim n = 8
loop k < ${count} carry (x = ones(n), y = zeros(n)) {
  x = 0.5 * x + 0.1 * tanh(y)
  y = 0.9 * y + x * k / ${count}
} -> (x, y)
export x
export y
export s = sum(x * y)
`;

  it.each([10, 10_000])("loop k < %i with two carried values", async (count) => {
    const { before, after, report } = await measure(loop(count));
    expect(report).toMatchObject({ kind: "loop", reason: "completed", iterations: count });
    expect(after).toBe(before);
  });

  it("loop k < 10000 through TfjsInterpreter directly: only the exports stay until disposed", () => {
    const compiled = compileSource(loop(10_000), { file: "<leak test>" });
    expect(compiled.module).toBeDefined();
    const before = live();
    const result = new TfjsInterpreter(backend.tf).run(compiled.module!, new Map());
    expect(result.reports[0]).toMatchObject({ reason: "completed", iterations: 10_000 });
    const exported = new Set(result.exports.values());
    expect(live()).toBe(before + exported.size);
    for (const t of exported) t.dispose();
    expect(live()).toBe(before);
  });

  // x ← R x with R orthogonal (rotations by 1 radian in two planes): ‖R x − x‖ never shrinks.
  const c = Math.cos(1);
  const s = Math.sin(1);
  const R: NpyArray = { dtype: "float32", shape: [4, 4], data: Float32Array.from([c, -s, 0, 0, s, c, 0, 0, 0, 0, c, -s, 0, 0, s, c]) };
  const rotation = (max: number) => `
input R: f32[n, n]
fixpoint x: f32[n] = R @ x
  init ones(n)
  method picard
  until residual < 1e-6
  max ${max}
export x
export r = norm(R @ x - x)
`;

  it.each([10, 10_000])("fixpoint that never converges, max %i", async (max) => {
    const { before, after, report } = await measure(rotation(max), { R });
    expect(report).toMatchObject({ kind: "fixpoint", reason: "max_iterations", converged: false, iterations: max });
    expect(after).toBe(before);
  });

  // A Poisson-like 5-point stencil operator; rtol 1e-7 is out of float32's reach on this grid,
  // so with maxiter 2000 CG runs a few hundred iterations, residual replacements included, before
  // it gives up (its replacements stagnate) — many more than 10, through every code path.
  const poisson = (maxiter: number) => `
dim N = 63
op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2
let x = grid(N, axis: 1)
let y = grid(N, axis: 0)
let f = 2 * (x * (1 - x) + y * (1 - y))
solve A(u) = f method cg(rtol: 1e-7, maxiter: ${maxiter}) -> u
export u
`;

  it.each([10, 2000])("solve by cg, maxiter %i", async (maxiter) => {
    const { before, after, report } = await measure(poisson(maxiter));
    expect(report).toMatchObject({ kind: "solve", method: "cg" });
    expect(report).toMatchObject({ reason: "max_iterations", converged: false });
    if (maxiter === 10) expect(report.iterations).toBe(10);
    else expect(report.iterations).toBeGreaterThan(100);
    expect(after).toBe(before);
  });

  // Richardson with a tiny step never reaches its tolerance, so it runs every iteration: the
  // tensor count after 10,000 solver iterations equals the count after 10.
  const slow = (maxiter: number) => `
dim N = 8
op A(u: f32[n]) = 2 * u
let b = ones(N)
solve A(u) = b method richardson(omega: 1e-6, rtol: 1e-6, maxiter: ${maxiter}) -> u
export u
`;

  it.each([10, 10_000])("solve by richardson, exactly %i iterations", async (maxiter) => {
    const { before, after, report } = await measure(slow(maxiter));
    expect(report).toMatchObject({ kind: "solve", method: "richardson", reason: "max_iterations", iterations: maxiter });
    expect(after).toBe(before);
  });
});
