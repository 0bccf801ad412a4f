// std.precond (jacobi, ssor, neumann, chebyshev) against float64 plain-TS references, on the
// Poisson operator of examples/poisson.iter and on a variable-coefficient, diagonally scaled
// 5-point operator; their symmetry; their contraction as stationary iterations; and PCG
// iteration counts through `solve ... precond`.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fields, type G, type OpName, OPERATORS, randomGrid, runIter } from "./grid-helpers.js";

// ---- running programs ------------------------------------------------------------------------

// ---- float64 references -----------------------------------------------------------------------

function laplace(u: G, n: number): G {
  const h2 = (n + 1) ** 2;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let v = 4 * u[i * n + j];
      if (i > 0) v -= u[(i - 1) * n + j];
      if (i < n - 1) v -= u[(i + 1) * n + j];
      if (j > 0) v -= u[i * n + j - 1];
      if (j < n - 1) v -= u[i * n + j + 1];
      out[i * n + j] = v * h2;
    }
  return out;
}

function operator(op: OpName, n: number): (u: G) => G {
  const { s, c } = fields(op, n);
  return (u) => {
    const Lsu = laplace(u.map((v, k) => v * s[k]), n);
    return Lsu.map((v, k) => s[k] * v + c[k] * u[k]);
  };
}

function trueDiagonal(op: OpName, n: number): G {
  const { s, c } = fields(op, n);
  return s.map((v, k) => v * v * 4 * (n + 1) ** 2 + c[k]);
}

const isRed = (k: number, n: number): boolean => (Math.floor(k / n) + (k % n)) % 2 === 0;
const dot = (a: G, b: ArrayLike<number>): number => a.reduce((acc, v, k) => acc + v * b[k], 0);
const norm = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((acc, v) => acc + v * v, 0));
const sub = (a: ArrayLike<number>, b: ArrayLike<number>): G => Float64Array.from(a, (v, k) => v - b[k]);

function jacobiRef(r: G, d: G, omega: number): G {
  return r.map((v, k) => (omega * v) / d[k]);
}

function ssorRef(A: (u: G) => G, r: G, d: G, n: number, omega: number, sweeps: number): G {
  const x = new Float64Array(r.length);
  for (let s = 0; s < sweeps; s++)
    for (const red of [true, false, false, true]) {
      const Ax = A(x);
      for (let k = 0; k < x.length; k++) if (isRed(k, n) === red) x[k] += (omega * (r[k] - Ax[k])) / d[k];
    }
  return x;
}

function neumannRef(A: (u: G) => G, r: G, d: G, degree: number): G {
  let y: G = r.map((v, k) => v / d[k]);
  const z = Float64Array.from(y);
  for (let j = 0; j < degree; j++) {
    const Ay = A(y);
    y = y.map((v, k) => v - Ay[k] / d[k]);
    for (let k = 0; k < z.length; k++) z[k] += y[k];
  }
  return z;
}

/** T_m(X) r for X = (θI − A)/δ by the three-term recurrence, in float64. */
function chebyshevPolyTimes(A: (u: G) => G, r: G, m: number, theta: number, delta: number): G {
  const X = (v: G): G => {
    const Av = A(v);
    return v.map((x, k) => (theta * x - Av[k]) / delta);
  };
  let prev: G = Float64Array.from(r);
  let cur: G = X(r);
  if (m === 0) return prev;
  for (let j = 1; j < m; j++) {
    const Xc = X(cur);
    const next = Xc.map((v, k) => 2 * v - prev[k]);
    prev = cur;
    cur = next;
  }
  return cur;
}

/** The Poisson spectrum on an n×n grid: λ = 4(n+1)²(sin²(πi/2(n+1)) + sin²(πj/2(n+1))). */
function poissonBounds(n: number): [number, number] {
  const h2 = (n + 1) ** 2;
  const s = (k: number): number => Math.sin((Math.PI * k) / (2 * (n + 1))) ** 2;
  return [8 * h2 * s(1), 8 * h2 * s(n)];
}

// ---- tests ------------------------------------------------------------------------------------

describe("the probed diagonal", () => {
  // A(c) at a red point is s²·4h⁻² + c exactly (its neighbours are black, where c is 0): the
  // float32 result errs by a few roundings of the coefficients and products, < 1e-6 relative.
  it("is the exact diagonal of the variable-coefficient 5-point operator, on odd and even grids", async () => {
    for (const n of [15, 16]) {
      const ran = await runIter(`use std.precond\n${OPERATORS}\nexport dP = rb_diagonal(P, ones(${n}, ${n}))\nexport dS = rb_diagonal(S, ones(${n}, ${n}))`);
      for (const op of ["P", "S"] as const) {
        const want = trueDiagonal(op, n);
        const got = ran.values.get(`d${op}`)!;
        got.forEach((g, k) => expect(Math.abs(g - want[k])).toBeLessThanOrEqual(1e-6 * want[k]));
      }
    }
  });
});

describe("the preconditioners on a random residual", () => {
  const n = 15;
  const [lmin, lmax] = poissonBounds(n);

  // Each preconditioner is a short sequence of stencil applications and diagonal scalings; in
  // float32 each step errs by a few units of 6e-8 relative to its operands, and the steps'
  // error propagators (I − ω c D⁻¹A, I − D⁻¹A, the Chebyshev recurrence) have norms ≤ 3 for
  // these operators, so after at most 16 steps the result is within ~16·3·4·6e-8 ≈ 1e-5 of
  // the float64 one (measured: below 1e-7). The tolerance is 1e-5 in the relative 2-norm.
  it("jacobi, ssor and neumann equal the float64 references; chebyshev's residual is its Chebyshev polynomial", async () => {
    const r = randomGrid(n, 11);
    const prog = `use std.precond\n${OPERATORS}\ninput r: f32[${n}, ${n}]\n${["P", "S"]
      .map(
        (A) => `export jac${A} = jacobi(${A}, r, omega: 0.7)
export ssor${A} = ssor(${A}, r, omega: 1.3, sweeps: 2)
export gs${A} = ssor(${A}, r)
export neu${A} = neumann(${A}, r, degree: 4)
`,
      )
      .join("")}export chebP = chebyshev(P, r, lmin: ${lmin}, lmax: ${lmax}, degree: 5)
export cheb0 = chebyshev(P, r, lmin: ${lmin}, lmax: ${lmax}, degree: 0)
export neu0 = neumann(S, r, degree: 0)
`;
    const ran = await runIter(prog, { r: { shape: [n, n], data: r } });
    const close = (name: string, want: G): void => {
      const got = ran.values.get(name)!;
      expect(norm(sub(got, want)) / norm(want), name).toBeLessThanOrEqual(1e-5);
    };
    for (const op of ["P", "S"] as const) {
      const A = operator(op, n);
      const d = trueDiagonal(op, n);
      close(`jac${op}`, jacobiRef(r, d, 0.7));
      close(`ssor${op}`, ssorRef(A, r, d, n, 1.3, 2));
      close(`gs${op}`, ssorRef(A, r, d, n, 1, 1));
      close(`neu${op}`, neumannRef(A, r, d, 4));
    }
    // Degree 0: Neumann is Jacobi; Chebyshev is r/θ.
    close("neu0", jacobiRef(r, trueDiagonal("S", n), 1));
    close("cheb0", r.map((v) => (2 * v) / (lmax + lmin)));
    // Chebyshev: r − A z = T₆((θ − A)/δ) r / T₆(σ) for the degree-5 polynomial (6 steps).
    const A = operator("P", n);
    const [theta, delta] = [(lmax + lmin) / 2, (lmax - lmin) / 2];
    const T6 = Math.cosh(6 * Math.acosh(theta / delta));
    const want = chebyshevPolyTimes(A, r, 6, theta, delta).map((v) => v / T6);
    const z = Float64Array.from(ran.values.get("chebP")!);
    const Az = A(z);
    const got = r.map((v, k) => v - Az[k]);
    // z's float32 rounding is amplified by ‖A‖‖z‖ ≤ κ‖r‖ (κ ≈ 100 here) in r − A z: ≤ 1e-5‖r‖
    // (measured 6e-7‖r‖).
    expect(norm(sub(got, want))).toBeLessThanOrEqual(1e-5 * norm(r));
  });
});

describe("symmetry", () => {
  // CG needs a symmetric M. ⟨M u, v⟩ − ⟨u, M v⟩ is computed from float32 results: each side errs
  // by at most ~1e-5 relative (the bound above) of ‖Mu‖‖v‖, so the tolerance is 2e-5·‖Mu‖‖v‖
  // (measured: 2e-8).
  it("⟨M u, v⟩ = ⟨u, M v⟩ for jacobi, ssor (ω = 1.5), neumann and chebyshev on random grids", async () => {
    const n = 15;
    const [lmin, lmax] = poissonBounds(n);
    const pcs = ["jacobi(S, w)", "ssor(S, w, omega: 1.5, sweeps: 2)", "neumann(S, w, degree: 3)", `chebyshev(P, w, lmin: ${lmin}, lmax: ${lmax}, degree: 4)`];
    const prog = `use std.precond\n${OPERATORS}\ninput u: f32[${n}, ${n}]\ninput v: f32[${n}, ${n}]\n${pcs
      .map((pc, i) => `export mu${i} = ${pc.replace("w", "u")}\nexport mv${i} = ${pc.replace("w", "v")}\n`)
      .join("")}`;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), async (seed) => {
        const u = randomGrid(n, seed);
        const v = randomGrid(n, seed + 1);
        const ran = await runIter(prog, { u: { shape: [n, n], data: u }, v: { shape: [n, n], data: v } });
        pcs.forEach((pc, i) => {
          const mu = Float64Array.from(ran.values.get(`mu${i}`)!);
          const mv = Float64Array.from(ran.values.get(`mv${i}`)!);
          expect(Math.abs(dot(mu, v) - dot(u, mv)), pc).toBeLessThanOrEqual(2e-5 * norm(mu) * norm(v));
        });
      }),
      { seed: 5, numRuns: 3 },
    );
  });
});

describe("as stationary iterations x ← x + M(b − A x) on Poisson's equation", () => {
  const n = 31;
  const K = 8;
  const [lmin, lmax] = poissonBounds(n);
  // With b = 0 the iterate is the error. Each M is SPD with ‖I − M A‖_A < 1, so the A-norm of
  // the error never grows: ω D⁻¹A has its spectrum in (0, 2ω) ⊂ (0, 2) for ω ≤ 1; symmetric SOR
  // contracts in the A-norm for ω ∈ (0, 2); I − M A = (I − D⁻¹A)^(d+1) for Neumann; and
  // Chebyshev's |1 − λq(λ)| ≤ 1/T_{d+1}(σ) on [lmin, lmax].
  const cases: [string, string, number | undefined][] = [
    ["jacobi ω = 0.8", "jacobi(P, w, omega: 0.8)", 1 - 0.8 * (lmin / (4 * (n + 1) ** 2))],
    ["jacobi ω = 0.5", "jacobi(P, w, omega: 0.5)", 1 - 0.5 * (lmin / (4 * (n + 1) ** 2))],
    ["ssor ω = 0.8", "ssor(P, w, omega: 0.8)", undefined],
    ["ssor ω = 1 (symmetric Gauss–Seidel)", "ssor(P, w)", undefined],
    ["ssor ω = 1.5, 2 sweeps", "ssor(P, w, omega: 1.5, sweeps: 2)", undefined],
    ["neumann, degree 2", "neumann(P, w, degree: 2)", undefined],
    ["chebyshev, degree 4", `chebyshev(P, w, lmin: ${lmin}, lmax: ${lmax}, degree: 4)`, 1 / Math.cosh(5 * Math.acosh((lmax + lmin) / (lmax - lmin)))],
  ];

  it("the A-norm of the error never grows, matches the float64 iteration, and contracts within the known bounds", async () => {
    const e0 = randomGrid(n, 3);
    let prog = `use std.precond\n${OPERATORS}\ninput x0: f32[${n}, ${n}]\n`;
    cases.forEach(([, pc], c) => {
      for (let k = 0; k < K; k++) prog += `let x${c}_${k + 1} = ${k === 0 ? "x0" : `x${c}_${k}`} + ${pc.replace("w", `-P(${k === 0 ? "x0" : `x${c}_${k}`})`)}\n`;
      for (let k = 1; k <= K; k++) prog += `export e${c}_${k} = sqrt(dot(x${c}_${k}, P(x${c}_${k})))\n`;
    });
    const ran = await runIter(prog, { x0: { shape: [n, n], data: e0 } });
    const A = operator("P", n);
    const d = trueDiagonal("P", n);
    const [theta, delta] = [(lmax + lmin) / 2, (lmax - lmin) / 2];
    const refStep = (c: number, x: G): G => {
      const r = A(x).map((v) => -v);
      const m =
        c === 0 ? jacobiRef(r, d, 0.8)
        : c === 1 ? jacobiRef(r, d, 0.5)
        : c === 2 ? ssorRef(A, r, d, n, 0.8, 1)
        : c === 3 ? ssorRef(A, r, d, n, 1, 1)
        : c === 4 ? ssorRef(A, r, d, n, 1.5, 2)
        : c === 5 ? neumannRef(A, r, d, 2)
        : undefined;
      if (m) return x.map((v, k) => v + m[k]);
      // Chebyshev, degree 4: the new error is T₅((θ − A)/δ) x / T₅(σ).
      return chebyshevPolyTimes(A, x, 5, theta, delta).map((v) => v / Math.cosh(5 * Math.acosh(theta / delta)));
    };
    const anorm = (x: G): number => Math.sqrt(dot(x, A(x)));
    const lines: string[] = [];
    cases.forEach(([label, , bound], c) => {
      let x: G = Float64Array.from(e0);
      let prev = anorm(x);
      const ratios: number[] = [];
      for (let k = 1; k <= K; k++) {
        x = refStep(c, x);
        const want = anorm(x);
        const got = ran.values.get(`e${c}_${k}`)![0];
        // float32: the iterate's rounding (≤ 1e-5 relative per step, see above) accumulates
        // over ≤ 8 steps; the A-norm itself is a float32 dot of 961 terms (≤ 1e-5 relative):
        // ≤ 1e-4 (measured: 2e-5, in the Chebyshev case).
        expect(Math.abs(got - want), `${label}, step ${k}`).toBeLessThanOrEqual(1e-4 * want);
        const before = k === 1 ? prev : ran.values.get(`e${c}_${k - 1}`)![0];
        expect(got, `${label}: the A-norm grew at step ${k}`).toBeLessThanOrEqual(before * (1 + 1e-5));
        ratios.push(got / before);
        prev = want;
      }
      if (bound !== undefined) for (const q of ratios) expect(q, label).toBeLessThanOrEqual(bound * (1 + 1e-4));
      lines.push(`${label}: ${ratios.map((q) => q.toFixed(3)).join(" ")}`);
    });
    console.log(`A-norm contraction per step, N = ${n}, from a random error:\n  ${lines.join("\n  ")}`);
  });
});

describe("PCG iteration counts through `solve ... precond`", () => {
  // The float64 PCG reference counts iterations until the true relative residual is ≤ rtol.
  function pcg64(A: (u: G) => G, M: (r: G) => G, b: G, rtol: number, maxit: number): number {
    const x = new Float64Array(b.length);
    let r = Float64Array.from(b);
    let z = M(r);
    let p = Float64Array.from(z);
    let rz = dot(r, z);
    const stop = rtol * norm(b);
    for (let k = 1; k <= maxit; k++) {
      const q = A(p);
      const alpha = rz / dot(p, q);
      for (let i = 0; i < x.length; i++) x[i] += alpha * p[i];
      r = r.map((v, i) => v - alpha * q[i]);
      if (norm(r) <= stop) return k;
      z = M(r);
      const rz1 = dot(r, z);
      p = z.map((v, i) => v + (rz1 / rz) * p[i]);
      rz = rz1;
    }
    return maxit;
  }

  // A random right side: its solution is rough enough that float32 certifies 1e-5 (the
  // attainable relative residual, eps·‖A‖‖u‖/‖f‖, is ~1e-6 here; examples/poisson.iter's
  // smooth f would stop near 1e-4).
  it("jacobi, ssor (ω = 1; ω = 1.5 with 2 sweeps) and neumann cut the iterations on the variable-coefficient operator, as in float64", async () => {
    const n = 63;
    const f = randomGrid(n, 21);
    const pcs: [string, string][] = [
      ["none", ""],
      ["jacobi", "precond jacobi"],
      ["ssor", "precond ssor"],
      ["ssor2", "precond ssor(omega: 1.5, sweeps: 2)"],
      ["neumann", "precond neumann(degree: 2)"],
    ];
    const prog = `${OPERATORS}\ninput f: f32[${n}, ${n}]\n${pcs
      .map(([label, clause]) => `solve S(u_${label}) = f method cg(rtol: 1e-5, maxiter: 2000) ${clause} -> u_${label}\n`)
      .join("")}`;
    const ran = await runIter(prog, { f: { shape: [n, n], data: f } });
    const A = operator("S", n);
    const d = trueDiagonal("S", n);
    const refs: Record<string, (r: G) => G> = {
      none: (r) => r,
      jacobi: (r) => jacobiRef(r, d, 1),
      ssor: (r) => ssorRef(A, r, d, n, 1, 1),
      ssor2: (r) => ssorRef(A, r, d, n, 1.5, 2),
      neumann: (r) => neumannRef(A, r, d, 2),
    };
    const counts: string[] = [];
    const its: Record<string, number> = {};
    for (const [label] of pcs) {
      const rep = ran.reports.find((r) => r.name === `u_${label}`)!;
      expect(rep.reason, label).toBe("converged_rtol");
      const want = pcg64(A, refs[label], f, 1e-5, 2000);
      // float32 CG loses orthogonality slowly; on these well-conditioned runs the count stays
      // within 10% (+2) of the float64 one.
      expect(Math.abs(rep.iterations - want), label).toBeLessThanOrEqual(2 + 0.1 * want);
      its[label] = rep.iterations;
      counts.push(`${label} ${rep.iterations} (float64 ${want})`);
    }
    console.log(`PCG iterations to rtol 1e-5, variable-coefficient operator, N = ${n}: ${counts.join(", ")}`);
    expect(its.jacobi).toBeLessThan(0.8 * its.none);
    expect(its.ssor).toBeLessThan(its.jacobi);
    expect(its.ssor2).toBeLessThan(its.ssor);
    expect(its.neumann).toBeLessThan(its.jacobi);
  });

  it("chebyshev with the exact Poisson bounds: PCG iterations as in float64", async () => {
    const n = 63;
    const f = randomGrid(n, 22);
    const [lmin, lmax] = poissonBounds(n);
    const prog = `${OPERATORS}\ninput f: f32[${n}, ${n}]
solve P(u) = f method cg(rtol: 1e-5, maxiter: 2000) -> u
solve P(v) = f method cg(rtol: 1e-5, maxiter: 2000) precond chebyshev(lmin: ${lmin}, lmax: ${lmax}, degree: 4) -> v
`;
    const ran = await runIter(prog, { f: { shape: [n, n], data: f } });
    const A = operator("P", n);
    const [theta, delta] = [(lmax + lmin) / 2, (lmax - lmin) / 2];
    // The float64 preconditioner by Saad's Algorithm 12.1 (its polynomial was checked above
    // against the Chebyshev three-term recurrence).
    const cheb = (r: G): G => {
      let z: G = r.map((v) => v / theta);
      let d: G = Float64Array.from(z);
      let s: G = Float64Array.from(r);
      let rho = delta / theta;
      for (let k = 0; k < 4; k++) {
        const Ad = A(d);
        s = s.map((v, i) => v - Ad[i]);
        const rho1 = 1 / ((2 * theta) / delta - rho);
        d = d.map((v, i) => rho1 * rho * v + ((2 * rho1) / delta) * s[i]);
        z = z.map((v, i) => v + d[i]);
        rho = rho1;
      }
      return z;
    };
    const plain = ran.reports.find((r) => r.name === "u")!;
    const pc = ran.reports.find((r) => r.name === "v")!;
    const [want0, want1] = [pcg64(A, (r) => r, f, 1e-5, 2000), pcg64(A, cheb, f, 1e-5, 2000)];
    expect(pc.reason).toBe("converged_rtol");
    expect(Math.abs(plain.iterations - want0)).toBeLessThanOrEqual(2 + 0.1 * want0);
    expect(Math.abs(pc.iterations - want1)).toBeLessThanOrEqual(2 + 0.1 * want1);
    expect(pc.iterations).toBeLessThan(plain.iterations / 3);
    console.log(`Poisson N = ${n}, rtol 1e-5: cg ${plain.iterations} (float64 ${want0}), cg + chebyshev(degree 4) ${pc.iterations} (float64 ${want1})`);
  });

  it("jacobi takes a given diagonal for a dense operator (where probing would be wrong)", async () => {
    const prog = `
dim n = 40
let G = normal(n, n, seed: 3)
let s = exp(2 * uniform(n, seed: 4))
let M = outer(s, s) * (G @ transpose(G) / n + eye(n))
let b = normal(n, seed: 5)
solve M @ u = b method cg(rtol: 1e-5) -> u
solve M @ v = b method cg(rtol: 1e-5) precond jacobi(diag: diagonal(M)) -> v
export res = norm(b - M @ v) / norm(b)
`;
    const ran = await runIter(prog);
    const [plain, jac] = [ran.reports.find((r) => r.name === "u")!, ran.reports.find((r) => r.name === "v")!];
    expect(jac.reason).toBe("converged_rtol");
    expect(ran.values.get("res")![0]).toBeLessThanOrEqual(1e-5);
    expect(jac.iterations).toBeLessThan(plain.iterations / 2);
    console.log(`dense SPD with a 2e3-fold diagonal scaling, n = 40: cg ${plain.iterations}, cg + jacobi(diag) ${jac.iterations} iterations`);
  });
});
