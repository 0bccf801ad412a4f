// The report type's rendering and JSON form, the residual history cap, and the stopping monitor.
import { describe, expect, it } from "vitest";
import { ConvergenceMonitor, resolveRule } from "../../runtime/drivers/stopping.js";
import { ResidualHistory, renderReports, reportFromJson, reportToJson, type Report } from "../../runtime/report.js";

function report(over: Partial<Report>): Report {
  return {
    name: "u",
    kind: "solve",
    method: "cg",
    iterations: 42,
    residual: 3.2e-6,
    relResidual: 9.1e-7,
    reason: "converged_rtol",
    converged: true,
    history: [1, 0.1, 3.2e-6],
    seconds: 0.0123,
    ...over,
  };
}

describe("renderReports", () => {
  const reports = [
    report({}),
    report({
      name: "z",
      kind: "fixpoint",
      method: "picard",
      iterations: 60,
      residual: 0.25,
      relResidual: 0.1,
      reason: "max_iterations",
      converged: false,
      seconds: 1.5,
    }),
    report({
      name: "w",
      method: "cg",
      iterations: 4,
      residual: NaN,
      relResidual: NaN,
      reason: "diverged_nan",
      converged: false,
      detail: "pᵀAp = NaN at iteration 5: the operator produced NaN or ±Inf",
    }),
    report({ name: "Y", kind: "loop", method: "loop", iterations: 25, residual: NaN, relResidual: NaN, reason: "completed", history: [] }),
  ];
  const text = renderReports(reports);
  const lines = text.split("\n");

  it("has a header, a rule and one row per report, in order", () => {
    expect(lines[0]).toMatch(/^name\s+kind\s+method\s+iters\s+residual\s+rel\. resid\.\s+reason\s+time$/);
    expect(lines[1]).toMatch(/^─+/);
    expect(lines[2]).toMatch(/^u\s+solve\s+cg\s+42\s+3\.20e-6\s+9\.10e-7\s+✓ converged_rtol\s+12\.3 ms$/);
    expect(lines[3]).toMatch(/^z\s+fixpoint\s+picard\s+60\s+2\.50e-1\s+1\.00e-1\s+✗ max_iterations\s+1\.50 s$/);
    expect(lines[4]).toMatch(/^w\s+solve\s+cg\s+4\s+NaN\s+NaN\s+✗ diverged_nan/);
    expect(lines[5]).toMatch(/^Y\s+loop\s+loop\s+25\s+—\s+—\s+✓ completed/);
  });

  it("aligns the columns", () => {
    const col = (line: string) => [...line].indexOf("✓") >= 0 ? [...line].indexOf("✓") : [...line].indexOf("✗");
    const at = lines.slice(2, 6).map(col);
    expect(new Set(at).size).toBe(1);
  });

  it("prints the details of non-converged constructs under the table, and a summary", () => {
    expect(text).toContain("  ✗ w: pᵀAp = NaN at iteration 5: the operator produced NaN or ±Inf");
    expect(lines.at(-1)).toBe("2 of 4 did not converge: z (max_iterations), w (diverged_nan)");
  });

  it("an all-converged table has no summary line", () => {
    expect(renderReports([report({})])).not.toContain("did not converge");
  });
});

describe("reportToJson", () => {
  it("turns NaN and ±Infinity into strings, survives JSON, and round-trips", () => {
    const r = report({
      residual: NaN,
      relResidual: Infinity,
      recursiveResidual: -Infinity,
      history: [1, NaN, Infinity, 0.5],
      reason: "diverged_nan",
      converged: false,
      detail: "x",
      historyTruncated: true,
      errorBound: { value: 0.1, lipschitz: 0.9, source: "declared" },
    });
    const j = reportToJson(r);
    expect(j.residual).toBe("NaN");
    expect(j.relResidual).toBe("Infinity");
    expect(j.recursiveResidual).toBe("-Infinity");
    expect(j.history).toEqual([1, "NaN", "Infinity", 0.5]);
    const parsed = JSON.parse(JSON.stringify(j));
    expect(parsed).toEqual(j);
    const back = reportFromJson(parsed);
    expect(back).toEqual(r);
  });

  it("omits absent optional fields", () => {
    const j = reportToJson(report({}));
    expect(Object.keys(j).sort()).toEqual(
      ["converged", "history", "iterations", "kind", "method", "name", "reason", "relResidual", "residual", "seconds"].sort(),
    );
  });
});

describe("ResidualHistory", () => {
  it("keeps everything up to 2 × keep entries", () => {
    const h = new ResidualHistory(3);
    for (let i = 0; i < 6; i++) h.push(i);
    expect(h.truncated).toBe(false);
    expect(h.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("keeps the first and the last `keep` in order when longer", () => {
    const h = new ResidualHistory(3);
    for (let i = 0; i < 11; i++) h.push(i);
    expect(h.length).toBe(11);
    expect(h.truncated).toBe(true);
    expect(h.toArray()).toEqual([0, 1, 2, 8, 9, 10]);
    expect(h.first).toBe(0);
    expect(h.last).toBe(10);
  });
});

describe("ConvergenceMonitor", () => {
  it("defaults: rtol 1e-5 when no tolerance is given, else the missing one is 0; divergence 1e8", () => {
    expect(resolveRule({ maxIter: 5 })).toEqual({ rtol: 1e-5, atol: 0, maxIter: 5, divergenceFactor: 1e8 });
    expect(resolveRule({ atol: 1e-3, maxIter: 5 })).toEqual({ rtol: 0, atol: 1e-3, maxIter: 5, divergenceFactor: 1e8 });
    expect(() => resolveRule({ maxIter: -1 })).toThrow(RangeError);
    expect(() => resolveRule({ rtol: NaN, maxIter: 1 })).toThrow(RangeError);
  });

  it("reports converged_atol when the absolute criterion is met, converged_rtol otherwise", () => {
    const m = new ConvergenceMonitor({ rtol: 1e-2, atol: 1e-3, maxIter: 10 });
    expect(m.observe(1, 1)).toEqual({ stop: false, iteration: 0 });
    expect(m.observe(5e-3, 1)).toMatchObject({ stop: true, reason: "converged_rtol", converged: true, iteration: 1 });
    const m2 = new ConvergenceMonitor({ rtol: 1e-2, atol: 1e-3, maxIter: 10 });
    m2.observe(1, 1);
    expect(m2.observe(1e-3, 1)).toMatchObject({ stop: true, reason: "converged_atol" });
    // both met: atol wins (PETSc's habit)
    const m3 = new ConvergenceMonitor({ rtol: 1e-2, atol: 1e-3, maxIter: 10 });
    expect(m3.observe(1e-4, 1)).toMatchObject({ stop: true, reason: "converged_atol", iteration: 0 });
  });

  it("NaN or ±Inf → diverged_nan at that iteration, before anything else", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const m = new ConvergenceMonitor({ rtol: 1e-2, maxIter: 1 });
      m.observe(1, 1);
      expect(m.observe(bad, 1)).toEqual({ stop: true, iteration: 1, reason: "diverged_nan", converged: false });
    }
  });

  it("max_iterations at maxIter; diverged_growth beyond factor × initial", () => {
    const m = new ConvergenceMonitor({ rtol: 1e-9, maxIter: 2 });
    m.observe(1, 1);
    m.observe(1, 1);
    expect(m.observe(1, 1)).toMatchObject({ stop: true, reason: "max_iterations", iteration: 2 });
    const g = new ConvergenceMonitor({ rtol: 1e-9, maxIter: 100, divergenceFactor: 10 });
    g.observe(2, 1);
    expect(g.observe(20, 1).stop).toBe(false);
    expect(g.observe(20.01, 1)).toMatchObject({ stop: true, reason: "diverged_growth", iteration: 2 });
    expect(g.history.toArray()).toEqual([2, 20, 20.01]);
  });
});
