// Constructs main gained after the code generator was written, run from generated modules:
// `minimize` with every method (the optimisers written in iterlang and the L-BFGS driver) equal
// to the interpreter bit for bit; watching a module's run (onIteration, an observer, a signal)
// as `iterc run` watches it; and what a module cannot do yet (`train`, f64) refused at compile
// time where it is written.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/codegen/index.js";
import { evaluate } from "../../runtime/load.js";
import { type IterationEvent, recordingObserver, type RunEvent } from "../../runtime/monitor/events.js";
import type { Report } from "../../runtime/report.js";
import { runSource } from "../../runtime/run.js";
import { RunAborted } from "../../runtime/stopped.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";

beforeAll(async () => {
  await selectBackend("cpu");
});

const comparable = ({ seconds: _, ...r }: Report) => r;
const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const QUAD = "let Q = [[4.0, 1.0, 0.0, 0.5], [1.0, 3.0, 0.5, 0.0], [0.0, 0.5, 2.0, 0.25], [0.5, 0.0, 0.25, 1.0]]\nlet b = [1.0, -2.0, 0.5, 3.0]\nop f(x: f32[4]) = 0.5 * dot(x, Q @ x) - dot(b, x)";
const SHAMPOO =
  "let A = [[2.0, 0.5, 0.0], [0.5, 1.5, 0.25], [0.0, 0.25, 1.0], [1.0, 0.0, 0.5]]\nlet C = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]]\nop f(x: f32[3, 2]) = 0.5 * sum((A @ x - C)^2)";

const minimise = (objective: string, type: string, x0: string, method: string, steps: number, until = "") =>
  `${objective}\nminimize f(x)\n  init ${x0}\n  method ${method}\n${until ? `  until ${until}\n` : ""}  max ${steps}\n  -> x: ${type}\nexport x\n`;

const PROGRAMS: Record<string, string> = {
  gd: minimise(QUAD, "f32[4]", "[0.3, -0.2, 0.1, 0.5]", "gd(lr: 0.1)", 20),
  momentum: minimise(QUAD, "f32[4]", "[0.3, -0.2, 0.1, 0.5]", "momentum(lr: 0.05)", 20),
  nesterov: minimise(QUAD, "f32[4]", "[0.3, -0.2, 0.1, 0.5]", "nesterov(lr: 0.05)", 20),
  adam: minimise(QUAD, "f32[4]", "[0.3, -0.2, 0.1, 0.5]", "adam(lr: 0.05)", 20),
  adamw: minimise(QUAD, "f32[4]", "[0.3, -0.2, 0.1, 0.5]", "adamw(lr: 0.05)", 20),
  lion: minimise(QUAD, "f32[4]", "[0.3, -0.2, 0.1, 0.5]", "lion(lr: 0.01)", 20),
  shampoo: minimise(SHAMPOO, "f32[3, 2]", "zeros(3, 2)", "shampoo(lr: 0.1, eps: 1e-4)", 5),
  lbfgs: minimise(QUAD, "f32[4]", "[0.3, -0.2, 0.1, 0.5]", "lbfgs", 50, "rel_gnorm < 1e-5"),
};

async function both(source: string, observe = false) {
  const out = await compile(source, { filename: "t.iter" });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const module = await evaluate(out.code!);
  const seen = { interpreter: recordingObserver(), module: recordingObserver() };
  const reference = await runSource(source, { file: "t.iter", backend: "cpu", ...(observe ? { observer: seen.interpreter } : {}) });
  expect(reference.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const before = tf.memory().numTensors;
  const got = await module.run({}, { backend: "cpu", ...(observe ? { observer: seen.module } : {}) });
  expect(tf.memory().numTensors).toBe(before);
  return { reference, got, seen, code: out.code! };
}

describe("minimize in a generated module", () => {
  it.each(Object.keys(PROGRAMS))("%s: the module's values and reports equal the interpreter's, bit for bit", async (method) => {
    const { reference, got, code } = await both(PROGRAMS[method]);
    expect(code).toMatch(new RegExp(`// line \\d+: minimize x by ${method}`));
    for (const e of reference.exports) expect(bytes(got.values[e.name].data).equals(bytes(e.data)), `${e.name} differs`).toBe(true);
    expect(got.reports.map(comparable)).toEqual(reference.reports.map(comparable));
    expect(got.reports[0].kind).toBe("minimize");
    expect(got.reports[0].engine).toBe("tfjs-cpu");
  });
});

const MORE: Record<string, string> = {
  "report fields read in the program (x.iterations, y.history)": [
    "dim n = 32",
    "let v = normal(n, seed: 1)",
    "let W = 0.95 * (eye(n) - 2 * outer(v, v) / dot(v, v))",
    "let b = normal(n, seed: 2)",
    "fixpoint x: f32[n] = tanh(W @ x + b) init zeros method picard until residual < 1e-5 max 400",
    "fixpoint y: f32[n] = tanh(W @ y + b) init zeros method anderson(m: 5) until residual < 1e-5 max 400",
    "export ratio = x.iterations / y.iterations",
    "export both = x.converged and y.converged",
    "export curve = y.history",
    "",
  ].join("\n"),
  "a loop of solves recording their fields with put": [
    "let A = [[4.0, 1.0], [1.0, 3.0]]",
    "let B = [[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]",
    "loop k < 3 carry (R = zeros(3, 2)) {",
    "  solve A @ u = B[k] method cg(rtol: 1e-6) -> u",
    "  R = put(R, k, [u.iterations, u.residual])",
    "} -> R",
    "export R",
    "",
  ].join("\n"),
  "broyden, as a fixpoint and as a solve": [
    "dim n = 8",
    "let W = 0.5 * normal(n, n, seed: 3) / 3",
    "let c = normal(n, seed: 4)",
    "fixpoint x: f32[n] = tanh(W @ x + c) init zeros method broyden until residual < 1e-6 max 200",
    "op cubic(u) = u^3 + u",
    "solve cubic(y) = c method broyden(rtol: 1e-6) -> y",
    "export x",
    "export y",
    "",
  ].join("\n"),
};

describe("constructs and fields main gained later, in a generated module", () => {
  it.each(Object.keys(MORE))("%s: values and reports equal the interpreter's, bit for bit", async (name) => {
    const { reference, got } = await both(MORE[name]);
    for (const e of reference.exports) expect(bytes(got.values[e.name].data).equals(bytes(e.data)), `${e.name} differs`).toBe(true);
    expect(got.reports.map(comparable)).toEqual(reference.reports.map(comparable));
  });
});

describe("watching a generated module's run", () => {
  /** Events without their times (wall clock differs between two runs). */
  const timeless = (events: RunEvent[]) =>
    events.map((e) => (e.type === "iteration" ? { ...e, event: { ...e.event, seconds: 0 } } : e.type === "end" ? { ...e, report: comparable(e.report) } : e));

  it("an observer hears the same starts, iterations and ends as under `iterc run` (nested runs included)", async () => {
    const source = "let A = [[4.0, 1.0], [1.0, 3.0]]\nsolve A @ u = [1.0, 2.0] method cg(rtol: 1e-6) -> u\nexport u\n";
    const { seen } = await both(source, true);
    expect(seen.module.events.length).toBeGreaterThan(2);
    expect(timeless(seen.module.events)).toEqual(timeless(seen.interpreter.events));
    const deq = await both(PROGRAMS.adam, true);
    expect(timeless(deq.seen.module.events)).toEqual(timeless(deq.seen.interpreter.events));
  });

  it("onIteration hears every iteration; an aborted signal stops the run with RunAborted and the reports so far", async () => {
    const module = await evaluate((await compile(PROGRAMS.gd, { filename: "t.iter" })).code!);
    const heard: IterationEvent[] = [];
    const signal = { aborted: false };
    const before = tf.memory().numTensors;
    const run = module.run({}, { backend: "cpu", signal, onIteration: (e) => (heard.push(e), e.iteration === 3 ? (signal.aborted = true) : undefined) });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunAborted);
    const reports = (error as RunAborted).reports;
    expect(reports.map((r) => [r.name, r.reason])).toEqual([["x", "aborted"]]);
    expect(heard.map((e) => e.iteration)).toEqual([0, 1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
    const full = await module.run({}, { backend: "cpu", onIteration: (e) => void heard.push(e) });
    expect(full.reports[0].iterations).toBe(20);
  });
});

describe("what a module cannot do yet is refused where it is written", () => {
  it("a `train` block", async () => {
    const source = [
      "dim B, D = 8",
      "param W: f32[D, 1] init glorot(seed: 1)",
      "model lin(x: f32[B, D]) -> f32[B, 1] {",
      "  return x @ W",
      "}",
      'data toy = csv("toy.csv", x: 0..D, y: D)',
      "train lin on toy {",
      "  loss mean((lin(x) - y)^2)",
      "  optimizer adam(lr: 1e-2)",
      "  epochs 1 batch 8 seed 0",
      "}",
      "export W",
      "",
    ].join("\n");
    const out = await compile(source, { filename: "t.iter" });
    expect(out.code).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([["not-yet", 7]]);
    expect(out.diagnostics[0].message).toMatch(/cannot run `train lin` yet/);
  });

  it("f64 values", async () => {
    const out = await compile("let a = cast([1.0, 2.0], \"f64\")\nexport b = a * 2\n", { filename: "t.iter" });
    expect(out.code).toBeUndefined();
    expect(out.diagnostics.map((d) => d.code)).toEqual(["not-yet"]);
    expect(out.diagnostics[0].message).toMatch(/float64/);
  });
});

describe("a hook that throws", () => {
  it("rejects the run with its error and leaves no tensor behind", async () => {
    const module = await evaluate((await compile(PROGRAMS.adam, { filename: "t.iter" })).code!);
    const before = tf.memory().numTensors;
    const boom = new Error("boom");
    await expect(
      module.run({}, {
        backend: "cpu",
        onIteration: (e) => {
          if (e.iteration === 2) throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(tf.memory().numTensors).toBe(before);
  });
});
