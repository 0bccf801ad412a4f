// Gradients through the iterative constructs, against independent float64 references: the
// implicit gradient of a solve against the analytic one of a dense system (SPD and not), the
// implicit and unrolled gradients of a contractive fixpoint against each other and against
// central differences of the iteration, a loop's against central differences, forward mode
// against reverse mode; the memory an implicit gradient needs does not grow with the forward
// iterations, an unrolled one's does; and a backward iteration made to fail is never used.
//
// Tolerances: the forward solves and fixpoints stop at rtol 1e-6 in float32, and the adjoint
// at the same; gradients are then good to a few 1e-6 relative, so 1e-4 relative to the
// gradient's size is a bound float32 can keep and a wrong rule cannot.
import { describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";
import * as R from "./reference.js";

async function run(source: string) {
  const out = await runSource(source, { file: "t.iter", backend: "cpu" });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.span.start.line}: ${d.message}`).join("\n"));
  const value = (name: string) => [...out.exports.find((e) => e.name === name)!.data];
  return { out, value };
}

const lit = (v: readonly number[]) => `[${v.map((x) => x.toFixed(6)).join(", ")}]`;
const mat = (m: readonly (readonly number[])[]) => `[${m.map(lit).join(", ")}]`;

/** Dense float64 solve (reference.ts's Gaussian elimination with partial pivoting) on nested arrays. */
function solve(A: number[][], b: number[]): number[] {
  return [...R.solve(R.tensor([b.length, b.length], A.flat()), R.tensor([b.length], b)).data];
}

const transpose = (A: number[][]) => A[0].map((_, j) => A.map((row) => row[j]));
const withDiag = (A: number[][], s: number[]) => A.map((row, i) => row.map((a, j) => (i === j ? a + s[i] : a)));

function expectNear(got: number[], want: number[], rel: number): void {
  const scale = Math.max(1e-3, ...want.map(Math.abs));
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `entry ${i}: got ${g}, want ${want[i]}`).toBeLessThanOrEqual(rel * scale));
}

describe("solve: the implicit gradient equals the analytic one", () => {
  // L(s) = Σ u², (A0 + diag s) u = b: ∂L/∂s_i = −w_i u_i with (A0 + diag s)ᵀ w = 2u.
  function analytic(A0: number[][], b: number[], s: number[]): number[] {
    const A = withDiag(A0, s);
    const u = solve(A, b);
    const w = solve(transpose(A), u.map((x) => 2 * x));
    return u.map((ui, i) => -w[i] * ui);
  }

  it.each([
    ["SPD, by CG (adjoint by CG)", [[4, 1, 0, 0.5], [1, 5, 0.3, 0], [0, 0.3, 3, 0.2], [0.5, 0, 0.2, 6]], "cg"],
    ["nonsymmetric, by BiCGStab (adjoint by GMRES)", [[4, 1, 0, 0.5], [-1, 5, 0.3, 0], [0.2, -0.3, 3, 0.2], [0.5, 0, -0.8, 6]], "bicgstab"],
    ["nonsymmetric, by GMRES", [[4, 2, 0, 0.5], [-1, 5, 0.3, 0], [0.2, -0.3, 3, 1.2], [0.5, 0, -0.8, 6]], "gmres"],
  ])("%s", async (_name, A0, method) => {
    const b = [1, -2, 0.5, 3];
    const s = [0.3, 0.1, 0.4, 0.2];
    const src = `let A0 = ${mat(A0 as number[][])}
let b = ${lit(b)}
op u_of(s: f32[4]) {
  solve (A0 + diag(s)) @ u = b method ${method}(rtol: 1e-6) -> u
  return u
}
export g = grad(s => sum(u_of(s) ^ 2), ${lit(s)})`;
    const { out, value } = await run(src);
    expectNear(value("g"), analytic(A0 as number[][], b, s), 1e-4);
    const adjoint = out.reports.find((r) => r.adjointOf === "u")!;
    expect(adjoint).toMatchObject({ name: "uᵀ", kind: "solve", method: method === "cg" ? "cg" : "gmres", converged: true });
  });

  it("the right-hand side's gradient is the adjoint solution", async () => {
    const A = [
      [3, 1, 0],
      [1, 4, 1],
      [0, 1, 5],
    ];
    const src = `let A = ${mat(A)}
op u_of(b: f32[3]) {
  solve A @ u = b method cg(rtol: 1e-6) -> u
  return u
}
export g = grad(b => dot([1.0, 2.0, 3.0], u_of(b)), [1.0, 1.0, 1.0])`;
    const { value } = await run(src);
    expectNear(value("g"), solve(A, [1, 2, 3]), 1e-4);
  });
});

describe("fixpoint: implicit, unrolled and phantom gradients", () => {
  const W = [
    [0.3, 0.1, 0.0],
    [0.0, 0.2, 0.1],
    [0.1, 0.0, 0.3],
  ];
  const c0 = [0.5, -0.5, 1.0];
  // The fixed point of tanh(W z + c) in float64, and central differences of Σ z*.
  function zStar(c: number[]): number[] {
    let z = [0, 0, 0];
    for (let k = 0; k < 200; k++) z = z.map((_, i) => Math.tanh(W[i].reduce((s, w, j) => s + w * z[j], 0) + c[i]));
    return z;
  }
  const fd = c0.map((_, i) => {
    const h = 1e-6;
    const up = zStar(c0.map((c, j) => (j === i ? c + h : c)));
    const down = zStar(c0.map((c, j) => (j === i ? c - h : c)));
    return (up.reduce((a, b) => a + b) - down.reduce((a, b) => a + b)) / (2 * h);
  });
  const program = (grad: string) => `let W = ${mat(W)}
op z_of(c: f32[3]) {
  fixpoint z: f32[3] = tanh(W @ z + c) until residual < 1e-6 max 200 ${grad}
  return z
}
export g = grad(c => sum(z_of(c)), ${lit(c0)})`;

  it("implicit and unrolled agree with each other and with central differences", async () => {
    const implicit = await run(program(""));
    const unrolled = await run(program("grad unrolled(checkpoint: 3)"));
    expectNear(implicit.value("g"), fd, 1e-4);
    expectNear(unrolled.value("g"), implicit.value("g"), 1e-4);
    expect(unrolled.out.reports.find((r) => r.adjointOf === "z")).toMatchObject({ method: "unrolled", kind: "loop" });
  });

  it("the adjoint solved by Anderson or GMRES gives the same gradient", async () => {
    for (const solver of ["anderson", "gmres"]) expectNear((await run(program(`grad implicit(solver: ${solver})`))).value("g"), fd, 1e-4);
  });

  it("phantom(k) is k steps of the adjoint iteration: close, not equal", async () => {
    const { value, out } = await run(program("grad phantom(k: 3)"));
    const err = Math.max(...value("g").map((g, i) => Math.abs(g - fd[i])));
    expect(err).toBeGreaterThan(1e-4); // truncated on purpose
    expect(err).toBeLessThan(1e-2); // ‖J‖ ≈ 0.25: three terms of the series leave about 0.25³
    expect(out.reports.find((r) => r.adjointOf === "z")).toMatchObject({ iterations: 3 });
  });

  it("forward mode: a tangent fixpoint equals the directional derivative", async () => {
    const src = program("").replace("export g = grad(c => sum(z_of(c)), ", "export jv = jvp(c => sum(z_of(c)), ").replace(/\)$/, `, [1.0, 0.0, 0.0])`);
    const { value } = await run(src);
    expectNear(value("jv"), [fd[0]], 1e-4);
  });
});

describe("loop: reverse mode through its iterations", () => {
  const W = [
    [0.3, 0.1, 0.0],
    [0.0, 0.2, 0.1],
    [0.1, 0.0, 0.3],
  ];
  function f(c: number[]): number {
    let x = [...c];
    for (let k = 0; k < 20; k++) x = x.map((_, i) => Math.tanh(W[i].reduce((s, w, j) => s + w * x[j], 0) + c[i]));
    return x.reduce((s, v) => s + v * v, 0);
  }
  const c0 = [0.5, -0.5, 1.0];
  const fd = c0.map((_, i) => (f(c0.map((c, j) => (j === i ? c + 1e-6 : c))) - f(c0.map((c, j) => (j === i ? c - 1e-6 : c)))) / 2e-6);

  it.each([1, 4, 20])("with a checkpoint every %i iterations, the gradient is the same and right", async (k) => {
    const src = `let W = ${mat(W)}
op looped(c: f32[3]) {
  loop k < 20 carry (x = c) { x = tanh(W @ x + c) } grad unrolled(checkpoint: ${k}) -> x
  return sum(x * x)
}
export g = grad(looped, ${lit(c0)})
export jv = jvp(looped, ${lit(c0)}, [0.0, 1.0, 0.0])`;
    const { value } = await run(src);
    expectNear(value("g"), fd, 1e-4);
    expectNear(value("jv"), [fd[1]], 1e-4);
  });
});

describe("memory", () => {
  // T(z) = q·W z + c with W orthogonal contracts by exactly q: q = 0.5 takes ~17 iterations to
  // rel 1e-5, q = 0.95 ~205. The implicit gradient keeps no iterate; unrolled keeps every one; a
  // checkpoint every 10 keeps a tenth of them.
  const program = (q: number, grad: string) => `dim n = 512
let W = orthogonal(n, n, seed: 1)
let c0 = normal(n, seed: 2)
op z_of(c: f32[n]) {
  fixpoint z: f32[n] = ${q} * (W @ z) + c until rel_residual < 1e-5 max 1000 ${grad}
  return z
}
export g = grad(c => sum(z_of(c)), c0)`;

  async function peak(q: number, grad: string): Promise<{ bytes: number; iterations: number }> {
    const out = await runSource(program(q, grad), { file: "t.iter", backend: "cpu" });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return { bytes: out.peakBytes!, iterations: out.reports.find((r) => r.name === "z")!.iterations };
  }

  it("an implicit gradient does not grow with the forward iterations; unrolled does, by the checkpoint count", async () => {
    const state = 512 * 4;
    const [short, long] = [await peak(0.5, ""), await peak(0.95, "")];
    expect(long.iterations).toBeGreaterThan(5 * short.iterations);
    expect(long.bytes - short.bytes).toBeLessThan(4 * state);
    const [uShort, uLong] = [await peak(0.5, "grad unrolled"), await peak(0.95, "grad unrolled")];
    expect(uLong.bytes - uShort.bytes).toBeGreaterThan((long.iterations - short.iterations) * state * 0.8);
    const [cShort, cLong] = [await peak(0.5, "grad unrolled(checkpoint: 10)"), await peak(0.95, "grad unrolled(checkpoint: 10)")];
    const growth = cLong.bytes - cShort.bytes;
    expect(growth).toBeGreaterThan(((long.iterations - short.iterations) / 10) * state * 0.8);
    expect(growth).toBeLessThan(((long.iterations - short.iterations) / 10 + 12) * state);
  }, 180_000); // six runs of up to ~200 forward and backward iterations
});

describe("a failed backward pass is never used", () => {
  // T(z) = 1.5 W z + c (W a swap) is not a contraction, yet Anderson finds its fixed point; the
  // adjoint by plain iteration, w = 1.5 Wᵀ w + z̄, diverges.
  const program = (clause: string) => `let W = [[0.0, 1.0], [1.0, 0.0]]
op z_of(c: f32[2]) {
  fixpoint z: f32[2] = 1.5 * (W @ z) + c method anderson(m: 3) until residual < 1e-5 max 100
    ${clause}
  return z
}
export g = grad(c => sum(z_of(c)), [1.0, 2.0])`;

  it("raise (the default): the run stops, no export, the adjoint's report says why", async () => {
    const out = await runSource(program(""), { file: "t.iter", backend: "cpu" });
    expect(out.exports).toEqual([]);
    expect(out.stopped).toMatch(/the gradient through `z` is not used: the adjoint fixpoint did not converge/);
    expect(out.reports.find((r) => r.adjointOf === "z")).toMatchObject({ converged: false, reason: "diverged_growth" });
  });

  it("phantom(k): k steps stand in, and the report says the gradient is approximate", async () => {
    const { out, value } = await run(program("on backward_fail phantom(k: 4)"));
    expect(value("g")).toHaveLength(2);
    expect(out.reports.find((r) => r.adjointOf === "z")).toMatchObject({ iterations: 4, reason: "completed" });
    expect(out.reports.find((r) => r.adjointOf === "z")!.detail).toMatch(/phantom gradient, approximate/);
  });

  it("solver: gmres finds the adjoint of a map that is not a contraction: the exact gradient", async () => {
    // (I − 1.5 W)ᵀ w = 1 gives w = (−2, −2).
    const { value } = await run(program("grad implicit(solver: gmres)"));
    expectNear(value("g"), [-2, -2], 1e-4);
  });

  it("a forward fixpoint that stopped at `max` is not differentiated as if it had converged", async () => {
    const src = `let W = [[0.3, 0.1], [0.0, 0.2]]
op z_of(c: f32[2]) {
  fixpoint z: f32[2] = tanh(W @ z + c) until residual < 1e-6 max 2
  return z
}
export g = grad(c => sum(z_of(c)), [1.0, 2.0])`;
    const out = await runSource(src, { file: "t.iter", backend: "cpu" });
    expect(out.stopped).toMatch(/the forward fixpoint `z` did not converge \(max_iterations\)/);
    expect(out.reports.find((r) => r.adjointOf === "z")).toMatchObject({ converged: false, reason: "forward_failed" });
  });
});

describe("what cannot be differentiated is a located error", () => {
  it("names the op and the line where the derivative was asked for", async () => {
    const src = "let x = ones(5, 5)\nop f(u: f32[5, 5]) = sum(stencil5(u, center: 4, side: -1, boundary: \"reflect\"))\nexport g = grad(f, x)";
    const out = await runSource(src, { file: "t.iter", backend: "cpu" });
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.span.start.line])).toEqual([["not-differentiable", 3]]);
    expect(errors[0].message).toMatch(/`stencil5`.*"reflect"/);
    expect(errors[0].notes).toEqual(["`stencil5` is computed on line 2."]);
  });
});
