// Memory on the native backend: after a run only the exports are alive, and 10,000 iterations
// hold no more than 10 — the same live tensors, the same peak bytes (sampled after every op) —
// on the op-by-op path and on the fused one. The pool of free arrays is bounded by its
// construction; these tests check that nothing else accumulates.
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { NativeInterpreter } from "../../runtime/native/interpreter.js";
import type { NpyArray } from "../../runtime/npy.js";
import { viewFuser } from "./view-fuser.js";

interface Measured {
  iterations: number;
  peakBytes: number;
  /** Live tensors after the run, exports disposed. */
  live: number;
}

function measure(source: string, inputs: Record<string, NpyArray> = {}, fused = false): Measured {
  const compiled = compileSource(source, { file: "<memory test>", inputShapes: new Map(Object.entries(inputs).map(([k, v]) => [k, v.shape])) });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const interpreter = new NativeInterpreter(fused ? { fuser: viewFuser() } : {});
  const given = new Map(Object.entries(inputs).map(([k, v]) => [k, interpreter.input(v.data, v.shape, "f32")]));
  const before = interpreter.memory.numTensors;
  const result = interpreter.run(compiled.module!, given);
  expect(interpreter.memory.numTensors).toBe(before + new Set(result.exports.values()).size);
  for (const t of new Set(result.exports.values())) t.dispose();
  return { iterations: result.reports[0].iterations, peakBytes: result.peakBytes, live: interpreter.memory.numTensors - before };
}

const loop = (count: number) => `
dim n = 64
loop k < ${count} carry (x = ones(n), y = zeros(n)) {
  x = 0.5 * x + 0.1 * tanh(y)
  y = 0.9 * y + x * k / ${count}
} -> (x, y)
export s = sum(x * y)
`;

// x ← R x with R orthogonal: ‖R x − x‖ never shrinks, so every iteration runs.
const c = Math.cos(1);
const s = Math.sin(1);
const R: NpyArray = { dtype: "float32", shape: [4, 4], data: Float32Array.from([c, -s, 0, 0, s, c, 0, 0, 0, 0, c, -s, 0, 0, s, c]) };
const rotation = (max: number) => `
input R: f32[n, n]
fixpoint x: f32[n] = R @ x
  init ones(n)
  method picard
  until residual < 1e-6
  max ${max}
export x
`;

// Richardson with a tiny step never reaches its tolerance: every iteration runs.
const richardson = (maxiter: number) => `
dim N = 64
op A(u: f32[n]) = 2 * u
let b = ones(N)
solve A(u) = b method richardson(omega: 1e-6, rtol: 1e-6, maxiter: ${maxiter}) -> u
export u
`;

const CASES: [string, (k: number) => string, Record<string, NpyArray>][] = [
  ["loop k < K, two carried values", loop, {}],
  ["a fixpoint that never converges (picard)", rotation, { R }],
  ["solve by richardson, exactly K iterations", richardson, {}],
];

describe("no memory growth over 10,000 iterations on the native backend", () => {
  describe.each([false, true])("fused regions: %s", (fused) => {
    it.each(CASES)("%s", (_name, program, inputs) => {
      const short = measure(program(10), inputs, fused);
      const long = measure(program(10_000), inputs, fused);
      expect(long.iterations).toBe(10_000);
      expect(short.live).toBe(0);
      expect(long.live).toBe(0);
      expect(long.peakBytes).toBe(short.peakBytes);
    });
  });
});
