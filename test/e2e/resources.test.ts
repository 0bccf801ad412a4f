// Issue 14's checker-side classes, one regression each: what used to reach tfjs or a driver as
// an internal error is a located user error (exit 2) or runs correctly.
import { describe, expect, it } from "vitest";
import { checkSource, compileSource } from "../../compiler/compile.js";
import { formatBytes, tensorBytes } from "../../compiler/check/memory.js";
import { peakOf } from "../../compiler/ir/liveness.js";
import { runSource } from "../../runtime/run.js";
import { memoryLimit } from "../../runtime/limits.js";

const errorsOf = (source: string) =>
  checkSource(source, { file: "t.iter", memory: memoryLimit(8e9) })
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => ({ code: d.code, line: d.span.start.line, message: d.message }));

describe("compile-time conditions", () => {
  it("an unknown name in an `if` condition is an unknown name, not an internal error", () => {
    const errors = errorsOf("dim N = 4\nlet x = if Q == 2 then ones(N) else zeros(N)\nexport x");
    expect(errors).toEqual([{ code: "unknown-name", line: 2, message: "I don't know the name `Q`." }]);
  });
});

describe("iteration bounds", () => {
  it("a negative maxiter is refused when checking, not by the driver at run time", () => {
    const errors = errorsOf("dim N = 4\nlet b = ones(N)\nsolve 2 * x = b method cg(maxiter: -3) -> x\nexport x");
    expect(errors.map((e) => [e.code, e.line])).toEqual([["bad-option", 3]]);
  });

  it("an absurd `max`, `maxiter` or loop count is a located error", () => {
    const prefix = "dim N = 4\nlet b = ones(N)\n";
    expect(errorsOf(`${prefix}solve 2 * x = b max 1e40 -> x\nexport x`).map((e) => e.code)).toEqual(["absurd-bound"]);
    expect(errorsOf(`${prefix}solve 2 * x = b method cg(maxiter: 1e12) -> x\nexport x`).map((e) => e.code)).toEqual(["absurd-bound"]);
    expect(errorsOf(`${prefix}loop k < 1e10 carry (y = b) { y = y } -> y\nexport y`).map((e) => e.code)).toEqual(["absurd-bound"]);
    // The bound itself is fine.
    expect(errorsOf(`${prefix}solve 2 * x = b max 1000000000 -> x\nexport x`)).toEqual([]);
  });

  it("a bound of a million iterations or more is a warning where it is written (a run that gets there takes hours)", () => {
    const warnings = (source: string) =>
      checkSource(source, { file: "t.iter" })
        .diagnostics.filter((d) => d.severity === "warning")
        .map((d) => [d.code, d.span.start.line, d.span.start.column]);
    expect(warnings("loop k < 1e30 carry (x = 0.0) { x = x + 1 } -> x\nexport x").length).toBe(0); // refused: absurd-bound
    expect(warnings("loop k < 1e6 carry (x = 0.0) { x = x + 1 } -> x\nexport x")).toEqual([["long-run", 1, 10]]);
    expect(warnings("solve 2 * u = ones(3) max 5000000 -> u\nexport u")).toEqual([["long-run", 1, 27]]);
    expect(warnings("solve 2 * u = ones(3) method cg(maxiter: 2e6) -> u\nexport u")).toEqual([["long-run", 1, 42]]);
    expect(warnings("loop k < 999999 carry (x = 0.0) { x = x + 1 } -> x\nexport x")).toEqual([]);
    // The standard library's own safeguards (SOR's sweep loop, `max 1000000`) are not the user's.
    expect(warnings("dim N = 7\nop A(u: f32[N, N]) = stencil5(u, center: 4, side: -1)\nsolve A(u) = ones(N, N) method sor -> u\nexport u")).toEqual([]);
  });
});

describe("method options", () => {
  it("values a driver cannot take are refused when checking, where they are written", () => {
    const fix = "fixpoint x: f32[3] = tanh(x) init ones(3) method";
    const refused = (source: string) => errorsOf(source).map((e) => [e.code, e.message]);
    expect(refused(`${fix} anderson(m: -1)\nexport x`)).toEqual([["bad-option", "`m: -1` of `anderson` must be at least 0."]]);
    expect(refused(`${fix} anderson(damping: 0)\nexport x`)).toEqual([["bad-option", "`damping: 0` of `anderson` must be greater than 0."]]);
    expect(refused(`${fix} anderson(damping: 1.5)\nexport x`)).toEqual([["bad-option", "`damping: 1.5` of `anderson` must be at most 1."]]);
    expect(refused(`${fix} anderson(ridge: -1e-3)\nexport x`)).toEqual([["bad-option", "`ridge: -0.001` of `anderson` must be at least 0."]]);
    expect(refused(`${fix} anderson(restart: 0.5)\nexport x`)).toEqual([["bad-option", "`restart: 0.5` of `anderson` must be at least 1."]]);
    expect(refused(`${fix} broyden(alpha: 0)\nexport x`)).toEqual([["bad-option", "`alpha: 0` of `broyden` must be greater than 0."]]);
    expect(refused("solve 2 * u = ones(3) method cg(atol: -1) -> u\nexport u")).toEqual([["bad-option", "`atol: -1` of `cg` must be at least 0."]]);
    expect(refused(`${fix} anderson(ridge: 1e400)\nexport x`)).toEqual([["bad-option", "`ridge` of `anderson` must be a finite number."]]);
  });

  it("the edges of the ranges run", async () => {
    const out = await runSource("fixpoint x: f32[3] = 0.5 * x + 1 init ones(3) method anderson(m: 0, damping: 1, ridge: 0, restart: 1)\nexport x", { file: "t.iter", backend: "cpu" });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(out.reports[0].converged).toBe(true);
  });
});

describe("sizes of zero", () => {
  it("a stencil of an empty grid runs on the cpu backend (it reached a tfjs reshape that cannot infer a size)", async () => {
    const src = "dim N = 0\nop A(u: f32[n, n]) = stencil5(u, center: 4, side: -1)\nlet w = A(ones(N, N))\nexport w\nexport l = laplacian(ones(N, N))";
    for (const backend of ["cpu", "wasm"] as const) {
      const out = await runSource(src, { file: "t.iter", backend });
      expect(out.diagnostics).toEqual([]);
      expect(out.exports.map((e) => [e.name, e.shape, e.data.length])).toEqual([
        ["w", [0, 0], 0],
        ["l", [0, 0], 0],
      ]);
    }
  });

  it("reductions of no entries give their identities, and an empty system converges at once", async () => {
    const src = "dim N = 0\nlet b = ones(N)\nsolve 2 * x = b -> x\nfixpoint z: f32[N] = 0.5 * z + b\nexport s = sum(b)\nexport p = prod(b)\nexport m = max(b)\nexport x\nexport z";
    const out = await runSource(src, { file: "t.iter", backend: "wasm" });
    const value = (name: string) => [...out.exports.find((e) => e.name === name)!.data];
    expect([value("s"), value("p"), value("m")]).toEqual([[0], [1], [-Infinity]]);
    expect(value("x")).toEqual([]);
    expect(out.reports.map((r) => [r.name, r.reason, r.iterations])).toEqual([
      ["x", "converged_atol", 0],
      ["z", "converged_atol", 0],
    ]);
  });
});

describe("memory", () => {
  it("a tensor larger than the limit is refused when checking, with its size and line", () => {
    const errors = errorsOf("dim N = 1000000\nlet z = zeros(N, N)\nexport s = sum(z)");
    expect(errors.map((e) => [e.code, e.line])).toEqual([["too-large", 2]]);
    expect(errors[0].message).toContain("f32[1000000, 1000000], takes 4.00 TB");
  });

  it("the peak of what is alive at once is refused at the op where it occurs", () => {
    // Three 1.3 GB matrices are alive at once at the worst `+`; each alone fits 3.5 GB.
    const src = "dim N = 18000\nlet a = ones(N, N)\nlet c = a + a + a + a + a\nexport s = sum(c)";
    const out = compileSource(src, { file: "t.iter", memory: memoryLimit(3.5e9) });
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.span.start.line])).toEqual([["too-large", 3]]);
    expect(errors[0].message).toMatch(/^At its peak, the run holds 3\.89 GB/);
  });

  it("the wasm backend's own limit bounds a run: refused before anything runs", async () => {
    const src = "dim N = 30000\nlet a = zeros(N, N)\nexport s = sum(a)";
    const out = await runSource(src, { file: "t.iter", backend: "wasm", memory: memoryLimit(20e9) });
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.code)).toEqual(["too-large"]);
    expect(errors[0].message).toContain("wasm backend");
  });

  it("the peak counts values from their definition to their last use", () => {
    const src = "dim N = 100\nlet a = ones(N)\nlet b = a * 2\nlet c = b * 2\nexport d = c * 2";
    const main = compileSource(src, { file: "t.iter" }).module!.funcs.get("main")!;
    // Two 400-byte vectors at a time (an op's input and its output) and a scalar constant.
    const peak = peakOf(main.body, (v) => tensorBytes(v.type) ?? 0).bytes;
    expect(peak).toBeGreaterThanOrEqual(800);
    expect(peak).toBeLessThan(900);
  });

  it("formats sizes with three significant digits", () => {
    expect([formatBytes(980), formatBytes(1234), formatBytes(3.6e9), formatBytes(4e12)]).toEqual(["980 B", "1.23 kB", "3.60 GB", "4.00 TB"]);
  });
});
