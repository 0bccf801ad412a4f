// The library API's `run`: plain objects in and out, inputs as typed arrays, mistakes as
// diagnostics, events as the run goes, and a long solve in a worker thread that leaves the
// caller's event loop free and stops cleanly when aborted. Run from the sources, the worker is
// bundled from them on first use (runtime/api/worker-url.ts); runs one after the other share it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BackendUnavailableError, FileReadError, type IterationEvent, recordingObserver, run } from "../../index.js";
import { workerExecArgv } from "../../runtime/api/workers.js";

const dir = mkdtempSync(join(tmpdir(), "iterlang-api-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POISSON = `dim N = 7
input f: f32[N, N]
op A(u: f32[n, n]) is spd = stencil5(u, center: 4, side: -1) * (n + 1)^2
solve A(u) = f method cg(rtol: 1e-4) -> u
export u
export total = sum(f)
`;

describe("run", () => {
  it("gives plain objects: exports and reports by name, ok and converged", async () => {
    const f = new Float32Array(15 * 15).fill(1);
    const r = await run(POISSON, { sizes: { N: 15 }, inputs: { f }, backend: "cpu" });
    expect(r.diagnostics).toEqual([]);
    expect(r).toMatchObject({ ok: true, converged: true, backend: "cpu", sizes: { N: 15 } });
    expect(Object.keys(r.exports)).toEqual(["u", "total"]);
    expect(r.exports.u.shape).toEqual([15, 15]);
    expect(r.exports.u.dtype).toBe("float32");
    expect(r.exports.u.data).toBeInstanceOf(Float32Array);
    expect(r.exports.total).toEqual({ dtype: "float32", shape: [], data: new Float32Array([225]) });
    expect(r.reports.u).toMatchObject({ name: "u", kind: "solve", method: "cg", reason: "converged_rtol", converged: true });
    expect(Object.getPrototypeOf(r.reports.u)).toBe(Object.prototype);
    expect(structuredClone(r)).toEqual(r);
  });

  it("inputs: a flat array takes the declared shape, { shape, data } binds the sizes it names", async () => {
    const bare = await run(POISSON, { inputs: { f: Array.from({ length: 49 }, () => 1) }, backend: "cpu" });
    expect(bare.exports.u.shape).toEqual([7, 7]);
    const src = "input m: f32[a, b]\ninput flags: bool[a]\nexport s = sum(m)\nexport k = sum(where(flags, 1, 0))\n";
    const r = await run(src, { inputs: { m: { shape: [2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6]) }, flags: [true, false] }, backend: "cpu" });
    expect(r.diagnostics).toEqual([]);
    expect(r.sizes).toEqual({ a: 2, b: 3 });
    expect(r.exports.s.data[0]).toBe(21);
    expect(r.exports.k.data[0]).toBe(1);
  });

  it("reads a program from { file } or a URL; one that cannot be read rejects with FileReadError", async () => {
    const file = join(dir, "p.iter");
    writeFileSync(file, "export x = 2 * 3\n");
    expect((await run({ file }, { backend: "cpu" })).exports.x.data[0]).toBe(6);
    expect((await run(pathToFileURL(file), { backend: "cpu" })).ok).toBe(true);
    const missing = run({ file: join(dir, "missing.iter") });
    await expect(missing).rejects.toBeInstanceOf(FileReadError);
    await expect(missing).rejects.toThrow("there is no such file");
  });

  it("a data file that is not there is a diagnostic, not an internal error (found by the fuzzer)", async () => {
    const src = ["dim B, D = 2", "param W: f32[D, 1] init glorot(seed: 1)", "model m(x: f32[B, D]) -> f32[B, 1] = x @ W", 'data toy = csv("no-such.csv", x: 0..D, y: D)', "train m on toy {", "  loss mean((m(x) - y)^2)", "  batch 4", "}", ""].join("\n");
    const r = await run(src, { file: "missing-data.iter", backend: "cpu" });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["bad-data"]);
    expect(r.diagnostics[0].message).toContain("I can't find the data file `no-such.csv`");
  });

  it("a mistake in the program or its data is a diagnostic, never a throw", async () => {
    const syntax = await run("export x = (1 +\n", { file: "bad.iter" });
    expect(syntax).toMatchObject({ ok: false, converged: false, exports: {}, reports: {} });
    expect(syntax.diagnostics[0]).toMatchObject({ severity: "error", code: "syntax", file: "bad.iter" });
    const cases: [Parameters<typeof run>[1], RegExp][] = [
      [{}, /The input `f` needs a value/],
      [{ inputs: { f: new Float32Array(5) } }, /`f` is declared with shape \[7, 7\], which holds 49 numbers, but its data has 5/],
      [{ inputs: { f: { shape: [2, 2], data: [1, 2, 3] } } }, /holds 4 numbers, but its data has 3/],
      [{ inputs: { f: { shape: [3, 3], data: new Float32Array(9) } } }, /The data given for `f` has shape \[3, 3\], but it is declared as f32\[7, 7\]/],
      [{ inputs: { f: "nope" as unknown as Float32Array } }, /must be a Float32Array/],
      [{ inputs: { g: [1] } }, /The program has no input `g`/],
      [{ sizes: { N: 0.5 } }, /The size `N` was given 0.5, but a size is a whole number ≥ 0/],
      [{ sizes: { N: "7" as unknown as number } }, /The size `N` was given "7"/],
    ];
    for (const [options, message] of cases) {
      const r = await run(POISSON, { ...options, backend: "cpu" });
      expect(r.ok, String(message)).toBe(false);
      expect(r.diagnostics.map((d) => d.message).join("\n")).toMatch(message);
      expect(r.diagnostics.every((d) => d.code.length > 0 && d.span.start.line >= 1)).toBe(true);
    }
  });

  it("onIteration hears every iteration in order; an observer hears the starts and ends too", async () => {
    const seen: IterationEvent[] = [];
    const rec = recordingObserver();
    const r = await run(POISSON, { inputs: { f: new Float32Array(49).fill(1) }, backend: "cpu", onIteration: (e) => seen.push(e), observer: rec });
    expect(seen.map((e) => e.iteration)).toEqual(r.reports.u.history.map((_, k) => k));
    expect(seen.map((e) => e.residual)).toEqual(r.reports.u.history);
    expect(seen[0].run).toMatchObject({ name: "u", kind: "solve", method: "cg", depth: 0 });
    expect(rec.events.map((e) => e.type)).toEqual(["start", ...seen.map(() => "iteration"), "end"]);
    expect(rec.events.at(-1)).toMatchObject({ type: "end", report: r.reports.u });
  });

  it("a caller's timer fires on time during a long solve, which an AbortSignal stops between iterations", async () => {
    // x ↦ b − x swings between 0 and b for ever: it would run its million iterations.
    const slow = "dim n = 64\nlet b = normal(n, seed: 2)\nfixpoint x: f32[n] = b - x until residual < 1e-6 max 1000000\nexport x\n";
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 25);
    const controller = new AbortController();
    const iterations: number[] = [];
    const started = performance.now();
    let result;
    try {
      const running = run(slow, { signal: controller.signal, onIteration: (e) => void iterations.push(e.iteration) });
      setTimeout(() => controller.abort(), 4000);
      result = await running;
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(4000);
    // The event loop never stalled: about one tick per 25 ms, and no long gap between two (a
    // run on the caller's thread would give one gap of 4 s; the bound leaves room for a busy
    // machine).
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
    expect(ticks.length).toBeGreaterThan((elapsed / 25) * 0.5);
    expect(Math.max(...gaps)).toBeLessThan(750);
    // Stopped where it was, and said so.
    expect(result).toMatchObject({ ok: false, converged: false, exports: {}, stopped: { reason: "aborted" } });
    const x = result.reports.x;
    expect(x).toMatchObject({ reason: "aborted", converged: false });
    expect(x.iterations).toBeGreaterThan(100);
    expect(x.detail).toMatch(/^stopped by the caller after iteration \d+$/);
    expect(result.stopped!.message).toBe(`stopped by the caller in \`x\` after ${x.iterations} iterations`);
    expect(iterations.slice(0, 3)).toEqual([0, 1, 2]);
    expect(iterations.at(-1)).toBe(x.iterations);
  });

  it("a signal aborted before the start runs nothing", async () => {
    const r = await run(POISSON, { signal: AbortSignal.abort() });
    expect(r).toMatchObject({ ok: false, exports: {}, reports: {}, stopped: { reason: "aborted" } });
  });

  it("what a callback throws rejects the run; a backend that cannot start rejects with BackendUnavailableError", async () => {
    const boom = run(POISSON, { inputs: { f: new Float32Array(49).fill(1) }, backend: "cpu", onIteration: () => {
      throw new Error("the caller's bug");
    } });
    await expect(boom).rejects.toThrow("the caller's bug");
    await expect(run("export x = 1\n", { backend: "tensorflow-gpu" })).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("reports of one name are keyed name, name#2", async () => {
    const src = "op s(b: f32[2]) {\n  solve 2 * u = b method cg -> u\n  return u\n}\nexport a = s([1.0, 2.0])\nexport c = s([3.0, 4.0])\n";
    const r = await run(src, { backend: "cpu" });
    expect(Object.keys(r.reports)).toEqual(["u", "u#2"]);
  });
});

describe("the worker threads", () => {
  it("start with the parent's Node flags, less those about the main script", () => {
    expect(workerExecArgv(["--input-type=module", "-e", "code", "--no-warnings", "--input-type", "module", "--max-old-space-size=4096", "-p", "1"])).toEqual(["--no-warnings", "--max-old-space-size=4096"]);
  });
});
