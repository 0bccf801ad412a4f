// The stopgap that reads each construct's tolerance from the compiled module, until the
// drivers put it in their reports.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { stoppingTolerances, thresholdOf, withTolerances } from "../../runtime/monitor/tolerances.js";
import { report } from "./fixtures.js";

function moduleOf(example: string) {
  const m = compileSource(readFileSync(`examples/${example}.iter`, "utf8"), { file: example, sizes: new Map([["N", 15]]) }).module;
  if (!m) throw new Error(`${example} did not compile`);
  return m;
}

describe("stopping tolerances from the IR", () => {
  it("reads a method's rtol, and an `until` clause's absolute or relative bound", () => {
    expect(stoppingTolerances(moduleOf("poisson-precond")).get("u_gmres")).toEqual({ rtol: 1e-3, atol: 0 });
    expect(stoppingTolerances(moduleOf("contraction")).get("x")).toEqual({ rtol: 0, atol: 1e-6 });
    expect(stoppingTolerances(moduleOf("gram-iteration")).get("v")).toEqual({ rtol: 1e-5, atol: 0 });
    expect([...stoppingTolerances(moduleOf("poisson-precond")).keys()]).toEqual(["u_plain", "u_jacobi", "u_ssor", "u_mg", "u_gmres"]);
  });

  it("the threshold is max(atol, rtol · ref), ref = residual / relResidual", () => {
    expect(thresholdOf(report({ residual: 0.0426, relResidual: 9.56e-4 }), { rtol: 1e-3, atol: 0 })).toBeCloseTo(0.04456, 4);
    expect(thresholdOf(report({ residual: 1, relResidual: 0.5 }), { rtol: 1e-3, atol: 0.01 })).toBe(0.01);
    // no reference norm: only a positive atol is certain
    expect(thresholdOf(report({ residual: 0, relResidual: 0 }), { rtol: 1e-3, atol: 0 })).toBeUndefined();
    expect(thresholdOf(report({ residual: 1e-9, relResidual: NaN }), { rtol: 0, atol: 1e-8 })).toBe(1e-8);
  });

  it("fills in reports that lack a tolerance, by name, and leaves the others as they are", () => {
    const m = moduleOf("poisson-precond");
    const given = report({ name: "u_mg", tolerance: 0.5 });
    const [plain, mg, other] = withTolerances([report({ name: "u_plain", residual: 0.04, relResidual: 1e-3 }), given, report({ name: "elsewhere" })], m);
    expect(plain.tolerance).toBeCloseTo(0.04, 12);
    expect(mg).toBe(given);
    expect(other.tolerance).toBeUndefined();
  });
});
