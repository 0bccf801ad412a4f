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
});

describe("sizes of zero", () => {
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
