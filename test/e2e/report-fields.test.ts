// Reports read in the program (`u.iterations`, `u.residual`, `u.converged`, `u.history`), the
// counts of operator, preconditioner and Jacobian applications every report carries, and a
// loop's summary of the constructs in its body. The residuals read in the program are checked
// against float64 residuals of the exported solutions; the counts against the structure of each
// method (how many applications a start, a step and the driver's confirmations make).
import { describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";
import type { Report } from "../../runtime/report.js";

async function run(src: string) {
  const out = await runSource(src, { file: "t.iter", backend: "cpu" });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  const value = (name: string) => Array.from(out.exports.find((e) => e.name === name)?.data ?? []);
  const report = (name: string) => out.reports.find((r) => r.name === name) as Report;
  return { out, errors, value, report };
}

/** ‖1 − A u‖₂ in float64 for the 5-point Laplacian scaled by (n + 1)², zero boundary. */
function poissonResidual(u: number[], n: number): number {
  const h2 = (n + 1) ** 2;
  let s = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const at = (a: number, b: number) => (a < 0 || b < 0 || a >= n || b >= n ? 0 : u[a * n + b]);
      const Au = (4 * at(i, j) - at(i - 1, j) - at(i + 1, j) - at(i, j - 1) - at(i, j + 1)) * h2;
      s += (1 - Au) ** 2;
    }
  return Math.sqrt(s);
}

const POISSON = `dim N = 15
op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2
let f = ones(N, N)
`;

describe("report fields read in the program", () => {
  it("a solve's iterations, residual, rel_residual, converged and history are its report's", async () => {
    const { errors, value, report } = await run(`${POISSON}
solve A(u) = f method cg(rtol: 1e-3, maxiter: 60) -> u
export u
export its = u.iterations
export res = [u.residual, u.rel_residual]
export ok = u.converged
export h = u.history`);
    expect(errors).toEqual([]);
    const r = report("u");
    expect(value("its")).toEqual([r.iterations]);
    // the true residual, as float64 computes it from the exported u (float32 rounding of A u: 1e-3 relative)
    const r64 = poissonResidual(value("u"), 15);
    expect(Math.abs(value("res")[0] - r64)).toBeLessThanOrEqual(1e-3 * r64 + 1e-6);
    expect(value("res")[1]).toBeCloseTo(value("res")[0] / 15, 6);
    expect(value("ok")).toEqual([1]);
    const h = value("h");
    expect(h).toHaveLength(61);
    expect(h.slice(0, r.iterations + 1)).toEqual(r.history.map(Math.fround));
    // after the last iteration, the final entry repeats: entry k is the residual after min(k, iterations)
    expect(new Set(h.slice(r.iterations))).toEqual(new Set([Math.fround(r.history[r.iterations])]));
  });

  it("a fixpoint's fields, and a program comparing two methods by their reports", async () => {
    const { errors, value, report } = await run(`
dim n = 32
let v = normal(n, seed: 1)
let W = 0.95 * (eye(n) - 2 * outer(v, v) / dot(v, v))
let b = normal(n, seed: 2)
fixpoint x: f32[n] = tanh(W @ x + b) init zeros method picard until residual < 1e-5 max 400
fixpoint y: f32[n] = tanh(W @ y + b) init zeros method anderson(m: 5) until residual < 1e-5 max 400
export faster = y.iterations < x.iterations
export ratio = x.iterations / y.iterations
export both = x.converged and y.converged
export gap = norm(x - y)`);
    expect(errors).toEqual([]);
    expect(value("faster")).toEqual([1]);
    expect(value("ratio")[0]).toBeCloseTo(report("x").iterations / report("y").iterations, 5);
    expect(value("both")).toEqual([1]);
  });

  it("a loop has iterations and converged; the fields of a solve in its body are read per iteration", async () => {
    const { errors, value, report } = await run(`${POISSON}
loop k < 4 carry (total = 0, worst = 0) {
  solve A(w) = f * (k + 1) method cg(rtol: 1e-3) -> w
  total = total + w.iterations
  worst = maximum(worst, w.rel_residual)
} until total > 1000 -> (total, worst)
export total
export worst
export its = [total.iterations, worst.iterations]
export done = total.converged`);
    expect(errors).toEqual([]);
    const loop = report("total, worst");
    expect(value("its")).toEqual([4, 4]);
    expect(value("done")).toEqual([1]);
    expect(loop.inner).toEqual([{ name: "w", kind: "solve", method: "cg", runs: 4, iterations: value("total")[0], failed: 0 }]);
    expect(value("worst")[0]).toBeLessThanOrEqual(1e-3);
  });

  it("report fields are not differentiated: a gradient through a solve whose iterations are read", async () => {
    const { errors, value } = await run(`
let A0 = [[4.0, 1.0], [1.0, 3.0]]
op u_of(s: f32[2]) {
  solve (A0 + diag(s)) @ u = [1.0, 2.0] method cg(rtol: 1e-6) -> u
  return u * (1 + 0 * u.iterations)
}
export g = grad(s => sum(u_of(s)^2), [0.5, 0.25])`);
    expect(errors).toEqual([]);
    // analytic: L = Σu², (A0 + diag s) u = b: ∂L/∂s_i = −w_i u_i, (A0 + diag s)ᵀ w = 2u
    const A = [[4.5, 1], [1, 3.25]];
    const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
    const solve = (b: number[]) => [(A[1][1] * b[0] - A[0][1] * b[1]) / det, (A[0][0] * b[1] - A[1][0] * b[0]) / det];
    const u = solve([1, 2]);
    const w = solve(u.map((x) => 2 * x));
    const g = value("g");
    g.forEach((x, i) => expect(Math.abs(x + w[i] * u[i])).toBeLessThanOrEqual(1e-4 * Math.abs(w[i] * u[i])));
  });

  it("fields a construct does not have, and values no construct computed, are located errors", async () => {
    const loop = await run(`loop k < 3 carry (s = 0) { s = s + k } -> s\nexport r = s.residual`);
    expect(loop.errors.map((e) => [e.message, e.span.start.line])).toEqual([["A `loop` has no `residual`: it has no residual.", 2]]);
    const typo = await run(`${POISSON}solve A(u) = f -> u\nexport i = u.iteration`);
    expect(typo.errors[0].message).toBe("A report has no field `iteration`.");
    expect(typo.errors[0].hint).toBe("did you mean `iterations`?");
    const plain = await run(`let x = [1.0, 2.0]\nexport i = x.iterations`);
    expect(plain.errors[0].message).toBe("Only the result of a `solve`, `fixpoint` or `loop` has fields, and `x` is not one.");
    const huge = await run(`fixpoint z: f32[2] = 0.5 * z max 100000000\nexport h = z.history`);
    expect(huge.errors[0].message).toBe("`z.history` has one entry per possible iteration, and the bound allows 100000000.");
  });
});

describe("counts of applications in every report", () => {
  it("CG: one operator application per step, plus the start, the initial and the final true residual; one preconditioner per step plus the start", async () => {
    const { report } = await run(`${POISSON}solve A(u) = f method cg(rtol: 1e-3) precond jacobi -> u`);
    const r = report("u");
    expect(r.counts).toEqual({ operator: r.iterations + 3, precond: r.iterations + 1, jacobian: 0 });
  });

  it("GMRES: one operator and one preconditioner per iteration, plus the final true residual (and one more M per cycle to form the iterate)", async () => {
    const { report } = await run(`${POISSON}solve A(u) = f method gmres(rtol: 1e-3, restart: 50) precond jacobi -> u`);
    const r = report("u");
    expect(r.counts).toEqual({ operator: r.iterations + 1, precond: r.iterations + 1, jacobian: 0 });
  });

  it("a fixpoint counts its map evaluations: Picard one per iteration and one for the last residual; Anderson as its detail says", async () => {
    const { report } = await run(`
fixpoint x: f32[3] = 0.5 * cos(x) init zeros max 100
fixpoint y: f32[3] = 0.5 * cos(y) init zeros method anderson(m: 3) max 100`);
    expect(report("x").counts).toEqual({ operator: report("x").iterations + 1, precond: 0, jacobian: 0 });
    const evaluations = Number(/(\d+) map evaluations/.exec(report("y").detail!)![1]);
    expect(report("y").counts).toEqual({ operator: evaluations, precond: 0, jacobian: 0 });
  });

  it("a loop's counts are the sum of the constructs in its body", async () => {
    const { out, report } = await run(`${POISSON}
loop k < 3 carry (s = 0) {
  solve A(w) = f * (k + 1) method cg(rtol: 1e-3) -> w
  s = s + sum(w)
} -> s`);
    const solves = out.reports.filter((r) => r.name === "w");
    expect(solves).toHaveLength(0); // summarised in the loop, not one row per run
    const loop = report("s");
    expect(loop.inner![0].runs).toBe(3);
    expect(loop.counts!.operator).toBe(loop.inner![0].iterations + 3 * 3);
  });
});
