// Synthetic runs for the monitor tests: a top-level CG solve whose preconditioner runs an inner
// solve at every iteration (depth 1), the event sequence a driver will emit.
import type { ConstructRun, RunEvent } from "../../runtime/monitor/events.js";
import type { Report } from "../../runtime/report.js";

export function report(over: Partial<Report>): Report {
  return { name: "u", kind: "solve", method: "cg", iterations: 2, residual: 0.01, relResidual: 1e-3, reason: "converged_rtol", converged: true, history: [10, 1, 0.01], seconds: 0.05, ...over };
}

export const outer: ConstructRun = { id: 1, name: "u_mg", kind: "solve", method: "cg", depth: 0, maxIterations: 200, tolerance: 0.01 };

export function inner(id: number): ConstructRun {
  return { id, name: "coarse", kind: "solve", method: "cg", depth: 1, parent: 1 };
}

/** u_mg: 3 iterations; before iterations 1 and 2 an inner `coarse` solve runs 2 iterations. */
export function nestedRun(): RunEvent[] {
  const ev: RunEvent[] = [{ type: "start", run: outer }];
  const it = (run: ConstructRun, iteration: number, residual: number): RunEvent => ({ type: "iteration", event: { run, iteration, residual, relResidual: residual / 10, seconds: iteration * 0.01 } });
  ev.push(it(outer, 0, 10));
  for (const k of [1, 2]) {
    const c = inner(10 + k);
    ev.push({ type: "start", run: c }, it(c, 0, 1), it(c, 1, 0.1), it(c, 2, 0.001));
    ev.push({ type: "end", run: c, report: report({ name: "coarse", iterations: 2, residual: 0.001, relResidual: 1e-3, history: [1, 0.1, 0.001] }) });
    ev.push(it(outer, k, 10 ** -k));
  }
  ev.push(it(outer, 3, 0.005));
  ev.push({ type: "end", run: outer, report: report({ name: "u_mg", iterations: 3, residual: 0.005, relResidual: 5e-4, history: [10, 0.1, 0.01, 0.005], seconds: 0.2047 }) });
  return ev;
}
