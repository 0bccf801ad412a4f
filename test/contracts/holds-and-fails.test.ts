// Every contract, on a program where it holds and on one where `iterc check` finds a
// counterexample (the pairs: tanh(W x + b) with ‖W‖₂ = 0.9 against 1.5, a symmetric
// against a non-symmetric stencil, ...). In-process, on the cpu backend, with few runs.
import { describe, expect, it } from "vitest";
import { failing, lines, lastOutcome } from "./helpers.js";

const contraction = (gain: number) =>
  lines("dim N = 8", `let W = ${gain} * orthogonal(N, N, seed: 3)`, "let b = normal(N, seed: 1)", "check contractive(z => tanh(W @ z + b), below: 1) for z: f32[N]");

describe("contractive", () => {
  it("holds for tanh(W z + b) with ‖W‖₂ = 0.9, and reports the Lipschitz estimate", async () => {
    const o = await lastOutcome(contraction(0.9));
    expect(o.status).toBe("holds");
    const estimate = o.result!.worst.find((m) => m.what.startsWith("‖J_T(a)‖₂"))!;
    expect(estimate.value).toBeGreaterThan(0.3);
    expect(estimate.value).toBeLessThanOrEqual(0.9 + 1e-5);
  });

  it("fails for ‖W‖₂ = 1.5: the power-iteration estimate exceeds the bound", async () => {
    const o = await lastOutcome(contraction(1.5));
    expect(o.status).toBe("fails");
    const [m] = failing(o);
    expect(m.bound).toBe(1);
    expect(m.value).toBeGreaterThan(1);
    expect(m.value).toBeLessThanOrEqual(1.5 + 1e-5);
  });

  it("an op tagged `is contractive(L)` is tested the same way", async () => {
    const src = (gain: number) => lines("dim N = 8", `let W = ${gain} * orthogonal(N, N, seed: 3)`, "op T(x: f32[N]) is contractive(0.95) = tanh(W @ x)");
    expect((await lastOutcome(src(0.9))).status).toBe("holds");
    expect((await lastOutcome(src(1.2))).status).toBe("fails");
  });
});

describe("nonexpansive", () => {
  const rotation = (scale: number) =>
    lines("dim p = 6", "let θ = linspace(0.1, 1.5, p)", `op T(x: f32[2, p]) is nonexpansive = ${scale} * stack(cos(θ) * x[0] - sin(θ) * x[1], sin(θ) * x[0] + cos(θ) * x[1], axis: 0)`);
  it("holds for a rotation (Lipschitz exactly 1, within float32)", async () => {
    expect((await lastOutcome(rotation(1))).status).toBe("holds");
  });
  it("fails for 1.1 times a rotation", async () => {
    const o = await lastOutcome(rotation(1.1));
    expect(o.status).toBe("fails");
    expect(failing(o)[0].value).toBeCloseTo(1.1, 3);
  });
});

describe("monotone", () => {
  it("holds for z ↦ z³ + z", async () => {
    expect((await lastOutcome(lines("check monotone(z => z^3 + z) for z: f32[6]"))).status).toBe("holds");
  });
  it("fails for z ↦ sin(3z), which decreases somewhere", async () => {
    const o = await lastOutcome(lines("check monotone(z => sin(3 * z)) for z: f32[6]"));
    expect(o.status).toBe("fails");
    expect(failing(o)[0].value).toBeLessThan(0);
  });
});

const stencil = "stencil5(u, center: 4, side: -1) * (n + 1)^2";
const convection = "let ddx = [[0, 0, 0], [-0.5, 0, 0.5], [0, 0, 0]]";

describe("spd", () => {
  it("holds for the 5-point Laplacian; its smallest eigenvalue is estimated from above", async () => {
    const o = await lastOutcome(lines(`op A(u: f32[n, n]) is spd = ${stencil}`));
    expect(o.status).toBe("holds");
    // λ_min = 8 (n + 1)² sin²(π / (2(n + 1))) at n = 8: 19.54.
    const lowest = o.result!.worst.find((m) => m.what.startsWith("min ⟨v, A v⟩"))!;
    expect(lowest.value).toBeGreaterThan(19.5);
    expect(lowest.value).toBeLessThan(40);
  });

  it("fails for a non-symmetric stencil (convection): the symmetry defect", async () => {
    const o = await lastOutcome(lines(convection, `op C(u: f32[n, n]) is spd = ${stencil} + 20 * (n + 1) * stencil(u, weights: ddx)`));
    expect(o.status).toBe("fails");
    expect(failing(o).map((m) => m.what)).toEqual(["|⟨A x, y⟩ − ⟨x, A y⟩| / (‖A x‖‖y‖ + ‖x‖‖A y‖)"]);
  });

  it("fails for a symmetric but indefinite operator (shifted into its spectrum): positivity", async () => {
    const o = await lastOutcome(lines(`op A(u: f32[n, n]) = ${stencil}`, "check spd(u => A(u) - 100 * u)", "  for u: f32[n, n]"));
    expect(o.status).toBe("fails");
    const [m] = failing(o);
    expect(m.what).toMatch(/^min ⟨v, A v⟩/);
    expect(m.value).toBeLessThan(0);
  });
});

describe("symmetric", () => {
  it("holds for a symmetric stencil and fails for a non-symmetric one", async () => {
    expect((await lastOutcome(lines(`op A(u: f32[n, n]) is symmetric = ${stencil}`))).status).toBe("holds");
    const o = await lastOutcome(lines(convection, "op C(u: f32[n, n]) is symmetric = stencil(u, weights: ddx)"));
    expect(o.status).toBe("fails");
  });
});

describe("linear", () => {
  it("holds for u ↦ 2u − stencil(u) and fails for an affine u ↦ 2u + 1", async () => {
    expect((await lastOutcome(lines("op A(u: f32[n]) is linear = 2 * u - 0.5 * u^1"))).status).toBe("holds");
    const o = await lastOutcome(lines("op A(u: f32[n]) is linear = 2 * u + 1"));
    expect(o.status).toBe("fails");
  });
});

const fixpoint = lines(
  "dim N = 8",
  "let W = 0.9 * orthogonal(N, N, seed: 3)",
  "let b = normal(N, seed: 1)",
  "fixpoint x: f32[N] = tanh(W @ x + b)",
  "  until residual < 1e-6",
  "  max 500",
);

describe("converges", () => {
  it("holds within a generous bound and fails within too few iterations", async () => {
    const ok = await lastOutcome(fixpoint + "check converges(x, within: 200)\n");
    expect(ok.status).toBe("holds");
    const its = ok.result!.worst[0].value;
    const o = await lastOutcome(fixpoint + `check converges(x, within: ${Math.floor(its / 2)})\n`);
    expect(o.status).toBe("fails");
    expect(failing(o)[0]).toEqual({ what: "iterations", value: its, bound: Math.floor(its / 2) });
  });

  it("fails when the construct does not converge at all, and says why", async () => {
    const o = await lastOutcome(fixpoint.replace("max 500", "max 3") + "check converges(x, within: 200)\n");
    expect(o.status).toBe("fails");
    expect(o.result!.counterexample!.measures[0].detail).toMatch(/max_iterations/);
  });

  it("draws the program's inputs: a solve converges for every right-hand side drawn", async () => {
    const src = lines("dim N = 7", "input f: f32[N, N]", `op A(u: f32[n, n]) is spd = ${stencil}`, "solve A(u) = f method cg(rtol: 1e-3) -> u", "check converges(u, within: 40)");
    const o = await lastOutcome(src, { runs: 4 });
    expect(o.status).toBe("holds");
    expect(o.result!.runs).toBe(4);
    expect(o.plan!.draws.map((d) => [d.name, d.role, d.shape])).toEqual([["f", "input", [7, 7]]]);
  });
});

describe("decreasing", () => {
  const poisson = (series: string) =>
    lines("dim N = 15", `op A(u: f32[n, n]) is spd = ${stencil}`, "let f = ones(N, N)", "solve A(u) = f method cg(rtol: 1e-4) -> u", `check decreasing(u, ${series})`);

  it("CG lowers the energy ½⟨u, A u⟩ − ⟨f, u⟩ and the error at every step", async () => {
    expect((await lastOutcome(poisson("energy"))).status).toBe("holds");
    expect((await lastOutcome(poisson("error"))).status).toBe("holds");
  });

  it("CG's residual is not monotone: the contract finds where it rises", async () => {
    const o = await lastOutcome(poisson("residual"));
    expect(o.status).toBe("fails");
    expect(o.result!.counterexample!.measures[0].detail).toMatch(/^the residual rose from .* at iteration \d+$/);
  });

  it("Picard on a contraction lowers its residual; on a non-normal map its error first rises", async () => {
    expect((await lastOutcome(fixpoint + "check decreasing(x, residual)\n")).status).toBe("holds");
    // M = [[0.9, 1], [0, 0.9]] from x₀ = 0 towards x* = (0, 1): ‖M^k e₀‖ grows like k·0.9^k at first.
    const nonNormal = lines("let M = [[0.9, 1.0], [0.0, 0.9]]", "let c = [-1.0, 0.1]", "fixpoint x: f32[2] = M @ x + c", "  until residual < 1e-5", "  max 500", "check decreasing(x, error)");
    expect((await lastOutcome(nonNormal)).status).toBe("fails");
  });
});

describe("fixed, idempotent, equal and conditions", () => {
  it("fixed: the fixpoint's result is a fixed point; a shifted point is not", async () => {
    expect((await lastOutcome(fixpoint + "check fixed(x, z => tanh(W @ z + b), rtol: 1e-5)\n")).status).toBe("holds");
    expect((await lastOutcome(fixpoint + "check fixed(x + 0.01, z => tanh(W @ z + b))\n")).status).toBe("fails");
  });

  it("idempotent: a projection onto z ≥ 0 is, halving is not", async () => {
    expect((await lastOutcome(lines("check idempotent(z => maximum(z, 0)) for z: f32[5]"))).status).toBe("holds");
    expect((await lastOutcome(lines("check idempotent(z => 0.5 * z) for z: f32[5]"))).status).toBe("fails");
  });

  it("equal: CG and GMRES agree; solutions of two problems do not", async () => {
    const two = lines("dim N = 7", `op A(u: f32[n, n]) is spd = ${stencil}`, "let f = ones(N, N)", "solve A(u) = f method cg(rtol: 1e-4) -> u", "solve A(v) = f method gmres(rtol: 1e-4) -> v", "solve A(w) = 2 * f method cg(rtol: 1e-4) -> w");
    expect((await lastOutcome(two + "check equal(u, v, rtol: 1e-3)\n")).status).toBe("holds");
    expect((await lastOutcome(two + "check equal(u, w, rtol: 1e-3)\n")).status).toBe("fails");
  });

  it("a condition holds for every input drawn from the stated distribution, or fails", async () => {
    const src = (std: number) => lines("dim N = 4", "input W: f32[N, N]", `check fro(W) < 1 for W ~ normal(std: ${std})`);
    expect((await lastOutcome(src(0.05))).status).toBe("holds");
    expect((await lastOutcome(src(1))).status).toBe("fails");
  });
});
