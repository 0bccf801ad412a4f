// The events a real run emits (runtime/constructs.ts through a Watcher, fed by every driver's
// ConvergenceMonitor): balanced and nested starts and ends, each top-level report's history
// equal to its iteration events, nested runs with their depth and parent, adjoints named, and a
// run stopped between two iterations when the caller asks.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type ConstructRun, type IterationEvent, recordingObserver, type RunEvent } from "../../runtime/monitor/events.js";
import { MonitorLines } from "../../runtime/monitor/monitor-lines.js";
import type { Report } from "../../runtime/report.js";
import { type RunOutput, runSource } from "../../runtime/run.js";

const example = (name: string) => readFileSync(new URL(`../../examples/${name}`, import.meta.url), "utf8");

interface Watched {
  out: RunOutput;
  events: RunEvent[];
}

/** Runs `source` with a recording observer; `stopWhen` sees each event and may ask to stop. */
async function watched(source: string, sizes: Record<string, number> = {}, stopWhen?: (e: RunEvent) => boolean): Promise<Watched> {
  const rec = recordingObserver();
  let stop = false;
  const observer = {
    onStart: (run: ConstructRun) => void (rec.onStart!(run), (stop ||= stopWhen?.({ type: "start", run }) ?? false)),
    onIteration: (event: IterationEvent) => void (rec.onIteration!(event), (stop ||= stopWhen?.({ type: "iteration", event }) ?? false)),
    onEnd: (run: ConstructRun, report: Report) => rec.onEnd!(run, report),
  };
  const out = await runSource(source, { file: "t.iter", sizes: new Map(Object.entries(sizes)), backend: "cpu", observer, ...(stopWhen ? { shouldStop: () => stop } : {}) });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { out, events: rec.events };
}

/** Starts and ends pair up like brackets; a run's depth and parent are those of the open runs. */
function expectWellNested(events: RunEvent[]): void {
  const open: ConstructRun[] = [];
  const ids = new Set<number>();
  for (const e of events) {
    if (e.type === "start") {
      expect(ids.has(e.run.id)).toBe(false);
      ids.add(e.run.id);
      expect(e.run.depth).toBe(open.length);
      expect(e.run.parent).toBe(open.at(-1)?.id);
      open.push(e.run);
    } else if (e.type === "end") {
      expect(open.pop()).toBe(e.run);
    } else expect(e.event.run).toBe(open.at(-1));
  }
  expect(open).toEqual([]);
}

const iterationsOf = (events: RunEvent[], run: ConstructRun) => events.flatMap((e) => (e.type === "iteration" && e.event.run === run ? [e.event] : []));
const endsAt = (events: RunEvent[], depth: number) => events.flatMap((e) => (e.type === "end" && e.run.depth === depth ? [e] : []));

/** Every top-level report is an end event's report, in order, and its history is its events. */
function expectReportsAreEvents({ out, events }: Watched): void {
  const top = endsAt(events, 0);
  expect(top.map((e) => e.report)).toEqual(out.reports);
  top.forEach((e, i) => expect(e.report).toBe(out.reports[i]));
  for (const { run, report } of top) {
    const its = iterationsOf(events, run);
    if (run.kind === "loop") {
      expect(its.map((x) => x.iteration)).toEqual(Array.from({ length: report.iterations }, (_, k) => k + 1));
      expect(its.every((x) => Number.isNaN(x.residual))).toBe(true);
      continue;
    }
    expect(its.map((x) => x.residual), run.name).toEqual(report.history);
    expect(its.map((x) => x.iteration)).toEqual(report.history.map((_, k) => k));
    if (report.tolerance !== undefined) expect(its.at(-1)?.tolerance).toBe(report.tolerance);
    expect(run.maxIterations).toBeGreaterThanOrEqual(report.iterations);
  }
}

describe("a run's events", () => {
  it("poisson-precond: CG by the method protocol, GMRES, and the preconditioners' nested loops", async () => {
    const w = await watched(example("poisson-precond.iter"), { N: 15 });
    expectWellNested(w.events);
    expectReportsAreEvents(w);
    const top = endsAt(w.events, 0).map((e) => `${e.run.name} ${e.run.kind} ${e.run.method}`);
    expect(top).toEqual(["u_plain solve cg", "u_jacobi solve cg", "u_ssor solve cg", "u_mg solve cg", "u_gmres solve gmres"]);
    // SSOR and the V-cycle sweep in loops, one run per application, under their solve.
    const nested = endsAt(w.events, 1);
    expect(nested.length).toBeGreaterThan(10);
    const parents = new Set(nested.map((e) => w.events.find((s) => s.type === "start" && s.run.id === e.run.parent)!));
    expect([...parents].map((s) => (s.type === "start" ? s.run.name : ""))).toEqual(["u_ssor", "u_mg", "u_gmres"]);
    // A solve's relative residual is over ‖b‖, the same at every iteration.
    const plain = iterationsOf(w.events, endsAt(w.events, 0)[0].run);
    const bnorm = plain.map((x) => x.residual / x.relResidual);
    for (const b of bnorm) expect(b).toBeCloseTo(bnorm[0], 3);
    expect(plain[0].relResidual).toBeCloseTo(1, 6);
  });

  it("anderson, picard, halpern, loops: every fixpoint driver and the loop driver", async () => {
    for (const [file, sizes] of [["anderson.iter", { n: 32 }], ["halpern.iter", { K: 50 }]] as const) {
      const w = await watched(example(file), sizes);
      expectWellNested(w.events);
      expectReportsAreEvents(w);
      expect(w.out.reports.length).toBeGreaterThanOrEqual(2);
    }
  });

  it("solvers.iter: chebyshev, richardson, minres, bicgstab, newton_krylov, damped", async () => {
    const w = await watched(example("solvers.iter"), { N: 15 });
    expectWellNested(w.events);
    expectReportsAreEvents(w);
    expect(new Set(w.out.reports.map((r) => r.method))).toEqual(new Set(["chebyshev", "cg", "richardson", "minres", "bicgstab", "newton_krylov", "damped"]));
  });

  it("minimize: an optimiser written in iterlang and the L-BFGS driver", async () => {
    for (const method of ["adam(lr: 0.01)", "lbfgs"]) {
      const src = `op f(x: f32[2]) = (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2\nminimize f(x)\n  init [-1.2, 1.0]\n  method ${method}\n  max 40\n  -> x: f32[2]\nexport x`;
      const w = await watched(src);
      expectWellNested(w.events);
      expectReportsAreEvents(w);
      expect(w.out.reports[0]).toMatchObject({ kind: "minimize", method: method.replace(/\(.*/, "") });
      const stopped = await watched(src, {}, (e) => e.type === "iteration" && e.event.iteration === 5);
      expect(stopped.out.reports[0]).toMatchObject({ reason: "aborted", iterations: 5 });
    }
  });

  it("the same reports with and without an observer", async () => {
    const src = example("poisson-precond.iter");
    const seen = await watched(src, { N: 15 });
    const plain = await runSource(src, { file: "t.iter", sizes: new Map([["N", 15]]), backend: "cpu" });
    expect(plain.reports.map((r) => r.history)).toEqual(seen.out.reports.map((r) => r.history));
  });

  it("an adjoint solve is a top-level run naming its forward construct, shown under it", async () => {
    const src = `let A = [[3.0, 1.0, 0.0], [1.0, 4.0, 1.0], [0.0, 1.0, 5.0]]
op u_of(b: f32[3]) {
  solve A @ u = b method cg(rtol: 1e-6) -> u
  return u
}
export g = grad(b => dot([1.0, 2.0, 3.0], u_of(b)), [1.0, 1.0, 1.0])`;
    const w = await watched(src);
    expectWellNested(w.events);
    expectReportsAreEvents(w);
    const runs = endsAt(w.events, 0).map((e) => e.run);
    expect(runs.map((r) => [r.name, r.adjointOf])).toEqual([
      ["u", undefined],
      ["uᵀ", "u"],
    ]);
    let text = "";
    const m = new MonitorLines({ write: (s: string) => (text += s) });
    for (const e of w.events) if (e.type === "end") m.onEnd(e.run, e.report);
    expect(text).toMatch(/^u ✓ converged_\w+ after.*\n {2}uᵀ ✓ converged_\w+ after/);
  });
});

describe("stopping a run (shouldStop)", () => {
  const firstIs = (name: string, k: number) => (e: RunEvent) => e.type === "iteration" && e.event.run.name === name && e.event.iteration === k;

  it("stops a solve between two iterations: reason aborted, that iterate, no exports, nothing after", async () => {
    const w = await watched(example("poisson-precond.iter"), { N: 15 }, firstIs("u_jacobi", 3));
    expect(w.out.aborted).toBe(true);
    expect(w.out.exports).toEqual([]);
    expect(w.out.stopped).toBe("stopped by the caller in `u_jacobi` after 3 iterations");
    expect(w.out.reports.map((r) => [r.name, r.reason, r.converged])).toEqual([
      ["u_plain", "converged_rtol", true],
      ["u_jacobi", "aborted", false],
    ]);
    const r = w.out.reports[1];
    expect(r.iterations).toBe(3);
    expect(r.history).toHaveLength(4);
    expect(r.detail).toMatch(/^stopped by the caller after iteration 3/);
    expect(Number.isFinite(r.residual)).toBe(true);
    expect(w.events.filter((e) => e.type === "start").map((e) => (e.type === "start" ? e.run.name : ""))).toEqual(["u_plain", "u_jacobi"]);
  });

  it("stops from inside a nested run: the nested loop and its solve both say aborted", async () => {
    const w = await watched(example("poisson-precond.iter"), { N: 15 }, (e) => e.type === "start" && e.run.depth === 1 && e.run.parent !== undefined);
    expect(w.out.aborted).toBe(true);
    expectWellNested(w.events);
    // The solve's step ran on a preconditioner cut short; what its driver then saw is kept.
    expect(w.out.reports.at(-1)).toMatchObject({ name: "u_ssor", reason: "aborted", converged: false });
    expect(w.out.reports.at(-1)!.detail).toMatch(/^stopped by the caller after iteration \d+( \(the last step, cut short, ended in \w+.*\))?$/);
    const nestedEnds = endsAt(w.events, 1);
    expect(nestedEnds.at(-1)!.report.reason).toBe("aborted");
  });

  it("stops a fixpoint (anderson), a GMRES solve and a top-level loop", async () => {
    const cases = [
      ["anderson.iter", { n: 32 }, "x_anderson", "anderson"],
      ["poisson-precond.iter", { N: 15 }, "u_gmres", "gmres"],
      ["halpern.iter", { K: 50 }, "x", "loop"],
    ] as const;
    for (const [file, sizes, name, method] of cases) {
      const w = await watched(example(file), sizes, firstIs(name, 2));
      expect(w.out.reports.at(-1), file).toMatchObject({ name, method, reason: "aborted", converged: false, iterations: 2 });
      expect(w.out.aborted).toBe(true);
    }
  });

  it("a stop asked before the first construct runs none of them", async () => {
    const out = await runSource(example("poisson.iter"), { file: "t.iter", sizes: new Map([["N", 15]]), backend: "cpu", shouldStop: () => true });
    expect(out).toMatchObject({ aborted: true, stopped: "stopped by the caller", reports: [], exports: [] });
  });
});
