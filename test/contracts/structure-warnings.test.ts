// What the checker says without running anything: a solver that needs a structure its operator
// does not declare (CG: SPD; MINRES: symmetric; the Chebyshev preconditioner: SPD), and a
// fixpoint differentiated `grad implicit` whose map nothing declares a contraction.
import { describe, expect, it } from "vitest";
import { check } from "../../compiler/check/index.js";
import { parse } from "../../grammar/parse.js";
import { lines } from "./helpers.js";

function warnings(source: string): string[] {
  const p = parse(source, "t.iter");
  expect(p.diagnostics).toEqual([]);
  const ds = check(p.program).diagnostics;
  expect(ds.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return ds.filter((d) => d.code === "undeclared-structure").map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`);
}

const laplacian = (tags = "") => `op P(u: f32[n, n])${tags} = stencil5(u, center: 4, side: -1) * (n + 1)^2`;
const head = ["dim N = 7", "let f = ones(N, N)"];

describe("solvers read structure tags", () => {
  it("CG on an op that declares nothing: a warning naming the op, with the fix", () => {
    const p = parse(lines(...head, laplacian(), "solve P(u) = f method cg -> u"), "t.iter");
    const [w] = check(p.program).diagnostics;
    expect(w).toMatchObject({ severity: "warning", code: "undeclared-structure", message: "`cg` needs a symmetric positive definite operator, and nothing declares `P` one." });
    expect(w.hint).toMatch(/op P\(\.\.\.\) is spd = \.\.\./);
  });

  it("the default method is CG, so a bare solve needs an SPD operator too", () => {
    expect(warnings(lines(...head, laplacian(), "solve P(u) = f -> u"))).toHaveLength(1);
  });

  it("a tag, or a `check spd(P)`, declares it", () => {
    expect(warnings(lines(...head, laplacian(" is spd"), "solve P(u) = f method cg -> u"))).toEqual([]);
    expect(warnings(lines(...head, laplacian(), "check spd(P)", "solve P(u) = f method cg -> u"))).toEqual([]);
  });

  it("sums and positive multiples keep the structure; a shift into the spectrum keeps only symmetry", () => {
    expect(warnings(lines(...head, laplacian(" is spd"), "solve P(u) + 0.1 * u = f method cg -> u"))).toEqual([]);
    expect(warnings(lines(...head, laplacian(" is spd"), "solve P(v) - 100 * v = f method minres -> v"))).toEqual([]);
    expect(warnings(lines(...head, laplacian(" is spd"), "solve P(v) - 100 * v = f method cg -> v"))).toEqual([
      "4:7 `cg` needs a symmetric positive definite operator, and `P(v) - 100 * v` is symmetric, but not known to be positive definite.",
    ]);
  });

  it("methods for general operators need nothing; the Chebyshev preconditioner needs SPD", () => {
    expect(warnings(lines(...head, laplacian(), "solve P(u) = f method bicgstab -> u"))).toEqual([]);
    expect(warnings(lines(...head, laplacian(" is symmetric"), "solve P(u) = f method minres -> u"))).toEqual([]);
    const cheb = warnings(lines(...head, laplacian(" is symmetric"), "solve P(u) = f method gmres precond chebyshev(lmin: 19, lmax: 8200) -> u"));
    expect(cheb).toEqual(["4:7 the preconditioner `chebyshev` needs a symmetric positive definite operator, and nothing declares `P` one."]);
  });

  it("inside an op, an operator parameter is the caller's business: no warning", () => {
    expect(warnings(lines("op mysolve(M: op, f: f32[n]) {", "  solve M(u) = f method cg -> u", "  return u", "}"))).toEqual([]);
  });
});

describe("implicit gradients of fixpoints", () => {
  const map = "tanh(W @ z + x)";
  const fix = (method: string, extra = "") => lines("dim N = 8", "let W = 0.5 * orthogonal(N, N, seed: 1)", "input x: f32[N]", extra, `fixpoint z: f32[N] = ${map}`, `  method ${method}`, "  grad implicit");

  it("warns when nothing declares the map a contraction", () => {
    expect(warnings(fix("picard"))).toEqual([
      "7:8 `grad implicit` differentiates through the fixed point of `z`, which needs I − ∂T/∂z to be invertible, and nothing declares the map a contraction.",
    ]);
  });

  it("damping, a `lipschitz:` constant, a contract naming the fixpoint or a tagged op declares it", () => {
    expect(warnings(fix("damped(damping: 0.5)"))).toEqual([]);
    expect(warnings(fix("picard(lipschitz: 0.5)"))).toEqual([]);
    expect(warnings(fix("picard") + "check contractive(z, below: 0.5)\n")).toEqual([]);
    const tagged = lines("dim N = 8", "let W = 0.5 * orthogonal(N, N, seed: 1)", "op T(z: f32[N]) is contractive(0.5) = tanh(W @ z)", "fixpoint z: f32[N] = T(z)", "  grad implicit");
    expect(warnings(tagged)).toEqual([]);
  });

  it("without `grad implicit` written, nothing is said", () => {
    expect(warnings(fix("picard").replace("  grad implicit\n", ""))).toEqual([]);
  });
});
