// What every report says, whichever driver made it (runtime/report.ts, finalizeReport): a
// relative residual over a zero reference is "—" (NaN in JSON), not 1.7e38; every report that
// did not converge carries a one-line detail, max_iterations included.
import { describe, expect, it } from "vitest";
import { runSource as run } from "../../runtime/run.js";
import { defaultDetail, finalizeReport, relativeResidualUndefined, renderReports, reportToJson, type Report } from "../../runtime/report.js";

const TINY = 2 ** -126;

function report(over: Partial<Report>): Report {
  return {
    name: "x",
    kind: "fixpoint",
    method: "picard",
    iterations: 1000,
    residual: 3.1e-2,
    relResidual: 4.2e-3,
    reason: "max_iterations",
    converged: false,
    history: [1, 0.5, 0.25, 0.125],
    seconds: 0.01,
    ...over,
  };
}

describe("relative residuals over a zero reference", () => {
  const zeroRef = report({ residual: 1, relResidual: 1 / TINY });

  it("are recognised, and only they", () => {
    expect(relativeResidualUndefined(zeroRef)).toBe(true);
    expect(relativeResidualUndefined(report({}))).toBe(false);
    expect(relativeResidualUndefined(report({ residual: 0, relResidual: 0 }))).toBe(false);
    expect(relativeResidualUndefined(report({ residual: 1e-30, relResidual: 1e-30 / 1e-20 }))).toBe(false);
  });

  it("render as — and become NaN (\"NaN\" in JSON)", () => {
    const table = renderReports([zeroRef]);
    expect(table).not.toMatch(/e\+3[78]/);
    expect(table.split("\n")[2]).toMatch(/1\.00e\+0 +— +✗ max_iterations/);
    expect(reportToJson(finalizeReport(zeroRef)).relResidual).toBe("NaN");
  });
});

describe("every non-converged report has a one-line detail", () => {
  it("max_iterations: the count, the residual, the tolerance when known, and the trend", () => {
    expect(defaultDetail(report({ tolerance: 1e-5 }))).toBe(
      "stopped after 1000 iterations, the most allowed, with residual 3.10e-2 (relative 4.20e-3) > tolerance 1.00e-5; it was still decreasing (×0.500 per iteration over the last 3): allow more iterations, or precondition",
    );
    expect(defaultDetail(report({ history: Array(20).fill(1) }))).toMatch(/it stopped decreasing over the last 10 iterations/);
    expect(defaultDetail(report({ history: [1, 2, 4, 8] }))).toMatch(/it was growing/);
    expect(defaultDetail(report({ kind: "loop", method: "loop", residual: NaN, relResidual: NaN, history: [] }))).toBe(
      "stopped after 1000 iterations, the most allowed, before its `until` condition held",
    );
  });

  it("the other reasons", () => {
    expect(defaultDetail(report({ reason: "diverged_nan", history: [1, 0.5, NaN] }))).toBe("NaN or ±Inf appeared in the residual at iteration 2");
    expect(defaultDetail(report({ reason: "diverged_growth", residual: 1e9, history: [1, 1e9] }))).toMatch(/^the residual grew to 1\.00e\+9, from 1\.00e\+0 at the start/);
    expect(defaultDetail(report({ reason: "breakdown" }))).toMatch(/^the method broke down after 1000 iterations/);
  });

  it("a detail a driver gave is kept; converged reports get none", () => {
    expect(finalizeReport(report({ detail: "own words" })).detail).toBe("own words");
    expect(finalizeReport(report({ reason: "converged_rtol", converged: true })).detail).toBeUndefined();
    const r = report({ reason: "converged_rtol", converged: true });
    expect(finalizeReport(r)).toBe(r);
  });

  it("every line of the table's notes is one line", () => {
    const text = renderReports([report({}), report({ name: "y", reason: "diverged_nan", history: [NaN] })]);
    expect(text).toMatch(/^ {2}✗ x: stopped after 1000 iterations.*$/m);
    expect(text).toMatch(/^ {2}✗ y: NaN or ±Inf appeared in the residual at iteration 0$/m);
  });
});

describe("reports from run()", () => {
  it("an oscillating x ← 1 − x: no 1.7e38, and a detail", async () => {
    const out = await run("fixpoint x: f32 = 1 - x init 0.0 max 50\nexport x\n", { backend: "cpu" });
    const [r] = out.reports;
    expect(r.reason).toBe("max_iterations");
    expect(Number.isNaN(r.relResidual)).toBe(true);
    expect(r.detail).toMatch(/stopped after 50 iterations, the most allowed, with residual 1\.00e\+0( > tolerance \S+)?; it stopped decreasing/);
  });

  it("a solve, a fixpoint and a loop stopped by their bound all say why", async () => {
    const source = [
      "let A = [[4.0, 1, 0], [1, 3, 1], [0, 1, 2]]",
      "solve A @ u = ones(3) method cg(rtol: 1e-6, maxiter: 1) -> u",
      "fixpoint z: f32[3] = 0.999 * z + 0.001 init zeros(3) max 5",
      "loop carry (s = 0.0) { s = s + 1 } until s > 100 max 3 -> s",
      "export u",
      "export z",
      "export s",
    ].join("\n");
    const out = await run(source + "\n", { backend: "cpu" });
    expect(out.reports.map((r) => r.reason)).toEqual(["max_iterations", "max_iterations", "max_iterations"]);
    for (const r of out.reports) {
      expect(r.detail, r.name).toBeTruthy();
      expect(r.detail).not.toContain("\n");
    }
  });
});
