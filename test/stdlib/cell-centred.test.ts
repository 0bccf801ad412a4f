// Cell-centred multigrid and singular solves with a known null space, against float64 plain-TS
// references written from the definitions: the transfers (compiler/ops/multigrid.ts) as
// interpolation with ghost values, one V-cycle on the cell-centred Poisson operator, and the
// Neumann problem's minimum-norm solution by float64 CG on the projected system.
import { describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";
import { cg64, randomGrid, runIter } from "./grid-helpers.js";

type G = Float64Array;
type Boundary = "zero" | "reflect";

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
};
const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));
const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k];
  return s;
};

// ---- the float64 references ---------------------------------------------------------------------

/** Cell-centred bilinear interpolation m×m → 2m×2m: ¾ parent + ¼ neighbour per axis, ghost = ±edge. */
function prolong(v: G, m: number, bc: Boundary): G {
  const ghost = bc === "zero" ? -1 : 1;
  // The coarse value at (i, j), with ghosts beyond each edge (a tensor product: signs multiply).
  const at = (i: number, j: number): number => {
    let s = 1;
    if (i < 0 || i >= m) [i, s] = [i < 0 ? 0 : m - 1, s * ghost];
    if (j < 0 || j >= m) [j, s] = [j < 0 ? 0 : m - 1, s * ghost];
    return s * v[i * m + j];
  };
  const n = 2 * m;
  const out = new Float64Array(n * n);
  const parents = (q: number): [number, number][] => [[q >> 1, 0.75], [q % 2 === 0 ? (q >> 1) - 1 : (q >> 1) + 1, 0.25]];
  for (let I = 0; I < n; I++)
    for (let J = 0; J < n; J++) {
      let acc = 0;
      for (const [i, wi] of parents(I)) for (const [j, wj] of parents(J)) acc += wi * wj * at(i, j);
      out[I * n + J] = acc;
    }
  return out;
}

/** R = Pᵀ/4, built as the transpose of `prolong` column by column (not from the kernel's formula). */
function restrict(u: G, n: number, bc: Boundary): G {
  const m = n / 2;
  const out = new Float64Array(m * m);
  const e = new Float64Array(m * m);
  for (let k = 0; k < m * m; k++) {
    e.fill(0);
    e[k] = 1;
    out[k] = dot(prolong(e, m, bc), u) / 4;
  }
  return out;
}

/** The cell-centred 5-point Laplacian × n² with ghost cells ∓u (zero: Dirichlet) or u (reflect: Neumann). */
function laplacian(u: G, n: number, bc: Boundary): G {
  const out = new Float64Array(n * n);
  const ghost = bc === "zero" ? -1 : 1;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const c = u[i * n + j];
      const nb = (a: number, b: number): number => (a < 0 || b < 0 || a >= n || b >= n ? ghost * c : u[a * n + b]);
      out[i * n + j] = (4 * c - nb(i - 1, j) - nb(i + 1, j) - nb(i, j - 1) - nb(i, j + 1)) * n * n;
    }
  return out;
}

/** Red–black Gauss–Seidel on the points of one colour (red: i + j even), in place. */
function colourSweep(b: G, x: G, n: number, bc: Boundary, red: boolean): void {
  const Ax = laplacian(x, n, bc);
  const e = new Float64Array(n * n);
  for (let k = 0; k < x.length; k++) {
    if ((Math.floor(k / n) + (k % n)) % 2 !== (red ? 0 : 1)) continue;
    e.fill(0);
    e[k] = 1;
    x[k] += (b[k] - Ax[k]) / laplacian(e, n, bc)[k];
  }
}

/** One symmetric V(1,1) cycle from zero (the preconditioner's): the coarsest at n ≤ 3 or odd n. */
function cycle(b: G, n: number, bc: Boundary): G {
  const x = new Float64Array(n * n);
  if (n <= 3 || n % 2 === 1) {
    for (let s = 0; s < 2 * (n + 1) ** 2; s++) {
      colourSweep(b, x, n, bc, true);
      colourSweep(b, x, n, bc, false);
    }
    return x;
  }
  colourSweep(b, x, n, bc, true);
  colourSweep(b, x, n, bc, false);
  const Ax = laplacian(x, n, bc);
  const ec = cycle(restrict(b.map((v, k) => v - Ax[k]), n, bc), n / 2, bc);
  const pe = prolong(ec, n / 2, bc);
  const y = x.map((v, k) => v + pe[k]);
  colourSweep(b, y, n, bc, false);
  colourSweep(b, y, n, bc, true);
  return y;
}

/** The minimum-norm solution of the Neumann problem for the mean-free part of f: float64 CG on the projected system. */
function neumann64(f: G, n: number): G {
  const mean = sum(f) / f.length;
  const x = cg64((v) => laplacian(v, n, "reflect"), f.map((v) => v - mean), 1e-13);
  const xm = sum(x) / x.length;
  return x.map((v) => v - xm);
}

// ---- the operators in iterlang -----------------------------------------------------------------

/** D: the Dirichlet cell-centred Laplacian (ghost −u: 8 − neighbours on the diagonal); Nm: the Neumann one (ghost u). */
const CELL_OPERATORS = `
op D(u: f32[n, n]) is spd = ((8 - stencil5(ones(n, n), center: 0, side: 1)) * u + stencil5(u, center: 0, side: -1)) * n^2
op Nm(u: f32[n, n]) = (stencil5(ones(n, n), center: 0, side: 1) * u + stencil5(u, center: 0, side: -1)) * n^2
`;

// ---- tests --------------------------------------------------------------------------------------

describe("cell-centred grid transfers", () => {
  it("restrict_cc and prolong_cc equal the float64 transfers for both boundaries, R = Pᵀ/4 (also through grad), and reflect keeps constants", async () => {
    for (const m of [1, 3, 8]) {
      const n = 2 * m;
      const u = randomGrid(n, 31 + m);
      const v = randomGrid(m, 41 + m);
      for (const bc of ["zero", "reflect"] as const) {
        const ran = await runIter(
          `input u: f32[${n}, ${n}]\ninput v: f32[${m}, ${m}]\nexport Ru = restrict_cc(u, boundary: "${bc}")\nexport Pv = prolong_cc(v, u, boundary: "${bc}")\n` +
            `export g = grad(x => sum(restrict_cc(x, boundary: "${bc}") * v), u)\nexport P1 = prolong_cc(ones(${m}, ${m}), u, boundary: "${bc}")\n`,
          { u: { shape: [n, n], data: u }, v: { shape: [m, m], data: v } },
        );
        const [Ru, Pv, g, P1] = ["Ru", "Pv", "g", "P1"].map((k) => ran.values.get(k)!);
        const [R64, P64] = [restrict(u, n, bc), prolong(v, m, bc)];
        // Sums of at most 16 float32 products of magnitude ≤ 1: within a few ulps of 1.
        for (let k = 0; k < m * m; k++) expect(Math.abs(Ru[k] - R64[k]), `R ${bc} m=${m}`).toBeLessThanOrEqual(1e-6);
        for (let k = 0; k < n * n; k++) expect(Math.abs(Pv[k] - P64[k]), `P ${bc} m=${m}`).toBeLessThanOrEqual(1e-6);
        for (let k = 0; k < n * n; k++) expect(Math.abs(g[k] - P64[k] / 4), `grad ${bc} m=${m}`).toBeLessThanOrEqual(1e-6);
        if (bc === "reflect") for (const p of P1) expect(p).toBeCloseTo(1, 6);
        else expect(Math.min(...P1)).toBeLessThan(1); // zero on the wall pulls the edge cells down
      }
    }
  });

  it("run the same on the native backend (op by op) as on cpu", async () => {
    const [m, n] = [5, 10];
    const source = `input u: f32[${n}, ${n}]\nexport Ru = restrict_cc(u, boundary: "zero")\nexport Pv = prolong_cc(Ru, u, boundary: "reflect")\n`;
    const u = randomGrid(n, 7);
    const inputs = new Map([["u", { dtype: "float32" as const, shape: [n, n], data: Float32Array.from(u) }]]);
    const ran = await runSource(source, { file: "cc.iter", inputs, backend: "native" });
    expect(ran.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const Pv = ran.exports.find((e) => e.name === "Pv")!.data;
    const want = prolong(restrict(u, n, "zero"), m, "reflect");
    for (let k = 0; k < n * n; k++) expect(Math.abs(Pv[k] - want[k])).toBeLessThanOrEqual(1e-6);
  });

  it("refuse odd grids and mismatched sizes with the sizes in the message", async () => {
    const bad = await runSource(`input u: f32[9, 9]\nexport r = restrict_cc(u)\n`, { file: "odd.iter", backend: "cpu", inputs: new Map() });
    expect(bad.diagnostics.map((d) => d.message).join("\n")).toMatch(/restrict_cc.*even sizes.*f32\[9, 9\]/);
    const mismatch = await runSource(`input u: f32[8, 8]\ninput v: f32[3, 3]\nexport p = prolong_cc(v, u)\n`, { file: "mis.iter", backend: "cpu", inputs: new Map() });
    expect(mismatch.diagnostics.map((d) => d.message).join("\n")).toMatch(/prolong_cc.*f32\[3, 3\]`? onto `?f32\[8, 8\]/);
  });
});

describe("cell-centred multigrid (grid: cell)", () => {
  it("one cycle equals the float64 cycle, Dirichlet and Neumann, at n = 16 and at n = 12 (12 → 6 → 3)", async () => {
    for (const n of [16, 12]) {
      const r = randomGrid(n, 50 + n);
      const ran = await runIter(`use std.multigrid\n${CELL_OPERATORS}\ninput r: f32[${n}, ${n}]\nexport zD = multigrid(D, r, grid: "cell")\nexport zN = multigrid(Nm, r, grid: "cell", boundary: "reflect")\n`, {
        r: { shape: [n, n], data: r },
      });
      for (const [name, bc] of [["zD", "zero"], ["zN", "reflect"]] as const) {
        const want = cycle(r, n, bc);
        const got = ran.values.get(name)!;
        // float32 arithmetic through a cycle whose coarsest solve runs 32 sweeps: 1e-5 relative.
        expect(norm(Float64Array.from(got, (g, k) => g - want[k])) / norm(want), `${name} n=${n}`).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  it("PCG and the multigrid solver converge in a few iterations at every N, and a grid that halves to an odd size stops there", async () => {
    const lines: string[] = [];
    for (const N of [16, 20, 32, 64]) {
      const ran = await runIter(`${CELL_OPERATORS}
dim N = ${N}
let f = normal(N, N, seed: 3)
solve D(u) = f method cg(rtol: 1e-5) precond multigrid(grid: cell) -> u
solve D(v) = f method multigrid(grid: cell, rtol: 1e-5) -> v
solve D(w) = f method cg(rtol: 1e-5) precond multigrid(grid: cell, coarse: galerkin) -> w
solve D(x) = f method cg(rtol: 1e-5, maxiter: 3000) -> x
`);
      const [pcg, mg, gal, plain] = ["u", "v", "w", "x"].map((name) => ran.reports.find((r) => r.name === name)!);
      for (const r of [pcg, mg, gal, plain]) expect(r.reason, `${r.name} at N = ${N}`).toBe("converged_rtol");
      // Measured: PCG 6, the solver 8 cycles (0.2 per cycle), Galerkin PCG 6–7, at every N; plain CG grows with N.
      expect(pcg.iterations).toBeLessThanOrEqual(9);
      expect(mg.iterations).toBeLessThanOrEqual(12);
      expect(gal.iterations).toBeLessThanOrEqual(10);
      if (N >= 32) expect(plain.iterations).toBeGreaterThan(4 * pcg.iterations);
      lines.push(`N = ${N}: PCG ${pcg.iterations}, solver ${mg.iterations}, Galerkin PCG ${gal.iterations}, plain CG ${plain.iterations}`);
    }
    console.log(`cell-centred Dirichlet Poisson, rtol 1e-5: ${lines.join("; ")}`);
  }, 180_000);
});

describe("solves with a known null space (nullspace clause)", () => {
  const N = 16;
  const f = randomGrid(N, 77).map((v, k) => v + 0.25 + 0.5 * Math.cos((Math.PI * ((k % N) + 0.5)) / N));

  // rtol 1e-5: float32's attainable relative residual here is about eps·‖A‖‖u‖/‖f‖ ≈ 6e-8 · 8n²/π² ≈ 1e-5
  // at n = 16 (a tighter one ends honestly in max_iterations or a breakdown below that floor).
  it("Neumann Poisson: the minimum-norm solution of the projected problem, the removed component reported, by PCG with cell-centred multigrid", async () => {
    const ran = await runIter(`${CELL_OPERATORS}
dim N = ${N}
input f: f32[N, N]
solve Nm(u) = f method cg(rtol: 1e-5) precond multigrid(grid: cell, boundary: reflect) nullspace constant -> u
solve Nm(v) = f method minres(rtol: 1e-5, maxiter: 2000) nullspace 2 * ones(N, N) -> v
export u
export v
`, { f: { shape: [N, N], data: f } });
    const want = neumann64(f, N);
    const [u, v] = [ran.values.get("u")!, ran.values.get("v")!];
    for (const [name, got] of [["u", u], ["v", v]] as const) {
      const r = ran.reports.find((x) => x.name === name)!;
      expect(r.reason, name).toBe("converged_rtol");
      // ‖u − u*‖ ≤ ‖r‖/λ_min on the complement of the constants, λ_min = (2n sin(π/2n))² ≈ π²;
      // the residual the report gives is float32's, plus the rounding of u itself.
      const lambdaMin = (2 * N * Math.sin(Math.PI / (2 * N))) ** 2;
      const err = norm(Float64Array.from(got, (g, k) => g - want[k]));
      expect(err, name).toBeLessThanOrEqual((1.5 * r.residual) / lambdaMin + 1e-6 * norm(want));
      // u is orthogonal to the null space, to float32 rounding
      expect(Math.abs(sum(got)) / (N * norm(got)), name).toBeLessThanOrEqual(1e-6);
      // the removed component: |⟨1, f⟩|/‖1‖ = |Σ f|/N, and that over ‖f‖
      expect(r.nullspace!.removed / (Math.abs(sum(f)) / N), name).toBeCloseTo(1, 5);
      expect(r.nullspace!.relative / (Math.abs(sum(f)) / N / norm(f)), name).toBeCloseTo(1, 5);
    }
    expect(ran.reports.find((x) => x.name === "u")!.iterations).toBeLessThanOrEqual(10);
  });

  it("without the clause the inconsistent singular system does not converge, and the report says so", async () => {
    const ran = await runIter(`${CELL_OPERATORS}\ndim N = ${N}\ninput f: f32[N, N]\nsolve Nm(u) = f method cg(rtol: 1e-6, maxiter: 300) -> u\n`, { f: { shape: [N, N], data: f } });
    const r = ran.reports[0];
    expect(r.converged).toBe(false);
    expect(r.detail).toBeTruthy();
  });

  it("the gradient through the solve is the float64 Π A⁺ Π w", async () => {
    const w = randomGrid(N, 91);
    const ran = await runIter(`${CELL_OPERATORS}
dim N = ${N}
input f: f32[N, N]
input w: f32[N, N]
op J(g: f32[N, N]) {
  solve Nm(u) = g method cg(rtol: 1e-5, maxiter: 1000) nullspace constant -> u: f32[N, N]
  return sum(u * w)
}
export dJ = grad(J, f)
`, { f: { shape: [N, N], data: f }, w: { shape: [N, N], data: w } });
    const want = neumann64(w, N);
    const got = ran.values.get("dJ")!;
    expect(norm(Float64Array.from(got, (g, k) => g - want[k])) / norm(want)).toBeLessThanOrEqual(1e-4);
  });

  it("a zero null space vector: the report says the vector spans nothing", async () => {
    const ran = await runIter(`${CELL_OPERATORS}\ndim N = 8\nlet f = normal(N, N, seed: 1)\nsolve Nm(u) = f method cg nullspace zeros(N, N) -> u\n`);
    const r = ran.reports[0];
    expect(r.converged).toBe(false);
    expect(r.detail).toMatch(/null space vector is zero/);
  });
});
