// The optimisers of stdlib/optim.iter and the L-BFGS driver against float64 plain-TS
// references: a few steps from the same start on a quadratic, on Rosenbrock's function and (for
// Shampoo) on a matrix least-squares problem. The float32 run and the float64 reference apply the
// same update rule; after 5 steps they agree to float32 rounding amplified by the steps: 1e-4 of
// the iterate's scale is far above that (measured ≤ 1e-6) and far below any mistake in a rule
// (a wrong bias correction or sign moves an entry by ≥ 1e-2 of the scale).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";

type Vec = number[];
type Grad = (x: Vec) => Vec;

async function minimise(objective: string, type: string, x0: string, method: string, steps: number, until = "") {
  const source = `${objective}\nminimize f(x)\n  init ${x0}\n  method ${method}\n${until ? `  until ${until}\n` : ""}  max ${steps}\n  -> x: ${type}\nexport x`;
  const out = await runSource(source, { file: "t.iter", backend: "cpu" });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.span.start.line}: ${d.message}`).join("\n"));
  return { x: [...out.exports[0].data], report: out.reports.find((r) => r.name === "x")! };
}

const maxAbs = (v: Vec) => Math.max(...v.map(Math.abs));
function expectClose(got: Vec, want: Vec, rel = 1e-4) {
  const scale = Math.max(maxAbs(want), 1e-3);
  expect(maxAbs(got.map((g, i) => g - want[i])), `got ${got}, want ${want}`).toBeLessThan(rel * scale);
}

// f(x) = ½ xᵀQx − bᵀx, ∇f = Qx − b.
const Q = [
  [4, 1, 0, 0.5],
  [1, 3, 0.5, 0],
  [0, 0.5, 2, 0.25],
  [0.5, 0, 0.25, 1],
];
const B = [1, -2, 0.5, 3];
const QUAD = `let Q = ${JSON.stringify(Q)}\nlet b = ${JSON.stringify(B)}\nop f(x: f32[4]) = 0.5 * dot(x, Q @ x) - dot(b, x)`;
const quadGrad: Grad = (x) => Q.map((row, i) => row.reduce((s, q, j) => s + q * x[j], 0) - B[i]);
const X0 = [0.3, -0.2, 0.1, 0.5];

// Rosenbrock: f = (1 − x₀)² + 100 (x₁ − x₀²)².
const ROSEN = "op f(x: f32[2]) = (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2";
const rosenGrad: Grad = ([a, b]) => [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)];
const R0 = [-1.2, 1];

/** A reference optimiser: state from x, then a step (g, k, x, state) → (x, state). */
interface Reference {
  start: (x: Vec) => Vec[];
  step: (g: Vec, k: number, x: Vec, s: Vec[]) => [Vec, Vec[]];
}
const zip = (a: Vec, b: Vec, f: (p: number, q: number) => number) => a.map((p, i) => f(p, b[i]));

function adamRef(lr: number, b1: number, b2: number, eps: number, wd = 0): Reference {
  return {
    start: (x) => [x.map(() => 0), x.map(() => 0)],
    step: (g, k, x, [m, v]) => {
      const m1 = zip(m, g, (a, b) => b1 * a + (1 - b1) * b);
      const v1 = zip(v, g, (a, b) => b2 * a + (1 - b2) * b * b);
      const x1 = x.map((xi, i) => xi - lr * (m1[i] / (1 - b1 ** k) / (Math.sqrt(v1[i] / (1 - b2 ** k)) + eps) + wd * xi));
      return [x1, [m1, v1]];
    },
  };
}
const REFERENCES: Record<string, (lr: number) => Reference> = {
  gd: (lr) => ({ start: () => [], step: (g, _k, x) => [zip(x, g, (a, b) => a - lr * b), []] }),
  momentum: (lr) => ({
    start: (x) => [x.map(() => 0)],
    step: (g, _k, x, [v]) => {
      const v1 = zip(v, g, (a, b) => 0.9 * a + b);
      return [zip(x, v1, (a, b) => a - lr * b), [v1]];
    },
  }),
  nesterov: (lr) => ({
    start: (x) => [x.map(() => 0)],
    step: (g, _k, x, [v]) => {
      const v1 = zip(v, g, (a, b) => 0.9 * a + b);
      return [x.map((a, i) => a - lr * (g[i] + 0.9 * v1[i])), [v1]];
    },
  }),
  adam: (lr) => adamRef(lr, 0.9, 0.999, 1e-8),
  adamw: (lr) => adamRef(lr, 0.9, 0.999, 1e-8, 0.01),
  lion: (lr) => ({
    start: (x) => [x.map(() => 0)],
    step: (g, _k, x, [m]) => {
      const c = zip(m, g, (a, b) => 0.9 * a + 0.1 * b);
      return [x.map((a, i) => a - lr * Math.sign(c[i])), [zip(m, g, (a, b) => 0.99 * a + 0.01 * b)]];
    },
  }),
};

function reference(name: string, lr: number, grad: Grad, x0: Vec, steps: number): Vec {
  const r = REFERENCES[name](lr);
  let x = x0;
  let s = r.start(x);
  for (let k = 1; k <= steps; k++) [x, s] = r.step(grad(x), k, x, s);
  return x;
}

describe("first-order optimisers match float64 references step by step", () => {
  const lrs: Record<string, [number, number]> = { gd: [0.1, 1e-3], momentum: [0.05, 5e-4], nesterov: [0.05, 5e-4], adam: [0.05, 0.02], adamw: [0.05, 0.02], lion: [0.01, 0.01] };
  for (const [name, [lrQuad, lrRosen]] of Object.entries(lrs)) {
    it(`${name}: 5 steps on a quadratic and on Rosenbrock`, async () => {
      const quad = await minimise(QUAD, "f32[4]", JSON.stringify(X0), `${name}(lr: ${lrQuad})`, 5);
      expect(quad.report.iterations).toBe(5);
      expectClose(quad.x, reference(name, lrQuad, quadGrad, X0, 5));
      const rosen = await minimise(ROSEN, "f32[2]", JSON.stringify(R0), `${name}(lr: ${lrRosen})`, 5);
      expectClose(rosen.x, reference(name, lrRosen, rosenGrad, R0, 5));
    });
  }
});

// ---- Shampoo ----------------------------------------------------------------------------

type Mat = number[][];
const matmul = (a: Mat, b: Mat): Mat => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const transpose = (a: Mat): Mat => a[0].map((_, j) => a.map((r) => r[j]));
const eye = (n: number): Mat => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
const addM = (a: Mat, b: Mat): Mat => a.map((r, i) => r.map((v, j) => v + b[i][j]));

/** A^(−1/4) of a symmetric positive definite A by Jacobi eigenvalue rotations (float64). */
function inverseRoot4(A: Mat): Mat {
  const n = A.length;
  const a = A.map((r) => [...r]);
  let V = eye(n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        const J = eye(n);
        [J[p][p], J[q][q], J[p][q], J[q][p]] = [c, c, s, -s];
        const rotated = matmul(matmul(transpose(J), a), J);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i][j] = rotated[i][j];
        V = matmul(V, J);
      }
  }
  const D = a.map((r, i) => r.map((_, j) => (i === j ? a[i][i] ** -0.25 : 0)));
  return matmul(matmul(V, D), transpose(V));
}

describe("shampoo", () => {
  // f(X) = ½‖A X − C‖², ∇f = Aᵀ(A X − C), X ∈ ℝ^{3×2}.
  const A = [
    [2, 0.5, 0],
    [0.5, 1.5, 0.25],
    [0, 0.25, 1],
    [1, 0, 0.5],
  ];
  const C = [
    [1, 0],
    [0, 1],
    [1, 1],
    [-1, 0.5],
  ];
  const program = `let A = ${JSON.stringify(A)}\nlet C = ${JSON.stringify(C)}\nop f(x: f32[3, 2]) = 0.5 * sum((A @ x - C)^2)`;
  const grad = (X: Mat) => matmul(transpose(A), addM(matmul(A, X), C.map((r) => r.map((v) => -v))));

  it("3 steps match L^(−1/4) G R^(−1/4) with eigendecomposition roots, to the Newton iteration's accuracy", async () => {
    const [lr, eps, steps] = [0.1, 1e-4, 3];
    const got = await minimise(program, "f32[3, 2]", "zeros(3, 2)", `shampoo(lr: ${lr}, eps: ${eps})`, steps);
    let X: Mat = [
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    let L = eye(3).map((r) => r.map((v) => eps * v));
    let R = eye(2).map((r) => r.map((v) => eps * v));
    for (let k = 0; k < steps; k++) {
      const G = grad(X);
      L = addM(L, matmul(G, transpose(G)));
      R = addM(R, matmul(transpose(G), G));
      const update = matmul(matmul(inverseRoot4(L), G), inverseRoot4(R));
      X = X.map((r, i) => r.map((v, j) => v - lr * update[i][j]));
    }
    // The inverse roots stop at ‖M − I‖_F < 1e-4·p: about 1e-4 relative in each root.
    expectClose(got.x, X.flat(), 2e-3);
  });
});

// ---- L-BFGS and properties ---------------------------------------------------------------

describe("lbfgs", () => {
  // With exact line searches (BFGS) terminates on a quadratic in n steps; a small c2 makes the
  // Wolfe search exact there (the cubic interpolation of a quadratic is the quadratic).
  it("with an exact line search (c2: 1e-4), reaches ‖∇f‖ ≤ 1e-5 ‖∇f₀‖ on the quadratic within n + 1 = 5 iterations", async () => {
    const r = await minimise(QUAD, "f32[4]", JSON.stringify(X0), "lbfgs(c2: 1e-4)", 50, "rel_gnorm < 1e-5");
    expect(r.report.converged).toBe(true);
    expect(r.report.iterations).toBeLessThanOrEqual(5);
    expect(maxAbs(quadGrad(r.x))).toBeLessThan(1e-4);
  });

  it("with the default c2 = 0.9, converges on the quadratic in at most 2n iterations", async () => {
    const r = await minimise(QUAD, "f32[4]", JSON.stringify(X0), "lbfgs", 50, "rel_gnorm < 1e-5");
    expect(r.report.converged).toBe(true);
    expect(r.report.iterations).toBeLessThanOrEqual(8);
  });

  it("solves Rosenbrock from (−1.2, 1) to (1, 1) and every accepted step decreases f", async () => {
    const r = await minimise(ROSEN, "f32[2]", JSON.stringify(R0), "lbfgs", 200, "gnorm < 1e-4");
    expect(r.report.converged).toBe(true);
    expectClose(r.x, [1, 1], 1e-3);
    const f = r.report.objectiveHistory!;
    for (let i = 1; i < f.length; i++) expect(f[i]).toBeLessThanOrEqual(f[i - 1]);
  });

  it("says line_search_failed, not converged, when float32 cannot decrease f any further", async () => {
    // A tolerance the float32 gradient cannot reach: the minimiser Q⁻¹b is not a float32 vector.
    const r = await minimise(QUAD, "f32[4]", JSON.stringify(X0), "lbfgs", 500, "gnorm < 1e-30");
    expect(r.report.converged).toBe(false);
    expect(["line_search_failed", "max_iterations"]).toContain(r.report.reason);
    expect(r.report.detail).toMatch(/f = /);
  });
});

describe("properties", () => {
  it("lion with weight decay λ keeps ‖x‖∞ ≤ 1/λ once inside (random starts and quadratics)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }), async (start, target) => {
        const lambda = 0.5; // 1/λ = 2; starts inside [−1, 1]
        const objective = `let t = ${JSON.stringify(target)}\nop f(x: f32[3]) = sum((x - t)^2)`;
        const r = await minimise(objective, "f32[3]", JSON.stringify(start), `lion(lr: 0.3, weight_decay: ${lambda})`, 20);
        // float32 rounding of (1 − lr λ) x ∓ lr: a few ulps of 2.
        expect(maxAbs(r.x)).toBeLessThanOrEqual(1 / lambda + 1e-6);
      }),
      { seed: 20261203, numRuns: 8 },
    );
  });
});
