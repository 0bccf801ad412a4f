// `--monitor` lines: one per iteration (or every k-th, and the last), nested runs indented
// under their parent, an end line with the reason per run.
import { describe, expect, it } from "vitest";
import { painter } from "../../runtime/monitor/colour.js";
import { dispatch, type RunEvent } from "../../runtime/monitor/events.js";
import { MonitorLines, type MonitorLinesOptions, monitorNumber } from "../../runtime/monitor/monitor-lines.js";
import { nestedRun, report } from "./fixtures.js";

function lines(events: RunEvent[], options: MonitorLinesOptions = {}): string[] {
  let out = "";
  const m = new MonitorLines({ write: (s: string) => (out += s) }, options);
  for (const e of events) dispatch(m, e);
  expect(out.endsWith("\n")).toBe(true);
  return out.slice(0, -1).split("\n");
}

describe("MonitorLines", () => {
  it("prints every iteration, nested runs indented two spaces under their parent", () => {
    expect(lines(nestedRun())).toEqual([
      "u_mg cg    0  residual 1.000e+1  rel 1.000e+0",
      "  coarse cg    0  residual 1.000e+0  rel 1.000e-1",
      "  coarse cg    1  residual 1.000e-1  rel 1.000e-2",
      "  coarse cg    2  residual 1.000e-3  rel 1.000e-4",
      "  coarse ✓ converged_rtol after 2 iterations  residual 1.00e-3  rel 1.00e-3  (50.0 ms)",
      "u_mg cg    1  residual 1.000e-1  rel 1.000e-2",
      "  coarse cg    0  residual 1.000e+0  rel 1.000e-1",
      "  coarse cg    1  residual 1.000e-1  rel 1.000e-2",
      "  coarse cg    2  residual 1.000e-3  rel 1.000e-4",
      "  coarse ✓ converged_rtol after 2 iterations  residual 1.00e-3  rel 1.00e-3  (50.0 ms)",
      "u_mg cg    2  residual 1.000e-2  rel 1.000e-3",
      "u_mg cg    3  residual 5.000e-3  rel 5.000e-4",
      "u_mg ✓ converged_rtol after 3 iterations  residual 5.00e-3  rel 5.00e-4  (204.7 ms)",
    ]);
  });

  it("maxDepth 0 leaves the nested runs out", () => {
    const out = lines(nestedRun(), { maxDepth: 0 });
    expect(out.every((l) => l.startsWith("u_mg "))).toBe(true);
    expect(out).toHaveLength(5);
  });

  it("every k prints iteration 0, the multiples of k, and the last one at the end", () => {
    const out = lines(nestedRun(), { every: 2, maxDepth: 0 });
    expect(out).toEqual([
      "u_mg cg    0  residual 1.000e+1  rel 1.000e+0",
      "u_mg cg    2  residual 1.000e-2  rel 1.000e-3",
      "u_mg cg    3  residual 5.000e-3  rel 5.000e-4",
      "u_mg ✓ converged_rtol after 3 iterations  residual 5.00e-3  rel 5.00e-4  (204.7 ms)",
    ]);
    // the last one is printed once, not again at the end, when it fell on a multiple of k
    expect(lines(nestedRun(), { every: 3, maxDepth: 0 }).filter((l) => l.includes("cg    3"))).toHaveLength(1);
  });

  it("a loop's line has no residual; a failure says what happened, coloured when asked", () => {
    const loop = { id: 5, name: "Y", kind: "loop" as const, method: "loop", depth: 0 };
    const events: RunEvent[] = [
      { type: "start", run: loop },
      { type: "iteration", event: { run: loop, iteration: 1, residual: NaN, relResidual: NaN, seconds: 0 } },
      { type: "end", run: loop, report: report({ name: "Y", kind: "loop", method: "loop", iterations: 1, residual: NaN, relResidual: NaN, reason: "diverged_nan", converged: false, history: [], detail: "NaN or Inf in `Y` at iteration 1" }) },
    ];
    expect(lines(events)).toEqual(["Y loop    1", "Y ✗ diverged_nan after 1 iteration  (50.0 ms): NaN or Inf in `Y` at iteration 1"]);
    expect(lines(events, { painter: painter(true) })[1]).toContain("\x1b[31m✗ diverged_nan\x1b[39m");
  });

  it("a loop nested in a run prints only an end line that is a failure, unless nestedLoops", () => {
    const sweep = (id: number, reason: "completed" | "diverged_nan") => {
      const run = { id, name: "smooth", kind: "loop" as const, method: "loop", depth: 1, parent: 1 };
      const end = report({ name: "smooth", kind: "loop", method: "loop", iterations: 1, residual: NaN, relResidual: NaN, reason, converged: reason === "completed", history: [] });
      return [{ type: "start", run }, { type: "iteration", event: { run, iteration: 1, residual: NaN, relResidual: NaN, seconds: 0 } }, { type: "end", run, report: end }] as RunEvent[];
    };
    const [start, ...rest] = nestedRun();
    const events = [start, ...sweep(7, "completed"), ...sweep(8, "diverged_nan"), ...rest.filter((e) => (e.type === "iteration" ? e.event.run.depth : e.run.depth) === 0)];
    const out = lines(events);
    expect(out.filter((l) => l.includes("smooth"))).toEqual(["  smooth ✗ diverged_nan after 1 iteration  (50.0 ms)"]);
    expect(lines(events, { nestedLoops: true }).filter((l) => l.includes("smooth"))).toEqual([
      "  smooth loop    1",
      "  smooth ✓ completed after 1 iteration  (50.0 ms)",
      "  smooth loop    1",
      "  smooth ✗ diverged_nan after 1 iteration  (50.0 ms)",
    ]);
  });

  it("an adjoint run is indented under the forward construct it differentiates", () => {
    const run = { id: 4, name: "uᵀ", kind: "solve" as const, method: "cg", depth: 0, adjointOf: "u" };
    const out = lines([
      { type: "start", run },
      { type: "iteration", event: { run, iteration: 0, residual: 2, relResidual: 1, seconds: 0 } },
      { type: "end", run, report: report({ name: "uᵀ" }) },
    ]);
    expect(out).toEqual(["  uᵀ cg    0  residual 2.000e+0  rel 1.000e+0", "  uᵀ ✓ converged_rtol after 2 iterations  residual 1.00e-2  rel 1.00e-3  (50.0 ms)"]);
  });

  it("a wide iteration cap widens the iteration column", () => {
    const run = { id: 1, name: "u", kind: "solve" as const, method: "cg", depth: 0, maxIterations: 100_000 };
    const out = lines([
      { type: "start", run },
      { type: "iteration", event: { run, iteration: 7, residual: 2, relResidual: NaN, seconds: 0 } },
      { type: "end", run, report: report({}) },
    ]);
    expect(out[0]).toBe("u cg      7  residual 2.000e+0");
  });

  it("refuses an every that is not a whole number ≥ 1", () => {
    expect(() => new MonitorLines({ write: () => 0 }, { every: 0 })).toThrow(RangeError);
    expect(() => new MonitorLines({ write: () => 0 }, { every: 1.5 })).toThrow(RangeError);
  });

  it("numbers: four digits, NaN and infinities by name", () => {
    expect(monitorNumber(44.553147)).toBe("4.455e+1");
    expect(monitorNumber(0)).toBe("0");
    expect(monitorNumber(NaN)).toBe("NaN");
    expect(monitorNumber(-Infinity)).toBe("-Inf");
  });
});
