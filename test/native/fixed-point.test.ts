// A fixed point x ← tanh(W x + b) (Picard), as the lowering would emit a `fixpoint`'s map:
// one kernel of a matvec then a fused elementwise loop that also reduces ‖x_new − x‖², which
// the driver reads to stop. Against the same iteration in plain float64 TypeScript.
import { describe, expect, it } from "vitest";
import { add, fold, let_, loop, matvec, read, store, sub, temp, unary } from "../../compiler/native/build.js";
import type { DType, KernelSet } from "../../compiler/native/kernel-ir.js";
import { NativeProgram } from "../../runtime/native/program.js";
import { rng } from "./reference.js";

const picard = (dtype: DType, n: number): KernelSet => ({
  buffers: [
    { name: "W", dtype, shape: [n, n] },
    { name: "b", dtype, shape: [n] },
    { name: "x", dtype, shape: [n] },
    { name: "Wx", dtype, shape: [n] },
  ],
  scalars: [{ name: "change" }],
  kernels: [
    {
      name: "step",
      steps: [
        matvec("W", "x", "Wx"),
        loop(
          dtype,
          [n],
          [
            let_("x1", unary("tanh", add(read("Wx"), read("b")))),
            fold("sumsq", "change", sub(temp("x1"), read("x"))),
            store("x", temp("x1")),
          ],
        ),
      ],
    },
  ],
});

describe("Picard on tanh(Wx + b)", () => {
  const n = 103;
  const rand = rng(11);
  // ‖W‖₂ ≤ ‖W‖_F ≈ 0.5: a contraction, since tanh is 1-Lipschitz.
  const W = Float64Array.from({ length: n * n }, () => ((rand() - 0.5) * Math.sqrt(12) * 0.5) / n);
  const b = Float64Array.from({ length: n }, () => rand() - 0.5);

  it("converges in f64 to the plain-TS fixed point within 1e-13, reading ‖Δx‖² from memory", () => {
    const p = NativeProgram.compile(picard("f64", n));
    p.view("W").set(W);
    p.view("b").set(b);
    const step = p.kernel("step");
    let k = 0;
    do {
      step();
      k++;
    } while (p.scalar("change") > 1e-28 && k < 200);
    expect(k).toBeLessThan(200);
    // reference: the same iteration in float64
    let x = new Float64Array(n);
    for (let it = 0; it < k + 5; it++) {
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += W[i * n + j] * x[j];
        next[i] = Math.tanh(s + b[i]);
      }
      x = next;
    }
    const got = p.view("x");
    for (let i = 0; i < n; i++) expect(Math.abs(got[i] - x[i])).toBeLessThan(1e-13);
  });

  it("runs in f32 to float32 accuracy", () => {
    const p = NativeProgram.compile(picard("f32", n));
    p.view("W").set(W);
    p.view("b").set(b);
    for (let it = 0; it < 60; it++) p.run("step");
    let x = new Float64Array(n);
    for (let it = 0; it < 60; it++) {
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += W[i * n + j] * x[j];
        next[i] = Math.tanh(s + b[i]);
      }
      x = next;
    }
    // each step's rounding (≈ n·2⁻²⁴ relative in the matvec) is damped by the contraction
    // (factor ≤ 0.5 per step), so the f32 fixed point is within a few 1e-6 of the f64 one
    const got = p.view("x");
    for (let i = 0; i < n; i++) expect(Math.abs(got[i] - x[i])).toBeLessThan(1e-5);
  });
});
