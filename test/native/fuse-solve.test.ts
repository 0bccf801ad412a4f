// Solves through fused regions, driven like the solve driver (bench/native/drivers.ts): the
// Poisson problem with a closed-form solution (examples/poisson.iter's), where float32 stops at
// its floor (a true relative residual of 1e-4 and worse), converges in float64 to 1e-10 with
// CG and with CG preconditioned by the stdlib's multigrid V-cycle; and the computed solution
// is the closed form to the accuracy the residual promises.
import { describe, expect, it } from "vitest";
import { solveFused, type SolveRegions } from "../../bench/native/drivers.js";
import { poissonRhs } from "../../bench/native/mg-section.js";
import { array, bind, compileConstruct, MGPCG_SOURCE } from "../../bench/native/programs.js";
import type { Region } from "../../compiler/ir/ir.js";
import type { Precision } from "../../runtime/native/fused.js";

const CG_SCALED = (n: number) => `dim N = ${n}
input f: f32[N, N]
op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2
solve A(u) = f method cg(rtol: 1e-6, maxiter: 5000) -> u
export u
`;

function regions(source: string, n: number, precision: Precision) {
  const c = compileConstruct(source, { f: [n, n] });
  const b = array(precision, [n, n], poissonRhs(n));
  const env = new Map([[c.inputs.get("f")!, b]]);
  const r = c.construct.regions as Record<string, Region>;
  const solve: SolveRegions = {
    start: bind(c, r.start, precision, env),
    step: bind(c, r.step, precision, env, [0, 1, 2, 3]),
    apply: bind(c, r.operator, precision, env),
    state: 4,
  };
  return { solve, b };
}

/** max |u − x(1−x)y(1−y)| over the grid: the discrete problem's exact solution. */
function error(u: ArrayLike<number>, n: number): number {
  const h = 1 / (n + 1);
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const [x, y] = [(j + 1) * h, (i + 1) * h];
      worst = Math.max(worst, Math.abs(u[i * n + j] - x * (1 - x) * y * (1 - y)));
    }
  return worst;
}

describe("solves through fused regions", () => {
  it("CG in float64 reaches 1e-10 where float32 cannot (N = 63)", () => {
    const n = 63;
    const f64 = regions(CG_SCALED(n), n, "f64");
    const run = solveFused(f64.solve, f64.b, "f64", 1e-10, 5000);
    expect(run.converged).toBe(true);
    expect(run.trueRelResidual).toBeLessThanOrEqual(1e-10);
    const f32 = regions(CG_SCALED(n), n, "f32");
    const floor = solveFused(f32.solve, f32.b, "f32", 1e-10, 600);
    expect(floor.converged).toBe(false);
    expect(floor.trueRelResidual).toBeGreaterThan(1e-6);
  });

  for (const n of [31, 63])
    it(`MG-PCG in float64 converges to 1e-10 in a bounded number of iterations (N = ${n})`, () => {
      const { solve, b } = regions(MGPCG_SOURCE(n), n, "f64");
      const run = solveFused(solve, b, "f64", 1e-10, 50);
      expect(run.converged).toBe(true);
      expect(run.trueRelResidual).toBeLessThanOrEqual(1e-10);
      expect(run.iterations).toBeLessThanOrEqual(12);
    });

  it("the float64 CG solution is the closed form to the residual's accuracy (N = 31)", () => {
    const n = 31;
    const { solve, b } = regions(CG_SCALED(n), n, "f64");
    const x0 = array("f64", [n, n]);
    let state = solve.start.run([x0]).slice(0, 4);
    for (let k = 0; k < 400; k++) {
      const out = solve.step.run(state);
      state = out.slice(0, 4);
      if (out[4].data[0] <= 1e-12 * Math.hypot(...b.data)) break;
    }
    expect(error(state[0].data, n)).toBeLessThan(1e-12);
  });
});
